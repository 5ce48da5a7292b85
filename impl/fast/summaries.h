/*
 * impl/fast/summaries.h - the free-run summaries (one per block,
 * then one per FAN entries, up to the root) and their laziness: dirty marks,
 * flush() before a search, wipe() at reset.
 *
 * A part of fast's one translation unit, not a header to include elsewhere:
 * impl/fast/fast.c includes the parts in order (geometry, bits, summaries, search, place, verify) and
 * fast_small.c builds the same unit with its own geometry, so every part is
 * compiled once per geometry and inlines into the calls.  Uses: geometry.h, bits.h.
 */
#ifndef BF_FAST_SUMMARIES_H
#define BF_FAST_SUMMARIES_H

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

#endif
