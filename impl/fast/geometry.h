/*
 * impl/fast/geometry.h - the summary geometry (pages per block,
 * children per parent) and the node and system structs every part shares.
 *
 * A part of fast's one translation unit, not a header to include elsewhere:
 * impl/fast/fast.c includes the parts in order (geometry, bits, summaries, search, place, verify) and
 * fast_small.c builds the same unit with its own geometry, so every part is
 * compiled once per geometry and inlines into the calls.  Uses: bootfuzz/backend.h (BF_MAX_NODES).
 */
#ifndef BF_FAST_GEOMETRY_H
#define BF_FAST_GEOMETRY_H

#include <stddef.h>
#include <stdint.h>

#include "bootfuzz/backend.h"

/* Geometry: 2^BLK_SHIFT pages per level-0 summary (a whole number of words),
 * 2^FAN_SHIFT entries per parent (at most 64: one dirty word holds them).
 * impl/fast/fast_small.c builds this unit again with a small geometry, as the
 * backend fast_small: the small nodes the fuzzer makes then cross every
 * summary level and level boundary that only large nodes reach here.  The
 * geometry changes no answer: every test runs both, and their fuzz targets
 * are checked exactly against the reference. */
#ifndef FAST_BLK_SHIFT
#define FAST_BLK_SHIFT 9u
#endif
#ifndef FAST_FAN_SHIFT
#define FAST_FAN_SHIFT 4u
#endif
#ifndef FAST_NAME
#define FAST_NAME "fast"
#define FAST_NOTE ""
#endif
/* Nodes of at most this many blocks are searched from p over the bitmap
 * alone while their summaries are dirty (place.h: small_search): a scan of
 * a few dozen words costs less than bringing the summaries up to date after
 * every update (churn on small nodes).  fast_small sets 0: its small nodes
 * are there to reach the walk. */
#ifndef FAST_LINEAR_BLOCKS
#define FAST_LINEAR_BLOCKS 8u
#endif
#define BLK_SHIFT FAST_BLK_SHIFT
#define BLK_BITS (1u << BLK_SHIFT)
#define BLK_WORDS (BLK_BITS / 64u)
#define FAN_SHIFT FAST_FAN_SHIFT
#define FAN (1u << FAN_SHIFT)
/* levels above the blocks for a node of 2^32 pages, with room to spare */
#define MAXLEV ((32u - BLK_SHIFT) / FAN_SHIFT + 3u)
_Static_assert(BLK_SHIFT >= 6 && BLK_SHIFT <= 16, "a block is whole words, its offsets 16-bit");
_Static_assert(FAN_SHIFT >= 1 && FAN_SHIFT <= 6, "a parent's children share one dirty word");
#define NONE UINT64_MAX

typedef struct fblk {
    uint16_t start, end, inner, ipos; /* ipos relative to the block */
} fblk;

/* Levels above the blocks also keep bbest: the longest free run that starts
 * at a block boundary strictly inside the span (S0 < b < S1, b a multiple of
 * BLK_BITS), cut at S1.  A request aligned to a block or more whose grid
 * falls on block boundaries can only start at such b, so an entry with
 * bbest < npages holds no candidate that touches neither of its edge runs:
 * the walk steps over it instead of descending (a block has no boundary
 * inside, so for it that is 0: it is not stored). */
typedef struct fsum {
    uint64_t start, end, inner, ipos; /* ipos: absolute bit index */
    uint64_t bbest;
} fsum;

typedef struct fnode {
    uint64_t start_pfn, end_pfn;
    uint64_t base;  /* pfn of bit 0, modulo 2^64 */
    uint64_t off0;  /* first bit of the node */
    uint64_t nbits; /* multiple of BLK_BITS */
    uint64_t nfree;
    uint64_t last_success, last_pos, last_offset;
    uint8_t *mem;
    int live;
    int small_failed; /* the last small_search of this node found nothing */
    uint64_t nofit;   /* no free run of this many pages anywhere in the node
                       * (NONE: not known); set by small_search, cleared by a free */
    int nlev; /* levels 1..nlev above the blocks; lcnt[nlev] == 1 */
    uint64_t lcnt[MAXLEV + 1];
    uint64_t *w;
    fblk *blk;
    fsum *lev[MAXLEV + 1];
    uint64_t *dirty[MAXLEV + 1]; /* one bit per entry of each level */
    void *buf; /* all of the above arrays; all zero while unused */
    size_t cap;
} fnode;

typedef struct fsys {
    int nnodes;
    int hit; /* node of the last reserve/free/query: tried first */
    uint8_t sorted[BF_MAX_NODES]; /* node ids by start_pfn */
    fnode node[BF_MAX_NODES];
} fsys;

#endif
