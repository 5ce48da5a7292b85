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
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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

static bf_runner *runner;

void bf_fuzz_init(const char *target)
{
    if (runner)
        return;
    runner = setup(target);
    bf_runner_presize(runner, BF_DECODE_MAX_NODE_PAGES);
}

int bf_fuzz_one(const char *target, const uint8_t *data, size_t size)
{
    bf_fuzz_init(target);
    if (bf_runner_run(runner, data, size)) {
        bf_runner_report(runner, stderr);
        fflush(stderr);
        abort();
    }
    /* the next input starts from a reset made by this one (lockstep.h) */
    bf_runner_settle(runner);
    return 0;
}
