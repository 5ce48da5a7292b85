/*
 * impl/fast/fast.c - "fast": the exact bootmem contract (docs/contract.md),
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
 * the word of p or the next) reads only the bitmap, so it never flushes;
 * nor does the search of a small node with stale summaries (small_search:
 * the bitmap from p, then below it), which churn on small nodes takes.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootfuzz/backend.h"
#include "fast.h"

/* The parts, in the order they build on each other (each file says what it
 * holds); this file keeps the calls of the backend interface. */
#include "geometry.h"
#include "bits.h"
#include "summaries.h"
#include "search.h"
#include "place.h"
#include "verify.h"

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
    n->small_failed = 0;
    n->nofit = NONE;
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
        n->nofit = NONE; /* a free may join runs: small_search's bound is void */
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
    /* words [0, have) hold pages of the node; the ones after are past its end */
    uint64_t have = first >= pages ? 0 : (pages - first + 63) / 64;
    if (have > nwords)
        have = nwords;
    uint64_t from = n->off0 + first, sh = from & 63, j0 = from >> 6;
    const uint64_t *w = n->w + j0;
    /* The checker reads whole nodes: one plain loop per shift, no test per
     * word (word o + 1 of the bitmap exists for every word but the last) */
    if (have && sh == 0) {
        for (uint64_t o = 0; o < have; o++)
            words[o] = ~w[o];
    } else if (have) {
        for (uint64_t o = 0; o + 1 < have; o++)
            words[o] = ~(w[o] >> sh | w[o + 1] << (64 - sh));
        uint64_t x = w[have - 1] >> sh;
        if (j0 + have < n->nbits >> 6)
            x |= w[have] << (64 - sh);
        words[have - 1] = ~x;
    }
    uint64_t p0 = first + 64 * (have - 1); /* node-relative page of the last word's bit 0 */
    if (have && pages - p0 < 64)
        words[have - 1] &= lomask(pages - p0);
    memset(words + have, 0, (nwords - have) * sizeof *words);
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
