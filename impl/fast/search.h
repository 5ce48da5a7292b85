/*
 * impl/fast/search.h - the search: the lowest aligned start of
 * a free run of npages in [lo, hi), the block of lo a word at a time, then
 * the walk over the summaries (kernel, fsearch).
 *
 * A part of fast's one translation unit, not a header to include elsewhere:
 * impl/fast/fast.c includes the parts in order (geometry, bits, summaries, search, place, verify) and
 * fast_small.c builds the same unit with its own geometry, so every part is
 * compiled once per geometry and inlines into the calls.  Uses: geometry.h, bits.h, summaries.h.
 */
#ifndef BF_FAST_SEARCH_H
#define BF_FAST_SEARCH_H

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
    /* The block of lo, when lo is inside it, is scanned word by word, as the
     * walk scans a block it descends into (the carried cand joins them).
     * (Small nodes with stale summaries never get here: small_search.) */
    if (lo & (BLK_BITS - 1)) {
        r = kernel(n, i, lo, &cand, &q, &f);
        if (r == K_FOUND)
            return f;
        if (r == K_FAIL)
            return NONE;
        i++;
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

#endif
