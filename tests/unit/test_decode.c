/*
 * test_decode.c - the byte format reaches the 64-bit edges of contract §3
 * that a mutation of one computation would get wrong (issue 14): goals and
 * limits in the last frames below 2^64, in the request's own alignment, so
 * that ALIGN(goal, align) lands exactly on 2^64 - align or the goal sits
 * just below it, for every large alignment; and those calls are answered
 * alike by every exact backend.
 *
 *   record: byte 0 picks alloc (0), then size class/detail, align, goal
 *   kind/detail, limit kind/detail (fuzz/decode.c, docs/harness.md)
 */
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "lockstep.h"

#include "tap.h"

/* One header node (prelude: the node and a free of it), then one alloc
 * record with the given align byte and goal bytes. */
static size_t one_alloc(uint8_t *buf, uint8_t align_byte, uint8_t goal_kind, uint8_t goal_v)
{
    size_t n = 0;
    buf[n++] = 0x00;                   /* header: 1 node, prelude 0 */
    buf[n++] = 0;                      /* node start: adjacent to 0 */
    buf[n++] = 0;                      /* node size: 16 pages */
    buf[n++] = 0;                      /* prelude parameter */
    buf[n++] = 0;                      /* record: alloc */
    buf[n++] = 0;                      /* size class 0: detail + 1 bytes */
    buf[n++] = 0;                      /* ... 1 byte */
    buf[n++] = align_byte;
    buf[n++] = goal_kind;
    buf[n++] = goal_v;
    buf[n++] = 0;                      /* no limit */
    buf[n++] = 0;
    return n;
}

/* The alloc call that input decodes to (after the prelude). */
static bf_call decoded(const uint8_t *buf, size_t len)
{
    bf_decoder d;
    bf_dctx c;
    bf_call o, last;
    memset(&last, 0, sizeof last);
    bf_dctx_reset(&c);
    bf_decoder_init(&d, buf, len);
    while (bf_decoder_next(&d, &c, &o)) {
        bf_dctx_update(&c, &o, bf_ok(0)); /* (node 0; the alloc is the last call) */
        last = o;
    }
    return last;
}

int main(void)
{
    /* align bytes (fuzz/decode.c pick_align): 0x43 -> 8 KiB, 0x4f -> 512
     * KiB, 0x80 | s -> 2^s */
    static const struct {
        uint8_t byte;
        uint64_t align;
    } al[] = {{0x43, 8192}, {0x4f, 512 * 1024}, {0x80 | 40, (uint64_t)1 << 40},
              {0x80 | 63, (uint64_t)1 << 63}};
    char name[200];
    for (unsigned i = 0; i < sizeof al / sizeof *al; i++) {
        uint8_t buf[64];
        uint64_t a = al[i].align;
        /* kind 7 (0x1c), detail bit 4: 2^64 - align; bit 5 of the detail:
         * 2^64 - 2 align; bit 5 of the kind: one less */
        const struct {
            uint8_t k, v;
            uint64_t want;
            const char *what;
        } g[] = {{0x1c, 0x10, 0 - a, "exactly 2^64 - align"},
                 {0x3c, 0x10, 0 - a - 1, "just below 2^64 - align (ALIGN lands on it)"},
                 {0x1c, 0x30, 0 - 2 * a, "2^64 - 2 align"},
                 {0x3c, 0x30, 0 - 2 * a - 1, "just below 2^64 - 2 align"}};
        for (unsigned j = 0; j < sizeof g / sizeof *g; j++) {
            size_t len = one_alloc(buf, al[i].byte, g[j].k, g[j].v);
            bf_call c = decoded(buf, len);
            snprintf(name, sizeof name, "align %llu: a goal %s is one record away (0x%llx)",
                     (unsigned long long)a, g[j].what, (unsigned long long)g[j].want);
            check(c.op == BF_OP_ALLOC && c.arg[1] == a && c.arg[2] == g[j].want, name);
        }
    }
    /* the edges of version 2 are still there (detail bit 4 clear) */
    {
        uint8_t buf[64];
        size_t len = one_alloc(buf, 0x43, 0x1c, 14); /* edge64[14] = 2^64 - 1 */
        bf_call c = decoded(buf, len);
        check(c.arg[2] == UINT64_MAX, "detail bit 4 clear: the 64-bit edges as before (2^64 - 1)");
    }
    /* every exact backend answers those calls as the reference does */
    const char *targets[] = {"fast", "fast_small", "2614fixed"};
    for (unsigned t = 0; t < sizeof targets / sizeof *targets; t++) {
        bf_runner *r = bf_runner_new(targets[t], NULL, BF_CHECK_EXACT);
        int findings = 0, runs = 0;
        for (unsigned i = 0; r && i < sizeof al / sizeof *al; i++)
            for (uint8_t k = 0x1c; k <= 0x3c; k += 0x20)
                for (uint8_t v = 0x10; v <= 0x30; v += 0x20) {
                    uint8_t buf[64];
                    size_t len = one_alloc(buf, al[i].byte, k, v);
                    findings += bf_runner_run(r, buf, len);
                    runs++;
                }
        snprintf(name, sizeof name, "%s = ref on the %d goals at the top of 2^64", targets[t], runs);
        check(r && findings == 0 && runs == 16, name);
        bf_runner_free(r);
    }
    return failures ? 1 : 0;
}
