/*
 * invariants.c - contract section 4, independent of the reference.
 *
 * After each call the checker reads the backend's bits for every live node
 * (read_bits, or page by page) and judges the call with what it kept from
 * before: the previous bits, the live blocks and the memory image.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invariants.h"

#define PAGE BF_PAGE_SIZE

void bf_checker_init(bf_checker *k, bf_session *s)
{
    memset(k, 0, sizeof *k);
    k->s = s;
}

/* A trusted checker in the fast mode: keeps state, checks memory only. */
static int light(const bf_checker *k) { return k->trusted && !k->precise; }

void bf_checker_reset(bf_checker *k)
{
    for (uint64_t i = 0; i < k->nnodes; i++) { /* add_node sets every field of a new one */
        bf_inv_node *n = &k->node[i];
        n->start = n->end = 0;
        n->live = 0;
        n->nwords = 0;
    }
    k->nnodes = 0;
    k->nblk = 0;
    k->patterns = 0;
    k->calls = 0;
    k->whole = 0;
    k->read_mask = 0;
    k->inv = NULL;
    k->detail[0] = 0;
}

void bf_checker_destroy(bf_checker *k)
{
    for (uint64_t i = 0; i < BF_MAX_NODES; i++) {
        free(k->node[i].bits);
        free(k->node[i].next);
        free(k->node[i].image);
    }
    memset(k, 0, sizeof *k);
}

static int broken(bf_checker *k, const char *inv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int broken(bf_checker *k, const char *inv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k->detail, sizeof k->detail, fmt, ap);
    va_end(ap);
    k->inv = inv;
    return -1;
}

static int bit(const uint64_t *w, uint64_t i) { return (int)(w[i / 64] >> (i % 64)) & 1; }

/* Are bits [lo, hi) all set?  Word at a time. */
static int all_set(const uint64_t *w, uint64_t lo, uint64_t hi)
{
    while (lo < hi) {
        uint64_t word = lo / 64, b = lo % 64, n = 64 - b;
        if (n > hi - lo)
            n = hi - lo;
        uint64_t mask = (n == 64 ? ~0ull : ((1ull << n) - 1)) << b;
        if ((w[word] & mask) != mask)
            return 0;
        lo += n;
    }
    return 1;
}

/* Bits of a node of `pages` pages, all reserved (bits past its end are 0,
 * as read_bits gives them: backend.h). */
static void set_reserved(uint64_t *w, uint64_t pages)
{
    memset(w, 0xff, pages / 64 * sizeof *w);
    if (pages % 64)
        w[pages / 64] = (1ull << (pages % 64)) - 1;
}

static uint64_t count_free(const uint64_t *w, uint64_t pages)
{
    uint64_t set = 0;
    for (uint64_t i = 0; i < pages / 64; i++)
        set += (uint64_t)__builtin_popcountll(w[i]);
    for (uint64_t i = pages / 64 * 64; i < pages; i++)
        set += (uint64_t)bit(w, i);
    return pages - set;
}

/* How much of each node is read after a call.  A correct backend changes
 * only what the call names (the pages of the block, range or node, and
 * that node's last_* values), so in the normal (fast) mode the checker
 * reads just that, and every live node whole every BF_FULL_EVERY calls and
 * at the end (bf_checker_sync): the cached bits of the other nodes are what
 * a correct backend holds, so no check can fail on a correct backend, and a
 * change a call should not have made shows at the next whole read.  The
 * precise mode reads every live node whole after every call, so a finding
 * is pinned to the call that caused it; the lockstep runner replays an
 * input in that mode when the fast mode reports a finding. */
#define BF_FULL_EVERY 16

/* Read words [w0, w1) of node i's reserved bits into dst (same indexes), and
 * its last_* state into n->info; record what was read for bf_checker_read.
 * -1: the node is retired on its side. */
