/*
 * bench_harness.c - throughput of the differential harness (make bench-harness).
 *
 * A fixed set of generated inputs (fixed seed) is replayed in-process through
 * a fuzz target, exactly as an engine would run them, and, in the same run,
 * the same concrete calls are made on the reference and on the backend with
 * no decoding, no comparison and no invariant checks (the "bare" cost).
 * Prints exec/s for both and the ratio: how much all the checks cost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backends.h"
#include "lockstep.h"

#define NINPUTS 2000
#define MIN_SECONDS 3.0
#define MIN_ROUNDS 20

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
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

/* The bare calls: what the backends cost without any harness around them. */
static void bare_run(const bf_backend *be, void *sys, const input *in)
{
    be->reset(sys);
    for (unsigned i = 0; i < in->ncalls; i++) {
        const bf_call *c = &in->calls[i];
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
    bf_runner *r = bf_runner_new(target, getenv("BOOTFUZZ_OPTIONS"));
    if (!r)
        return 2;
    static input in[NINPUTS];
    unsigned long total_calls = 0;
    for (int i = 0; i < NINPUTS; i++) {
        /* header + up to 64 records: inputs of <= 64 calls after the prelude */
        size_t len = 1 + 3 * 4 + (next_rand() % 65) * BF_RECORD_SIZE;
        in[i].bytes = malloc(len);
        for (size_t k = 0; k < len; k++)
            in[i].bytes[k] = (uint8_t)next_rand();
        in[i].len = len;
        if (bf_runner_run(r, in[i].bytes, len)) {
            fprintf(stderr, "bench_harness: input %d is a finding on %s:\n", i, target);
            bf_runner_report(r, stderr);
            return 1;
        }
        in[i].ncalls = r->nlog;
        for (unsigned k = 0; k < r->nlog; k++)
            in[i].calls[k] = r->log[k].call;
        total_calls += r->nlog;
    }

    /* The bare backends, with the same options as the target's. */
    const bf_backend *ref = bf_backend_find("ref"), *sut = r->sut_be;
    void *rs = ref->create(), *ss = sut->create();
    int compare = r->target->compare;
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

    /* Rounds alternate between the checked pass (the fuzz target's whole
     * work per input) and the bare pass (the same calls on ref and the
     * backend), and each keeps its fastest round: on a shared machine the
     * speed drifts by tens of percent from one second to the next, and
     * interleaving puts both sides through the same drift. */
    double best_checked = 1e30, best_bare = 1e30, t0 = now();
    int rounds = 0;
    while (rounds < MIN_ROUNDS || now() - t0 < MIN_SECONDS) {
        double a = now();
        for (int i = 0; i < NINPUTS; i++)
            bf_runner_run(r, in[i].bytes, in[i].len);
        double b = now();
        for (int i = 0; i < NINPUTS; i++) {
            bare_run(ref, rs, &in[i]);
            if (compare)
                bare_run(sut, ss, &in[i]);
        }
        double c = now();
        if (b - a < best_checked)
            best_checked = b - a;
        if (c - b < best_bare)
            best_bare = c - b;
        rounds++;
    }
    double checked = NINPUTS / best_checked, bare = NINPUTS / best_bare;

    printf("target %-5s  %d inputs, %.1f calls per input on average\n", target, NINPUTS,
           (double)total_calls / NINPUTS);
    printf("  checked (decode + lockstep + invariants): %10.0f exec/s  %8.2f us/input\n", checked,
           1e6 / checked);
    printf("  bare calls on %s%s%s:%*s %10.0f exec/s  %8.2f us/input\n", "ref",
           compare ? " and " : "", compare ? sut->name : "", compare ? 18 - (int)strlen(sut->name) : 23,
           "", bare, 1e6 / bare);
    printf("  cost of all checks: %.2fx the bare calls (fastest of %d interleaved rounds each)\n",
           bare / checked, rounds);
    ref->destroy(rs);
    sut->destroy(ss);
    bf_runner_free(r);
    for (int i = 0; i < NINPUTS; i++)
        free(in[i].bytes);
    return 0;
}
