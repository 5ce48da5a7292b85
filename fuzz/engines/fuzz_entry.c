/*
 * fuzz_entry.c - the body of every fuzz target: one runner per process,
 * reset for each input, report and abort() on a finding.
 *
 * Settings come from the environment, since engines pass no arguments to
 * the target (and OSS-Fuzz's .options files cannot set them):
 *   BOOTFUZZ_OPTIONS       backend switches, "NAME=VALUE,..."
 *   BOOTFUZZ_CHECK         exact | invariants | auto (default: the backend's flags)
 *   BOOTFUZZ_SUPPRESSIONS  a suppressions file (suppress.h): findings that
 *                          match end the input quietly and are counted
 *   BOOTFUZZ_STATS         a file: at exit, each process appends one line
 *                          "suppressed N" (N > 0), so a campaign can add up
 *                          what its engines' processes (fork mode, AFL++
 *                          instances) suppressed
 *   BOOTFUZZ_LEAK_DIR      a directory: a RESET-LEAK finding also leaves the
 *                          pair there, DIR/pair.XXXXXX/{0-before,1-input}
 *                          (the earlier input that leaked state, then the
 *                          input that failed), so triage can file the engine's
 *                          artifact (1-input alone, which runs clean) with
 *                          the input that caused it: in libFuzzer's fork mode
 *                          and under AFL++ the engine's report is not kept
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_entry.h"
#include "lockstep.h"
#include "suppress.h"

static bf_supp *supp;

static void print_suppressed(void)
{
    bf_supp_print(supp, stderr);
    const char *stats = getenv("BOOTFUZZ_STATS");
    unsigned long n = bf_supp_hits(supp);
    if (stats && stats[0] && n) {
        /* one short line in one append: lines of processes that exit at once
         * do not mix */
        char line[64];
        int len = snprintf(line, sizeof line, "suppressed %lu\n", n);
        int fd = open(stats, O_WRONLY | O_APPEND | O_CREAT, 0644);
        if (fd >= 0) {
            if (write(fd, line, (size_t)len) != len)
                fprintf(stderr, "bootfuzz: %s: could not add the suppressed count\n", stats);
            close(fd);
        }
    }
}

static bf_runner *setup(const char *target)
{
    bf_check check;
    const char *mode = getenv("BOOTFUZZ_CHECK");
    if (bf_check_parse(mode, &check) != 0) {
        fprintf(stderr, "bootfuzz: BOOTFUZZ_CHECK='%s': use exact, invariants or auto\n", mode);
        exit(2);
    }
    const char *sp = getenv("BOOTFUZZ_SUPPRESSIONS");
    if (sp && sp[0]) {
        char err[512];
        if (!(supp = bf_supp_load(sp, err, sizeof err))) {
            fprintf(stderr, "bootfuzz: BOOTFUZZ_SUPPRESSIONS: %s\n", err);
            exit(2);
        }
        atexit(print_suppressed);
    }
    bf_runner *r = bf_runner_new(target, getenv("BOOTFUZZ_OPTIONS"), check);
    if (!r)
        exit(2);
    r->supp = supp; /* a known finding ends the input quietly, counted */
    return r;
}

static int write_whole(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    return close(fd);
}

/* A RESET-LEAK's pair into BOOTFUZZ_LEAK_DIR, whole or not at all: written
 * in DIR/.tmp.XXXXXX (mkdtemp: unique among the engine's processes), then
 * renamed to DIR/pair.XXXXXX.  Best effort: the finding is reported and the
 * engine keeps its artifact whatever happens here. */
static void save_leak_pair(const bf_runner *r, const uint8_t *data, size_t size)
{
    const char *dir = getenv("BOOTFUZZ_LEAK_DIR");
    char tmp[PATH_MAX], path[PATH_MAX + 32], done[PATH_MAX + 32]; /* tmp + a name */
    if (!dir || !dir[0] || !r->leak_input)
        return;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s/.tmp.XXXXXX", dir) >= sizeof tmp || !mkdtemp(tmp)) {
        fprintf(stderr, "bootfuzz: BOOTFUZZ_LEAK_DIR=%s: cannot keep the leaking pair\n", dir);
        return;
    }
    snprintf(path, sizeof path, "%s/0-before", tmp);
    int bad = write_whole(path, r->leak_input, r->leak_size);
    snprintf(path, sizeof path, "%s/1-input", tmp);
    bad |= write_whole(path, data, size);
    snprintf(done, sizeof done, "%s/pair.%s", dir, strrchr(tmp, '.') + 1);
    if (bad || rename(tmp, done) != 0)
        fprintf(stderr, "bootfuzz: %s: cannot keep the leaking pair\n", tmp);
    else
        fprintf(stderr, "bootfuzz: the leaking pair is kept in %s\n", done);
}

static bf_runner *runner;

void bf_fuzz_init(const char *target)
{
    if (runner)
        return;
    runner = setup(target); /* (presized: bf_runner_new) */
}

int bf_fuzz_one(const char *target, const uint8_t *data, size_t size)
{
    bf_fuzz_init(target);
    if (bf_runner_run(runner, data, size)) {
        bf_runner_report(runner, stderr);
        save_leak_pair(runner, data, size);
        fflush(stderr);
        abort();
    }
    /* the next input starts from a reset made by this one (lockstep.h) */
    bf_runner_settle(runner);
    return 0;
}
