/*
 * bench/linux_bitmap.c - the Linux-style bitmap yardstick (bench/linux_bitmap.h).
 *
 * Written here from the algorithm of Linux's lib/find_bit.c and
 * lib/bitmap.c (find_next_bit, find_next_zero_bit,
 * bitmap_find_next_zero_area_off, __bitmap_set, __bitmap_clear); no code is
 * copied.  Bit i of a node's map is node-relative page i, 1 = reserved; the
 * alignment grid of the contract is the physical frame number's, which is
 * exactly what the align_offset argument of bitmap_find_next_zero_area_off
 * is for (offset = start_pfn mod step).
 *
 * The helpers are static, so the compiler may inline them into the search:
 * the yardstick is given every advantage a careful engineer's own copy would
 * have (Linux's are out-of-line calls).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux_bitmap.h"

typedef struct lb_node {
    uint64_t start_pfn, end_pfn, pages;
    uint64_t last_success, last_pos, last_offset; /* contract 1 */
    int live;
    uint64_t *map; /* 1 = reserved; bits past `pages` stay 1 */
    uint8_t *mem;
} lb_node;

typedef struct lb_sys {
    int nnodes;
    lb_node node[BF_MAX_NODES];
} lb_sys;

/* ------------------------------------------------ lib/find_bit.c, in short */

static inline uint64_t first_word_mask(uint64_t start) { return ~0ULL << (start & 63); }
static inline uint64_t last_word_mask(uint64_t nbits) { return ~0ULL >> (-nbits & 63); }

/* First set bit in [start, size), or size. */
static inline uint64_t find_next_bit(const uint64_t *map, uint64_t size, uint64_t start)
{
    if (start >= size)
        return size;
    uint64_t idx = start >> 6, tmp = map[idx] & first_word_mask(start);
    while (!tmp) {
        if ((idx + 1) * 64 >= size)
            return size;
        tmp = map[++idx];
    }
    uint64_t r = idx * 64 + (uint64_t)__builtin_ctzll(tmp);
    return r < size ? r : size;
}

/* First clear bit in [start, size), or size. */
static inline uint64_t find_next_zero_bit(const uint64_t *map, uint64_t size, uint64_t start)
{
    if (start >= size)
        return size;
    uint64_t idx = start >> 6, tmp = ~map[idx] & first_word_mask(start);
    while (!tmp) {
        if ((idx + 1) * 64 >= size)
            return size;
        tmp = ~map[++idx];
    }
    uint64_t r = idx * 64 + (uint64_t)__builtin_ctzll(tmp);
    return r < size ? r : size;
}

/* -------------------------------------------------- lib/bitmap.c, in short */

/* bitmap_find_next_zero_area_off: the lowest index >= start with
 * (index + align_offset) & align_mask == 0 and bits [index, index + nr) all
 * clear and below size; a value past size - nr when there is none. */
static uint64_t find_next_zero_area_off(const uint64_t *map, uint64_t size, uint64_t start,
                                        uint64_t nr, uint64_t align_mask, uint64_t align_offset)
{
    uint64_t index, end, i;
again:
    index = find_next_zero_bit(map, size, start);
    index = ((index + align_offset + align_mask) & ~align_mask) - align_offset;
    end = index + nr;
    if (end > size || end < index)
        return size; /* Linux returns end (> size); size - nr + 1 .. : "none" */
    i = find_next_bit(map, end, index);
    if (i < end) {
        start = i + 1;
        goto again;
    }
    return index;
}

/* __bitmap_set (val = all ones) and __bitmap_clear (val = 0) in one: bits
 * [start, start + nr) take val's bits. */
static void bitmap_assign_range(uint64_t *map, uint64_t start, uint64_t nr, uint64_t val)
{
    uint64_t *p = map + (start >> 6), mask = first_word_mask(start);
    uint64_t left = 64 - (start & 63), rem = nr;
    while (rem >= left) {
        *p = (*p & ~mask) | (val & mask);
        p++;
        rem -= left;
        left = 64;
        mask = ~0ULL;
    }
    if (rem) {
        mask &= last_word_mask(start + nr);
        *p = (*p & ~mask) | (val & mask);
    }
}

