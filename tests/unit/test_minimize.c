/*
 * test_minimize.c - the minimizer cannot crash, and what it returns holds.
 *
 * Property test: random call sequences on the 2.6.14 port, with random
 * subsets of its bug switches, nodes that start and end across the
 * decoder's classes (pfn 0, small, just past 8192, large, near 2^52) and
 * requests of every shape.  For at least 500 different failing inputs:
 * bf_minimize returns 0, its result is no longer than the input, and the
 * result run on a fresh runner (a new backend instance, nothing run before
 * it) fails with the original signature.  Run by make test, and under
 * ASan+UBSan by tests/sh/asan_units.sh (a stack overrun of the candidate
 * arrays, 9 values into 8, once crashed it on such an input).
 */
#include <stdlib.h>
#include <string.h>

#include "minimize.h"
#include "tap.h"

#define PAGE BF_PAGE_SIZE
#define WANT 500

static const char letters[] = "ACDEFGHJKLMNOP";

static uint64_t pick(const uint64_t *v, size_t n) { return v[tap_rand() % n]; }

/* A node start from one of the decoder's classes. */
static uint64_t node_start(void)
{
    static const uint64_t starts[] = {0, 1, 3, 16, 64, 255, 8191, 8192, 8193, 8200, 65535,
                                      1u << 20, (1ull << 32) + 5, (1ull << 52) - 4096};
    return pick(starts, sizeof starts / sizeof starts[0]);
}

static size_t random_input(bf_call *calls)
{
    static const uint64_t sizes[] = {0, 1, 100, 4095, 4096, 4097, 8192, 8185, 65536, 1ull << 20,
                                     UINT64_MAX - 4094, UINT64_MAX};
    static const uint64_t aligns[] = {0, 1, 3, 16, 4096, 8192, 16384, 1u << 21, 1ull << 63};
    size_t n = 0;
    uint64_t base[3];
    int nodes = 1 + (int)(tap_rand() % 3);
    for (int k = 0; k < nodes; k++) {
        uint64_t s = node_start() + (uint64_t)k * 70000, len = 1 + tap_rand() % 200;
        if (s + len >= (1ull << 52))
            s = (1ull << 52) - len - 1;
        base[k] = s * PAGE;
        calls[n++] = (bf_call){.op = BF_OP_NODE, .arg = {s, s + len}};
        calls[n++] = (bf_call){.op = BF_OP_FREE, .arg = {s * PAGE, len * PAGE}};
    }
    int m = 2 + (int)(tap_rand() % 12);
    for (int i = 0; i < m; i++) {
        uint64_t b = base[tap_rand() % (uint64_t)nodes];
        bf_call c = {0};
        switch (tap_rand() % 7) {
        case 0:
        case 1:
        case 2:
            c.op = BF_OP_ALLOC;
            c.arg[0] = pick(sizes, sizeof sizes / sizeof sizes[0]);
            c.arg[1] = pick(aligns, sizeof aligns / sizeof aligns[0]);
            c.arg[2] = tap_rand() % 2 ? b + (tap_rand() % 64) * PAGE : 0;
            c.arg[3] = tap_rand() % 3 ? 0 : b + (tap_rand() % 32) * PAGE + tap_rand() % 2;
            break;
        case 3:
            c.op = BF_OP_ALLOC_NODE;
            c.arg[0] = tap_rand() % 4;
            c.arg[1] = pick(sizes, sizeof sizes / sizeof sizes[0]);
            c.arg[2] = pick(aligns, sizeof aligns / sizeof aligns[0]);
            break;
        case 4:
            c.op = BF_OP_FREE;
            c.arg[0] = b + (tap_rand() % 80) * PAGE - (tap_rand() % 2) * PAGE;
            c.arg[1] = 1 + tap_rand() % (8 * PAGE);
            break;
        case 5:
            c.op = BF_OP_RESERVE;
            c.arg[0] = b + (tap_rand() % 80) * PAGE;
            c.arg[1] = tap_rand() % 4 ? 1 + tap_rand() % (8 * PAGE) : UINT64_MAX - tap_rand() % 8;
            break;
        default:
            c.op = BF_OP_FREE_ALL;
            c.arg[0] = tap_rand() % 3;
            break;
        }
        calls[n++] = c;
    }
    return n;
}

static void random_options(char *buf, size_t cap)
{
    size_t o = 0;
    int all = tap_rand() % 4 == 0;
    for (const char *l = letters; *l && o + 8 < cap; l++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%c=%d", o ? "," : "", *l,
                              all || tap_rand() % 3 == 0);
}

int main(void)
{
    bf_call calls[64], out[BF_DECODE_MAX_RAW];
    uint8_t buf[1 + BF_DECODE_MAX_RAW * 41], mbuf[1 + BF_DECODE_MAX_RAW * 41];
    int failing = 0, minimized = 0, shorter_or_same = 0, holds = 0, tried = 0;
    unsigned long sig_hash[WANT];
    int distinct = 0;
    char first_bad[512] = "";
    while (failing < WANT && tried < 200000) {
        tried++;
        size_t n = random_input(calls);
        size_t len = bf_encode_calls(calls, n, buf, sizeof buf);
        char opts[128];
        random_options(opts, sizeof opts);
        bf_runner *r = bf_runner_new("2614", opts, BF_CHECK_AUTO);
        if (!r)
            return 2;
        if (!bf_runner_run(r, buf, len)) {
            bf_runner_free(r);
            continue;
        }
        failing++;
        char want[256];
        snprintf(want, sizeof want, "%s", r->signature);
        unsigned long h = 5381;
        for (const char *p = want; *p; p++)
            h = h * 33 + (unsigned char)*p;
        int seen = 0;
        for (int k = 0; k < distinct; k++)
            seen |= sig_hash[k] == h;
        if (!seen && distinct < WANT)
            sig_hash[distinct++] = h;
        unsigned nout = 0, tries = 0;
        int rc = bf_minimize(r, buf, len, out, &nout, &tries);
        bf_runner_free(r);
        if (rc != 0) {
            if (!first_bad[0])
                snprintf(first_bad, sizeof first_bad, "minimize returned %d on options %s", rc, opts);
            continue;
        }
        minimized++;
        shorter_or_same += nout <= n;
        size_t mlen = bf_encode_calls(out, nout, mbuf, sizeof mbuf);
        bf_runner *fresh = bf_runner_new("2614", opts, BF_CHECK_AUTO);
        int again = bf_runner_run(fresh, mbuf, mlen);
        if (again && !strcmp(fresh->signature, want))
            holds++;
        else if (!first_bad[0])
            snprintf(first_bad, sizeof first_bad, "options %s: '%s' minimized to '%s'", opts, want,
                     again ? fresh->signature : "no finding");
        bf_runner_free(fresh);
    }
    char what[200];
    snprintf(what, sizeof what, "%d failing inputs found (of %d random ones, %d signatures)",
             failing, tried, distinct);
    check(failing >= WANT, what);
    snprintf(what, sizeof what, "the minimizer finished on all %d (no crash, result returned)", failing);
    check(minimized == failing, what);
    check(shorter_or_same == minimized, "no result has more calls than its input");
    snprintf(what, sizeof what, "every result fails alone, on a fresh instance, with the original "
             "signature (%d of %d)", holds, minimized);
    check(holds == minimized, what);
    if (first_bad[0])
        printf("# first problem: %s\n", first_bad);
    return failures != 0;
}
