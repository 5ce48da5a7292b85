/*
 * impl/fast.c - "fast": the exact bootmem contract (shared/design/contract.md),
 * searched word-at-a-time over a bitmap with exact free-run summaries.
 *
 * Bitmap.  Bit i of a node's map stands for page frame base + i, 1 = FREE
 * (the contract's "1 = reserved", inverted: a fresh node, all reserved, is all
 * zero bytes, so calloc's lazily zeroed pages cost nothing until freed).
 * nbits is the node's page count rounded up to whole blocks and
 * base = end_pfn - nbits (modulo 2^64), so the node ends exactly at the end of
 * its last block and bits [0, off0) are padding that stays reserved.
 *
 * Summaries.  Level 0 has one per block of 512 pages (8 words); level k >= 1
 * one per 16 entries of level k-1; the last level has a single entry, the
 * root.  A summary of the span [S0, S1) holds
 *     start  length of the free run that begins at S0,
 *     end    length of the free run that ends at S1,
 *     inner  length of the longest free run touching neither S0 nor S1 - 1,
 *     ipos   where one such run starts (0 when inner == 0);
 * a fully free span has start = end = S1 - S0, inner = 0.  The longest free
 * run of the span is max(start, end, inner) (the percpu allocator's
 * left_free / right_free / contig_hint).  Keeping the runs that touch the
 * edges apart from "inner" lets a parent be computed from its 16 children
 * alone.
 *
 * Laziness.  reserve, free and alloc write only the bitmap and mark the
 * blocks they touched dirty (one bit per entry per level; the parent of a
 * dirty entry is dirty).  A dirty summary is never trusted: before a search
 * reads summaries, flush() recomputes the dirty blocks (8 words) and, bottom
 * up, the dirty entries above them whose children changed.  So a reserve or
 * free costs about as much as the bit update, and the summaries are brought
 * up to date once per search however many updates came before it.
 *
 * Search.  Lowest candidate c >= lo with c on the alignment grid (phase of the
 * physical frame), [c, c + npages) free and c + npages <= hi.  The block of lo
 * is scanned word-at-a-time, then the walk goes right over summaries,
 * climbing while it stands on the first child of a parent and descending only
 * into entries whose inner run could hold the request.  A "cand" carries the
 * lowest aligned position of the free run reaching the current boundary.
 * The boot pattern (place_quick: limit 0, align <= PAGE_SIZE, the answer in
 * the word of p or the next) reads only the bitmap, so it never flushes.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootfuzz/backend.h"
#include "fast.h"

/* Geometry: 2^BLK_SHIFT pages per level-0 summary (a whole number of words),
 * 2^FAN_SHIFT entries per parent (at most 64: one dirty word holds them).
 * impl/fast_small.c builds this file again with a small geometry, as the
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
/* Nodes of at most this many blocks are searched word by word from lo while
 * their summaries are dirty (fsearch): a scan of a few dozen words costs less
 * than bringing the summaries up to date after every update (churn on small
 * nodes).  fast_small sets 0: its small nodes are there to reach the walk. */
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

/* ------------------------------------------------------------------ bits */