static int read_words(bf_checker *k, uint64_t i, uint64_t w0, uint64_t w1, uint64_t *dst)
{
    bf_inv_node *n = &k->node[i];
    const bf_backend *be = k->s->be;
    if (be->node_info(k->s->sys, i, &n->info) != 0 || !n->info.live)
        return -1;
    k->read_mask |= 1ull << i;
    n->read_w0 = w0;
    n->read_w1 = w1 > w0 ? w1 : w0;
    if (w0 >= w1)
        return 0;
    if (be->read_bits)
        return be->read_bits(k->s->sys, i, w0 * 64, dst + w0, w1 - w0);
    memset(dst + w0, 0, (w1 - w0) * sizeof *dst);
    for (uint64_t p = w0 * 64; p < w1 * 64 && p < n->end - n->start; p++) {
        int r = be->page_reserved(k->s->sys, n->start + p);
        if (r < 0)
            return -1;
        if (r)
            dst[p / 64] |= 1ull << (p % 64);
    }
    return 0;
}

static int read_node(bf_checker *k, uint64_t i)
{
    return read_words(k, i, 0, k->node[i].nwords, k->node[i].next);
}

static int add_node(bf_checker *k, uint64_t start, uint64_t end)
{
    if (k->nnodes == BF_MAX_NODES)
        return broken(k, "node-count", "add_node succeeded with %d nodes already",
                      BF_MAX_NODES);
    bf_inv_node *n = &k->node[k->nnodes];
    uint64_t nw = (end - start + 63) / 64;
    if (n->cap < nw) {
        free(n->bits);
        free(n->next);
        n->bits = calloc(nw, sizeof *n->bits);
        n->next = calloc(nw, sizeof *n->next);
        if (!n->bits || !n->next)
            abort();
        n->cap = nw;
    }
    n->start = start;
    n->end = end;
    n->live = 1;
    n->nwords = nw;
    n->has_mem = k->s->node[k->nnodes].mem != NULL;
    n->img_lo = n->img_hi = 0;
    if (n->has_mem) {
        size_t bytes = (size_t)(end - start) * PAGE;
        if (n->image_cap < bytes) {
            free(n->image);
            n->image = malloc(bytes);
            if (!n->image)
                abort();
            n->image_cap = bytes;
        }
    }
    k->nnodes++;
    return 0;
}

/* The node holding page pfn (live or not), or -1. */
static int64_t node_of(const bf_checker *k, uint64_t pfn)
{
    for (uint64_t i = 0; i < k->nnodes; i++)
        if (k->node[i].start <= pfn && pfn < k->node[i].end)
            return (int64_t)i;
    return -1;
}

/* §3 step 1 window of node n for `limit`: [start, *win_end); 0 if skipped. */
static int window(const bf_inv_node *n, uint64_t limit, uint64_t *win_end)
{
    if (limit != 0 && (n->start << 12) >= limit)
        return 0;
    *win_end = n->end;
    if (limit != 0 && (limit >> 12) < *win_end)
        *win_end = limit >> 12;
    return 1;
}

/* The first page in [i, lim) whose bit is `want` (1 = reserved), or lim.
 * A word at a time: bits of the other value are skipped with ctz. */
static uint64_t next_bit(const uint64_t *w, uint64_t i, uint64_t lim, int want)
{
    while (i < lim) {
        uint64_t x = (want ? w[i / 64] : ~w[i / 64]) >> (i % 64);
        if (x) {
            i += (uint64_t)__builtin_ctzll(x);
            return i < lim ? i : lim;
        }
        i = (i / 64 + 1) * 64;
    }
    return lim;
}

/* §4.6: is there a run of npages free pages at a multiple of step inside
 * [start, win_end) of node n?  Walks the free runs, not every candidate:
 * if any multiple of step in a run has room, the first one has. */
