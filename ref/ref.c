/*
 * ref.c - the reference model: contract sections 1-3 in the most obvious code.
 *
 * This is the judge every other backend is compared with, so it favours being
 * plainly correct over being fast: one byte per page, candidates tried one by
 * one in the order section 3 reads, every rule tagged with its section/step.
 *
 * The page array stores "is free" (1 = free, 0 = reserved) so that a freshly
 * zeroed buffer is a node whose pages are all reserved (contract 2, add_node):
 * a node of 2^32 pages costs no memory until pages are freed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootfuzz/backend.h"
#include "ref.h"

typedef struct ref_node {
    uint64_t start_pfn, end_pfn; /* pages [start_pfn, end_pfn) */
    int live;                    /* 0 once free_all retired it */
    uint64_t last_success;       /* byte offset from node start */
    uint64_t last_pos;           /* node-relative page index */
    uint64_t last_offset;        /* bytes used in page last_pos */
    uint8_t *is_free;            /* one byte per page, 1 = free */
    uint64_t cap;                /* bytes allocated in is_free (kept for reuse) */
    uint64_t dirty;              /* is_free[0, dirty) may hold non-zero bytes */
    uint8_t *mem;                /* backing memory or NULL */
} ref_node;

typedef struct ref_sys {
    ref_node node[BF_MAX_NODES];
    uint64_t nnodes;
} ref_sys;

static void *ref_create(void) { return calloc(1, sizeof(ref_sys)); }

static void ref_destroy(void *p)
{
    ref_sys *s = p;
    if (!s)
        return;
    for (int i = 0; i < BF_MAX_NODES; i++)
        free(s->node[i].is_free);
    free(s);
}

/* Back to "no nodes"; buffers are kept and only their used part cleared. */
static void ref_reset(void *p)
{
    ref_sys *s = p;
    for (uint64_t i = 0; i < s->nnodes; i++) { /* slots past nnodes are clear */
        ref_node *n = &s->node[i];
        if (n->dirty)
            memset(n->is_free, 0, n->dirty);
        uint8_t *keep = n->is_free;
        uint64_t cap = n->cap;
        memset(n, 0, sizeof(*n));
        n->is_free = keep;
        n->cap = cap;
    }
    s->nnodes = 0;
}

static uint64_t node_start(const ref_node *n) { return n->start_pfn << BF_PAGE_SHIFT; }

static int page_is_free(const ref_node *n, uint64_t pfn) { return n->is_free[pfn - n->start_pfn]; }

/* The free pages among pfns [lo, hi) of node n.  Each is_free byte is 0 or
 * 1, so this is their sum, taken eight bytes at a time: multiplying a word
 * by 0x0101010101010101 adds its bytes up into the top byte (at most 8). */
static uint64_t free_pages(const ref_node *n, uint64_t lo, uint64_t hi)
{
    const uint8_t *f = n->is_free;
    uint64_t count = 0, i = lo - n->start_pfn, end = hi - n->start_pfn;
    for (; i < end && end - i >= 8; i += 8) {
        uint64_t x;
        memcpy(&x, f + i, sizeof x);
        count += (x * 0x0101010101010101ull) >> 56;
    }
    for (; i < end; i++)
        count += f[i];
    return count;
}

/* Mark pfns [lo, hi) of node n reserved. */
static void reserve_pages(ref_node *n, uint64_t lo, uint64_t hi)
{
    if (lo < hi)
        memset(n->is_free + (lo - n->start_pfn), 0, hi - lo);
}

