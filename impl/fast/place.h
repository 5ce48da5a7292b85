/*
 * impl/fast/place.h - placement (contract §3): the goal, then
 * the rest of the node, the merge into the previous block's last page
 * (merge_or_not), the search of small nodes over the bitmap alone
 * (small_search), and the boot pattern's quick path (place_quick).
 *
 * A part of fast's one translation unit, not a header to include elsewhere:
 * impl/fast/fast.c includes the parts in order (geometry, bits, summaries, search, place, verify) and
 * fast_small.c builds the same unit with its own geometry, so every part is
 * compiled once per geometry and inlines into the calls.  Uses: geometry.h, bits.h, summaries.h, search.h.
 */
#ifndef BF_FAST_PLACE_H
#define BF_FAST_PLACE_H

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

/* Small nodes (at most FAST_LINEAR_BLOCKS blocks): the lowest candidate c
 * >= lo with c + np <= end, searched from free run to free run as the
 * seed's loop does (contract §3 step 3, seed lines 83-96 with fix F): the
 * first free page f >= x, the first aligned frame c >= f (the phase ph of
 * the physical frame, step a power of two), then the last reserved page r
 * of [c, c + np), read from its far end.  No candidate lies in [x, r]:
 * below f the pages are reserved, between f and c none is aligned, and a
 * run starting in [c, r] holds r.  So the search goes on from r + 1, and
 * reads each word about once however many runs fail.  Returns NONE when
 * there is no candidate.  The bitmap only: no summary is read or flushed. */
static inline uint64_t linear_search(const uint64_t *w, uint64_t lo, uint64_t end, uint64_t np,
                                     uint64_t step, uint64_t ph)
{
    uint64_t x = lo;
    while (x < end && np <= end - x) {
        uint64_t f = next_free(w, x, end);
        uint64_t c = f + ((ph - f) & (step - 1)); /* < 2^64: f < 2^33 */
        if (c >= end || np > end - c)
            return NONE; /* every later candidate is above c */
        uint64_t r = last_reserved(w, c, c + np);
        if (r == NONE)
            return c;
        x = r + 1;
    }
    return NONE;
}

/* linear_search for np <= 64 pages and step <= 64, a word at a time: the
 * same answer with branches that depend on the words far less than one per
 * free run.  amask holds the aligned bits of a word (every step-th, from the
 * phase).  c is the lowest candidate not yet ruled out: when c < ws, the
 * pages [c, ws) are free, so c is a candidate when the free pages at the
 * bottom of word ws reach c + np; a candidate inside the word is a position
 * where runs_of finds np free pages (x is cut at lo and end, so it is >= lo
 * and ends by end).  Then c moves to the start of the free run at the top of
 * the word (aligned up), unless the whole word is free. */
static inline uint64_t linear_words(const uint64_t *w, uint64_t lo, uint64_t end, uint64_t np,
                                    uint64_t step, uint64_t ph, uint64_t amask)
{
    if (lo >= end || np > end - lo)
        return NONE;
    uint64_t j = lo >> 6, je = (end - 1) >> 6, c = lo + ((ph - lo) & (step - 1));
    uint64_t x = w[j] & from_bit(lo);
    for (;;) {
        uint64_t ws = j << 6;
        if (j == je)
            x &= lomask(end - ws);
        if (c < ws && c + np <= ws + (~x ? ctz64(~x) : 64))
            return c;
        uint64_t m = runs_of(x, (unsigned)np) & amask;
        if (m)
            return ws + ctz64(m);
        if (~x)
            c = ws + 64 - clz64(~x), c += (ph - c) & (step - 1);
        if (j == je || c + np > end)
            return NONE;
        x = w[++j];
    }
}

/* §3 step 5 on a small node (at most FAST_LINEAR_BLOCKS blocks) whose
 * summaries are stale: the lowest candidate in [lo, hi) (bits; only when
 * have_p, i.e. p is in the window), failing that the lowest in [off0, hi),
 * found from the bitmap alone, or NONE.  On churn the summaries are stale
 * at every search (each reserve, free and alloc marks its blocks), and a
 * scan of at most 64 words costs less than the flush that would let the
 * walk read them.  Only when two searches in a row find nothing is the
 * flush done, so that the next search that would fail is answered by the
 * root (place) until the bitmap changes again: churn fails now and then
 * between updates, a node too full for its requests fails on and on.
 * (small_failed only decides when to flush: no answer depends on it.)
 * A failure of a request on the whole node with no alignment (step 1, no
 * limit cutting the window) says more: no free run of np pages is left, and
 * reserve and alloc only take pages, so until the next free (f_free clears
 * it) no request of np pages or more, aligned or not, in any window, has a
 * candidate: nofit keeps the least such np and place answers those at once.
 * Fragmented nodes, whose long requests fail between the short ones that
 * fit, need no scan and no flush for them. */
static inline uint64_t small_search(fnode *n, int have_p, uint64_t lo, uint64_t hi, uint64_t np,
                                    uint64_t a)
{
    uint64_t step = a >> BF_PAGE_SHIFT ? a >> BF_PAGE_SHIFT : 1, ph = (0 - n->base) & (step - 1);
    uint64_t amask = np <= 64 && step <= 64 ? step_mask[ctz64(step)] << ph : 0, s = NONE;
    int whole = step == 1 && hi == n->nbits; /* a failure then bounds every run */
    if (have_p) {
        s = amask ? linear_words(n->w, lo, hi, np, step, ph, amask)
                  : linear_search(n->w, lo, hi, np, step, ph);
        if (lo - 1 + np < hi) /* no candidate >= p: one below it ends by lo - 1 + np */
            hi = lo - 1 + np;
    }
    if (s == NONE)
        s = amask ? linear_words(n->w, n->off0, hi, np, step, ph, amask)
                  : linear_search(n->w, n->off0, hi, np, step, ph);
    if (s == NONE && n->small_failed)
        flush(n); /* a second failure in a row: the next ones ask the root */
    n->small_failed = s == NONE;
    if (s == NONE && whole)
        n->nofit = np; /* < nofit: place answered np >= nofit before */
    return s;
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
    if (n->nbits <= (uint64_t)FAST_LINEAR_BLOCKS * BLK_BITS && is_dirty(n, n->nlev, 0)) {
        if (np >= n->nofit)
            return 0; /* no run that long since the last free (small_search) */
        s = small_search(n, have_p, lo, hi, np, a);
        if (s == NONE)
            return 0;
        goto place_at;
    }
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

#endif