/* Set bits in [start, start + nr) (a bitmap_weight over a range). */
static uint64_t weight_range(const uint64_t *map, uint64_t start, uint64_t nr)
{
    uint64_t end = start + nr, ja = start >> 6, jb = (end - 1) >> 6, cnt;
    uint64_t ma = first_word_mask(start), mb = last_word_mask(end);
    if (ja == jb)
        return (uint64_t)__builtin_popcountll(map[ja] & ma & mb);
    cnt = (uint64_t)__builtin_popcountll(map[ja] & ma);
    for (uint64_t j = ja + 1; j < jb; j++)
        cnt += (uint64_t)__builtin_popcountll(map[j]);
    return cnt + (uint64_t)__builtin_popcountll(map[jb] & mb);
}

/* ------------------------------------------------------------ the calls */

static void *lb_create(void) { return calloc(1, sizeof(lb_sys)); }

static void lb_reset(void *sys)
{
    lb_sys *s = sys;
    for (int i = 0; i < s->nnodes; i++) {
        free(s->node[i].map);
        s->node[i].map = NULL;
    }
    s->nnodes = 0;
}

static void lb_destroy(void *sys)
{
    if (!sys)
        return;
    lb_reset(sys);
    free(sys);
}

static bf_result lb_add_node(void *sys, uint64_t sp, uint64_t ep, uint8_t *mem)
{
    lb_sys *s = sys;
    if (sp >= ep || ep - sp > BF_MAX_NODE_PAGES || ep >= BF_PFN_LIMIT || s->nnodes >= BF_MAX_NODES)
        return bf_fail(BF_EINVAL);
    for (int i = 0; i < s->nnodes; i++)
        if (sp < s->node[i].end_pfn && s->node[i].start_pfn < ep)
            return bf_fail(BF_EINVAL);
    lb_node *n = &s->node[s->nnodes];
    uint64_t words = (ep - sp + 63) / 64;
    n->map = malloc(words * 8);
    if (!n->map) {
        fprintf(stderr, "linux-bitmap: out of host memory\n");
        abort();
    }
    memset(n->map, 0xff, words * 8); /* a new node is all reserved */
    n->start_pfn = sp;
    n->end_pfn = ep;
    n->pages = ep - sp;
    n->last_success = n->last_pos = n->last_offset = 0;
    n->live = 1;
    n->mem = mem;
    return bf_ok((uint64_t)s->nnodes++);
}

/* The live node holding pages [p0, p1), or NULL (nodes never overlap). */
static lb_node *lb_find(lb_sys *s, uint64_t p0, uint64_t p1)
{
    for (int i = 0; i < s->nnodes; i++) {
        lb_node *n = &s->node[i];
        if (n->start_pfn <= p0 && p0 < n->end_pfn)
            return n->live && p1 <= n->end_pfn ? n : NULL;
    }
    return NULL;
}

static bf_result lb_reserve(void *sys, uint64_t addr, uint64_t size)
{
    if (!size || addr + size < addr)
        return bf_fail(BF_EINVAL);
    uint64_t p0 = bf_pfn_down(addr), p1 = bf_pfn_up(addr + size);
    lb_node *n = lb_find(sys, p0, p1);
    if (!n)
        return bf_fail(BF_EINVAL);
    uint64_t a = p0 - n->start_pfn, nr = p1 - p0;
    uint64_t was_free = nr - weight_range(n->map, a, nr);
    bitmap_assign_range(n->map, a, nr, ~0ULL);
    return bf_ok(was_free);
}

