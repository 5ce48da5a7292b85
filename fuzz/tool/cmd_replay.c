/*
 * cmd_replay.c - `bootfuzz replay`: run inputs (files, directories) through
 * a target as its engines do, without aborting: a signature per finding,
 * the determinism check, RESET-LEAK pairs (--leak-before).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "files.h"
#include "lockstep.h"
#include "suppress.h"
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
        fprintf(stderr, "bootfuzz: replay: %s: cannot write: %s\n", dest, strerror(errno));
        return;
    }
    printf("%s: the earlier input that leaves the state behind: %s\n", path, dest);
}

static int replay_one(bf_runner *r, replay_item *it, int verbose, int quiet)
{
    uint8_t *data;
    size_t len;
    if (cli_read_input("replay", it->path, &data, &len) != 0)
        return -1;
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

enum { R_SUPP = CLI_O_FIRST_OWN, R_LEAK, R_DETERMINISM, R_PRECISE };
static const cli_opt replay_opts[] = {
    CLI_OPTS_TARGET,
    CLI_OPT_VERBOSE,
    {"suppressions", 0, "FILE", R_SUPP},
    {"leak-before", 0, "DIR", R_LEAK},
    {"check-determinism", 0, NULL, R_DETERMINISM},
    {"precise", 0, NULL, R_PRECISE},
    {0},
};

int cmd_replay(int argc, char **argv)
{
    const char *supp_path = getenv("BOOTFUZZ_SUPPRESSIONS"), *v;
    int verbose = 0, determinism = 0, precise = 0, r;
    leak_dir = NULL;
    cli_backend_args b;
    cli_backend_args_init(&b, "fast");
    cli_args a;
    cli_args_init(&a, "replay", replay_opts, argc, argv);
    char **ins = calloc((size_t)argc + 1, sizeof *ins);
    int nins = 0;
    if (!ins)
        abort();
    while ((r = cli_next(&a, &v)) != CLI_DONE) {
        int taken = r > 0 ? cli_backend_arg(&b, "replay", r, v) : 1;
        if (taken == 0)
            continue;
        if (taken == 2) {
            free(ins);
            return 2;
        }
        switch (r) {
        case CLI_OPERAND: ins[nins++] = (char *)v; break;
        case CLI_O_VERBOSE: verbose = 1; break;
        case R_SUPP: supp_path = v; break;
        case R_LEAK: leak_dir = v; break;
        case R_DETERMINISM: determinism = 1; break;
        case R_PRECISE: precise = 1; break;
        default: free(ins); return cli_finish(&a, r);
        }
    }
    if (cli_backend_args_done(&b, "replay") != 0) {
        free(ins);
        return 2;
    }
    if (!nins) {
        free(ins);
        return cli_usage_error("replay: no input given (give FILE or DIR; bootfuzz help replay)");
    }
    const char *target = b.be->name;
    char options[512];
    cli_options_format(&b.options, options, sizeof options);
    bf_check check;
    if (bf_check_parse(b.check, &check) != 0) {
        free(ins);
        return cli_usage_error("replay: --check '%s': give exact, invariants or auto", b.check);
    }
    bf_supp *supp = NULL;
    if (supp_path && supp_path[0]) {
        char err[512];
        if (!(supp = bf_supp_load(supp_path, err, sizeof err))) {
            fprintf(stderr, "bootfuzz: replay: %s\n", err);
            return 2;
        }
    }
    bf_runner *rn = bf_runner_new_with(b.be, options, check);
    if (!rn) {
        bf_supp_free(supp);
        free(ins);
        return 2;
    }
    rn->always_precise = precise;
    rn->supp = supp; /* known findings run as clean, counted */
    item_list list = {0};
    int bad = 0;
    for (int k = 0; k < nins; k++) {
        size_t before = list.n;
        if (bf_walk_for("replay", ins[k], NULL, collect, &list) < 0)
            bad = 1;
        else if (list.n == before) {
            fprintf(stderr, "bootfuzz: replay: %s: no input file in it: nothing to run\n", ins[k]);
            bad = 1;
        }
    }
    free(ins);
    replay_item *items = list.items;
    size_t n = list.n, unreadable = 0;
    if (n)
        qsort(items, n, sizeof *items, cmp_item);
    int findings = 0;
    for (size_t k = 0; k < n; k++) {
        int f = replay_one(rn, &items[k], verbose, 0);
        bad |= f < 0;
        unreadable += f < 0;
        findings += f > 0;
    }
    bf_supp_print(supp, stderr); /* before the second pass counts them again */
    int unstable = 0;
    if (determinism) {
        /* the same inputs again, in reverse order, in the same process */
        for (size_t k = n; k-- > 0;) {
            replay_item again = items[k];
            if (!strcmp(items[k].signature, "")) /* unreadable the first time */
                continue;
            replay_one(rn, &again, 0, 1);
            if (strcmp(again.signature, items[k].signature) || again.digest != items[k].digest) {
                printf("%s: NOT DETERMINISTIC: first '%s', then '%s'\n", items[k].path,
                       items[k].signature, again.signature);
                unstable++;
            }
        }
    }
    fprintf(stderr, "bootfuzz replay: %zu inputs on target %s, %d findings%s", n - unreadable,
            target, findings,
            determinism ? (unstable ? ", NOT deterministic" : ", deterministic") : "");
    if (unreadable)
        fprintf(stderr, "; %zu could not be read (see above)", unreadable);
    fputc('\n', stderr);
    bf_supp_free(supp);
    for (size_t k = 0; k < n; k++)
        free(items[k].path);
    free(items);
    bf_runner_free(rn);
    return bad ? 2 : (findings || unstable) ? 1 : 0;
}
