/*
 * cmd_fuzzio.c - fuzz inputs on the command line:
 *   bootfuzz print FILE      bytes -> trace (with the reference's answers)
 *   bootfuzz encode TRACE    trace -> bytes (raw records; print gives it back)
 *   bootfuzz replay ...      run inputs through a target without aborting
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends.h"
#include "cli.h"
#include "files.h"
#include "lockstep.h"
#include "suppress.h"
#include "trace.h"

/* Decode and run on the reference alone (no checks): the input's calls. */
static void print_input(const uint8_t *data, size_t size, FILE *out)
{
    bf_session s;
    if (bf_session_init(&s, bf_backend_find("ref")) != 0)
        abort();
    bf_session_reset(&s);
    bf_dctx ctx;
    bf_decoder d;
    bf_dctx_reset(&ctx);
    bf_decoder_init(&d, data, size);
    fprintf(out, "# bootfuzz input, byte format %d\n%%format %d\n", BF_FORMAT_VERSION,
            BF_TRACE_FORMAT);
    bf_call c;
    char text[256], call[256], res[300];
    while (bf_decoder_next(&d, &ctx, &c)) {
        bf_result r = bf_session_exec(&s, &c, text, sizeof text);
        int n = (int)bf_call_format(&c, call, sizeof call);
        bf_result_format(r, text, res, sizeof res);
        fprintf(out, "%s%*s %s\n", call, n < 39 ? 39 - n : 0, "", res);
        bf_dctx_update(&ctx, &c, r);
    }
    bf_session_destroy(&s);
}

int cmd_print(int argc, char **argv)
{
    if (argc != 1)
        return cli_usage_error("print takes one FILE (a fuzz input)");
    uint8_t *data;
    size_t len;
    if (bf_read_file(argv[0], &data, &len) != 0) {
        fprintf(stderr, "bootfuzz: %s: cannot read: %s\n", argv[0], strerror(errno));
        return 2;
    }
    print_input(data, len, stdout);
    free(data);
    return 0;
}

