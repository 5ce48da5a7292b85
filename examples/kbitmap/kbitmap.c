/*
 * kbitmap.c - an example of bringing your own allocator to bootfuzz.
 *
 * The top half is kernel-style code, as a team's bootmem variant would be
 * written: a bitmap per node (1 = reserved), BUG_ON() on a bad request,
 * memset(phys_to_virt(...)) to zero a block.  It uses only what
 * bootfuzz/linux.h provides, as kernel code uses <linux/bootmem.h>.
 * Its placement is plain first fit from the bottom of the window, with no
 * goal, no hint and no merging of small blocks, so it does not give the
 * contract's exact answers: it promises only the invariants (contract
 * section 4), and bootfuzz checks it that way.
 *
 * The bottom half is the wrapper: a bf_backend of function pointers and one
 * BF_REGISTER_BACKEND line.  That is all: `make fuzz BACKEND=this/file.c
 * TARGET=kbitmap` fuzzes it with no edit to bootfuzz
 * (docs/bring-your-allocator.md).  tests/sh/byo.sh keeps it working.
 */
#include <stdlib.h>

#include <bootfuzz/linux.h>

/* ======================= kernel-style allocator ========================== */

typedef struct kb_node {
    unsigned long start_pfn, end_pfn; /* pages [start_pfn, end_pfn) */
    unsigned long *map;               /* bit i: page start_pfn + i is reserved */
    unsigned long cap;                /* longs allocated in map (kept for reuse) */
    int live;
} kb_node;

static unsigned long kb_pages(const kb_node *n) { return n->end_pfn - n->start_pfn; }

/* A new node: every page reserved, as init_bootmem_core leaves it.  The map
 * is all ones already: a new buffer is filled when it is made, and reset
 * fills a kept one again (so a large node costs nothing twice). */
static void kb_init_node(kb_node *n, unsigned long start, unsigned long end)
{
    n->start_pfn = start;
    n->end_pfn = end;
    n->live = 1;
}

/* Reserve pages [sidx, eidx) of the node; how many were free. */
static unsigned long kb_reserve(kb_node *n, unsigned long sidx, unsigned long eidx)
{
    unsigned long was_free = 0;
    BUG_ON(eidx > kb_pages(n) || sidx > eidx);
    for (unsigned long i = sidx; i < eidx; i++)
        was_free += !test_and_set_bit(i, n->map);
    return was_free;
}

/* Free pages [sidx, eidx); a page already free is a caller's bug. */
static unsigned long kb_free(kb_node *n, unsigned long sidx, unsigned long eidx)
{
    BUG_ON(eidx > kb_pages(n));
    for (unsigned long i = sidx; i < eidx; i++)
        BUG_ON(!test_bit(i, n->map)); /* check all first: a BUG changes nothing */
    for (unsigned long i = sidx; i < eidx; i++)
        clear_bit(i, n->map);
    return eidx > sidx ? eidx - sidx : 0;
}

/* First fit: the lowest frame that is a multiple of `step` (a physical
 * frame number) with `npages` free pages below `win_end`.  1 and *pfn if
 * found. */
static int kb_find(const kb_node *n, u64 npages, u64 step, u64 win_end, u64 *pfn)
{
    u64 c = ALIGN((u64)n->start_pfn, step);
    while (c >= n->start_pfn && c < win_end && npages <= win_end - c) {
        unsigned long i = (unsigned long)(c - n->start_pfn);
        unsigned long busy = find_next_bit(n->map, i + npages, i);
        if (busy == i + npages) {
            *pfn = c;
            return 1;
        }
        /* restart at the first aligned frame past the busy page */
        u64 next = ALIGN((u64)n->start_pfn + busy + 1, step);
        if (next <= c)
            break; /* wrapped past 2^64 */
        c = next;
    }
    return 0;
}