static int fit_exists(const bf_inv_node *n, const uint64_t *w, uint64_t win_end,
                      uint64_t npages, uint64_t step)
{
    uint64_t lim = win_end > n->start ? win_end - n->start : 0;
    for (uint64_t i = next_bit(w, 0, lim, 0); i < lim;) {
        uint64_t j = next_bit(w, i, lim, 1); /* free run [i, j) in node pages */
        uint64_t pfn = n->start + i;
        uint64_t c = pfn + (step - pfn % step) % step;
        if (c >= pfn && c - n->start <= j && j - (c - n->start) >= npages)
            return 1;
        i = next_bit(w, j, lim, 0);
    }
    return 0;
}

static void swap_bits(bf_inv_node *n)
{
    uint64_t *t = n->bits;
    n->bits = n->next;
    n->next = t;
}

uint64_t bf_first_diff(const uint64_t *x, const uint64_t *y, uint64_t w0, uint64_t w1)
{
    if (w0 + BF_FEW_WORDS < w1 && memcmp(x + w0, y + w0, (w1 - w0) * sizeof *x) == 0)
        return w1;
    while (w0 < w1 && x[w0] == y[w0])
        w0++;
    return w0;
}

/* Did a page in words [w0, w1) of node i, outside the named pages [a, b),
 * change between the cached bits and the ones just read (next)?  Describes
 * the first such page in what. */
static int other_pages_in(const bf_checker *k, uint64_t i, uint64_t w0, uint64_t w1, uint64_t a,
                          uint64_t b, char *what, size_t cap)
{
    const bf_inv_node *n = &k->node[i];
    /* words [s0, s1) hold named pages only: the two stretches around them */
    uint64_t s0 = (a + 63) / 64, s1 = b / 64;
    if (a >= b || s0 >= s1)
        s0 = s1 = w1;
    const uint64_t part[2][2] = {{w0, s0 < w1 ? s0 : w1}, {s1 > w0 ? s1 : w0, w1}};
    for (int g = 0; g < 2; g++) {
        uint64_t w = part[g][0], end = part[g][1];
        for (; (w = bf_first_diff(n->bits, n->next, w, end)) < end; w++) {
            uint64_t d = n->bits[w] ^ n->next[w], p0 = w * 64;
            if (a < p0 + 64 && b > p0) { /* leave out the named pages */
                uint64_t s = a > p0 ? a - p0 : 0, e = b < p0 + 64 ? b - p0 : 64;
                d &= ~((e == 64 ? ~0ull : (1ull << e) - 1) & (~0ull << s));
            }
            if (d) {
                uint64_t p = p0 + (uint64_t)__builtin_ctzll(d);
                snprintf(what, cap, "node %llu pfn %llu went from %s to %s",
                         (unsigned long long)i, (unsigned long long)(n->start + p),
                         bit(n->bits, p) ? "reserved" : "free",
                         bit(n->next, p) ? "reserved" : "free");
                return 1;
            }
        }
    }
    return 0;
}

/* After a whole read of node i (into next): did a page outside the named
 * pages [a, b) change?  The cached bits are what a correct backend holds,
 * since every call changes only what it names (contract section 2), so
 * this also catches a change made by any call since the last whole read.
 * Describes the first such page in what. */
static int other_pages_changed(const bf_checker *k, uint64_t i, uint64_t a, uint64_t b,
                               char *what, size_t cap)
{
    return other_pages_in(k, i, 0, k->node[i].nwords, a, b, what, cap);
}

/* §4.7 (second half): a failed call changed nothing.  Read when this call
 * reads whole nodes; otherwise nothing was read, and the next whole read
 * compares against the same cached state. */