int cmd_encode(int argc, char **argv)
{
    const char *out_path = NULL;
    if (argc == 3 && !strcmp(argv[1], "-o"))
        out_path = argv[2];
    else if (argc != 1)
        return cli_usage_error("encode takes one TRACE and an optional -o FILE");
    bf_trace t;
    char err[512];
    if (bf_trace_load(argv[0], &t, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    bf_call calls[BF_DECODE_MAX_RAW];
    size_t n = 0;
    for (size_t i = 0; i < t.n; i++) {
        const bf_tline *l = &t.line[i];
        if (l->kind != BF_LINE_STMT || bf_op_get(l->call.op)->is_query)
            continue;
        if (n == BF_DECODE_MAX_RAW) {
            fprintf(stderr, "%s:%d:1: a fuzz input holds at most %d calls\n", argv[0],
                    l->lineno, BF_DECODE_MAX_RAW);
            bf_trace_free(&t);
            return 2;
        }
        if (l->call.op == BF_OP_NODE && (l->call.flags & BF_CALL_MEM) &&
            l->call.arg[1] - l->call.arg[0] > BF_DECODE_MEM_PAGES) {
            fprintf(stderr, "%s:%d:1: a fuzz input gives backing memory only to nodes of at most "
                            "%d pages\n",
                    argv[0], l->lineno, BF_DECODE_MEM_PAGES);
            bf_trace_free(&t);
            return 2;
        }
        calls[n++] = l->call;
    }
    bf_trace_free(&t);
    size_t need = bf_encode_calls(calls, n, NULL, 0);
    uint8_t *bytes = malloc(need);
    if (!bytes)
        abort();
    bf_encode_calls(calls, n, bytes, need);
    FILE *f = out_path ? fopen(out_path, "wb") : stdout;
    if (!f || fwrite(bytes, 1, need, f) != need || (out_path && fclose(f) != 0)) {
        fprintf(stderr, "bootfuzz: %s: cannot write: %s\n", out_path ? out_path : "stdout",
                strerror(errno));
        free(bytes);
        return 2;
    }
    free(bytes);
    return 0;
}

/* ---- replay ---- */

typedef struct replay_item {
    char *path;
    char signature[256];
    uint64_t digest; /* of every answer, to compare runs */
} replay_item;

typedef struct item_list {
    replay_item *items;
    size_t n, cap;
} item_list;

static int collect(const char *path, void *p)
{
    item_list *l = p;
    if (l->n == l->cap) {
        l->items = realloc(l->items, (l->cap = l->cap ? l->cap * 2 : 64) * sizeof *l->items);
        if (!l->items)
            abort();
    }
    memset(&l->items[l->n], 0, sizeof *l->items);
    l->items[l->n++].path = strdup(path);
    return 0;
}

static int cmp_item(const void *a, const void *b)
{
    return strcmp(((const replay_item *)a)->path, ((const replay_item *)b)->path);
}

static uint64_t run_digest(const bf_runner *r)
{
    uint64_t h = 1469598103934665603ull;
    for (unsigned i = 0; i < r->nlog; i++) {
        const bf_log_entry *e = &r->log[i];
        uint64_t v[4] = {e->ref.err, e->ref.value, e->sut.err, e->sut.value};
        for (int k = 0; k < 4; k++)
            h = (h ^ v[k]) * 1099511628211ull;
    }
    return h ^ r->nlog;
}

/* replay --leak-before DIR: for a RESET-LEAK finding on FILE, the earlier
 * input that leaves the state behind is written to DIR/<FILE's name>.before
 * (write, then rename), so the pair can be kept and run again: that input,
 * then FILE, in one process (bootfuzz replay --target T BEFORE FILE). */
static const char *leak_dir;

static void save_leak_before(const char *path, const uint8_t *data, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char dest[4096], tmp[4200];
    snprintf(dest, sizeof dest, "%s/%s.before", leak_dir, base);
    snprintf(tmp, sizeof tmp, "%s.tmp", dest);
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0 || rename(tmp, dest) != 0) {
        fprintf(stderr, "bootfuzz: %s: cannot write: %s\n", dest, strerror(errno));
        return;
    }
    printf("%s: the earlier input that leaves the state behind: %s\n", path, dest);
}

static int replay_one(bf_runner *r, replay_item *it, int verbose, int quiet)
{
    uint8_t *data;
    size_t len;
    if (bf_read_file(it->path, &data, &len) != 0) {
        fprintf(stderr, "bootfuzz: %s: cannot read\n", it->path);
        return -1;
    }
    int f = bf_runner_run(r, data, len);
    free(data);
    snprintf(it->signature, sizeof it->signature, "%s", f ? r->signature : "clean");
    it->digest = run_digest(r);
    if (f && !quiet) {
        printf("%s: %s\n", it->path, r->signature);
        if (leak_dir && r->leak_input)
            save_leak_before(it->path, r->leak_input, r->leak_size);
        if (verbose)
            bf_runner_report(r, stdout);
        /* out now: a later input that crashes the backend (and this
         * process) must not take the findings before it along */
        fflush(stdout);
    }
    return f;
}

int cmd_replay(int argc, char **argv)
{
    const char *target = "fast", *options = getenv("BOOTFUZZ_OPTIONS");
    const char *check_s = getenv("BOOTFUZZ_CHECK"), *supp_path = getenv("BOOTFUZZ_SUPPRESSIONS");
    int verbose = 0, determinism = 0, precise = 0, i;
    leak_dir = NULL;
    for (i = 0; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--target") && i + 1 < argc)
            target = argv[++i];
        else if (!strcmp(argv[i], "--options") && i + 1 < argc)
            options = argv[++i];
        else if (!strcmp(argv[i], "--check") && i + 1 < argc)
            check_s = argv[++i];
        else if (!strcmp(argv[i], "--invariants"))
            check_s = "invariants";
        else if (!strcmp(argv[i], "--suppressions") && i + 1 < argc)
            supp_path = argv[++i];
        else if (!strcmp(argv[i], "--leak-before") && i + 1 < argc)
            leak_dir = argv[++i];
        else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
            verbose = 1;
        else if (!strcmp(argv[i], "--check-determinism"))
            determinism = 1;
        else if (!strcmp(argv[i], "--precise"))
            precise = 1;
        else
            return cli_usage_error("replay: unknown flag '%s'", argv[i]);
    }
    if (i == argc)
        return cli_usage_error("replay: no input given");
    bf_check check;
    if (bf_check_parse(check_s, &check) != 0)
        return cli_usage_error("replay: --check '%s': use exact, invariants or auto", check_s);
    bf_supp *supp = NULL;
    if (supp_path && supp_path[0]) {
        char err[512];
        if (!(supp = bf_supp_load(supp_path, err, sizeof err))) {
            fprintf(stderr, "bootfuzz: %s\n", err);
            return 2;
        }
    }
    bf_runner *r = bf_runner_new(target, options, check);
    if (!r) {
        bf_supp_free(supp);
        return 2;
    }
    r->always_precise = precise;
    r->supp = supp; /* known findings run as clean, counted */
    item_list list = {0};
    int bad = 0;
    for (; i < argc; i++)
        bad |= bf_walk(argv[i], NULL, collect, &list) < 0;
    replay_item *items = list.items;
    size_t n = list.n;
    if (n)
        qsort(items, n, sizeof *items, cmp_item);
    int findings = 0;
    for (size_t k = 0; k < n; k++) {
        int f = replay_one(r, &items[k], verbose, 0);
        bad |= f < 0;
        findings += f > 0;
    }
    bf_supp_print(supp, stderr); /* before the second pass counts them again */
    int unstable = 0;
    if (determinism) {
        /* the same inputs again, in reverse order, in the same process */
        for (size_t k = n; k-- > 0;) {
            replay_item again = items[k];
            replay_one(r, &again, 0, 1);
            if (strcmp(again.signature, items[k].signature) || again.digest != items[k].digest) {
                printf("%s: NOT DETERMINISTIC: first '%s', then '%s'\n", items[k].path,
                       items[k].signature, again.signature);
                unstable++;
            }
        }
    }
    fprintf(stderr, "bootfuzz replay: %zu inputs on target %s, %d findings%s\n", n, target,
            findings, determinism ? (unstable ? ", NOT deterministic" : ", deterministic") : "");
    bf_supp_free(supp);
    for (size_t k = 0; k < n; k++)
        free(items[k].path);
    free(items);
    bf_runner_free(r);
    return bad ? 2 : (findings || unstable) ? 1 : 0;
}
