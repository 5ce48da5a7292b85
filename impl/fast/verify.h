/*
 * impl/fast/verify.h - the self-check bf_fast_verify()
 * (fast.h): every clean summary recomputed from the bitmap and compared.
 * Tests call it after every step; builds with -DBF_FAST_VERIFY after every
 * call.
 *
 * A part of fast's one translation unit, not a header to include elsewhere:
 * impl/fast/fast.c includes the parts in order (geometry, bits, summaries, search, place, verify) and
 * fast_small.c builds the same unit with its own geometry, so every part is
 * compiled once per geometry and inlines into the calls.  Uses: geometry.h, bits.h, summaries.h.
 */
#ifndef BF_FAST_VERIFY_H
#define BF_FAST_VERIFY_H

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

#endif
