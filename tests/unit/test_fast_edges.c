/*
 * test_fast_edges.c - the fast allocator at the edges the random lockstep
 * test cannot reach cheaply: nodes of 2^32 pages (one ending just below
 * 2^52), alignment 2^63, goals and limits near 2^64, buffer reuse after
 * reset() and free_all().  Expected answers are derived by hand from
 * docs/contract.md (section and step noted on each).  After each
 * group the summaries are checked against the bitmap on the small nodes.
 * Prints "ok - NAME" / "not ok - NAME" per check.
 */
#include <stdio.h>
#include <string.h>

#include "fast.h"
#include "bootfuzz/backend.h"

#include "tap.h"

static int is_ok(bf_result r, uint64_t v) { return r.err == BF_OK && r.value == v; }

#define PG BF_PAGE_SIZE

int main(void)
{
    const bf_backend *be = &bf_backend_fast;
    void *s = be->create();
    bf_node_info ni;

    /* Two nodes of 2^32 pages: [0, 2^32) and [2^52 - 1 - 2^32, 2^52 - 1). */
    uint64_t hs = (1ULL << 52) - 1 - (1ULL << 32), he = (1ULL << 52) - 1;
    check(is_ok(be->add_node(s, 0, 1ULL << 32, NULL), 0), "add_node of 2^32 pages at pfn 0");
    check(is_ok(be->add_node(s, hs, he, NULL), 1), "add_node of 2^32 pages ending at 2^52 - 1");
    check(be->add_node(s, he, he + 1, NULL).err == BF_EINVAL, "add_node ending at 2^52: EINVAL");
    check(be->alloc(s, 1, 0, 0, 0).err == BF_ENOMEM, "all reserved: ENOMEM without a scan");

    /* free the last 16 pages of the high node and 8 + 64 pages of the low one */
    check(is_ok(be->free(s, (he - 16) * PG, 16 * PG), 16), "free the top 16 pages below 2^52");
    check(is_ok(be->free(s, 0, 8 * PG), 8), "free pages 0-7");
    check(is_ok(be->free(s, ((1ULL << 32) - 64) * PG, 64 * PG), 64), "free the last 64 pages of node 0");

    /* 3.5: goal on the last page of the high node; node 0 has no page there
     * (goal not in its window) so it places at its lowest candidate, page 0 */
    check(is_ok(be->alloc_node(s, 1, PG, 0, (he - 1) * PG, 0), (he - 1) * PG),
          "alloc_node(1) with goal on the last page below 2^52");
    /* 3.4: hint = node_start + last_success = (he-1)*4096 >= goal: p = he - 1,
     * no 2-page candidate at or above it; lowest candidate: he - 16 */
    check(is_ok(be->alloc_node(s, 1, 2 * PG, 0, (he - 1) * PG, 0), (he - 16) * PG),
          "no fit at or above the hint: lowest candidate of the node");
    be->node_info(s, 1, &ni);
    check(ni.last_success == ((1ULL << 32) - 16) * PG && ni.last_pos == (1ULL << 32) - 15 &&
              ni.last_offset == 0,
          "state after the wrap: last_success/last_pos/last_offset");

    /* 3.3: align 2^63 means a step of 2^51 frames: only frame 0 qualifies in
     * node 0 and no frame of node 1 does.  3.4: ALIGN(goal, 2^63) of a goal
     * above 2^63 overflows: no page counts as at or above p. */
    check(be->alloc_node(s, 1, PG, 1ULL << 63, (he - 8) * PG, 0).err == BF_OK,
          "align 2^63: node 1 has no candidate, node 0 answers");
    be->node_info(s, 0, &ni);
    check(ni.last_success == 0 && ni.last_pos == 0, "... with frame 0 of node 0");
    check(be->alloc(s, PG, 1ULL << 63, 0, 0).err == BF_ENOMEM,
          "align 2^63 again: frame 0 is taken, ENOMEM");
    /* goal 2^64-1 is in no window (3.4: pref = node start), limit 2^64-1
     * keeps every page: the lowest 8-aligned run of 8 is at 2^32 - 64 */
    check(is_ok(be->alloc(s, 8 * PG, 8 * PG, UINT64_MAX, UINT64_MAX), ((1ULL << 32) - 64) * PG),
          "goal and limit 2^64-1: lowest aligned run, no overflow");
    /* pages 1-7 of node 0 are free; limit 0x8000 allows pages 0-7 only */
    check(is_ok(be->alloc(s, 7 * PG, 0, 0, 0x8000), PG), "limit 0x8000: pages 1-7");
    check(be->alloc(s, 1, 0, 0, 0x8000).err == BF_ENOMEM, "limit 0x8000: now full");
    check(is_ok(be->alloc(s, 56 * PG, 8 * PG, 0, 0), ((1ULL << 32) - 56) * PG),
          "the last 56 pages of node 0, aligned 8");
    check(be->page_reserved(s, (1ULL << 32) - 1) == 1 && be->page_reserved(s, 1ULL << 32) == -1,
          "page_reserved at the end of node 0 and past it");
    check(is_ok(be->free_all(s, 0), 0), "free_all(0): no free page left");
    check(is_ok(be->free_all(s, 1), 13), "free_all(1): 16 freed - 3 allocated = 13 free pages");
    check(be->alloc(s, 1, 0, 0, 0).err == BF_ENOMEM, "retired nodes are skipped");

    /* reset and reuse: a small node of odd shape must start clean */
    be->reset(s);
    check(is_ok(be->add_node(s, 513, 1537, NULL), 0), "after reset: node [513, 1537)");
    char msg[200];
    check(bf_fast_verify(s, msg, sizeof msg) == 0, "reused buffer is all reserved (summaries agree)");
    check(is_ok(be->free(s, 513 * PG, 1024 * PG), 1024), "free the whole node");
    check(is_ok(be->alloc(s, 3 * PG, 1024 * PG, 0, 0), 1024 * PG), "align 4 MiB: frame 1024");
    check(is_ok(be->alloc(s, 100, 0, 0, 0), 513 * PG), "first fit at the node start");
    check(is_ok(be->alloc(s, 100, 16, 0, 0), 513 * PG + 112), "merge into the partial page");
    uint64_t words[3];
    memset(words, 0xff, sizeof words);
    /* node-relative pages 511-513 (frames 1024-1026) are reserved */
    check(be->read_bits(s, 0, 448, words, 3) == 0 && words[0] == 1ULL << 63 && words[1] == 0x3 &&
              words[2] == 0,
          "read_bits from page 448: frames 1024-1026 reserved, nothing else");
    check(bf_fast_verify(s, msg, sizeof msg) == 0, "summaries agree with the bitmap");
    if (failures)
        fprintf(stderr, "verify: %s\n", msg);

    be->destroy(s);
    return failures ? 1 : 0;
}