static inline uint64_t lomask(uint64_t n) /* bits [0, n), n <= 64 */
{
    return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

static inline uint64_t from_bit(uint64_t x) { return ~0ULL << (x & 63); } /* bits >= x%64 */
static inline uint64_t upto_bit(uint64_t x) { return ~0ULL >> (63 - (x & 63)); } /* bits <= x%64 */

static inline unsigned ctz64(uint64_t x) { return (unsigned)__builtin_ctzll(x); }
static inline unsigned clz64(uint64_t x) { return (unsigned)__builtin_clzll(x); }

static inline uint64_t pop64(uint64_t x)
{
#if defined(__POPCNT__)
    return (uint64_t)__builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (x * 0x0101010101010101ULL) >> 56;
#endif
}

/* Reserve bits [a, b) (clear them); returns how many were free. */
static uint64_t bits_reserve(uint64_t *w, uint64_t a, uint64_t b)
{
    uint64_t ja = a >> 6, jb = (b - 1) >> 6;
    uint64_t ma = from_bit(a), mb = upto_bit(b - 1), cnt;
    if (ja == jb) {
        uint64_t m = ma & mb;
        cnt = pop64(w[ja] & m);
        w[ja] &= ~m;
        return cnt;
    }
    cnt = pop64(w[ja] & ma);
    w[ja] &= ~ma;
    for (uint64_t j = ja + 1; j < jb; j++) {
        cnt += pop64(w[j]);
        w[j] = 0;
    }
    cnt += pop64(w[jb] & mb);
    w[jb] &= ~mb;
    return cnt;
}

/* Reserve bits [a, b) known to be free. */
static inline void bits_clear(uint64_t *w, uint64_t a, uint64_t b)
{
    uint64_t ja = a >> 6, jb = (b - 1) >> 6;
    uint64_t ma = from_bit(a), mb = upto_bit(b - 1);
    if (ja == jb) {
        w[ja] &= ~(ma & mb);
        return;
    }
    w[ja] &= ~ma;
    for (uint64_t j = ja + 1; j < jb; j++)
        w[j] = 0;
    w[jb] &= ~mb;
}

/* Free bits [a, b) (set them). */
static void bits_free(uint64_t *w, uint64_t a, uint64_t b)
{
    uint64_t ja = a >> 6, jb = (b - 1) >> 6;
    uint64_t ma = from_bit(a), mb = upto_bit(b - 1);
    if (ja == jb) {
        w[ja] |= ma & mb;
        return;
    }
    w[ja] |= ma;
    for (uint64_t j = ja + 1; j < jb; j++)
        w[j] = ~0ULL;
    w[jb] |= mb;
}

static int bits_any_free(const uint64_t *w, uint64_t a, uint64_t b)
{
    uint64_t ja = a >> 6, jb = (b - 1) >> 6;
    uint64_t ma = from_bit(a), mb = upto_bit(b - 1);
    if (ja == jb)
        return (w[ja] & ma & mb) != 0;
    if (w[ja] & ma)
        return 1;
    for (uint64_t j = ja + 1; j < jb; j++)
        if (w[j])
            return 1;
    return (w[jb] & mb) != 0;
}

/* First free bit in [x, end), or end. */
static inline uint64_t next_free(const uint64_t *w, uint64_t x, uint64_t end)
{
    uint64_t j = x >> 6, je = (end - 1) >> 6;
    uint64_t m = w[j] & from_bit(x);
    while (!m) {
        if (++j > je)
            return end;
        m = w[j];
    }
    uint64_t r = (j << 6) + ctz64(m);
    return r < end ? r : end;
}

/* Last reserved bit in [x, e), or NONE (scans from the far end). */
static inline uint64_t last_reserved(const uint64_t *w, uint64_t x, uint64_t e)
{
    uint64_t j = (e - 1) >> 6, jx = x >> 6;
    uint64_t m = ~w[j] & upto_bit(e - 1);
    for (;;) {
        if (j == jx)
            m &= from_bit(x);
        if (m)
            return (j << 6) + 63 - clz64(m);
        if (j == jx)
            return NONE;
        m = ~w[--j];
    }
}

/* Longest run of ones in w and where its first occurrence starts.  Branch
 * free: x[s] marks where runs of >= s ones start (s = 1, 2, 4, .., 32); the
 * length is then built from the top bit down, each step keeping the positions
 * where a run of >= len + s starts. */
static inline unsigned word_longest(uint64_t w, unsigned *pos)
{
    if (w == ~0ULL) {
        *pos = 0;
        return 64;
    }
    uint64_t x1 = w, x2 = x1 & (x1 >> 1), x4 = x2 & (x2 >> 2), x8 = x4 & (x4 >> 4);
    uint64_t x16 = x8 & (x8 >> 8), x32 = x16 & (x16 >> 16);
    uint64_t cur = ~0ULL, c, m;
    unsigned len = 0;
#define WL_STEP(xs, s)                                                                     \
    c = cur & ((xs) >> len);                                                               \
    m = 0 - (uint64_t)(c != 0);                                                            \
    cur = (c & m) | (cur & ~m);                                                            \
    len += (s) & (unsigned)m;
    WL_STEP(x32, 32u)
    WL_STEP(x16, 16u)
    WL_STEP(x8, 8u)
    WL_STEP(x4, 4u)
    WL_STEP(x2, 2u)
    WL_STEP(x1, 1u)
#undef WL_STEP
    *pos = len ? ctz64(cur) : 0;
    return len;
}

/* Positions p where bits p .. p+n-1 of w are all ones (1 <= n <= 64). */
static inline uint64_t runs_of(uint64_t x, unsigned n)
{
    unsigned k = 1;
    while (2 * k <= n) { /* same trip count for every word of a search */
        x &= x >> k;
        k <<= 1;
    }
    if (k < n)
        x &= x >> (n - k);
    return x;
}

/* Longest free run inside bits [lo, hi) of one block's words.  First pass:
 * the runs that touch a word edge, joined across words with ctz/clz.  Second
 * pass: word_longest only in the words that can hold a longer run. */
static unsigned longest_in(const uint64_t *w, unsigned lo, unsigned hi, unsigned *pos)
{
    uint64_t x[BLK_WORDS];
    unsigned best = 0, bp = 0, carry = 0, cst = 0, j0 = lo >> 6, j1 = (hi - 1) >> 6, j;
    if (lo >= hi)
        return 0;
    for (j = j0; j <= j1; j++) {
        uint64_t v = w[j];
        unsigned ws = j << 6;
        if (ws < lo)
            v &= ~lomask(lo - ws);
        if (ws + 64 > hi)
            v &= lomask(hi - ws);
        x[j] = v;
        if (v == ~0ULL) {
            if (!carry)
                cst = ws;
            carry += 64;
            continue;
        }
        unsigned t = ctz64(~v);
        if (carry + t > best) {
            best = carry + t;
            bp = carry ? cst : ws;
        }
        carry = clz64(~v);
        cst = ws + 64 - carry;
    }
    if (carry > best) {
        best = carry;
        bp = cst;
    }
    if (best >= 62) {
        *pos = bp;
        return best;
    }
    /* which words hold a run longer than best: all words in lockstep, the
     * same shifts for each (a fixed trip count; vectorizable) */
    uint64_t y[BLK_WORDS];
    unsigned need = best + 1, k = 1;
    for (j = 0; j < BLK_WORDS; j++)
        y[j] = j >= j0 && j <= j1 && x[j] != ~0ULL ? x[j] : 0;
    while (2 * k <= need) {
        for (j = 0; j < BLK_WORDS; j++)
            y[j] &= y[j] >> k;
        k <<= 1;
    }
    if (k < need)
        for (j = 0; j < BLK_WORDS; j++)
            y[j] &= y[j] >> (need - k);
    for (j = j0; j <= j1; j++) {
        unsigned p, l;
        if (y[j]) {
            l = word_longest(x[j], &p);
            if (l > best || (l == best && (j << 6) + p < bp)) {
                best = l;
                bp = (j << 6) + p;
            }
        }
    }
    *pos = bp;
    return best;
}

/* ------------------------------------------------------------- summaries */

static inline unsigned sh_of(int k) { return BLK_SHIFT + FAN_SHIFT * (unsigned)k; }

static inline uint64_t span_end(const fnode *n, int k, uint64_t i)
{
    if (k == 0) /* nbits is whole blocks: no block is cut */
        return (i + 1) << BLK_SHIFT;
    uint64_t e = (i + 1) << sh_of(k);
    return e < n->nbits ? e : n->nbits;
}

static inline fsum getv(const fnode *n, int k, uint64_t i)
{
    fsum v;
    if (k == 0) {
        const fblk *b = &n->blk[i];
        v.start = b->start;
        v.end = b->end;
        v.inner = b->inner;
        v.ipos = b->inner ? (i << BLK_SHIFT) + b->ipos : 0;
        v.bbest = 0;
    } else {
        v = n->lev[k][i];
    }
    return v;
}

static inline int sum_eq(const fsum *a, const fsum *b)
{
    return a->start == b->start && a->end == b->end && a->inner == b->inner &&
           a->ipos == b->ipos && a->bbest == b->bbest;
}

static void recompute_block(fnode *n, uint64_t bi)
{
    const uint64_t *w = n->w + bi * BLK_WORDS;
    fblk *b = &n->blk[bi];
    unsigned j = 0, st = 0, en = 0, pos = 0, in;
    uint64_t any = 0;
    for (j = 0; j < BLK_WORDS; j++) /* all reserved (a whole block allocated) */
        any |= w[j];
    if (!any) {
        b->start = b->end = b->inner = b->ipos = 0;
        return;
    }
    j = 0;
    while (j < BLK_WORDS && w[j] == ~0ULL) {
        st += 64;
        j++;
    }
    if (j == BLK_WORDS) {
        b->start = b->end = BLK_BITS;
        b->inner = b->ipos = 0;
        return;
    }
    st += ctz64(~w[j]);
    j = BLK_WORDS - 1;
    while (w[j] == ~0ULL) {
        en += 64;
        j--;
    }
    en += clz64(~w[j]);
    /* page st and page BLK_BITS-1-en are reserved; inner runs lie between */
    in = longest_in(w, st + 1, BLK_BITS - 1 - en, &pos);
    b->start = (uint16_t)st;
    b->end = (uint16_t)en;
    b->inner = (uint16_t)in;
    b->ipos = (uint16_t)(in ? pos : 0);
}

/* The summary of entry i of level k >= 1 from its children, in one pass
 * from left to right over the free runs their edge runs form: `rs` is where
 * the run open at the current child boundary began (open: there is one).
 * A run closing at x is the start run when it began at S0, else an inner
 * run; the lowest block boundary in it after S0 starts the longest run from
 * a block boundary it holds (bbest).  Runs inside a child touching neither
 * of its edges are the child's own inner and bbest. */
static inline __attribute__((always_inline)) void recompute_entry_k(fnode *n, int k, uint64_t i)
{
    unsigned csh = sh_of(k - 1);
    uint64_t c0 = i << FAN_SHIFT, c1 = c0 + FAN;
    uint64_t S0 = i << sh_of(k), S1 = span_end(n, k, i), b1 = S0 + BLK_BITS;
    uint64_t rs = S0, st = NONE, in = 0, ip = 0, bb = 0;
    int open = 1;
    fsum v;
    if (c1 > n->lcnt[k - 1])
        c1 = n->lcnt[k - 1];
    for (uint64_t c = c0; c < c1; c++) {
        fsum ch = getv(n, k - 1, c);
        uint64_t cs = c << csh, ce = span_end(n, k - 1, c);
        if (ch.start == ce - cs) { /* all free: the run goes on */
            if (!open) {
                rs = cs;
                open = 1;
            }
            continue;
        }
        if (!open && ch.start) {
            rs = cs;
            open = 1;
        }
        if (open) { /* the run [rs, x) closes */
            uint64_t x = cs + ch.start, lb = (rs + BLK_BITS - 1) & ~(uint64_t)(BLK_BITS - 1);
            if (rs == S0) {
                st = x - S0;
            } else if (x - rs > in) {
                in = x - rs;
                ip = rs;
            }
            if (lb < b1)
                lb = b1;
            if (x > lb && x - lb > bb)
                bb = x - lb;
        } else if (st == NONE) {
            st = 0;
        }
        if (ch.inner > in) {
            in = ch.inner;
            ip = ch.ipos;
        }
        if (ch.bbest > bb)
            bb = ch.bbest;
        open = ch.end != 0;
        rs = ce - ch.end;
    }
    if (st == NONE) { /* every child all free */
        v.start = v.end = S1 - S0;
        v.inner = v.ipos = 0;
        v.bbest = S1 - S0 - BLK_BITS; /* from S0 + one block to S1 (0 for one block) */
        n->lev[k][i] = v;
        return;
    }
    v.start = st;
    v.end = open ? S1 - rs : 0;
    if (open) { /* the end run [rs, S1) */
        uint64_t lb = (rs + BLK_BITS - 1) & ~(uint64_t)(BLK_BITS - 1);
        if (lb < b1)
            lb = b1;
        if (S1 > lb && S1 - lb > bb)
            bb = S1 - lb;
    }
    v.inner = in;
    v.ipos = in ? ip : 0;
    v.bbest = bb;
    n->lev[k][i] = v;
}

/* Level 1 (children are blocks) is where most rescans happen: a copy of
 * the loop for it, with the block reads inlined. */
static void recompute_entry(fnode *n, int k, uint64_t i)
{
    if (k == 1)
        recompute_entry_k(n, 1, i);
    else
        recompute_entry_k(n, k, i);
}

/* ------------------------------------------------------------- laziness
 *
 * reserve, free and alloc change only the bitmap and mark the blocks they
 * touch dirty: bit bi of dirty[0], and bit bi >> (4 k) of dirty[k] for each
 * level k above.  Invariant: the parent of a dirty entry is dirty (so every
 * dirty block's path up to the root is dirty, and a clean root means every
 * summary is exact).  A dirty entry's stored summary is stale and is never
 * trusted: flush() recomputes exactly the dirty entries, bottom-up, before a
 * search reads a summary; an entry none of whose dirty children changed keeps
 * its summary. */

static inline int is_dirty(const fnode *n, int k, uint64_t i)
{
    return (int)((n->dirty[k][i >> 6] >> (i & 63)) & 1);
}

static inline void mark_dirty(fnode *n, uint64_t bi)
{
    uint64_t *d = &n->dirty[0][bi >> 6], m = 1ULL << (bi & 63);
    if (*d & m)
        return; /* its ancestors are dirty already */
    *d |= m;
    for (int k = 1; k <= n->nlev; k++) {
        bi >>= FAN_SHIFT;
        d = &n->dirty[k][bi >> 6];
        m = 1ULL << (bi & 63);
        if (*d & m)
            return;
        *d |= m;
    }
}

/* Bits [a, b) changed. */
static inline void mark_range(fnode *n, uint64_t a, uint64_t b)
{
    uint64_t bi = a >> BLK_SHIFT, be = (b - 1) >> BLK_SHIFT;
    mark_dirty(n, bi);
    while (bi < be)
        mark_dirty(n, ++bi);
}

/* Level-1 entry i (children: blocks) after child block j changed its start
 * or end, from summary a to b, when its neighbours j - 1 and j + 1 exist,
 * did not change in this flush and each hold a reserved page.  Then only
 * the free runs from the end run of j - 1 to the start run of j + 1 (the
 * region [r0, r1)) changed, all of them inner runs of the entry, and of the
 * runs from block boundaries only the one from block j's start: the
 * entry's summary P (exact before the change) is updated in O(1).  Returns
 * 0, having changed nothing, when that cannot be decided so (the entry's
 * longest inner run or bbest may have been the one lost): rescan then.
 * This is the common case of a whole-block allocation and its free. */
static int block_change(fnode *n, uint64_t i, unsigned j, unsigned nch, uint64_t chg,
                        const fsum *a, const fsum *b)
{
    if (j == 0 || j + 1 >= nch || ((chg >> (j - 1)) & 5))
        return 0;
    uint64_t c = (i << FAN_SHIFT) + j, cs = c << BLK_SHIFT, ce = cs + BLK_BITS;
    const fblk *L = &n->blk[c - 1], *R = &n->blk[c + 1];
    if (L->start == BLK_BITS || R->start == BLK_BITS)
        return 0;
    fsum *P = &n->lev[1][i];
    uint64_t r0 = cs - L->end, r1 = ce + R->start;
    /* the run from block boundary cs, before and after */
    uint64_t ba = a->start == BLK_BITS ? BLK_BITS + R->start : a->start;
    uint64_t bn = b->start == BLK_BITS ? BLK_BITS + R->start : b->start;
    if (bn < ba && ba == P->bbest)
        return 0;
    /* the region's longest run now, the first of equals */
    uint64_t len, pos;
    if (b->start == BLK_BITS) {
        len = r1 - r0;
        pos = r0;
    } else {
        len = L->end + b->start;
        pos = r0;
        if (b->inner > len) {
            len = b->inner;
            pos = b->ipos;
        }
        if (b->end + R->start > len) {
            len = b->end + R->start;
            pos = ce - b->end;
        }
    }
    if (P->inner && P->ipos >= r0 && P->ipos < r1) { /* the longest lay here */
        if (len < P->inner)
            return 0;
        P->inner = len;
        P->ipos = pos;
    } else if (len > P->inner) {
        P->inner = len;
        P->ipos = pos;
    }
    if (bn > P->bbest)
        P->bbest = bn;
    return 1;
}

/* Recompute dirty entry i of level k and its dirty descendants, clearing
 * their dirty bits; returns 1 when its summary changed.  The children are
 * flushed first; then each changed child is applied to the summary P, which
 * stays exact for the children applied so far, or P is rescanned. */
static int flush_ent(fnode *n, int k, uint64_t i)
{
    n->dirty[k][i >> 6] &= ~(1ULL << (i & 63));
    if (k == 0) {
        fblk o = n->blk[i];
        recompute_block(n, i);
        const fblk *b = &n->blk[i];
        return o.start != b->start || o.end != b->end || o.inner != b->inner ||
               o.ipos != b->ipos;
    }
    uint64_t c0 = i << FAN_SHIFT; /* the 16 children's bits share one word */
    uint64_t m = (n->dirty[k - 1][c0 >> 6] >> (c0 & 63)) & ((1ULL << FAN) - 1), chg = 0;
    unsigned csh = sh_of(k - 1), nch = n->lcnt[k - 1] - c0 < FAN ? (unsigned)(n->lcnt[k - 1] - c0) : FAN;
    fsum *P = &n->lev[k][i], o = *P, old[FAN];
    for (; m; m &= m - 1) {
        unsigned j = ctz64(m);
        old[j] = getv(n, k - 1, c0 + j);
        if (flush_ent(n, k - 1, c0 + j))
            chg |= 1ULL << j;
    }
    /* A child whose start and end did not change leaves the parent's start,
     * end and the runs joined across children as they were: only its inner
     * run and bbest can matter, and they do not when the parent's stored
     * inner run lies outside it and the parent's bbest was not the child's
     * old one. */
    for (m = chg; m; m &= m - 1) {
        unsigned j = ctz64(m);
        uint64_t cs = (c0 + j) << csh;
        fsum a = old[j], b = getv(n, k - 1, c0 + j);
        if (a.start != b.start || a.end != b.end) {
            if (k == 1 && block_change(n, i, j, nch, chg, &a, &b))
                continue;
            break;
        }
        if ((P->inner && P->ipos >= cs && P->ipos < span_end(n, k - 1, c0 + j)) ||
            (b.bbest < a.bbest && a.bbest == P->bbest))
            break;
        if (b.inner > P->inner) {
            P->inner = b.inner;
            P->ipos = b.ipos;
        }
        if (b.bbest > P->bbest)
            P->bbest = b.bbest;
    }
    if (m) /* a child could not be applied: from all the children */
        recompute_entry(n, k, i);
    return !sum_eq(&o, P);
}

/* Make every summary exact. */
static inline void flush(fnode *n)
{
    if (is_dirty(n, n->nlev, 0))
        flush_ent(n, n->nlev, 0);
}

/* Zero every word and summary that is not zero (the node is left as a fresh
 * all-reserved buffer, ready for any later node of any size). */
static void wipe(fnode *n, int k, uint64_t i)
{
    if (k == 0) {
        fblk *b = &n->blk[i];
        if (b->start | b->end | b->inner)
            memset(n->w + i * BLK_WORDS, 0, BLK_WORDS * sizeof(uint64_t));
        memset(b, 0, sizeof *b);
        return;
    }
    fsum *v = &n->lev[k][i];
    if (v->start | v->end | v->inner) {
        uint64_t c0 = i << FAN_SHIFT, c1 = c0 + FAN;
        if (c1 > n->lcnt[k - 1])
            c1 = n->lcnt[k - 1];
        for (uint64_t c = c0; c < c1; c++)
            wipe(n, k - 1, c);
    }
    memset(v, 0, sizeof *v);
}

/* ---------------------------------------------------------------- search */

typedef struct fq {
    uint64_t np;    /* pages */
    uint64_t step;  /* alignment in pages, a power of two */
    uint64_t ph;    /* aligned bits are i with (i - ph) % step == 0 */
    uint64_t hi;    /* c + np <= hi */
    uint64_t amask; /* word mask of aligned bits when step <= 64 */
    int small;      /* np <= 64 and step <= 64: in-word run masks */
    int bal;        /* aligned bits are block boundaries (step >= a block, phase 0):
                     * the walk prunes with bbest instead of inner */
} fq;

static inline uint64_t alup(const fq *q, uint64_t i)
{
    return i + ((q->ph - i) & (q->step - 1));
}

enum { K_FOUND, K_FAIL, K_CONT };

/* Scan block bi from bit `from` (>= its start) with the carried candidate
 * *cand.  Invariant at every boundary x: no candidate lies below *cand, and
 * if *cand < x then [*cand, x) is free. */
static int kernel(const fnode *n, uint64_t bi, uint64_t from, uint64_t *cand, const fq *q,
                  uint64_t *found)
{
    const uint64_t *w = n->w;
    uint64_t S1 = (bi + 1) << BLK_SHIFT;
    uint64_t end = S1 < q->hi ? S1 : q->hi, np = q->np, c = *cand;

    if (q->small) {
        for (uint64_t j = from >> 6, je = (end - 1) >> 6; j <= je; j++) {
            uint64_t ws = j << 6, x = w[j];
            if (ws < from)
                x &= ~lomask(from - ws);
            if (ws + 64 > end)
                x &= lomask(end - ws);
            if (c < ws) {
                uint64_t t = ~x ? ctz64(~x) : 64;
                if (c + np <= ws + t) {
                    *found = c;
                    return K_FOUND;
                }
            }
            if (x) {
                uint64_t m = runs_of(x, (unsigned)np) & q->amask;
                if (c > ws)
                    m &= c - ws >= 64 ? 0 : ~lomask(c - ws);
                if (m) {
                    *found = ws + ctz64(m);
                    return K_FOUND;
                }
                if (~x) {
                    uint64_t c2 = alup(q, ws + 64 - clz64(~x));
                    if (c2 > c)
                        c = c2;
                }
            } else {
                uint64_t c2 = alup(q, ws + 64);
                if (c2 > c)
                    c = c2;
            }
            if (c + np > q->hi)
                return K_FAIL;
        }
        if (end == q->hi)
            return K_FAIL;
        *cand = c;
        return K_CONT;
    }

    for (;;) {
        if (c + np > q->hi)
            return K_FAIL;
        if (c >= end) {
            if (end == q->hi)
                return K_FAIL;
            *cand = c;
            return K_CONT;
        }
        uint64_t x = c > from ? c : from;
        uint64_t f = next_free(w, x, end);
        if (f > x) { /* also breaks a run carried in from the left */
            c = alup(q, f);
            continue;
        }
        uint64_t e = c + np < end ? c + np : end;
        uint64_t r = last_reserved(w, x, e);
        if (r != NONE) {
            c = alup(q, r + 1);
            continue;
        }
        if (c + np <= end) {
            *found = c;
            return K_FOUND;
        }
        if (end == q->hi)
            return K_FAIL;
        *cand = c; /* [c, S1) is free */
        return K_CONT;
    }
}

/* Longest free run of the node (its summaries must be clean). */
static inline uint64_t root_longest(const fnode *n)
{
    const fsum *r = &n->lev[n->nlev][0];
    uint64_t m = r->start > r->end ? r->start : r->end;
    return m > r->inner ? m : r->inner;
}

/* Lowest candidate in [lo, hi) (see fq), or NONE. */
static uint64_t fsearch(fnode *n, uint64_t lo, uint64_t hi, const fq *q0)
{
    fq q = *q0;
    uint64_t np = q.np, cand, f, i;
    int k = 0, r;
    q.hi = hi;
    if (lo >= hi || np > hi - lo)
        return NONE;
    cand = alup(&q, lo);
    if (cand + np > hi)
        return NONE;
    i = lo >> BLK_SHIFT;
    /* The first blocks from lo are scanned word by word, as the walk scans a
     * block it descends into (the carried cand joins them): the block of lo
     * when lo is inside it, and on a small node with stale summaries all of
     * them (scanning a few dozen words costs less than a flush). */
    uint64_t nscan = (lo & (BLK_BITS - 1)) != 0;
    int small_node = n->nbits <= (uint64_t)FAST_LINEAR_BLOCKS * BLK_BITS;
    if (small_node && is_dirty(n, n->nlev, 0))
        nscan = UINT64_MAX;
    for (uint64_t from = lo; nscan; nscan--, from = ++i << BLK_SHIFT) {
        r = kernel(n, i, from, &cand, &q, &f);
        if (r == K_FOUND)
            return f;
        if (r == K_FAIL) {
            if (small_node)
                flush(n); /* the next search that would fail asks the root */
            return NONE;
        }
    }
    /* from here on the walk reads summaries */
    flush(n);
    if (np > root_longest(n)) /* no run that long anywhere */
        return NONE;
    for (;;) {
        /* climb while standing on the first child of a parent */
        while (k < n->nlev && !(i & (FAN - 1))) {
            k++;
            i >>= FAN_SHIFT;
        }
        if (i >= n->lcnt[k])
            return NONE;
    node:;
        unsigned sh = sh_of(k);
        uint64_t S0 = i << sh, S1 = span_end(n, k, i);
        if (S0 >= hi)
            return NONE;
        /* in: the longest free run a candidate touching neither edge run
         * could start; with q.bal only a block boundary inside (none in a
         * block) */
        uint64_t st, en, in;
        if (k == 0) {
            const fblk *b = &n->blk[i];
            st = b->start;
            en = b->end;
            in = q.bal ? 0 : b->inner;
        } else {
            const fsum *v = &n->lev[k][i];
            st = v->start;
            en = v->end;
            in = q.bal ? v->bbest : v->inner;
        }
        uint64_t lim = S0 + st < hi ? S0 + st : hi;
        if (cand + np <= lim)
            return cand;
        if (st == S1 - S0) { /* all free: the run goes on */
            i++;
            continue;
        }
        if (in >= np && cand + np <= (S1 < hi ? S1 : hi)) {
            if (k == 0) {
                r = kernel(n, i, S0, &cand, &q, &f);
                if (r == K_FOUND)
                    return f;
                if (r == K_FAIL)
                    return NONE;
                i++;
                continue;
            }
            k--;
            i <<= FAN_SHIFT;
            goto node;
        }
        uint64_t c2 = alup(&q, S1 - en);
        if (c2 > cand)
            cand = c2;
        if (cand + np > hi)
            return NONE;
        if (cand + np <= S1)
            return cand;
        i++;
    }
}

/* ------------------------------------------------------------ the calls */

#ifdef BF_FAST_VERIFY
static void verify_or_die(void *sys, const char *what)
{
    char msg[256];
    if (bf_fast_verify(sys, msg, sizeof msg)) {
        fprintf(stderr, "fast: summary self-check failed after %s: %s\n", what, msg);
        abort();
    }
}
#define VERIFY(sys, what) verify_or_die(sys, what)
#else
#define VERIFY(sys, what) ((void)0)
#endif

static void *f_create(void)
{
    fsys *s = calloc(1, sizeof *s);
    if (!s) {
        fprintf(stderr, "fast: out of host memory\n");
        abort();
    }
    return s;
}

static void f_destroy(void *sys)
{
    fsys *s = sys;
    if (!s)
        return;
    for (int i = 0; i < BF_MAX_NODES; i++)
        free(s->node[i].buf);
    free(s);
}

static void f_reset(void *sys)
{
    fsys *s = sys;
    for (int i = 0; i < s->nnodes; i++) {
        fnode *n = &s->node[i];
        if (n->live) {
            flush(n); /* wipe finds the non-zero blocks from the summaries */
            wipe(n, n->nlev, 0);
        }
        n->live = 0;
    }
    s->nnodes = 0;
    s->hit = 0; /* find_node's last hit: no earlier input decides its first try */
    VERIFY(sys, "reset");
}

/* Bytes of buffer for nbits, and the arrays' offsets. */
static size_t layout(uint64_t nbits, uint64_t *lcnt, int *nlev, size_t *off, size_t *doff)
{
    size_t sz = (size_t)(nbits / 8);
    int k = 0;
    lcnt[0] = nbits >> BLK_SHIFT;
    off[0] = sz;
    sz += (size_t)lcnt[0] * sizeof(fblk);
    sz = (sz + 31) & ~(size_t)31;
    do {
        k++;
        lcnt[k] = (lcnt[k - 1] + FAN - 1) >> FAN_SHIFT;
        off[k] = sz;
        sz += (size_t)lcnt[k] * sizeof(fsum);
    } while (lcnt[k] > 1);
    *nlev = k;
    for (int j = 0; j <= k; j++) {
        doff[j] = sz;
        sz += (size_t)((lcnt[j] + 63) >> 6) * sizeof(uint64_t);
    }
    return sz;
}

static bf_result f_add_node(void *sys, uint64_t sp, uint64_t ep, uint8_t *mem)
{
    fsys *s = sys;
    if (sp >= ep || ep - sp > BF_MAX_NODE_PAGES || ep >= BF_PFN_LIMIT ||
        s->nnodes >= BF_MAX_NODES)
        return bf_fail(BF_EINVAL);
    for (int i = 0; i < s->nnodes; i++)
        if (sp < s->node[i].end_pfn && s->node[i].start_pfn < ep)
            return bf_fail(BF_EINVAL);
    int id = s->nnodes;
    fnode *n = &s->node[id];
    uint64_t nbits = ((ep - sp) + BLK_BITS - 1) & ~(uint64_t)(BLK_BITS - 1);
    size_t off[MAXLEV + 1], doff[MAXLEV + 1];
    size_t need = layout(nbits, n->lcnt, &n->nlev, off, doff);
    if (need > n->cap) {
        free(n->buf);
        n->buf = calloc(1, need);
        if (!n->buf) {
            fprintf(stderr, "fast: out of host memory for a node of %llu pages\n",
                    (unsigned long long)(ep - sp));
            abort();
        }
        n->cap = need;
    }
#ifdef BF_FAST_VERIFY
    for (size_t b = 0; b < need; b++)
        if (((const uint8_t *)n->buf)[b]) {
            fprintf(stderr, "fast: reused node buffer not wiped (byte %zu)\n", b);
            abort();
        }
#endif
    n->w = n->buf;
    n->blk = (fblk *)((char *)n->buf + off[0]);
    for (int k = 1; k <= n->nlev; k++)
        n->lev[k] = (fsum *)(void *)((char *)n->buf + off[k]);
    for (int k = 0; k <= n->nlev; k++)
        n->dirty[k] = (uint64_t *)(void *)((char *)n->buf + doff[k]);
    n->start_pfn = sp;
    n->end_pfn = ep;
    n->nbits = nbits;
    n->base = ep - nbits;
    n->off0 = sp - n->base;
    n->nfree = 0;
    n->last_success = n->last_pos = n->last_offset = 0;
    n->mem = mem;
    n->live = 1;
    int j = id;
    while (j > 0 && s->node[s->sorted[j - 1]].start_pfn > sp) {
        s->sorted[j] = s->sorted[j - 1];
        j--;
    }
    s->sorted[j] = (uint8_t)id;
    s->nnodes++;
    VERIFY(sys, "add_node");
    return bf_ok((uint64_t)id);
}

/* The live node holding pages [p0, p1), or NULL. */
static inline fnode *find_node(fsys *s, uint64_t p0, uint64_t p1)
{
    fnode *c = &s->node[s->hit];
    if (s->hit < s->nnodes && c->start_pfn <= p0 && p1 <= c->end_pfn)
        return c->live ? c : NULL; /* nodes do not overlap: no other holds it */
    int lo = 0, hi = s->nnodes;
    while (lo < hi) { /* first sorted node with start_pfn > p0 */
        int mid = (lo + hi) / 2;
        if (s->node[s->sorted[mid]].start_pfn <= p0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return NULL;
    fnode *n = &s->node[s->sorted[lo - 1]];
    if (!n->live || p1 > n->end_pfn)
        return NULL;
    s->hit = s->sorted[lo - 1];
    return n;
}

static bf_result f_reserve(void *sys, uint64_t addr, uint64_t size)
{
    fsys *s = sys;
    if (!size || addr + size < addr)
        return bf_fail(BF_EINVAL);
    uint64_t p0 = bf_pfn_down(addr), p1 = bf_pfn_up(addr + size);
    fnode *n = find_node(s, p0, p1);
    if (!n)
        return bf_fail(BF_EINVAL);
    uint64_t a = p0 - n->base, b = p1 - n->base;
    uint64_t cnt = bits_reserve(n->w, a, b);
    if (cnt) {
        n->nfree -= cnt;
        mark_range(n, a, b);
    }
    VERIFY(sys, "reserve");
    return bf_ok(cnt);
}

static bf_result f_free(void *sys, uint64_t addr, uint64_t size)
{
    fsys *s = sys;
    if (!size || addr + size < addr)
        return bf_fail(BF_EINVAL);
    fnode *n = find_node(s, bf_pfn_down(addr), bf_pfn_up(addr + size));
    if (!n)
        return bf_fail(BF_EINVAL);
    uint64_t f0 = bf_pfn_up(addr), f1 = bf_pfn_down(addr + size), cnt = 0;
    if (f0 < f1) {
        uint64_t a = f0 - n->base, b = f1 - n->base;
        if (bits_any_free(n->w, a, b))
            return bf_fail(BF_ENOTRESERVED);
        bits_free(n->w, a, b);
        cnt = f1 - f0;
        n->nfree += cnt;
        mark_range(n, a, b);
        int cancel = n->last_offset && n->last_pos >= f0 - n->start_pfn &&
                     n->last_pos < f1 - n->start_pfn;
#ifdef BF_FAST_CANARY
        /* The canary (make canary): a planted bug the merge gate must catch.
         * Freeing exactly one page forgets to cancel the merge into it. */
        cancel = cancel && cnt > 1;
#endif
        if (cancel)
            n->last_offset = 0;
    }
    uint64_t off = addr - (n->start_pfn << BF_PAGE_SHIFT);
    if (off < n->last_success)
        n->last_success = off;
    VERIFY(sys, "free");
    return bf_ok(cnt);
}

/* Bits 0, step, 2 step, ... of a word, for step = 1, 2, 4, .., 64. */
static const uint64_t step_mask[7] = {~0ULL,
                                      0x5555555555555555ULL,
                                      0x1111111111111111ULL,
                                      0x0101010101010101ULL,
                                      0x0001000100010001ULL,
                                      0x0000000100000001ULL,
                                      1ULL};

/* §3 step 6 for the chosen bit s: the block's address, merged into the
 * previous block's last page or not; the pages [s, s + *k) it reserves; the
 * new last_success, last_pos and last_offset.  Shared by both placements. */
static inline uint64_t merge_or_not(fnode *n, uint64_t s, uint64_t a, uint64_t size, uint64_t np,
                                    uint64_t node_start, uint64_t *k)
{
    uint64_t rel = s - n->off0, res;
    if (a < BF_PAGE_SIZE && n->last_offset && n->last_pos + 1 == rel) {
        uint64_t off = (n->last_offset + a - 1) & ~(a - 1);
        uint64_t room = BF_PAGE_SIZE - off;
        res = node_start + n->last_pos * BF_PAGE_SIZE + off;
        if (size < room) {
            *k = 0;
            n->last_offset = off + size;
        } else {
            uint64_t rem = size - room;
            *k = bf_pfn_up(rem);
            if (*k)
                n->last_pos = rel + *k - 1;
            n->last_offset = rem & (BF_PAGE_SIZE - 1);
        }
    } else {
        res = (s + n->base) << BF_PAGE_SHIFT;
        *k = np;
        n->last_pos = rel + np - 1;
        n->last_offset = size & (BF_PAGE_SIZE - 1);
    }
    n->last_success = rel << BF_PAGE_SHIFT;
    return res;
}

/* Contract section 3 on one node; 1 and *out on success. */
static inline __attribute__((always_inline)) int place(fnode *n, uint64_t size, uint64_t a, uint64_t goal, uint64_t limit,
                 uint64_t *out)
{
    uint64_t node_start = n->start_pfn << BF_PAGE_SHIFT;
    if (limit && node_start >= limit)
        return 0;
    uint64_t win_end = n->end_pfn;
    if (limit && bf_pfn_down(limit) < win_end)
        win_end = bf_pfn_down(limit);
    if (win_end <= n->start_pfn)
        return 0;
    uint64_t np = bf_pfn_up(size);
    if (np > win_end - n->start_pfn)
        return 0;

    uint64_t pref = node_start;
    if (goal && node_start <= goal && bf_pfn_down(goal) < win_end) {
        uint64_t ls = node_start + n->last_success;
        pref = goal;
        if (ls >= pref && (!limit || ls < limit))
            pref = ls;
    }
    /* p = PFN_DOWN(ALIGN(pref, a)); past 2^64 there is no page >= p */
    int have_p = pref <= (uint64_t)0 - a;
    uint64_t p = have_p ? ((pref + a - 1) & ~(a - 1)) >> BF_PAGE_SHIFT : 0;
    uint64_t hi = win_end - n->base, s = NONE, lo = p - n->base;
    have_p = have_p && p < win_end;
    /* The boot pattern: p itself is the answer.  p is on the alignment grid
     * (a multiple of a / PAGE_SIZE) and >= start_pfn, so it is the lowest
     * candidate >= p when its np pages are free and inside the window. */
    if (have_p && (lo & 63) + np <= 64 && lo + np <= hi &&
        !(~(n->w[lo >> 6] >> (lo & 63)) & lomask(np))) {
        s = lo;
        goto place_at;
    }

    fq q;
    q.np = np;
    q.step = a >> BF_PAGE_SHIFT ? a >> BF_PAGE_SHIFT : 1;
    q.ph = (0 - n->base) & (q.step - 1);
    q.small = np <= 64 && q.step <= 64;
    q.bal = q.step >= BLK_BITS && !(q.ph & (BLK_BITS - 1));
    q.amask = 0;
    if (q.small) /* every step-th bit, from the phase */
        q.amask = step_mask[ctz64(q.step)] << q.ph;
    q.hi = 0;

    if (have_p) {
        uint64_t m = 0;
        if (q.small) { /* most fits start in the word of p (a bump, as at boot) */
            uint64_t ws = lo & ~63ULL, x = n->w[lo >> 6] & from_bit(lo);
            if (ws + 64 > hi)
                x &= lomask(hi - ws);
            m = runs_of(x, (unsigned)np) & q.amask;
            if (m)
                s = ws + ctz64(m);
        }
        if (!m) {
            /* no run that long anywhere (trusted only when clean; fsearch
             * flushes before it reads summaries) */
            if (!is_dirty(n, n->nlev, 0) && np > root_longest(n))
                return 0;
            s = fsearch(n, lo, hi, &q);
        }
    } else {
        flush(n);
        if (np > root_longest(n))
            return 0;
    }
    if (s == NONE) {
        uint64_t hi2 = hi;
        if (have_p) { /* no candidate >= p: look below it */
            if (lo == n->off0)
                return 0;
            if (lo - 1 + np < hi2)
                hi2 = lo - 1 + np;
        }
        s = fsearch(n, n->off0, hi2, &q);
        if (s == NONE)
            return 0;
    }

place_at:;
    uint64_t k, res = merge_or_not(n, s, a, size, np, node_start, &k);
    if (k) {
        bits_clear(n->w, s, s + k);
        n->nfree -= k;
        mark_range(n, s, s + k);
    }
    if (n->mem)
        memset(n->mem + (res - node_start), 0, (size_t)size);
    *out = res;
    return 1;
}

/* The boot pattern, on one node: limit 0 (the window is the whole node),
 * align <= PAGE_SIZE (every frame is on the grid), size <= 64 pages, and
 * the lowest candidate >= p lies in the word of p.  Then it is the first
 * free page at or after p in that word, if npages free pages start there
 * (every page between p and it is reserved).  Returns 0, having changed
 * nothing, when that does not hold: place() decides then.  Same rules as
 * place() (contract section 3); tests/unit/test_fast_random.c compares both
 * with the reference. */
static inline int place_quick(fnode *n, uint64_t size, uint64_t a, uint64_t goal, uint64_t *out)
{
    uint64_t node_start = n->start_pfn << BF_PAGE_SHIFT, np = bf_pfn_up(size);
    uint64_t pref = node_start;
    if (goal && node_start <= goal && bf_pfn_down(goal) < n->end_pfn) {
        uint64_t ls = node_start + n->last_success;
        pref = ls >= goal ? ls : goal;
    }
    /* pref < end_pfn * PAGE_SIZE <= 2^64 - PAGE_SIZE: ALIGN cannot overflow */
    uint64_t p = ((pref + a - 1) & ~(a - 1)) >> BF_PAGE_SHIFT;
    if (p >= n->end_pfn)
        return 0;
    uint64_t lo = p - n->base, j = lo >> 6, nw = n->nbits >> 6;
    uint64_t x = n->w[j] & from_bit(lo), m = ~0ULL >> (64 - np); /* 1 <= np <= 64 */
    if (!x) { /* p's word is reserved from p on: the next word */
        if (j + 1 == nw || !(x = n->w[++j]))
            return 0;
    }
    unsigned f = ctz64(x); /* the first free page >= p */
    if (f + np <= 64) {
        if (((x >> f) & m) != m)
            return 0;
    } else { /* the run would go on into the next word */
        uint64_t r = lomask(f + np - 64);
        if (x >> f != ~0ULL >> f || j + 1 == nw || (n->w[j + 1] & r) != r)
            return 0;
    }
    uint64_t s = (j << 6) + f, k, res = merge_or_not(n, s, a, size, np, node_start, &k);
    if (k) { /* 1 <= k <= np <= 64: [s, s + k) is in word j, or j and j + 1 */
        uint64_t e = s + k - 1;
        n->w[j] &= ~((~0ULL >> (64 - k)) << f); /* bits past the word shift out */
        if ((e >> 6) != j)
            n->w[j + 1] &= ~lomask((e & 63) + 1);
        n->nfree -= k;
        mark_dirty(n, s >> BLK_SHIFT);
        if ((e >> BLK_SHIFT) != (s >> BLK_SHIFT))
            mark_dirty(n, e >> BLK_SHIFT);
    }
    if (n->mem)
        memset(n->mem + (res - node_start), 0, (size_t)size);
    *out = res;
    return 1;
}

static __attribute__((noinline)) bf_result alloc_nodes(fsys *s, uint64_t size, uint64_t align,
                                                        uint64_t goal, uint64_t limit)
{
    uint64_t out = 0;
    for (int i = 0; i < s->nnodes; i++)
        if (s->node[i].live && place(&s->node[i], size, align ? align : 1, goal, limit, &out)) {
            VERIFY(s, "alloc");
            return bf_ok(out);
        }
    VERIFY(s, "alloc");
    return bf_fail(BF_ENOMEM);
}

static bf_result f_alloc(void *sys, uint64_t size, uint64_t align, uint64_t goal, uint64_t limit)
{
    fsys *s = sys;
    uint64_t out = 0;
    if (!size || (align & (align - 1)))
        return bf_fail(BF_EINVAL);
    if (!limit && align <= BF_PAGE_SIZE && size <= 64 * BF_PAGE_SIZE && s->nnodes &&
        s->node[0].live && place_quick(&s->node[0], size, align ? align : 1, goal, &out)) {
        VERIFY(s, "alloc");
        return bf_ok(out);
    }
    return alloc_nodes(s, size, align, goal, limit);
}

static bf_result f_alloc_node(void *sys, uint64_t nid, uint64_t size, uint64_t align,
                              uint64_t goal, uint64_t limit)
{
    fsys *s = sys;
    uint64_t a = align ? align : 1, out = 0;
    if (!size || (align & (align - 1)) || nid >= (uint64_t)s->nnodes)
        return bf_fail(BF_EINVAL);
    int ok = s->node[nid].live && place(&s->node[nid], size, a, goal, limit, &out);
    for (int i = 0; !ok && i < s->nnodes; i++)
        if ((uint64_t)i != nid && s->node[i].live)
            ok = place(&s->node[i], size, a, goal, limit, &out);
    VERIFY(s, "alloc_node");
    return ok ? bf_ok(out) : bf_fail(BF_ENOMEM);
}

static bf_result f_free_all(void *sys, uint64_t nid)
{
    fsys *s = sys;
    if (nid >= (uint64_t)s->nnodes || !s->node[nid].live)
        return bf_fail(BF_EINVAL);
    fnode *n = &s->node[nid];
    uint64_t cnt = n->nfree;
    flush(n); /* wipe finds the non-zero blocks from the summaries */
    wipe(n, n->nlev, 0);
    n->live = 0;
    n->nfree = 0;
    VERIFY(sys, "free_all");
    return bf_ok(cnt);
}

static int f_page_reserved(void *sys, uint64_t pfn)
{
    fsys *s = sys;
    if (pfn == UINT64_MAX)
        return -1;
    fnode *n = find_node(s, pfn, pfn + 1);
    if (!n)
        return -1;
    uint64_t i = pfn - n->base;
    return !((n->w[i >> 6] >> (i & 63)) & 1);
}

static int f_node_info(void *sys, uint64_t nid, bf_node_info *out)
{
    fsys *s = sys;
    if (nid >= (uint64_t)s->nnodes)
        return -1;
    const fnode *n = &s->node[nid];
    out->start_pfn = n->start_pfn;
    out->end_pfn = n->end_pfn;
    out->live = n->live;
    out->last_success = n->last_success;
    out->last_pos = n->last_pos;
    out->last_offset = n->last_offset;
    return 0;
}

/* Reserved bits of node nid from node-relative page `first` (a multiple of
 * 64): bit j of words[o] stands for page start_pfn + first + 64 * o + j. */
static int f_read_bits(void *sys, uint64_t nid, uint64_t first, uint64_t *words, uint64_t nwords)
{
    fsys *s = sys;
    if (nid >= (uint64_t)s->nnodes || !s->node[nid].live)
        return -1;
    const fnode *n = &s->node[nid];
    uint64_t pages = n->end_pfn - n->start_pfn;
    uint64_t from = n->off0 + first, sh = from & 63, j0 = from >> 6, last = n->nbits >> 6;
    for (uint64_t o = 0; o < nwords; o++) {
        uint64_t p0 = first + 64 * o; /* node-relative page of bit 0 */
        if (first > pages || p0 >= pages) {
            words[o] = 0;
            continue;
        }
        uint64_t x = n->w[j0 + o] >> sh;
        if (sh && j0 + o + 1 < last)
            x |= n->w[j0 + o + 1] << (64 - sh);
        x = ~x;
        if (pages - p0 < 64)
            x &= lomask(pages - p0);
        words[o] = x;
    }
    return 0;
}

/* ---------------------------------------------------------- self-check */

static int bit_free(const fnode *n, uint64_t i) { return (int)((n->w[i >> 6] >> (i & 63)) & 1); }

/* End of the run of bits equal to `val` starting at x, bounded by e. */
static uint64_t run_end(const fnode *n, uint64_t x, uint64_t e, int val)
{
    while (x < e) {
        if ((x & 63) == 0 && x + 64 <= e && n->w[x >> 6] == (val ? ~0ULL : 0)) {
            x += 64;
            continue;
        }
        if (bit_free(n, x) != val)
            break;
        x++;
    }
    return x;
}

static int vfail(char *msg, size_t len, const char *fmt, ...)
{
    va_list ap;
    if (msg && len) {
        va_start(ap, fmt);
        vsnprintf(msg, len, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int bf_fast_verify(void *sys, char *msg, size_t len)
{
    fsys *s = sys;
    for (int id = 0; id < s->nnodes; id++) {
        const fnode *n = &s->node[id];
        if (!n->live) {
            if (n->cap && n->w[0])
                return vfail(msg, len, "node %d: retired but not wiped", id);
            continue;
        }
        uint64_t cnt = 0;
        for (uint64_t j = 0; j < n->nbits / 64; j++)
            cnt += pop64(n->w[j]);
        if (cnt != n->nfree)
            return vfail(msg, len, "node %d: nfree %llu, bitmap has %llu", id,
                         (unsigned long long)n->nfree, (unsigned long long)cnt);
        for (uint64_t i = 0; i < n->off0; i++)
            if (bit_free(n, i))
                return vfail(msg, len, "node %d: padding bit %llu free", id,
                             (unsigned long long)i);
        for (int k = 0; k <= n->nlev; k++) {
            for (uint64_t j = n->lcnt[k]; j < ((n->lcnt[k] + 63) & ~63ULL); j++)
                if (is_dirty(n, k, j))
                    return vfail(msg, len, "node %d level %d: dirty bit %llu past the end",
                                 id, k, (unsigned long long)j);
            for (uint64_t i = 0; i < n->lcnt[k]; i++) {
                uint64_t S0 = i << sh_of(k), S1 = span_end(n, k, i);
                uint64_t st = 0, en = 0, in = 0, x, y;
                if (is_dirty(n, k, i)) {
                    /* stale and never trusted; flush() must reach it */
                    if (k < n->nlev && !is_dirty(n, k + 1, i >> FAN_SHIFT))
                        return vfail(msg, len,
                                     "node %d level %d entry %llu: dirty under a clean "
                                     "parent",
                                     id, k, (unsigned long long)i);
                    continue;
                }
                if (k) {
                    /* from the children, verified one level down: walk the
                     * runs formed by their edge runs; inner = the longest run
                     * that touches neither end of the span */
                    uint64_t c0 = i << FAN_SHIFT, c1 = c0 + FAN, rs = S0; /* current run start */
                    int open = 1; /* a run is open at rs (it started at S0) */
                    if (c1 > n->lcnt[k - 1])
                        c1 = n->lcnt[k - 1];
                    for (uint64_t c = c0; c < c1; c++) {
                        fsum ch = getv(n, k - 1, c);
                        uint64_t cs = c << sh_of(k - 1), ce = span_end(n, k - 1, c);
                        if (ch.start == ce - cs) { /* all free: the run goes on */
                            if (!open) {
                                rs = cs;
                                open = 1;
                            }
                            continue;
                        }
                        if (ch.start) { /* the open run (or a new one) ends in c */
                            if (!open)
                                rs = cs;
                            open = 1;
                        }
                        if (open) {
                            uint64_t rl = cs + ch.start - rs;
                            if (rs == S0)
                                st = rl;
                            else if (rl > in)
                                in = rl;
                        }
                        if (ch.inner > in)
                            in = ch.inner;
                        open = ch.end != 0;
                        rs = ce - ch.end;
                    }
                    if (open) {
                        if (rs == S0)
                            st = en = S1 - S0;
                        else
                            en = S1 - rs;
                    }
                    goto compare;
                }
                x = S0;
                while (x < S1) {
                    y = run_end(n, x, S1, 0); /* skip reserved */
                    if (y >= S1)
                        break;
                    x = run_end(n, y, S1, 1); /* free run [y, x) */
                    if (y == S0)
                        st = x - y;
                    if (x == S1)
                        en = x - y;
                    if (y != S0 && x != S1 && x - y > in)
                        in = x - y;
                }
            compare:;
                fsum v = getv(n, k, i);
                if (k) {
                    /* bbest from the verified block starts, right to left: rf
                     * is the free run from block boundary b, cut at S1 */
                    uint64_t bb = 0, rf = 0;
                    for (uint64_t b = S1 >> BLK_SHIFT; b-- > (S0 >> BLK_SHIFT) + 1;) {
                        uint64_t bs = n->blk[b].start;
                        rf = bs == BLK_BITS ? BLK_BITS + rf : bs;
                        if (rf > bb)
                            bb = rf;
                    }
                    if (v.bbest != bb)
                        return vfail(msg, len,
                                     "node %d level %d entry %llu: stored bbest %llu, recomputed "
                                     "%llu",
                                     id, k, (unsigned long long)i, (unsigned long long)v.bbest,
                                     (unsigned long long)bb);
                }
                if (v.start != st || v.end != en || v.inner != in)
                    return vfail(msg, len,
                                 "node %d level %d entry %llu: stored start/end/inner "
                                 "%llu/%llu/%llu, recomputed %llu/%llu/%llu",
                                 id, k, (unsigned long long)i, (unsigned long long)v.start,
                                 (unsigned long long)v.end, (unsigned long long)v.inner,
                                 (unsigned long long)st, (unsigned long long)en,
                                 (unsigned long long)in);
                if (!in) {
                    if (v.ipos)
                        return vfail(msg, len, "node %d level %d entry %llu: ipos %llu with no "
                                               "inner run",
                                     id, k, (unsigned long long)i, (unsigned long long)v.ipos);
                    continue;
                }
                if (v.ipos <= S0 || v.ipos + in >= S1 || bit_free(n, v.ipos - 1) ||
                    bit_free(n, v.ipos + in) || run_end(n, v.ipos, S1, 1) != v.ipos + in)
                    return vfail(msg, len,
                                 "node %d level %d entry %llu: ipos %llu is not a maximal "
                                 "inner run of %llu",
                                 id, k, (unsigned long long)i, (unsigned long long)v.ipos,
                                 (unsigned long long)in);
            }
        }
    }
    return 0;
}

const bf_backend bf_backend_fast = {
    .name = FAST_NAME,
    .description = "exact contract; word-at-a-time search with per-block free-run summaries" FAST_NOTE,
    .flags = BF_PROMISES_EXACT,
    .create = f_create,
    .destroy = f_destroy,
    .reset = f_reset,
    .set_option = NULL,
    .add_node = f_add_node,
    .reserve = f_reserve,
    .free = f_free,
    .alloc = f_alloc,
    .alloc_node = f_alloc_node,
    .free_all = f_free_all,
    .page_reserved = f_page_reserved,
    .node_info = f_node_info,
    .read_bits = f_read_bits,
};
BF_REGISTER_BACKEND(bf_backend_fast);