/* Place and zero a block on one node; 1 and its address if it fits. */
static int kb_alloc_node(kb_node *n, u64 size, u64 align, u64 limit, u64 *addr)
{
    BUG_ON(size == 0);
    BUG_ON(align & (align - 1));
    u64 win_end = n->end_pfn;
    if (limit) {
        if (n->start_pfn >= limit)
            return 0; /* the node starts at or above the limit */
        win_end = min(win_end, PFN_DOWN(limit));
    }
    u64 npages = size / PAGE_SIZE + (size % PAGE_SIZE != 0); /* PFN_UP without overflow */
    u64 step = align > PAGE_SIZE ? align / PAGE_SIZE : 1;
    u64 pfn;
    if (!kb_find(n, npages, step, win_end, &pfn))
        return 0;
    kb_reserve(n, (unsigned long)(pfn - n->start_pfn), (unsigned long)(pfn - n->start_pfn + npages));
    *addr = PFN_PHYS(pfn);
    memset(phys_to_virt(*addr), 0, size);
    return 1;
}

/* ============================ the wrapper ================================ */

typedef struct kb_sys {
    kb_node node[BF_MAX_NODES];
    int nr;
    bf_linux_mem mem;
    bf_linux_env env;
} kb_sys;

static void *kb_create(void)
{
    kb_sys *s = calloc(1, sizeof *s);
    if (s)
        s->env.mem = &s->mem;
    return s;
}

static void kb_destroy(void *sys)
{
    kb_sys *s = sys;
    for (int i = 0; s && i < BF_MAX_NODES; i++)
        free(s->node[i].map);
    free(s);
}

/* Back to "no nodes"; the maps are kept for the next input and go back to
 * all reserved, so nothing of this input reaches the next. */
static void kb_reset(void *sys)
{
    kb_sys *s = sys;
    for (int i = 0; i < s->nr; i++) {
        kb_node *n = &s->node[i];
        memset(n->map, 0xff, n->cap * sizeof(unsigned long)); /* back to all reserved */
        n->live = 0;
    }
    s->nr = 0;
    bf_linux_unmap_all(&s->mem);
}

/* add_node checks what the contract's EINVAL names (init is not the code
 * under test), then gets a map and initializes the node. */
static bf_result kb_add_node(void *sys, uint64_t start, uint64_t end, uint8_t *mem)
{
    kb_sys *s = sys;
    if (start >= end || end - start > BF_MAX_NODE_PAGES || end >= BF_PFN_LIMIT || s->nr == BF_MAX_NODES)
        return bf_fail(BF_EINVAL);
    for (int i = 0; i < s->nr; i++)
        if (start < s->node[i].end_pfn && s->node[i].start_pfn < end)
            return bf_fail(BF_EINVAL);
    kb_node *n = &s->node[s->nr];
    unsigned long longs = BITS_TO_LONGS(end - start);
    if (n->cap < longs) {
        unsigned long *map = malloc(longs * sizeof *map);
        if (!map)
            return bf_fail(BF_ENOMEM);
        memset(map, 0xff, longs * sizeof *map);
        free(n->map);
        n->map = map;
        n->cap = longs;
    }
    kb_init_node(n, start, end);
    bf_linux_map(&s->mem, start, end, mem);
    return bf_ok((uint64_t)s->nr++);
}

/* The live node holding every page of [first, last]; BUG() if none. */
static kb_node *kb_range_node(kb_sys *s, u64 first, u64 last)
{
    for (int i = 0; i < s->nr; i++) {
        kb_node *n = &s->node[i];
        if (n->live && n->start_pfn <= first && last < n->end_pfn)
            return n;
    }
    BUG();
}

static bf_result kb_reserve_call(void *sys, uint64_t addr, uint64_t size)
{
    kb_sys *s = sys;
    BF_LINUX_CALL(&s->env);
    BUG_ON(size == 0 || addr + size < addr); /* empty, or past 2^64 */
    u64 first = PFN_DOWN(addr), end = PFN_DOWN(addr + size) + ((addr + size) % PAGE_SIZE != 0);
    kb_node *n = kb_range_node(s, first, end - 1);
    return bf_ok(kb_reserve(n, (unsigned long)(first - n->start_pfn), (unsigned long)(end - n->start_pfn)));
}