static int unchanged(bf_checker *k, const bf_call *c, bf_result r)
{
    if (!k->whole)
        return 0;
    for (uint64_t i = 0; i < k->nnodes; i++) {
        bf_inv_node *n = &k->node[i];
        bf_node_info before = n->info;
        if (!n->live)
            continue;
        if (read_node(k, i) != 0)
            return broken(k, "failed-call-changed-state", "node %llu retired by a failed call",
                          (unsigned long long)i);
        char what[128];
        if (other_pages_changed(k, i, 0, 0, what, sizeof what))
            return broken(k, "failed-call-changed-state", "%s answered %s, but %s",
                          bf_op_get(c->op)->name, bf_err_name(r.err), what);
        if (before.last_success != n->info.last_success || before.last_pos != n->info.last_pos ||
            before.last_offset != n->info.last_offset)
            return broken(k, "failed-call-changed-state",
                          "node %llu: last_success/last_pos/last_offset changed by a call that "
                          "answered %s",
                          (unsigned long long)i, bf_err_name(r.err));
    }
    return 0;
}

/* Are bytes [off, off + len) of m all v?  (m[0] is v and every byte
 * equals the one before it.) */
static int all_bytes(const uint8_t *m, size_t off, size_t len, uint8_t v)
{
    return len == 0 || (m[off] == v && memcmp(m + off, m + off + 1, len - 1) == 0);
}

/* Make image bytes [lo, hi) explicit, so they can be written. */
static void image_cover(bf_inv_node *n, size_t lo, size_t hi)
{
    if (n->img_lo == n->img_hi) {
        memset(n->image + lo, BF_MEM_FILL, hi - lo);
        n->img_lo = lo;
        n->img_hi = hi;
        return;
    }
    if (lo < n->img_lo) {
        memset(n->image + lo, BF_MEM_FILL, n->img_lo - lo);
        n->img_lo = lo;
    }
    if (hi > n->img_hi) {
        memset(n->image + n->img_hi, BF_MEM_FILL, hi - n->img_hi);
        n->img_hi = hi;
    }
}

/* Does node nid's backing memory hold what the image says over pages
 * [lo_pfn, hi_pfn)?  (1 when the node has no memory.) */
static int memory_matches(bf_checker *k, uint64_t nid, uint64_t lo_pfn, uint64_t hi_pfn)
{
    bf_inv_node *n = &k->node[nid];
    const uint8_t *mem = k->s->node[nid].mem;
    if (!mem || !n->has_mem)
        return 1;
    size_t lo = (size_t)(lo_pfn - n->start) * PAGE, hi = (size_t)(hi_pfn - n->start) * PAGE;
    size_t a = lo > n->img_lo ? lo : n->img_lo, b = hi < n->img_hi ? hi : n->img_hi;
    if (a >= b) /* no explicit image bytes in the range */
        return all_bytes(mem, lo, hi - lo, BF_MEM_FILL);
    return all_bytes(mem, lo, a - lo, BF_MEM_FILL) && memcmp(mem + a, n->image + a, b - a) == 0 &&
           all_bytes(mem, b, hi - b, BF_MEM_FILL);
}

