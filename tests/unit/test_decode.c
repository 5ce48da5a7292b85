/*
 * test_decode.c - the byte format reaches the 64-bit edges of contract §3
 * that a mutation of one computation would get wrong (issue 14): goals and
 * limits in the last frames below 2^64, in the request's own alignment, so
 * that ALIGN(goal, align) lands exactly on 2^64 - align or the goal sits
 * just below it, for every large alignment; and those calls are answered
 * alike by every exact backend.
 *
 *   record: byte 0 picks alloc (0), then size class/detail, align, goal
 *   kind/detail, limit kind/detail (fuzz/lang/decode.c, docs/harness.md)
 *
 * And (version 4) the full node table is one record away: a node run fills
 * the 64 slots and asks for a 65th, which is refused (contract §2):
 *
 *   header node [0,16)  run: [16,32) [32,48) ... [1008,1024)   [1024,1040) refused
 *   |<- 1 ->|           |<------------- 63 nodes ------------>|   no slot left
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

/* Decode with a node table as the contract keeps it (a node is refused when
 * the table is full or it overlaps the last one); counts what came out. */
struct counts {
    unsigned calls, nodes_asked, nodes_added, allocs, max_pages;
    uint64_t top_end; /* the highest end pfn of a node added */
};
static struct counts decode_counts(const uint8_t *buf, size_t len)
{
    struct counts k = {0, 0, 0, 0, 0, 0};
    bf_decoder d;
    bf_dctx c;
    bf_call o;
    bf_dctx_reset(&c);
    bf_decoder_init(&d, buf, len);
    while (bf_decoder_next(&d, &c, &o)) {
        k.calls++;
        bf_result r = bf_ok(0);
        if (o.op == BF_OP_NODE) {
            k.nodes_asked++;
            if (o.arg[1] - o.arg[0] > k.max_pages)
                k.max_pages = (unsigned)(o.arg[1] - o.arg[0]);
            if (c.nnodes == BF_MAX_NODES || (c.nnodes && o.arg[0] < c.node[c.nnodes - 1].end))
                r = bf_fail(BF_EINVAL);
            else {
                k.nodes_added++;
                if (o.arg[1] > k.top_end)
                    k.top_end = o.arg[1];
            }
        }
        k.allocs += o.op == BF_OP_ALLOC;
        bf_dctx_update(&c, &o, r);
    }
    return k;
}

static void node_runs(void)
{
    char name[200];
    /* header: 1 node of 16 pages, freed; then a node run record; then an
     * alloc of 1 MiB (256 pages), which fits none of 64 16-page nodes */
    uint8_t fill[] = {0x00, 0, 0, 0,
                      0x1b, 0x00, 0x00, 0x06, 0x40, 0, 0, 0,
                      0x00, 0x02, 0xff, 0x40, 0, 0, 0, 0};
    struct counts k = decode_counts(fill, sizeof fill);
    check(k.nodes_asked == 65 && k.nodes_added == BF_MAX_NODES,
          "a node run with bit 6 fills the table of 64 nodes and asks for a 65th");
    check(k.allocs == 1 && k.calls == 1 + 1 + 64 + 1,
          "the records after a node run are read as before (prelude 2, run 64, alloc 1)");
    uint8_t some[] = {0x00, 0, 0, 0, 0x1b, 0x00, 0x00, 0x06, 0x05, 0, 0, 0};
    k = decode_counts(some, sizeof some);
    check(k.nodes_asked == 1 + 2 + 5, "a node run without bit 6 adds 2 + (byte 4 & 63) nodes");
    uint8_t one[] = {0x00, 0, 0, 0, 0x1b, 0x00, 0x00, 0x02, 0x05, 0, 0, 0};
    k = decode_counts(one, sizeof one);
    check(k.nodes_asked == 2, "a node record with only bit 1 of byte 3 adds one node, as in version 3");
    /* large sizes (class 6, 8K-64K pages) are cut to a block in a run */
    uint8_t big[] = {0x00, 0, 0, 0, 0x1b, 0x00, 0xfe, 0x06, 0x40, 0, 0, 0};
    k = decode_counts(big, sizeof big);
    check(k.nodes_added == BF_MAX_NODES && k.max_pages == BF_DECODE_RUN_PAGES,
          "nodes of a run are cut to BF_DECODE_RUN_PAGES pages");
    /* start classes that name a place (5: the top of the pfn range, 6:
     * above 4 GiB, 7: overlapping) place the first node; the rest follow.
     * Class 5 with detail 1: the table filled up to the last valid pfn
     * (contract §1: end_pfn < 2^52) */
    uint8_t top[] = {0x00, 0, 0, 0, 0x1b, 0x0d, 0x02, 0x06, 0x40, 0, 0, 0};
    k = decode_counts(top, sizeof top);
    check(k.nodes_added == BF_MAX_NODES && k.top_end == BF_PFN_LIMIT - 1,
          "a node run at the top fills the table, its last node ending at 2^52 - 1");
    for (uint8_t cls = 6; cls <= 7; cls++) {
        uint8_t abs[] = {0x00, 0, 0, 0, 0x1b, cls, 0x02, 0x06, 0x40, 0, 0, 0};
        k = decode_counts(abs, sizeof abs);
        snprintf(name, sizeof name, "a node run of start class %u fills the table (%u nodes)", cls,
                 k.nodes_added);
        check(k.nodes_added == BF_MAX_NODES, name);
    }
    /* many runs: never more than BF_DECODE_MAX_RAW calls, the runner's log */
    uint8_t many[1 + 3 + 8 * 64];
    memset(many, 0, sizeof many);
    for (unsigned i = 0; i < 64; i++) {
        uint8_t *r = many + 4 + 8 * i;
        r[0] = 0x1b;
        r[3] = 0x06;
        r[4] = 0x3f;
    }
    k = decode_counts(many, sizeof many);
    check(k.calls == BF_DECODE_MAX_RAW, "an input of many node runs decodes to BF_DECODE_MAX_RAW calls");
}

int main(void)
{
    /* align bytes (fuzz/lang/decode.c pick_align): 0x43 -> 8 KiB, 0x4f -> 512
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
    node_runs();
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
    /* a full table, a 65th node, and an allocation that tries every node:
     * every exact backend answers as the reference does */
    for (unsigned t = 0; t < sizeof targets / sizeof *targets; t++) {
        bf_runner *r = bf_runner_new(targets[t], NULL, BF_CHECK_EXACT);
        uint8_t fill[] = {0x00, 0, 0, 0,
                          0x1b, 0x00, 0x00, 0x06, 0x40, 0, 0, 0,
                          0x00, 0x02, 0xff, 0x40, 0, 0, 0, 0};
        snprintf(name, sizeof name, "%s = ref on a full node table", targets[t]);
        check(r && bf_runner_run(r, fill, sizeof fill) == 0, name);
        bf_runner_free(r);
    }
    return failures ? 1 : 0;
}