static bf_result kb_free_call(void *sys, uint64_t addr, uint64_t size)
{
    kb_sys *s = sys;
    BF_LINUX_CALL(&s->env);
    BUG_ON(size == 0 || addr + size < addr);
    u64 first = PFN_DOWN(addr), end = PFN_DOWN(addr + size) + ((addr + size) % PAGE_SIZE != 0);
    kb_node *n = kb_range_node(s, first, end - 1); /* the whole byte range, as for reserve */
    u64 lo = addr / PAGE_SIZE + (addr % PAGE_SIZE != 0), hi = PFN_DOWN(addr + size); /* whole pages */
    if (hi <= lo)
        return bf_ok(0);
    return bf_ok(kb_free(n, (unsigned long)(lo - n->start_pfn), (unsigned long)(hi - n->start_pfn)));
}

static bf_result kb_alloc_from(kb_sys *s, int first, uint64_t size, uint64_t align, uint64_t limit)
{
    u64 addr;
    if (first >= 0 && s->node[first].live && kb_alloc_node(&s->node[first], size, align, limit, &addr))
        return bf_ok(addr);
    for (int i = 0; i < s->nr; i++)
        if (s->node[i].live && kb_alloc_node(&s->node[i], size, align, limit, &addr))
            return bf_ok(addr);
    BUG_ON(size == 0 || (align & (align - 1))); /* bad requests even with no live node */
    panic("Out of memory");
}

static bf_result kb_alloc(void *sys, uint64_t size, uint64_t align, uint64_t goal, uint64_t limit)
{
    kb_sys *s = sys;
    (void)goal; /* first fit from the bottom: no goal */
    BF_LINUX_CALL(&s->env);
    return kb_alloc_from(s, -1, size, align, limit);
}

static bf_result kb_alloc_on(void *sys, uint64_t nid, uint64_t size, uint64_t align, uint64_t goal,
                             uint64_t limit)
{
    kb_sys *s = sys;
    (void)goal;
    BF_LINUX_CALL(&s->env);
    BUG_ON(nid >= (uint64_t)s->nr);
    return kb_alloc_from(s, (int)nid, size, align, limit);
}

static bf_result kb_free_all(void *sys, uint64_t nid)
{
    kb_sys *s = sys;
    BF_LINUX_CALL(&s->env);
    BUG_ON(nid >= (uint64_t)s->nr || !s->node[nid].live);
    kb_node *n = &s->node[nid];
    uint64_t count = 0;
    for (unsigned long i = 0; i < kb_pages(n); i++)
        count += !test_bit(i, n->map);
    n->live = 0;
    return bf_ok(count);
}

static int kb_page_reserved(void *sys, uint64_t pfn)
{
    kb_sys *s = sys;
    for (int i = 0; i < s->nr; i++) {
        kb_node *n = &s->node[i];
        if (n->live && n->start_pfn <= pfn && pfn < n->end_pfn)
            return test_bit((unsigned long)(pfn - n->start_pfn), n->map);
    }
    return -1;
}

static int kb_node_info(void *sys, uint64_t nid, bf_node_info *out)
{
    kb_sys *s = sys;
    if (nid >= (uint64_t)s->nr)
        return -1;
    const kb_node *n = &s->node[nid];
    *out = (bf_node_info){.start_pfn = n->start_pfn, .end_pfn = n->end_pfn, .live = n->live};
    return 0; /* no hint: last_* stay 0 (invariants-only, never compared) */
}

const bf_backend kbitmap_backend = {
    .name = "kbitmap",
    .description = "example: kernel-style first-fit bitmap (examples/kbitmap), invariants only",
    .flags = 0, /* no BF_PROMISES_EXACT: checked by the invariants, the reference judging requests */
    .create = kb_create,
    .destroy = kb_destroy,
    .reset = kb_reset,
    .add_node = kb_add_node,
    .reserve = kb_reserve_call,
    .free = kb_free_call,
    .alloc = kb_alloc,
    .alloc_node = kb_alloc_on,
    .free_all = kb_free_all,
    .page_reserved = kb_page_reserved,
    .node_info = kb_node_info,
};
BF_REGISTER_BACKEND(kbitmap_backend);