static int check_alloc(bf_checker *k, const bf_call *c, uint64_t addr)
{
    int nd = c->op == BF_OP_ALLOC_NODE;
    uint64_t size = c->arg[nd], align = c->arg[nd + 1], limit = c->arg[nd + 3];
    uint64_t a = align ? align : 1;

    /* §4.1 aligned */
    if (addr % a != 0)
        return broken(k, "align", "block 0x%llx is not aligned to %llu", (unsigned long long)addr,
                      (unsigned long long)a);
    /* §4.2 inside one live node, inside its window */
    int64_t nid = node_of(k, addr >> 12);
    uint64_t win_end;
    if (nid < 0 || !k->node[nid].live)
        return broken(k, "window", "block 0x%llx is in no live node", (unsigned long long)addr);
    bf_inv_node *n = &k->node[nid];
    uint64_t lo = addr >> 12, hi;
    if (size > UINT64_MAX - addr)
        return broken(k, "window", "block 0x%llx + %llu passes 2^64", (unsigned long long)addr,
                      (unsigned long long)size);
    hi = bf_pfn_up(addr + size);
    if (!window(n, limit, &win_end) || hi > win_end)
        return broken(k, "window", "block [0x%llx, +%llu) leaves the window of node %lld (limit 0x%llx)",
                      (unsigned long long)addr, (unsigned long long)size, (long long)nid,
                      (unsigned long long)limit);
    /* §4.3 no overlap with a live block */
    for (unsigned b = 0; !light(k) && b < k->nblk; b++) {
        const bf_inv_block *o = &k->blk[b];
        if (addr < o->addr + o->size && o->addr < addr + size)
            return broken(k, "overlap", "block [0x%llx, +%llu) overlaps live block [0x%llx, +%llu)",
                          (unsigned long long)addr, (unsigned long long)size,
                          (unsigned long long)o->addr, (unsigned long long)o->size);
    }
    /* §4.4 its pages are reserved (checked for every block after each call) */
    /* §4.5 zeroed, and nothing else in its pages changed */
    const uint8_t *mem = k->s->node[nid].mem;
    if (mem && n->has_mem) {
        size_t off = (size_t)(addr - (n->start << 12));
        uint8_t *m = (uint8_t *)mem + off;
        if (!all_bytes(m, 0, (size_t)size, 0))
            for (uint64_t i = 0; i < size; i++)
                if (m[i] != 0)
                    return broken(k, "zeroed",
                                  "byte 0x%llx of the new block [0x%llx, +%llu) is 0x%02x, not 0",
                                  (unsigned long long)(addr + i), (unsigned long long)addr,
                                  (unsigned long long)size, m[i]);
        image_cover(n, off, off + (size_t)size);
        uint8_t *img = n->image + off;
        memset(img, 0, (size_t)size);
        if (!memory_matches(k, (uint64_t)nid, lo, hi))
            return broken(k, "clobbered", "alloc of [0x%llx, +%llu) changed bytes outside the block",
                          (unsigned long long)addr, (unsigned long long)size);
        /* the user writes the block: a pattern of its own */
        uint8_t pat = (uint8_t)(1 + k->patterns++ % 255);
        memset(m, pat, (size_t)size);
        memset(img, pat, (size_t)size);
    }
    if (k->nblk < BF_MAX_BLOCKS) {
        bf_inv_block *b = &k->blk[k->nblk++];
        b->addr = addr;
        b->size = size;
        b->node = (uint32_t)nid;
    }
    return 0;
}

/* §4.6: ENOMEM only when no window of any live node has a fit. */
static int check_enomem(bf_checker *k, const bf_call *c)
{
    int nd = c->op == BF_OP_ALLOC_NODE;
    uint64_t size = c->arg[nd], align = c->arg[nd + 1], limit = c->arg[nd + 3];
    if (size == 0 || (align & (align - 1)) != 0)
        return 0; /* not a valid request: ENOMEM is a wrong class, not a missed fit */
    uint64_t npages = bf_pfn_up(size), step = align >> 12 ? align >> 12 : 1, win_end;
    for (uint64_t i = 0; i < k->nnodes; i++) {
        bf_inv_node *n = &k->node[i];
        if (!n->live)
            continue;
        /* fewer free pages than asked: no run can have room.  Counted once
         * per change of the bits: ENOMEMs come in runs on a full node */
        if (n->nfree == BF_NFREE_UNKNOWN)
            n->nfree = count_free(n->bits, n->end - n->start);
        if (n->nfree >= npages && window(n, limit, &win_end) &&
            fit_exists(n, n->bits, win_end, npages, step)) {
            k->fit_node = i;
            return broken(k, "first-fit",
                          "ENOMEM, but node %llu has %llu free pages at a multiple of %llu "
                          "inside the window",
                          (unsigned long long)i, (unsigned long long)npages,
                          (unsigned long long)step);
        }
    }
    return 0;
}

static void drop_blocks(bf_checker *k, uint64_t nid, uint64_t lo, uint64_t hi)
{
    unsigned w = 0;
    for (unsigned b = 0; b < k->nblk; b++) {
        const bf_inv_block *o = &k->blk[b];
        uint64_t blo = o->addr >> 12, bhi = bf_pfn_up(o->addr + o->size);
        int dead = o->node == nid && blo < hi && lo < bhi;
        if (!dead)
            k->blk[w++] = *o;
    }
    k->nblk = w;
}