/* §2 add_node */
static bf_result ref_add_node(void *p, uint64_t start, uint64_t end, uint8_t *mem)
{
    ref_sys *s = p;
    if (start >= end)                        /* empty or reversed */
        return bf_fail(BF_EINVAL);
    if (end - start > BF_MAX_NODE_PAGES)     /* over 2^32 pages */
        return bf_fail(BF_EINVAL);
    if (end >= BF_PFN_LIMIT)                 /* end_pfn >= 2^52 */
        return bf_fail(BF_EINVAL);
    if (s->nnodes == BF_MAX_NODES)           /* 64 nodes already */
        return bf_fail(BF_EINVAL);
    for (uint64_t i = 0; i < s->nnodes; i++) /* overlap, live or retired */
        if (start < s->node[i].end_pfn && s->node[i].start_pfn < end)
            return bf_fail(BF_EINVAL);

    ref_node *n = &s->node[s->nnodes];
    uint64_t pages = end - start;
    if (n->cap < pages) {
        /* calloc: every page starts reserved (is_free == 0) */
        uint8_t *b = calloc(pages, 1);
        if (!b)
            abort(); /* out of host memory: not an answer the contract has */
        free(n->is_free);
        n->is_free = b;
        n->cap = pages;
    }
    n->start_pfn = start;
    n->end_pfn = end;
    n->live = 1;
    n->last_success = n->last_pos = n->last_offset = 0; /* §2 add_node */
    n->mem = mem;
    return bf_ok(s->nnodes++);
}

/* §2 reserve/free EINVAL: size 0, addr + size overflows, or the pages
 * [PFN_DOWN(addr), PFN_UP(addr + size)) are not inside one live node.
 * Every reason that holds is returned (REF_WHY_* of ref.h), so that a
 * finding the harness signs with them names each rule the call breaks;
 * *node is the live node holding the range when there is none (0). */
static unsigned range_why(const ref_sys *s, uint64_t addr, uint64_t size, ref_node **node)
{
    unsigned why = 0;
    *node = NULL;
    if (size == 0)
        why |= REF_WHY_SIZE0;
    int wraps = size > UINT64_MAX - addr; /* addr + size does not fit in 64 bits */
    if (wraps)
        why |= REF_WHY_WRAPS;
    uint64_t first = bf_pfn_down(addr), last_excl = wraps ? 0 : bf_pfn_up(addr + size);
    const ref_node *in = NULL; /* the live node holding page `first` (a
                                * retired node's pages are in none) */
    for (uint64_t i = 0; i < s->nnodes; i++) {
        const ref_node *n = &s->node[i];
        if (n->live && n->start_pfn <= first && first < n->end_pfn)
            in = n;
    }
    if (!in && !wraps) {
        why |= REF_WHY_OUTSIDE;
    } else if (!in) {
        /* a range that wraps is inside nothing: "inside one live node"
         * cannot be asked of it, only whether it starts below every live
         * node (what a check of the lower bound catches before the end is
         * computed) */
        int live = 0, below = 1;
        for (uint64_t i = 0; i < s->nnodes; i++) {
            if (s->node[i].live) {
                live = 1;
                below &= first < s->node[i].start_pfn;
            }
        }
        if (live && below)
            why |= REF_WHY_BELOW;
    }
    else if (!wraps && size != 0 && last_excl > in->end_pfn)
        why |= REF_WHY_PAST_END;
    if (!why)
        *node = (ref_node *)in;
    return why;
}

unsigned ref_range_why(const void *p, uint64_t addr, uint64_t size)
{
    ref_node *n;
    return range_why(p, addr, size, &n);
}

static ref_node *range_node(ref_sys *s, uint64_t addr, uint64_t size)
{
    ref_node *n;
    range_why(s, addr, size, &n);
    return n;
}

/* §2 reserve */
static bf_result ref_reserve(void *p, uint64_t addr, uint64_t size)
{
    ref_node *n = range_node(p, addr, size);
    if (!n)
        return bf_fail(BF_EINVAL);
    uint64_t lo = bf_pfn_down(addr), hi = bf_pfn_up(addr + size);
    uint64_t was_free = free_pages(n, lo, hi);
    reserve_pages(n, lo, hi);
    return bf_ok(was_free);
}

