/*
 * cmd_minimize.c - `bootfuzz minimize`: a failing input down to a few
 * readable calls with the same signature.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "files.h"
#include "minimize.h"

/* The first line `bootfuzz replay` prints for file, run by this very
 * program in a child process: the signature a fresh process gives, or
 * "clean".  -1 if the child could not be run. */
static int fresh_process_signature(const char *file, const char *target, const char *options,
                                   const char *check, char *sig, size_t cap)
{
    int fd[2];
    snprintf(sig, cap, "(could not run a fresh process)");
    if (pipe(fd) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        if (!freopen("/dev/null", "w", stderr))
            _exit(127);
        const char *argv[] = {"bootfuzz", "replay", "--target", target, "--option",
                              options ? options : "", "--check", check ? check : "auto",
                              "--", file, NULL};
        execv("/proc/self/exe", (char *const *)argv);
        _exit(127);
    }
    close(fd[1]);
    char buf[1024];
    size_t got = 0;
    ssize_t k;
    while (got + 1 < sizeof buf && (k = read(fd[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)k;
    buf[got] = 0;
    close(fd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 1))
        return -1;
    /* "FILE: bootfuzz: SIGNATURE" (the file name may hold ": "): from the
     * last "bootfuzz: " on the first line */
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = 0;
    char *at = strstr(buf, ": bootfuzz: ");
    snprintf(sig, cap, "%s", at ? at + 2 : "clean");
    return 0;
}

static const cli_opt minimize_opts[] = {CLI_OPTS_TARGET, CLI_OPT_OUTPUT, {0}};

int cmd_minimize(int argc, char **argv)
{
    const char *out = NULL, *in = NULL, *v;
    cli_backend_args b;
    cli_backend_args_init(&b, "fast");
    cli_args a;
    cli_args_init(&a, "minimize", minimize_opts, argc, argv);
    int c;
    while ((c = cli_next(&a, &v)) != CLI_DONE) {
        int taken = c > 0 ? cli_backend_arg(&b, "minimize", c, v) : 1;
        if (taken == 2)
            return 2;
        if (taken == 0)
            continue;
        if (c == CLI_O_OUTPUT)
            out = v;
        else if (c == CLI_OPERAND && in)
            return cli_usage_error("minimize: takes one FILE (a failing fuzz input); '%s' is a "
                                   "second one",
                                   v);
        else if (c == CLI_OPERAND)
            in = v;
        else
            return cli_finish(&a, c);
    }
    if (cli_backend_args_done(&b, "minimize") != 0)
        return 2;
    if (!in)
        return cli_usage_error("minimize: no FILE given (a failing fuzz input)");
    const char *target = b.be->name, *check_s = b.check;
    char options[512];
    cli_options_format(&b.options, options, sizeof options);
    uint8_t *data;
    size_t len;
    if (cli_read_input("minimize", in, &data, &len) != 0)
        return 2;
    bf_check check;
    if (bf_check_parse(check_s, &check) != 0) {
        free(data);
        return cli_usage_error("minimize: --check '%s': give exact, invariants or auto", check_s);
    }
    bf_runner *r = bf_runner_new_with(b.be, options, check);
    if (!r) {
        free(data);
        return 2;
    }
    unsigned before = 0;
    if (bf_runner_run(r, data, len))
        before = r->nlog;
    bf_call calls[BF_DECODE_MAX_RAW];
    unsigned n = 0, tries = 0;
    clock_t t0 = clock();
    int rc = bf_minimize_guarded(r, data, len, calls, &n, &tries, in);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    free(data);
    if (rc == -1) {
        fprintf(stderr, "bootfuzz: minimize: %s does not fail on target %s: nothing to minimize\n", in,
                target);
        fprintf(stderr, "(minimize runs it on a fresh instance of the plain build. If an engine "
                        "reported a finding on it, either that finding needed an earlier input "
                        "(RESET-LEAK: the backend's reset() leaks state; `bootfuzz replay "
                        "--target %s --leak-before DIR` over the artifacts shows it and writes "
                        "the earlier input) or it was a sanitizer's report, which only the "
                        "sanitizer build reproduces: build/libfuzzer/fuzz/replay-%s FILE.)\n",
                target, target);
        bf_runner_free(r);
        return 1;
    }
    if (rc == -2) {
        fprintf(stderr, "bootfuzz: minimize: %s: its calls, re-encoded, no longer fail the same way\n", in);
        bf_runner_free(r);
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s", out ? out : in);
    if (!out)
        strncat(path, ".min", sizeof path - strlen(path) - 1);
    uint8_t bytes[1 + BF_DECODE_MAX_RAW * 41];
    size_t blen = bf_encode_calls(calls, n, bytes, sizeof bytes);
    char tpath[4200], tmp[4300], ttmp[4300];
    snprintf(tpath, sizeof tpath, "%s.trace", path);
    /* (a name starting with '-' would read as a flag to the child) */
    snprintf(tmp, sizeof tmp, "%s%s.tmp.%ld", path[0] == '-' ? "./" : "", path, (long)getpid());
    snprintf(ttmp, sizeof ttmp, "%s.tmp.%ld", tpath, (long)getpid());
    /* written beside, checked, then renamed into place: a result that does
     * not hold up never replaces anything */
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(bytes, 1, blen, f) != blen || fclose(f) != 0) {
        fprintf(stderr, "bootfuzz: minimize: %s: cannot write: %s\n", tmp, strerror(errno));
        bf_runner_free(r);
        return 2;
    }
    f = fopen(ttmp, "w");
    if (!f) {
        fprintf(stderr, "bootfuzz: minimize: %s: cannot write: %s\n", ttmp, strerror(errno));
        remove(tmp);
        bf_runner_free(r);
        return 2;
    }
    bf_runner_write_trace(r, f);
    if (fclose(f) != 0) {
        fprintf(stderr, "bootfuzz: minimize: %s: cannot write: %s\n", ttmp, strerror(errno));
        remove(tmp);
        remove(ttmp);
        bf_runner_free(r);
        return 2;
    }
    /* The result must fail alone, the same way, in a fresh process, and
     * after other inputs (the original first): what a user will run. */
    char fresh[300];
    int ok = fresh_process_signature(tmp, target, options, check_s, fresh, sizeof fresh) == 0 &&
             !strcmp(fresh, r->signature);
    char after[300] = "";
    if (ok) {
        char want[sizeof r->signature];
        snprintf(want, sizeof want, "%s", r->signature);
        uint8_t *orig;
        size_t olen;
        if (bf_read_file(in, &orig, &olen) == 0) {
            bf_runner_run(r, orig, olen);
            free(orig);
        }
        bf_runner_run(r, bytes, blen);
        snprintf(after, sizeof after, "%s", r->signature);
        ok = !strcmp(after, want);
    }
    if (!ok) {
        fprintf(stderr, "bootfuzz: minimize: the minimized input does not fail the same way %s: got '%s'. "
                        "The backend's result depends on more than the input (state that "
                        "reset() leaves behind, or something outside the backend); nothing "
                        "written. Try: bootfuzz replay --check-determinism --target %s %s\n",
                after[0] ? "after another input" : "in a fresh process",
                after[0] ? after : fresh, target, in);
        remove(tmp);
        remove(ttmp);
        bf_runner_free(r);
        return 1;
    }
    if (rename(tmp, path) != 0 || rename(ttmp, tpath) != 0) {
        fprintf(stderr, "bootfuzz: minimize: %s: cannot rename into place: %s\n", path, strerror(errno));
        bf_runner_free(r);
        return 2;
    }
    bf_runner_report(r, stdout);
    fprintf(stderr, "bootfuzz minimize: %u calls, %zu bytes -> %u calls, %zu bytes "
                    "(%u runs, %.2f s); wrote %s and %s\n",
            before, len, n, blen, tries, secs, path, tpath);
    bf_runner_free(r);
    return 0;
}