int bf_checker_after(bf_checker *k, const bf_call *c, bf_result r)
{
    if (bf_op_get(c->op)->is_query || r.err == BF_BUG)
        return 0;
    k->calls++;
    k->read_mask = 0;
    k->whole = k->precise || (!k->trusted && k->calls % BF_FULL_EVERY == 0);
    if (r.err != BF_OK) {
        if (r.err == BF_ENOMEM && bf_op_is_alloc(c->op) && !light(k) && check_enomem(k, c))
            return -1;
        return unchanged(k, c, r);
    }
    switch (c->op) {
    case BF_OP_NODE:
        if (add_node(k, c->arg[0], c->arg[1]))
            return -1;
        break;
    case BF_OP_FREE_ALL: {
        uint64_t nid = c->arg[0];
        if (nid >= k->nnodes || !k->node[nid].live)
            return broken(k, "free-all-count", "free_all of node %llu succeeded, but it is %s",
                          (unsigned long long)nid, nid >= k->nnodes ? "unknown" : "retired");
        bf_inv_node *n = &k->node[nid];
        uint64_t want = count_free(n->bits, n->end - n->start);
        if (r.value != want && !light(k)) /* §4.7 */
            return broken(k, "free-all-count", "free_all(%llu) = %llu, but %llu pages were free",
                          (unsigned long long)nid, (unsigned long long)r.value,
                          (unsigned long long)want);
        n->live = 0;
        drop_blocks(k, nid, n->start, n->end);
        break;
    }
    case BF_OP_FREE: {
        uint64_t lo = bf_pfn_up(c->arg[0]), hi = c->arg[1] > UINT64_MAX - c->arg[0]
                                                   ? lo
                                                   : bf_pfn_down(c->arg[0] + c->arg[1]);
        int64_t nid = node_of(k, c->arg[0] >> 12);
        if (nid >= 0 && lo < hi)
            drop_blocks(k, (uint64_t)nid, lo, hi); /* blocks with a freed page die */
        break;
    }
    case BF_OP_ALLOC:
    case BF_OP_ALLOC_NODE:
        break; /* judged below, once the new bits are read */
    }
    /* read every live node's new state: whole, or where the call acted */
    uint64_t lo = 1, hi = 0; /* pages the call names (empty: none) */
    if (bf_op_is_alloc(c->op) || c->op == BF_OP_FREE || c->op == BF_OP_RESERVE) {
        uint64_t a = bf_op_is_alloc(c->op) ? r.value : c->arg[0];
        uint64_t z = bf_op_is_alloc(c->op) ? c->arg[c->op == BF_OP_ALLOC_NODE] : c->arg[1];
        if (z <= UINT64_MAX - a) {
            lo = a >> 12;
            hi = bf_pfn_up(a + z);
        }
    }
    /* the nodes to read: all on a whole read; else the new one, or the one
     * holding the named pages (the others read nothing below) */
    uint64_t first = 0, last = k->nnodes;
    if (!k->whole && c->op == BF_OP_NODE) {
        first = k->nnodes - 1;
    } else if (!k->whole && lo >= hi) {
        first = last; /* no pages named: nothing to read */
    } else if (!k->whole) {
        int64_t nid = node_of(k, lo); /* (a range across nodes: every node) */
        if (nid >= 0 && hi <= k->node[nid].end)
            first = (uint64_t)nid, last = (uint64_t)nid + 1;
    }
    for (uint64_t i = first; i < last; i++) {
        bf_inv_node *n = &k->node[i];
        if (!n->live)
            continue;
        /* the named pages inside this node: [a, b) node-relative, maybe empty */
        uint64_t a = 0, b = 0;
        if (lo < n->end && hi > n->start) {
            a = (lo > n->start ? lo : n->start) - n->start;
            b = (hi < n->end ? hi : n->end) - n->start;
        }
        int rc = 0;
        if (c->op == BF_OP_NODE && i + 1 == k->nnodes) { /* the new node */
            /* contract 1 and 2 (add_node): a new node is all reserved.  A
             * backend compared with the reference differs from it here too;
             * for one checked by the invariants alone this is the check (a
             * reset() that leaves a reused map half free shows here). */
            uint64_t pages = n->end - n->start;
            if (light(k)) {
                /* the trusted reference: its new node is what contract 1
                 * says, as its own target checks on every call; only its
                 * last_* are read (see bf_checker.trusted) */
                rc = read_words(k, i, 0, 0, n->next);
                set_reserved(n->bits, pages);
                n->nfree = 0;
            } else {
                rc = read_node(k, i);
                swap_bits(n);
                uint64_t p = rc == 0 ? next_bit(n->bits, 0, pages, 0) : pages;
                n->nfree = rc == 0 ? 0 : BF_NFREE_UNKNOWN;
                if (p < pages)
                    return broken(k, "new-node-reserved",
                                  "node %llu is new, but %llu of its %llu pages are free (first: "
                                  "pfn %llu)", (unsigned long long)i,
                                  (unsigned long long)count_free(n->bits, pages),
                                  (unsigned long long)pages, (unsigned long long)(n->start + p));
            }
        } else if (k->whole) {
            rc = read_node(k, i);
            char what[128];
            if (rc == 0 && other_pages_changed(k, i, a, b, what, sizeof what))
                return broken(k, "other-pages-changed", "%s changed pages it does not name: %s",
                              bf_op_get(c->op)->name, what);
            swap_bits(n);
            n->nfree = BF_NFREE_UNKNOWN;
        } else if (a < b) {
            /* the words holding the named pages; their other pages must
             * be as they were */
            uint64_t w0 = a / 64, w1 = (b + 63) / 64;
            char what[128];
            rc = read_words(k, i, w0, w1, n->next);
            if (rc == 0 && !light(k) && other_pages_in(k, i, w0, w1, a, b, what, sizeof what))
                return broken(k, "other-pages-changed", "%s changed pages it does not name: %s",
                              bf_op_get(c->op)->name, what);
            n->nfree = BF_NFREE_UNKNOWN;
            if (w1 - w0 > BF_FEW_WORDS)
                memcpy(n->bits + w0, n->next + w0, (w1 - w0) * sizeof *n->bits);
            else
                for (uint64_t w = w0; w < w1; w++)
                    n->bits[w] = n->next[w];
        }
        if (rc != 0)
            return broken(k, "node-retired", "node %llu is gone after %s, which does not retire it",
                          (unsigned long long)i, bf_op_get(c->op)->name);
    }
    if (bf_op_is_alloc(c->op) && check_alloc(k, c, r.value))
        return -1;
    /* §4.4 every byte of every live block is in a reserved page (of the
     * bits this call read: the others are as they were) */
    for (unsigned b = 0; !light(k) && b < k->nblk; b++) {
        const bf_inv_block *o = &k->blk[b];
        if (!k->whole && !(k->read_mask >> o->node & 1))
            continue; /* its node was not read */
        const bf_inv_node *n = &k->node[o->node];
        uint64_t lo = (o->addr >> 12) - n->start, hi = bf_pfn_up(o->addr + o->size) - n->start;
        int was_read = k->whole || (lo < n->read_w1 * 64 && n->read_w0 * 64 < hi);
        if (was_read && !all_set(n->bits, lo, hi))
            return broken(k, "reserved", "live block [0x%llx, +%llu) has a page marked free",
                          (unsigned long long)o->addr, (unsigned long long)o->size);
    }
    return 0;
}