/* §2 free */
static bf_result ref_free(void *p, uint64_t addr, uint64_t size)
{
    ref_node *n = range_node(p, addr, size);
    if (!n)
        return bf_fail(BF_EINVAL);
    uint64_t lo = bf_pfn_up(addr), hi = bf_pfn_down(addr + size); /* may be empty */
    uint64_t freed = hi > lo ? hi - lo : 0;
    if (freed) {
        uint8_t *set = n->is_free + (lo - n->start_pfn); /* the pages to free */
        if (memchr(set, 1, freed))                       /* one is already free */
            return bf_fail(BF_ENOTRESERVED);             /* nothing changed yet */
        memset(set, 1, freed);
        if (hi - n->start_pfn > n->dirty)
            n->dirty = hi - n->start_pfn;
    }
    uint64_t off = addr - node_start(n);
    if (off < n->last_success)
        n->last_success = off;
    uint64_t last_pfn = n->start_pfn + n->last_pos;
    if (n->last_offset != 0 && lo <= last_pfn && last_pfn < hi)
        n->last_offset = 0; /* the partial page is gone: no merge into it */
    return bf_ok(freed);
}

/* ALIGN(x, a) for a power of two a; returns 0 and sets *ovf on overflow. */
static uint64_t align_up(uint64_t x, uint64_t a, int *ovf)
{
    *ovf = x > UINT64_MAX - (a - 1);
    return *ovf ? 0 : (x + a - 1) & ~(a - 1);
}

/* §3 step 3: the lowest candidate in [from, win_end).  Frames are tried in
 * increasing order; only multiples of step can be candidates; when frame c's
 * run [c, c + npages) holds a reserved page q, no frame in (c, q] can be one
 * either (its run would hold q too), and no frame can start on a reserved
 * page, so the next frame tried is the first multiple of step at or after
 * the first free page past q.  (memchr finds those pages a word at a time.) */
static uint64_t up_to_step(uint64_t x, uint64_t step) { return x + (step - x % step) % step; }

static int lowest_candidate(const ref_node *n, uint64_t from, uint64_t npages, uint64_t step,
                            uint64_t win_end, uint64_t *out)
{
    const uint8_t *f = n->is_free;
    uint64_t base = n->start_pfn;
    if (from < base)
        from = base;
    if (npages > win_end)
        return 0;
    uint64_t c = up_to_step(from, step);          /* c % step == 0 */
    while (c <= win_end - npages) {               /* c + npages <= win_end */
        const uint8_t *busy = memchr(f + (c - base), 0, npages); /* a reserved page in the run */
        if (!busy) {
            *out = c;
            return 1;
        }
        uint64_t q = base + (uint64_t)(busy - f);
        const uint8_t *next = memchr(f + (q - base), 1, win_end - q); /* first free page past q */
        if (!next)
            return 0;
        c = up_to_step(base + (uint64_t)(next - f), step);
    }
    return 0;
}

/* §3: place a block on one node. align is already >= 1 (0 turned into 1). */
static int place(ref_node *n, uint64_t size, uint64_t align, uint64_t goal, uint64_t limit,
                 uint64_t *result)
{
    uint64_t ns = node_start(n);

    /* step 1: window */
    if (limit != 0 && ns >= limit)
        return 0;
    uint64_t win_end = n->end_pfn;
    if (limit != 0 && bf_pfn_down(limit) < win_end)
        win_end = bf_pfn_down(limit);

    /* step 2: request */
    uint64_t npages = bf_pfn_up(size);
    uint64_t step = align / BF_PAGE_SIZE;
    if (step < 1)
        step = 1;

    /* step 4: preferred start */
    uint64_t pref;
    if (goal != 0 && ns <= goal && bf_pfn_down(goal) < win_end) {
        pref = goal;
        uint64_t hint = ns + n->last_success;
        if (hint >= pref && (limit == 0 || hint < limit))
            pref = hint;
    } else {
        pref = ns;
    }
    int ovf;
    uint64_t p = bf_pfn_down(align_up(pref, align, &ovf));

    /* step 5: lowest candidate >= p, else the lowest at all */
    uint64_t s;
    int found = !ovf && lowest_candidate(n, p > n->start_pfn ? p : n->start_pfn, npages, step,
                                         win_end, &s);
    if (!found)
        found = lowest_candidate(n, n->start_pfn, npages, step, win_end, &s);
    if (!found)
        return 0;

    /* step 6: merge with the previous block, or not */
    uint64_t rel = s - n->start_pfn;
    if (align < BF_PAGE_SIZE && n->last_offset != 0 && n->last_pos + 1 == rel) {
        uint64_t off = align_up(n->last_offset, align, &ovf); /* <= PAGE_SIZE */
        *result = ns + n->last_pos * BF_PAGE_SIZE + off;
        uint64_t room = BF_PAGE_SIZE - off;
        if (size < room) {
            n->last_offset = off + size;
        } else {
            uint64_t k = bf_pfn_up(size - room);
            reserve_pages(n, s, s + k);
            if (k > 0)
                n->last_pos = rel + k - 1;
            n->last_offset = (size - room) % BF_PAGE_SIZE;
        }
    } else {
        *result = s * BF_PAGE_SIZE;
        reserve_pages(n, s, s + npages);
        n->last_pos = rel + npages - 1;
        n->last_offset = size % BF_PAGE_SIZE;
    }
    n->last_success = rel * BF_PAGE_SIZE;

    /* step 7: zero the block in backing memory */
    if (n->mem)
        memset(n->mem + (*result - ns), 0, size);
    return 1;
}

