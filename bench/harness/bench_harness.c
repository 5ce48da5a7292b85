/*
 * bench_harness.c - throughput of the differential harness (make bench-harness).
 *
 *   bench-harness TARGET [DIR|FILE...]
 *
 * A set of inputs is replayed in-process through a fuzz target, exactly as
 * an engine runs them (bf_runner_run, then bf_runner_settle), and, in the
 * same run, the same concrete calls are made on the reference and on the
 * backend with no decoding, no comparison and no invariant checks (the
 * "bare" cost).  Prints exec/s for both and the ratio: how much all the
 * checks cost.  The inputs: the files given (a corpus: the seeds, or the
 * fuzzer-grown bench/corpus-grown), else 2000 generated ones (fixed seed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backends.h"
#include "files.h"
#include "lockstep.h"

#define NGEN 2000
#define MIN_SECONDS 3.0
#define MIN_PASSES 3
#define MAX_PASSES 100000
#define BATCH 100 /* inputs per half of a batch */

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (sorts v). */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct input {
    uint8_t *bytes;
    size_t len;
    bf_call calls[BF_LOG_MAX];
    unsigned ncalls;
} input;

static input *in;
static int nin, capin;

static input *new_input(void)
{
    if (nin == capin) {
        capin = capin ? 2 * capin : 1024;
        in = realloc(in, (size_t)capin * sizeof *in);
        if (!in)
            abort();
    }
    memset(&in[nin], 0, sizeof in[nin]);
    return &in[nin++];
}

static int load(const char *path, void *ctx)
{
    (void)ctx;
    input *x = new_input();
    if (bf_read_file(path, &x->bytes, &x->len) != 0) {
        fprintf(stderr, "bench_harness: cannot read %s\n", path);
        return 1;
    }
    return 0;
}

/* The bare calls: what the backends cost without any harness around them. */
static void bare_run(const bf_backend *be, void *sys, const input *x)
{
    be->reset(sys);
    for (unsigned i = 0; i < x->ncalls; i++) {
        const bf_call *c = &x->calls[i];
        const uint64_t *a = c->arg;
        bf_result r;
        switch (c->op) {
        case BF_OP_NODE: r = be->add_node(sys, a[0], a[1], NULL); break;
        case BF_OP_RESERVE: r = be->reserve(sys, a[0], a[1]); break;
        case BF_OP_FREE: r = be->free(sys, a[0], a[1]); break;
        case BF_OP_ALLOC: r = be->alloc(sys, a[0], a[1], a[2], a[3]); break;
        case BF_OP_ALLOC_NODE: r = be->alloc_node(sys, a[0], a[1], a[2], a[3], a[4]); break;
        default: r = be->free_all(sys, a[0]); break;
        }
        if (r.err == BF_BUG)
            return;
    }
}

int main(int argc, char **argv)
{
    const char *target = argc > 1 ? argv[1] : "fast";
    bf_runner *r = bf_runner_new(target, getenv("BOOTFUZZ_OPTIONS"), BF_CHECK_AUTO);
    if (!r)
        return 2;
    /* (presized for the largest input, as every runner: bf_runner_new) */
    const char *from = argc > 2 ? argv[2] : NULL;
    for (int a = 2; a < argc; a++)
        if (bf_walk(argv[a], NULL, load, NULL) != 0)
            return 2;
    if (from && !nin) {
        fprintf(stderr, "bench_harness: no input in %s\n", from);
        return 2;
    }
    for (int i = 0; !from && i < NGEN; i++) {
        /* header + up to 64 records: inputs of <= 64 calls after the prelude */
        input *x = new_input();
        size_t len = 1 + 3 * 4 + (next_rand() % 65) * BF_RECORD_SIZE;
        x->bytes = malloc(len);
        for (size_t k = 0; k < len; k++)
            x->bytes[k] = (uint8_t)next_rand();
        x->len = len;
    }
    unsigned long total_calls = 0;
    for (int i = 0; i < nin; i++) {
        if (bf_runner_run(r, in[i].bytes, in[i].len)) {
            fprintf(stderr, "bench_harness: input %d is a finding on %s:\n", i, target);
            bf_runner_report(r, stderr);
            return 1;
        }
        in[i].ncalls = r->nlog;
        for (unsigned k = 0; k < r->nlog; k++)
            in[i].calls[k] = r->log[k].call;
        total_calls += r->nlog;
        bf_runner_settle(r);
    }

    /* The bare backends, with the same options as the target's. */
    const bf_backend *ref = bf_backend_find("ref"), *sut = r->sut_be;
    void *rs = ref->create(), *ss = sut->create();
    int compare = r->compare;
    const char *opts = getenv("BOOTFUZZ_OPTIONS");
    if (opts && *opts && sut->set_option) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", opts);
        for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
            char *eq = strchr(t, '=');
            if (eq)
                *eq++ = 0;
            sut->set_option(ss, t, eq ? strtoull(eq, NULL, 0) : 1);
        }
    }

    /* Batches alternate between checked runs (the fuzz target's whole work
     * per input) and bare runs of the same inputs (the same calls on ref
     * and the backend).  This machine's speed drifts by tens of percent from
     * one moment to the next, so the two halves of a batch run a few
     * milliseconds apart.  A pass runs the whole set once, batch by batch;
     * its ratio is its checked time over its bare time, so every input
     * counts as much as an engine running the set would make it count (a
     * grown corpus has a few inputs that cost a hundred times the median
     * one).  The figures reported are medians over the passes. */
    static double t_checked[MAX_PASSES], t_bare[MAX_PASSES], ratio[MAX_PASSES];
    double t0 = now();
    int passes = 0;
    while (passes < MAX_PASSES && (passes < MIN_PASSES || now() - t0 < MIN_SECONDS)) {
        double tc = 0, tb = 0;
        for (int first = 0; first < nin; first += BATCH) {
            int last = first + BATCH < nin ? first + BATCH : nin;
            double a = now();
            for (int k = first; k < last; k++) {
                bf_runner_run(r, in[k].bytes, in[k].len);
                bf_runner_settle(r);
            }
            double b = now();
            for (int k = first; k < last; k++) {
                bare_run(ref, rs, &in[k]);
                if (compare)
                    bare_run(sut, ss, &in[k]);
            }
            double c = now();
            tc += b - a;
            tb += c - b;
        }
        t_checked[passes] = tc;
        t_bare[passes] = tb;
        ratio[passes] = tc / tb;
        passes++;
    }
    double checked = nin / median(t_checked, passes), bare = nin / median(t_bare, passes);
    double cost = median(ratio, passes);

    printf("target %-5s  %d inputs (%s), %.1f calls per input on average\n", target, nin,
           from ? from : "generated", (double)total_calls / nin);
    printf("  checked (decode + lockstep + invariants): %10.0f exec/s  %8.2f us/input\n", checked,
           1e6 / checked);
    printf("  bare calls on %s%s%s:%*s %10.0f exec/s  %8.2f us/input\n", "ref",
           compare ? " and " : "", compare ? sut->name : "", compare ? 18 - (int)strlen(sut->name) : 23,
           "", bare, 1e6 / bare);
    printf("  cost of all checks: %.2fx the bare calls (median of %d passes over the set, "
           "interleaved in batches of %d)\n",
           cost, passes, BATCH);
    ref->destroy(rs);
    sut->destroy(ss);
    bf_runner_free(r);
    for (int i = 0; i < nin; i++)
        free(in[i].bytes);
    free(in);
    return 0;
}