static bf_result lb_free(void *sys, uint64_t addr, uint64_t size)
{
    if (!size || addr + size < addr)
        return bf_fail(BF_EINVAL);
    lb_node *n = lb_find(sys, bf_pfn_down(addr), bf_pfn_up(addr + size));
    if (!n)
        return bf_fail(BF_EINVAL);
    uint64_t f0 = bf_pfn_up(addr), f1 = bf_pfn_down(addr + size), cnt = 0;
    if (f0 < f1) {
        uint64_t a = f0 - n->start_pfn, b = f1 - n->start_pfn;
        if (find_next_zero_bit(n->map, b, a) < b) /* contract 2: ENOTRESERVED */
            return bf_fail(BF_ENOTRESERVED);
        bitmap_assign_range(n->map, a, b - a, 0);
        cnt = b - a;
        if (n->last_offset && n->last_pos >= a && n->last_pos < b)
            n->last_offset = 0; /* the partial page is free: nothing to merge into */
    }
    uint64_t off = addr - (n->start_pfn << BF_PAGE_SHIFT);
    if (off < n->last_success)
        n->last_success = off;
    return bf_ok(cnt);
}

/* Contract section 3 on one node: 1 and *out on success. */
static int lb_place(lb_node *n, uint64_t size, uint64_t a, uint64_t goal, uint64_t limit,
                    uint64_t *out)
{
    uint64_t node_start = n->start_pfn << BF_PAGE_SHIFT;
    if (limit && node_start >= limit) /* 3.1 */
        return 0;
    uint64_t win_end = n->end_pfn;
    if (limit && bf_pfn_down(limit) < win_end)
        win_end = bf_pfn_down(limit);
    if (win_end <= n->start_pfn)
        return 0;
    uint64_t win = win_end - n->start_pfn, np = bf_pfn_up(size); /* 3.2 */
    if (np > win)
        return 0;
    uint64_t step = a >> BF_PAGE_SHIFT ? a >> BF_PAGE_SHIFT : 1;
    uint64_t mask = step - 1, aoff = n->start_pfn & mask;

    uint64_t pref = node_start; /* 3.4 */
    if (goal && node_start <= goal && bf_pfn_down(goal) < win_end) {
        uint64_t ls = node_start + n->last_success;
        pref = goal;
        if (ls >= pref && (!limit || ls < limit))
            pref = ls;
    }
    int have_p = pref <= (uint64_t)0 - a;
    uint64_t p = have_p ? ((pref + a - 1) & ~(a - 1)) >> BF_PAGE_SHIFT : 0;
    have_p = have_p && p < win_end;

    uint64_t c = win; /* 3.5: lowest at or above p, else the lowest */
    if (have_p)
        c = find_next_zero_area_off(n->map, win, p - n->start_pfn, np, mask, aoff);
    if (c + np > win) {
        uint64_t hi = win;
        if (have_p && p - n->start_pfn - 1 + np < hi) /* a candidate below p ends before */
            hi = p - n->start_pfn - 1 + np;
        if (have_p && p == n->start_pfn)
            return 0;
        c = find_next_zero_area_off(n->map, hi, 0, np, mask, aoff);
        if (c + np > hi)
            return 0;
    }

    uint64_t k = np, res; /* 3.6 */
    if (a < BF_PAGE_SIZE && n->last_offset && n->last_pos + 1 == c) {
        uint64_t off = (n->last_offset + a - 1) & ~(a - 1), room = BF_PAGE_SIZE - off;
        res = node_start + n->last_pos * BF_PAGE_SIZE + off;
        if (size < room) {
            k = 0;
            n->last_offset = off + size;
        } else {
            k = bf_pfn_up(size - room);
            if (k)
                n->last_pos = c + k - 1;
            n->last_offset = (size - room) & (BF_PAGE_SIZE - 1);
        }
    } else {
        res = (n->start_pfn + c) << BF_PAGE_SHIFT;
        n->last_pos = c + np - 1;
        n->last_offset = size & (BF_PAGE_SIZE - 1);
    }
    n->last_success = c << BF_PAGE_SHIFT;
    if (k)
        bitmap_assign_range(n->map, c, k, ~0ULL);
    if (n->mem) /* 3.7 */
        memset(n->mem + (res - node_start), 0, (size_t)size);
    *out = res;
    return 1;
}

