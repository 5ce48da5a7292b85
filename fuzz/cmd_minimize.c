/*
 * cmd_minimize.c - `bootfuzz minimize`: a failing input down to a few
 * readable calls with the same signature.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "files.h"
#include "minimize.h"

int cmd_minimize(int argc, char **argv)
{
    const char *target = "fast", *options = getenv("BOOTFUZZ_OPTIONS"), *out = NULL;
    const char *in = NULL, *check_s = getenv("BOOTFUZZ_CHECK");
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--target") && i + 1 < argc)
            target = argv[++i];
        else if (!strcmp(argv[i], "--options") && i + 1 < argc)
            options = argv[++i];
        else if (!strcmp(argv[i], "--check") && i + 1 < argc)
            check_s = argv[++i];
        else if (!strcmp(argv[i], "--invariants"))
            check_s = "invariants";
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("minimize: unknown flag '%s'", argv[i]);
        else if (in)
            return cli_usage_error("minimize: give one FILE (a failing fuzz input)");
        else
            in = argv[i];
    }
    if (!in)
        return cli_usage_error("minimize: give one FILE (a failing fuzz input)");
    uint8_t *data;
    size_t len;
    if (bf_read_file(in, &data, &len) != 0) {
        fprintf(stderr, "bootfuzz: %s: cannot read: %s\n", in, strerror(errno));
        return 2;
    }
    bf_check check;
    if (bf_check_parse(check_s, &check) != 0) {
        free(data);
        return cli_usage_error("minimize: --check '%s': use exact, invariants or auto", check_s);
    }
    bf_runner *r = bf_runner_new(target, options, check);
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
    int rc = bf_minimize(r, data, len, calls, &n, &tries);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    free(data);
    if (rc == -1) {
        fprintf(stderr, "bootfuzz: %s does not fail on target %s: nothing to minimize\n", in,
                target);
        bf_runner_free(r);
        return 1;
    }
    if (rc == -2) {
        fprintf(stderr, "bootfuzz: %s: its calls, re-encoded, no longer fail the same way\n", in);
        bf_runner_free(r);
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s", out ? out : in);
    if (!out)
        strncat(path, ".min", sizeof path - strlen(path) - 1);
    uint8_t bytes[1 + BF_DECODE_MAX_RAW * 41];
    size_t blen = bf_encode_calls(calls, n, bytes, sizeof bytes);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, blen, f) != blen || fclose(f) != 0) {
        fprintf(stderr, "bootfuzz: %s: cannot write: %s\n", path, strerror(errno));
        bf_runner_free(r);
        return 2;
    }
    char tpath[4200];
    snprintf(tpath, sizeof tpath, "%s.trace", path);
    f = fopen(tpath, "w");
    if (!f) {
        fprintf(stderr, "bootfuzz: %s: cannot write: %s\n", tpath, strerror(errno));
        bf_runner_free(r);
        return 2;
    }
    bf_runner_report(r, f);
    fclose(f);
    bf_runner_report(r, stdout);
    fprintf(stderr, "bootfuzz minimize: %u calls, %zu bytes -> %u calls, %zu bytes "
                    "(%u runs, %.2f s); wrote %s and %s\n",
            before, len, n, blen, tries, secs, path, tpath);
    bf_runner_free(r);
    return 0;
}