int bf_checker_sync(bf_checker *k)
{
    k->read_mask = 0;
    k->whole = 0;
    if (light(k))
        return 0; /* its cached bits stand for it (see bf_checker.trusted) */
    k->whole = 1;
    for (uint64_t i = 0; i < k->nnodes; i++) {
        bf_inv_node *n = &k->node[i];
        if (!n->live)
            continue;
        if (read_node(k, i) != 0)
            return broken(k, "node-retired", "node %llu is gone at the end, but no call retired it",
                          (unsigned long long)i);
        char what[128];
        if (other_pages_changed(k, i, 0, 0, what, sizeof what))
            return broken(k, "other-pages-changed", "a call changed pages it does not name: %s",
                          what);
        swap_bits(n);
        n->nfree = BF_NFREE_UNKNOWN;
    }
    return 0;
}

/* The queries agree with each other and with backend.h (end of an input,
 * after the whole state was read): page_reserved of a node's first, middle
 * and last page is the bit read_bits gave (a backend with read_bits has its
 * page_reserved checked nowhere else); a pfn in no node, a node id past the
 * last, answer -1. */
static int queries_agree(bf_checker *k)
{
    const bf_backend *be = k->s->be;
    uint64_t top = 0;
    for (uint64_t i = 0; i < k->nnodes; i++) {
        bf_inv_node *n = &k->node[i];
        if (n->end > top)
            top = n->end;
        if (!n->live || !be->read_bits)
            continue;
        const uint64_t at[3] = {0, (n->end - n->start) / 2, n->end - n->start - 1};
        for (int j = 0; j < 3; j++) {
            int r = be->page_reserved(k->s->sys, n->start + at[j]);
            if (r != bit(n->bits, at[j]))
                return broken(k, "queries", "page_reserved(%llu) answers %d; read_bits says %s",
                              (unsigned long long)(n->start + at[j]), r,
                              bit(n->bits, at[j]) ? "reserved" : "free");
        }
    }
    bf_node_info ni;
    uint64_t w;
    if (top < BF_PFN_LIMIT && be->page_reserved(k->s->sys, top) != -1)
        return broken(k, "queries", "page_reserved(%llu), a pfn in no node, does not answer -1",
                      (unsigned long long)top);
    if (be->node_info(k->s->sys, k->nnodes, &ni) != -1)
        return broken(k, "queries", "node_info(%llu), past the last node, does not answer -1",
                      (unsigned long long)k->nnodes);
    if (be->read_bits && be->read_bits(k->s->sys, k->nnodes, 0, &w, 1) != -1)
        return broken(k, "queries", "read_bits(%llu, ...), past the last node, does not answer -1",
                      (unsigned long long)k->nnodes);
    return 0;
}