static bf_result lb_alloc(void *sys, uint64_t size, uint64_t align, uint64_t goal, uint64_t limit)
{
    lb_sys *s = sys;
    uint64_t out;
    if (!size || (align & (align - 1)))
        return bf_fail(BF_EINVAL);
    for (int i = 0; i < s->nnodes; i++)
        if (s->node[i].live && lb_place(&s->node[i], size, align ? align : 1, goal, limit, &out))
            return bf_ok(out);
    return bf_fail(BF_ENOMEM);
}

static bf_result lb_alloc_node(void *sys, uint64_t nid, uint64_t size, uint64_t align,
                               uint64_t goal, uint64_t limit)
{
    lb_sys *s = sys;
    uint64_t out, a = align ? align : 1;
    if (!size || (align & (align - 1)) || nid >= (uint64_t)s->nnodes)
        return bf_fail(BF_EINVAL);
    if (s->node[nid].live && lb_place(&s->node[nid], size, a, goal, limit, &out))
        return bf_ok(out);
    for (int i = 0; i < s->nnodes; i++) /* contract 6.5: nid first, then in order */
        if ((uint64_t)i != nid && s->node[i].live && lb_place(&s->node[i], size, a, goal, limit, &out))
            return bf_ok(out);
    return bf_fail(BF_ENOMEM);
}

static bf_result lb_free_all(void *sys, uint64_t nid)
{
    lb_sys *s = sys;
    if (nid >= (uint64_t)s->nnodes || !s->node[nid].live)
        return bf_fail(BF_EINVAL);
    lb_node *n = &s->node[nid];
    uint64_t cnt = n->pages - weight_range(n->map, 0, n->pages);
    n->live = 0;
    return bf_ok(cnt);
}

static int lb_page_reserved(void *sys, uint64_t pfn)
{
    if (pfn == UINT64_MAX)
        return -1;
    lb_node *n = lb_find(sys, pfn, pfn + 1);
    if (!n)
        return -1;
    uint64_t i = pfn - n->start_pfn;
    return (int)((n->map[i >> 6] >> (i & 63)) & 1);
}

static int lb_node_info(void *sys, uint64_t nid, bf_node_info *out)
{
    lb_sys *s = sys;
    if (nid >= (uint64_t)s->nnodes)
        return -1;
    const lb_node *n = &s->node[nid];
    out->start_pfn = n->start_pfn;
    out->end_pfn = n->end_pfn;
    out->live = n->live;
    out->last_success = n->last_success;
    out->last_pos = n->last_pos;
    out->last_offset = n->last_offset;
    return 0;
}

static int lb_read_bits(void *sys, uint64_t nid, uint64_t first, uint64_t *words, uint64_t nwords)
{
    lb_sys *s = sys;
    if (nid >= (uint64_t)s->nnodes || !s->node[nid].live)
        return -1;
    const lb_node *n = &s->node[nid];
    for (uint64_t o = 0; o < nwords; o++) {
        uint64_t p0 = first + 64 * o;
        if (first > n->pages || p0 >= n->pages) {
            words[o] = 0;
            continue;
        }
        uint64_t x = n->map[p0 >> 6];
        if (n->pages - p0 < 64)
            x &= (1ULL << (n->pages - p0)) - 1;
        words[o] = x;
    }
    return 0;
}

const bf_backend bf_backend_linux_bitmap = {
    .name = "linux",
    .description = "bench yardstick: a bitmap searched as Linux's lib/bitmap.c does, contract rules around it",
    .flags = BF_PROMISES_EXACT,
    .create = lb_create,
    .destroy = lb_destroy,
    .reset = lb_reset,
    .set_option = NULL,
    .add_node = lb_add_node,
    .reserve = lb_reserve,
    .free = lb_free,
    .alloc = lb_alloc,
    .alloc_node = lb_alloc_node,
    .free_all = lb_free_all,
    .page_reserved = lb_page_reserved,
    .node_info = lb_node_info,
    .read_bits = lb_read_bits,
};