/* §2 alloc / alloc_node EINVAL: size 0, align neither 0 nor a power of two,
 * an unknown nid (alloc_node only).  Decided before any node is tried; the
 * harness also asks it alone (ref.h). */
unsigned ref_alloc_why(const void *p, int is_node, uint64_t nid, uint64_t size, uint64_t align)
{
    const ref_sys *s = p;
    unsigned why = 0;
    if (is_node && nid >= s->nnodes)
        why |= REF_WHY_NO_NODE;
    if (size == 0)
        why |= REF_WHY_SIZE0;
    if ((align & (align - 1)) != 0) /* align 0 passes: it means 1 */
        why |= REF_WHY_ALIGN;
    return why;
}

bf_err ref_alloc_rejects(const void *p, int is_node, uint64_t nid, uint64_t size, uint64_t align)
{
    return ref_alloc_why(p, is_node, nid, size, align) ? BF_EINVAL : BF_OK;
}

/* §2 alloc_node (nid first) and alloc (want == UINT64_MAX: no first node) */
static bf_result alloc_common(ref_sys *s, uint64_t want, uint64_t size, uint64_t align,
                              uint64_t goal, uint64_t limit)
{
    if (ref_alloc_rejects(s, want != UINT64_MAX, want, size, align) != BF_OK)
        return bf_fail(BF_EINVAL);
    if (align == 0)
        align = 1;
    uint64_t at;
    if (want != UINT64_MAX && s->node[want].live &&
        place(&s->node[want], size, align, goal, limit, &at))
        return bf_ok(at);
    for (uint64_t i = 0; i < s->nnodes; i++)
        if (s->node[i].live && place(&s->node[i], size, align, goal, limit, &at))
            return bf_ok(at);
    return bf_fail(BF_ENOMEM);
}

static bf_result ref_alloc(void *p, uint64_t size, uint64_t align, uint64_t goal, uint64_t limit)
{
    return alloc_common(p, UINT64_MAX, size, align, goal, limit);
}

static bf_result ref_alloc_node(void *p, uint64_t nid, uint64_t size, uint64_t align,
                                uint64_t goal, uint64_t limit)
{
    ref_sys *s = p;
    if (nid >= s->nnodes) /* also keeps nid off alloc's UINT64_MAX */
        return bf_fail(BF_EINVAL);
    return alloc_common(s, nid, size, align, goal, limit);
}

/* §2 free_all EINVAL: an unknown nid, or a node already retired */
unsigned ref_free_all_why(const void *p, uint64_t nid)
{
    const ref_sys *s = p;
    if (nid >= s->nnodes)
        return REF_WHY_NO_NODE;
    return s->node[nid].live ? 0 : REF_WHY_RETIRED;
}