int bf_checker_final(bf_checker *k)
{
    /* the trusted reference's queries are its own target's to check (see
     * bf_checker.trusted); its memory is checked below, as a backend's */
    if (!light(k) && queries_agree(k))
        return -1;
    for (uint64_t i = 0; i < k->nnodes; i++) {
        bf_inv_node *n = &k->node[i];
        if (!memory_matches(k, i, n->start, n->end))
            return broken(k, "stray-write",
                          "backing memory of node %llu differs from what its blocks allow",
                          (unsigned long long)i);
        if (n->has_mem) /* memory is fill outside the image's bytes */
            bf_session_mem_seen(k->s, i, n->img_lo, n->img_hi);
    }
    return 0;
}

const bf_node_info *bf_checker_read(const bf_checker *k, uint64_t nid, uint64_t *w0,
                                    uint64_t *w1)
{
    if (nid >= k->nnodes || !k->node[nid].live)
        return NULL;
    int fresh = k->read_mask >> nid & 1;
    *w0 = fresh ? k->node[nid].read_w0 : 0;
    *w1 = fresh ? k->node[nid].read_w1 : 0;
    return &k->node[nid].info;
}

const uint64_t *bf_checker_bits(const bf_checker *k, uint64_t nid, uint64_t *nwords)
{
    if (nid >= k->nnodes || !k->node[nid].live)
        return NULL;
    *nwords = k->node[nid].nwords;
    return k->node[nid].bits;
}
