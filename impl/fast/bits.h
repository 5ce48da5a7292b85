/*
 * impl/fast/bits.h - the bitmap a word at a time: reserve,
 * free and test ranges of bits, the next free and last reserved bit, and the
 * longest free run inside a block.
 *
 * A part of fast's one translation unit, not a header to include elsewhere:
 * impl/fast/fast.c includes the parts in order (geometry, bits, summaries, search, place, verify) and
 * fast_small.c builds the same unit with its own geometry, so every part is
 * compiled once per geometry and inlines into the calls.  Uses: geometry.h (BLK_WORDS, NONE).
 */
#ifndef BF_FAST_BITS_H
#define BF_FAST_BITS_H

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

#endif