size_t ref_why_format(unsigned why, char *buf, size_t cap)
{
    static const char *const name[] = {"size=0",        "align-not-pow2", "no-such-node",
                                       "wraps",         "outside-nodes",  "past-node-end",
                                       "retired-node",  "below-nodes"};
    size_t len = 0;
    if (cap)
        buf[0] = 0;
    for (unsigned b = 0; b < sizeof name / sizeof *name; b++) {
        if (!(why >> b & 1))
            continue;
        int n = snprintf(buf + (len < cap ? len : cap), len < cap ? cap - len : 0, "%s%s",
                         len ? " " : "", name[b]);
        len += n > 0 ? (size_t)n : 0;
    }
    return len;
}

/* §2 free_all */
static bf_result ref_free_all(void *p, uint64_t nid)
{
    ref_sys *s = p;
    if (ref_free_all_why(s, nid))
        return bf_fail(BF_EINVAL);
    ref_node *n = &s->node[nid];
    /* pages at or past `dirty` were never freed: all reserved */
    uint64_t count = free_pages(n, n->start_pfn, n->start_pfn + n->dirty);
    n->live = 0;
    return bf_ok(count);
}

static int ref_page_reserved(void *p, uint64_t pfn)
{
    ref_sys *s = p;
    for (uint64_t i = 0; i < s->nnodes; i++) {
        ref_node *n = &s->node[i];
        if (n->live && n->start_pfn <= pfn && pfn < n->end_pfn)
            return !page_is_free(n, pfn);
    }
    return -1;
}

static int ref_node_info(void *p, uint64_t nid, bf_node_info *out)
{
    ref_sys *s = p;
    if (nid >= s->nnodes)
        return -1;
    const ref_node *n = &s->node[nid];
    out->start_pfn = n->start_pfn;
    out->end_pfn = n->end_pfn;
    out->live = n->live;
    out->last_success = n->last_success;
    out->last_pos = n->last_pos;
    out->last_offset = n->last_offset;
    return 0;
}

/* Set bits [lo, hi) of words[] (bit i of words[i / 64]). */
static void set_bits(uint64_t *words, uint64_t lo, uint64_t hi)
{
    while (lo < hi) {
        uint64_t b = lo % 64, n = hi - lo < 64 - b ? hi - lo : 64 - b;
        words[lo / 64] |= (n == 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1)) << b;
        lo += n;
    }
}

/* The pages come in runs of reserved and free ones: memchr finds where each
 * run ends (as in lowest_candidate), and a run of reserved pages sets its
 * bits a word at a time. */
static int ref_read_bits(void *p, uint64_t nid, uint64_t first, uint64_t *words, uint64_t nwords)
{
    ref_sys *s = p;
    if (nid >= s->nnodes || !s->node[nid].live)
        return -1;
    const ref_node *n = &s->node[nid];
    const uint8_t *f = n->is_free;
    uint64_t pages = n->end_pfn - n->start_pfn;
    memset(words, 0, nwords * sizeof *words); /* pages past the node: 0 */
    uint64_t i = first, end = first + 64 * nwords < pages ? first + 64 * nwords : pages;
    while (i < end) {
        const uint8_t *q = memchr(f + i, 1, end - i); /* the reserved run [i, j) ends */
        uint64_t j = q ? (uint64_t)(q - f) : end;
        set_bits(words, i - first, j - first);
        if (!q)
            break;
        q = memchr(f + j, 0, end - j); /* the free run [j, i) ends */
        i = q ? (uint64_t)(q - f) : end;
    }
    return 0;
}

const bf_backend bf_backend_ref = {
    .name = "ref",
    .description = "reference model: the contract in the most obvious code (the judge)",
    .flags = BF_PROMISES_EXACT,
    .create = ref_create,
    .destroy = ref_destroy,
    .reset = ref_reset,
    .set_option = NULL,
    .add_node = ref_add_node,
    .reserve = ref_reserve,
    .free = ref_free,
    .alloc = ref_alloc,
    .alloc_node = ref_alloc_node,
    .free_all = ref_free_all,
    .page_reserved = ref_page_reserved,
    .node_info = ref_node_info,
    .read_bits = ref_read_bits,
};
BF_REGISTER_BACKEND(bf_backend_ref);
