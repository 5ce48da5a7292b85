/*
 * bootmem2614.c - Linux 2.6.14's bootmem allocator as a bootfuzz backend,
 * with its historical bugs kept, each behind a run-time switch.
 *
 * The allocation path is a port of the seed (../shared/seed/
 * alloc_bootmem_core-2.6.txt: __alloc_bootmem_limit and __alloc_bootmem_core)
 * in the seed's own shape: preferred, offset, areasize, incr, eidx,
 * restart_scan, fail_block, found, last_success, last_pos, last_offset.  The
 * companion functions (init, reserve, free, free_all) follow contract section
 * 5.  Comments of the form "seed NN" name the seed line a statement stands for;
 * "line 10NN" names a line of the companion listing in docs/bugs2614.md.
 *
 * Bug switches (docs/bugs2614.md has the full table): A C D E F G H J K are
 * contract section 5; L M N O P are differences found while porting.  A switch
 * that is on keeps 2.6.14's behaviour; off applies the fix of a later kernel or
 * of the contract.  Backend "2614" starts with every switch on, "2614fixed"
 * with every switch off (it then answers exactly as the contract says).
 *
 * Data layout as the kernel's: one bit per page (1 = reserved) in unsigned
 * long words; the map is mapsize bytes, (pages + 7) / 8 rounded up to a whole
 * long, all set to 0xff at init (so the padding bits past the node read as
 * reserved).  A BUG()/BUG_ON() is answered as bf_bug(condition, line) and ends
 * the call sequence; panic("Out of memory") is answered as ENOMEM.
 *
 * Accesses past the allocated map (bug A's read, J's and M's wild writes):
 * the index is checked against the map and the call answers a deterministic
 * "oops: ..." BUG outcome without touching the memory, in every build.  So
 * the port's modelled bug is the port's finding, with one signature
 * everywhere (suppressible, minimizable), and never an abort of the tool:
 * under ASan a directory replay goes on to the next input.  An ASan build
 * still allocates the map exactly mapsize bytes, so an access past it that
 * the port does not model is ASan's to report.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootfuzz/backend.h"

#if defined(__SANITIZE_ADDRESS__)
#define BM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BM_ASAN 1
#endif
#endif
#ifndef BM_ASAN
#define BM_ASAN 0
#endif

static_assert(sizeof(unsigned long) == 8, "the port assumes a 64-bit unsigned long");

#define PAGE_SHIFT BF_PAGE_SHIFT
#define PAGE_SIZE BF_PAGE_SIZE
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define BITS_PER_LONG 64
/* The kernel's ALIGN(): wraps around on overflow, ALIGN(x, 0) == 0. */
#define ALIGN(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))

/* ---- bug switches -------------------------------------------------------- */

enum {
    BUG_A = 1u << 0,  /* no i >= eidx check after find_next_zero_bit */
    BUG_C = 1u << 1,  /* limit (pages) compared with last_success (bytes) */
    BUG_D = 1u << 2,  /* free: absolute addr vs relative last_success */
    BUG_E = 1u << 3,  /* alignment of the node-relative index */
    BUG_F = 1u << 4,  /* fail_block skips the aligned candidate ALIGN(j) */
    BUG_G = 1u << 5,  /* align == 0: ALIGN(x, 0) == 0 */
    BUG_H = 1u << 6,  /* free never forgets the partial page */
    BUG_J = 1u << 7,  /* reserve/free: no lower-bound check */
    BUG_K = 1u << 8,  /* retired node stays listed with a NULL map */
    BUG_L = 1u << 9,  /* invalid requests answered by BUG(), maybe half done */
    BUG_M = 1u << 10, /* reserve/free: addr + size and roundings wrap */
    BUG_N = 1u << 11, /* free: end checked with PFN_DOWN, not PFN_UP */
    BUG_O = 1u << 12, /* alloc: areasize = (size + PAGE_SIZE-1) / PAGE_SIZE wraps */
    BUG_P = 1u << 13, /* alloc: a limit below one page is ignored */
};
static const char bm_letters[] = "ACDEFGHJKLMNOP";
#define BUG_ALL ((1u << (sizeof bm_letters - 1)) - 1)

/* ---- lines of the companion listing (docs/bugs2614.md) ------------------- */

enum {
    LN_RES_SIZE = 1005,   /* BUG_ON(!size) */
    LN_RES_SIDX = 1006,   /* BUG_ON(sidx >= eidx) */
    LN_RES_ADDR = 1007,   /* BUG_ON(PFN_DOWN(addr) >= node_low_pfn) */
    LN_RES_END = 1008,    /* BUG_ON(end > node_low_pfn) */
    LN_RES_LOOP = 1009,   /* test_and_set_bit loop */
    LN_FREE_SIZE = 1014,  /* BUG_ON(!size) */
    LN_FREE_END = 1015,   /* BUG_ON(end > node_low_pfn) */
    LN_FREE_LOOP = 1018,  /* test_and_clear_bit loop, BUG() on a free page */
    LN_FALL_MAP = 1022,   /* BUG_ON(!node_bootmem_map) */
    LN_FIX_LOWER = 1031,  /* fix J: BUG_ON(addr < node_boot_start) */
    LN_FIX_OVF = 1032,    /* fix M: BUG_ON(addr + size overflows) */
    LN_FIX_FREEND = 1033, /* fix N: BUG_ON(PFN_UP(addr + size) > node_low_pfn) */
    LN_FIX_SIZE = 1041,   /* fix L (alloc): size == 0 checked before any node */
    LN_FIX_ALIGN = 1042,  /* fix L (alloc): align not a power of two, likewise */
};

/* ---- data ---------------------------------------------------------------- */

/* struct bootmem_data as 2.6.14 has it, plus what the port needs beside it. */
typedef struct bootmem_data {
    uint64_t node_boot_start;        /* bytes: start_pfn << PAGE_SHIFT */
    uint64_t node_low_pfn;           /* end pfn (exclusive) */
    unsigned long *node_bootmem_map; /* NULL once free_all ran (bug K) */
    uint64_t last_offset;
    uint64_t last_pos;
    uint64_t last_success;
    /* port only */
    uint64_t mapwords; /* mapsize / sizeof(long): the allocated map */
    uint8_t *mem;      /* backing memory or NULL */
} bootmem_data_t;

/* A node slot: its bootmem_data and the map buffer kept across resets. */
typedef struct bm_slot {
    bootmem_data_t bdata;
    unsigned long *buf;  /* the map buffer; bdata.node_bootmem_map points here */
    uint64_t cap_words;  /* words allocated in buf */
    uint64_t ones_words; /* buf[0, ones_words) is all ones, except dirty words */
    uint64_t dirty_lo, dirty_hi; /* words [dirty_lo, dirty_hi) may hold zeros */
} bm_slot;

typedef struct bm_sys {
    bm_slot node[BF_MAX_NODES]; /* in order of adding (the "pgdat list") */
    uint64_t nnodes;
    unsigned bugs;  /* BUG_* switches that are on */
    char oops[160]; /* text of the last oops outcome (valid until the next one) */
} bm_sys;

static int on(const bm_sys *s, unsigned bug) { return (s->bugs & bug) != 0; }

/* Whether the node is on the list allocation, reserve and free walk: with bug K
 * a retired node stays there (its map NULL); fixed, free_all unlinks it. */
static int linked(const bm_sys *s, const bm_slot *sl)
{
    return on(s, BUG_K) || sl->bdata.node_bootmem_map != NULL;
}

/* ---- outcomes ------------------------------------------------------------ */

static bf_result oops_null(int line) { return bf_bug("oops: NULL node_bootmem_map", line); }

static bf_result oops_past_map(bm_sys *s, const char *what, uint64_t bit, int line)
{
    snprintf(s->oops, sizeof s->oops, "oops: %s of bit %llu past node_bootmem_map", what,
             (unsigned long long)bit);
    return bf_bug(s->oops, line);
}

/* A check the kernel makes with BUG_ON (switch L on), or the port's validation
 * answering the contract's EINVAL with nothing changed (switch L off). */
static bf_result check_failed(const bm_sys *s, const char *cond, int line)
{
    return on(s, BUG_L) ? bf_bug(cond, line) : bf_fail(BF_EINVAL);
}

/* ---- bitmap primitives --------------------------------------------------- */

/* find_next_zero_bit(map, size, offset): the first 0 bit in [offset, size), or
 * size when there is none (the generic semantics the contract reads).  Only
 * words below size are read, and size never exceeds the node. */
static int find_next_zero_bit(const bootmem_data_t *bd, uint64_t size, uint64_t off,
                              uint64_t *res, int line, bf_result *oops)
{
    const unsigned long *map = bd->node_bootmem_map;
    if (off >= size) {
        *res = size;
        return 0;
    }
    if (!map) {
        *oops = oops_null(line);
        return -1;
    }
    uint64_t w = off / BITS_PER_LONG;
    unsigned long word = ~map[w] & (~0UL << (off % BITS_PER_LONG));
    for (;;) {
        if (word) {
            uint64_t r = w * BITS_PER_LONG + (uint64_t)__builtin_ctzl(word);
            *res = r < size ? r : size;
            return 0;
        }
        if (++w * BITS_PER_LONG >= size) {
            *res = size;
            return 0;
        }
        word = ~map[w];
    }
}

/* find_next_bit(map, size, offset): the first 1 bit in [offset, size), or size. */
static int find_next_bit(const bootmem_data_t *bd, uint64_t size, uint64_t off, uint64_t *res,
                         int line, bf_result *oops)
{
    const unsigned long *map = bd->node_bootmem_map;
    if (off >= size) {
        *res = size;
        return 0;
    }
    if (!map) {
        *oops = oops_null(line);
        return -1;
    }
    uint64_t w = off / BITS_PER_LONG;
    unsigned long word = map[w] & (~0UL << (off % BITS_PER_LONG));
    for (;;) {
        if (word) {
            uint64_t r = w * BITS_PER_LONG + (uint64_t)__builtin_ctzl(word);
            *res = r < size ? r : size;
            return 0;
        }
        if (++w * BITS_PER_LONG >= size) {
            *res = size;
            return 0;
        }
        word = map[w];
    }
}

/* test_bit(i, map): 0 or 1, or -1 with an oops when the map is NULL or i lies
 * past the allocated map (seed 85 with bug A: the kernel's read past
 * node_bootmem_map, answered without making it). */
static int test_bit(bm_sys *s, const bootmem_data_t *bd, uint64_t i, int line, bf_result *oops)
{
    const unsigned long *map = bd->node_bootmem_map;
    if (!map) {
        *oops = oops_null(line);
        return -1;
    }
    uint64_t w = i / BITS_PER_LONG;
    if (w < bd->mapwords)
        return (int)((map[w] >> (i % BITS_PER_LONG)) & 1);
    *oops = oops_past_map(s, "read", i, line);
    return -1;
}

static void mark_dirty(bm_slot *sl, uint64_t w)
{
    if (sl->dirty_lo >= sl->dirty_hi) {
        sl->dirty_lo = w;
        sl->dirty_hi = w + 1;
    } else {
        if (w < sl->dirty_lo)
            sl->dirty_lo = w;
        if (w + 1 > sl->dirty_hi)
            sl->dirty_hi = w + 1;
    }
}

enum walk_mode {
    WALK_SET_COUNT, /* test_and_set_bit, count bits that were 0 (reserve) */
    WALK_SET_BUG,   /* test_and_set_bit, BUG() on a bit already 1 (alloc) */
    WALK_CLEAR_BUG, /* test_and_clear_bit, BUG() on a bit already 0 (free) */
};

/* The kernel's bit-by-bit loop over [lo, hi), done a word at a time with the
 * same effect: bits are changed in increasing order, a BUG() leaves the bits
 * before it changed, and the first index past the allocated map ends the walk
 * with an oops (a wild write the port never makes).  *count gets the bits
 * that were 0 (SET_COUNT) or the bits changed (the other modes). */
static bf_result walk_bits(bm_sys *s, bm_slot *sl, uint64_t lo, uint64_t hi, enum walk_mode mode,
                           const char *bug_cond, int line, uint64_t *count)
{
    bootmem_data_t *bd = &sl->bdata;
    unsigned long *map = bd->node_bootmem_map;
    *count = 0;
    if (lo >= hi)
        return bf_ok(0);
    if (!map)
        return oops_null(line);
    uint64_t mapbits = bd->mapwords * BITS_PER_LONG;
    uint64_t end = hi < mapbits ? hi : mapbits;
    for (uint64_t i = lo; i < end;) {
        uint64_t w = i / BITS_PER_LONG, b = i % BITS_PER_LONG;
        uint64_t n = BITS_PER_LONG - b < end - i ? BITS_PER_LONG - b : end - i;
        unsigned long mask = n == BITS_PER_LONG ? ~0UL : ((1UL << n) - 1) << b;
        unsigned long word = map[w];
        switch (mode) {
        case WALK_SET_COUNT:
            *count += (uint64_t)__builtin_popcountl(~word & mask);
            map[w] = word | mask;
            break;
        case WALK_SET_BUG:
            if (word & mask) {
                unsigned first = (unsigned)__builtin_ctzl(word & mask);
                map[w] = word | (mask & ((1UL << first) - 1));
                *count += first - b;
                return bf_bug(bug_cond, line);
            }
            map[w] = word | mask;
            *count += n;
            break;
        case WALK_CLEAR_BUG:
            if (~word & mask) {
                unsigned first = (unsigned)__builtin_ctzl(~word & mask);
                map[w] = word & ~(mask & ((1UL << first) - 1));
                mark_dirty(sl, w);
                *count += first - b;
                return bf_bug(bug_cond, line);
            }
            map[w] = word & ~mask;
            mark_dirty(sl, w);
            *count += n;
            break;
        }
        i += n;
    }
    if (hi > end)
        return oops_past_map(s, "write", lo > mapbits ? lo : mapbits, line);
    return bf_ok(*count);
}

/* ---- lifecycle ----------------------------------------------------------- */

static void *bm_create_with(unsigned bugs)
{
    bm_sys *s = calloc(1, sizeof *s);
    if (s)
        s->bugs = bugs;
    return s;
}

static void *bm_create(void) { return bm_create_with(BUG_ALL); }
static void *bm_create_fixed(void) { return bm_create_with(0); }

static void bm_destroy(void *p)
{
    bm_sys *s = p;
    if (!s)
        return;
    for (int i = 0; i < BF_MAX_NODES; i++)
        free(s->node[i].buf);
    free(s);
}

/* Back to "no nodes".  Map buffers are kept; words the last run cleared are
 * set back to all ones so the next init only fills what was never filled.
 * The bug switches are configuration and stay as they are. */
static void bm_reset(void *p)
{
    bm_sys *s = p;
    for (uint64_t i = 0; i < s->nnodes; i++) {
        bm_slot *sl = &s->node[i];
        if (sl->dirty_lo < sl->dirty_hi)
            memset(sl->buf + sl->dirty_lo, 0xff,
                   (size_t)(sl->dirty_hi - sl->dirty_lo) * sizeof(unsigned long));
        sl->dirty_lo = sl->dirty_hi = 0;
        memset(&sl->bdata, 0, sizeof sl->bdata);
        if (BM_ASAN) {
            /* ASan keeps each map exactly its node's size (add_node): let
             * every add_node allocate its own, so no branch there depends on
             * the size this slot had in an earlier run (fuzzing stability) */
            free(sl->buf);
            sl->buf = NULL;
            sl->cap_words = sl->ones_words = 0;
        }
    }
    s->nnodes = 0;
}

static int bm_set_option(void *p, const char *name, uint64_t value)
{
    bm_sys *s = p;
    if (!name || !name[0] || name[1] || value > 1)
        return -1;
    char c = name[0];
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    const char *at = strchr(bm_letters, c);
    if (!at)
        return -1;
    unsigned bit = 1u << (at - bm_letters);
    if (value)
        s->bugs |= bit;
    else
        s->bugs &= ~bit;
    return 0;
}

/* ---- init_bootmem_core --------------------------------------------------- */

/* add_node validates like the contract in every mode (init is not the code
 * under test), then does what init_bootmem_core does: a map of mapsize bytes
 * all set to 0xff, last_success = last_pos = last_offset = 0.  Nodes are kept
 * in the order they were added (the kernel pushed each at the list head). */
static bf_result bm_add_node(void *p, uint64_t start, uint64_t end, uint8_t *mem)
{
    bm_sys *s = p;
    if (start >= end || end - start > BF_MAX_NODE_PAGES || end >= BF_PFN_LIMIT ||
        s->nnodes == BF_MAX_NODES)
        return bf_fail(BF_EINVAL);
    for (uint64_t i = 0; i < s->nnodes; i++) {
        const bootmem_data_t *o = &s->node[i].bdata;
        if (start < o->node_low_pfn && (o->node_boot_start >> PAGE_SHIFT) < end)
            return bf_fail(BF_EINVAL);
    }

    bm_slot *sl = &s->node[s->nnodes];
    uint64_t mapsize = ((end - start) + 7) / 8;
    mapsize = (mapsize + (sizeof(long) - 1)) & ~(uint64_t)(sizeof(long) - 1);
    uint64_t words = mapsize / sizeof(long);
    /* An ASan build keeps the map exactly mapsize bytes, so an access past it
     * that the port does not model is out of bounds for ASan; otherwise a
     * buffer is reused while it is big enough. */
    if (sl->cap_words < words || (BM_ASAN && sl->cap_words != words)) {
        free(sl->buf);
        sl->buf = malloc((size_t)mapsize);
        if (!sl->buf)
            abort(); /* out of host memory: not an answer the contract has */
        sl->cap_words = words;
        sl->ones_words = 0;
        sl->dirty_lo = sl->dirty_hi = 0;
    }
    /* memset(node_bootmem_map, 0xff, mapsize): the words of the buffer that
     * are all ones already (reset restored them) need not be written again. */
    if (sl->ones_words < words) {
        memset(sl->buf + sl->ones_words, 0xff,
               (size_t)(words - sl->ones_words) * sizeof(unsigned long));
        sl->ones_words = words;
    }

    bootmem_data_t *bd = &sl->bdata;
    memset(bd, 0, sizeof *bd);
    bd->node_bootmem_map = sl->buf;
    bd->node_boot_start = start << PAGE_SHIFT;
    bd->node_low_pfn = end;
    bd->mapwords = words;
    bd->mem = mem;
    return bf_ok(s->nnodes++);
}

/* The node free_bootmem/reserve_bootmem hand a range to: the listed node
 * whose range holds addr, else the first listed node (contract 5). */
static bm_slot *node_for(bm_sys *s, uint64_t addr)
{
    uint64_t pfn = addr >> PAGE_SHIFT;
    bm_slot *first = NULL;
    for (uint64_t i = 0; i < s->nnodes; i++) {
        bm_slot *sl = &s->node[i];
        if (!linked(s, sl))
            continue;
        if (!first)
            first = sl;
        if ((sl->bdata.node_boot_start >> PAGE_SHIFT) <= pfn && pfn < sl->bdata.node_low_pfn)
            return sl;
    }
    return first;
}

/* ---- reserve_bootmem_core ------------------------------------------------ */

static bf_result reserve_bootmem_core(bm_sys *s, bm_slot *sl, uint64_t addr, uint64_t size)
{
    bootmem_data_t *bd = &sl->bdata;
    uint64_t nbs = bd->node_boot_start;
    /*
     * round up, partially reserved pages are considered fully reserved.
     */
    uint64_t sidx = (addr - nbs) / PAGE_SIZE; /* line 1002 (wraps below the node: bug J) */
    uint64_t eidx, end;
    if (on(s, BUG_M)) {
        eidx = (addr + size - nbs + PAGE_SIZE - 1) / PAGE_SIZE; /* line 1003 */
        end = (addr + size + PAGE_SIZE - 1) / PAGE_SIZE;        /* line 1004 */
    } else {
        eidx = bf_pfn_up(addr + size - nbs); /* fix M: rounding without overflow */
        end = bf_pfn_up(addr + size);
    }

    if (!size)
        return check_failed(s, "!size", LN_RES_SIZE);
    if (!on(s, BUG_J) && addr < nbs)
        return check_failed(s, "addr < bdata->node_boot_start", LN_FIX_LOWER);
    if (!on(s, BUG_M) && size > UINT64_MAX - addr)
        return check_failed(s, "addr + size overflows", LN_FIX_OVF);
    if (sidx >= eidx)
        return check_failed(s, "sidx >= eidx", LN_RES_SIDX);
    if ((addr >> PAGE_SHIFT) >= bd->node_low_pfn)
        return check_failed(s, "(addr >> PAGE_SHIFT) >= bdata->node_low_pfn", LN_RES_ADDR);
    if (end > bd->node_low_pfn)
        return check_failed(s, "end > bdata->node_low_pfn", LN_RES_END);

    /* for (i = sidx; i < eidx; i++) test_and_set_bit(i, node_bootmem_map);
     * a page reserved twice is accepted silently.  The port counts the pages
     * that were free (the contract's answer). */
    uint64_t was_free;
    bf_result r = walk_bits(s, sl, sidx, eidx, WALK_SET_COUNT, NULL, LN_RES_LOOP, &was_free);
    return r;
}

static bf_result bm_reserve(void *p, uint64_t addr, uint64_t size)
{
    bm_sys *s = p;
    bm_slot *sl = node_for(s, addr);
    if (!sl)
        return bf_fail(BF_EINVAL); /* no node at all: nothing to hand it to */
    return reserve_bootmem_core(s, sl, addr, size);
}

/* ---- free_bootmem_core --------------------------------------------------- */

static bf_result free_bootmem_core(bm_sys *s, bm_slot *sl, uint64_t addr, uint64_t size)
{
    bootmem_data_t *bd = &sl->bdata;
    uint64_t nbs = bd->node_boot_start;
    uint64_t i, start, sidx;
    /*
     * round down end of usable mem, partially free pages are considered
     * reserved.
     */
    uint64_t eidx = (addr + size - nbs) / PAGE_SIZE; /* line 1012 */
    uint64_t end = (addr + size) / PAGE_SIZE;        /* line 1013 */

    if (!size)
        return check_failed(s, "!size", LN_FREE_SIZE);
    if (!on(s, BUG_J) && addr < nbs)
        return check_failed(s, "addr < bdata->node_boot_start", LN_FIX_LOWER);
    if (!on(s, BUG_M) && size > UINT64_MAX - addr)
        return check_failed(s, "addr + size overflows", LN_FIX_OVF);
    if (on(s, BUG_N)) {
        if (end > bd->node_low_pfn)
            return check_failed(s, "end > bdata->node_low_pfn", LN_FREE_END);
    } else {
        if (bf_pfn_up(addr + size) > bd->node_low_pfn)
            return check_failed(s, "PFN_UP(addr + size) > bdata->node_low_pfn", LN_FIX_FREEND);
    }

    /*
     * Round up the beginning of the address.
     */
    start = on(s, BUG_M) ? (addr + PAGE_SIZE - 1) / PAGE_SIZE : bf_pfn_up(addr); /* 1017 */
    sidx = start - (nbs / PAGE_SIZE);

    /* Fix L: look for an already free page before changing anything, and
     * answer the contract's ENOTRESERVED.  Only the part of the range inside
     * the allocated map can be looked at; past it the loop below oopses. */
    if (!on(s, BUG_L) && bd->node_bootmem_map && sidx < eidx) {
        uint64_t mapbits = bd->mapwords * BITS_PER_LONG;
        uint64_t hi = eidx < mapbits ? eidx : mapbits;
        uint64_t z;
        bf_result unused;
        if (sidx < hi && find_next_zero_bit(bd, hi, sidx, &z, LN_FREE_LOOP, &unused) == 0 &&
            z < hi)
            return bf_fail(BF_ENOTRESERVED);
    }

    if (on(s, BUG_D)) {
        if (addr < bd->last_success) /* line 1016: absolute vs node-relative */
            bd->last_success = addr;
    } else {
        uint64_t off = addr - nbs; /* fix D: node-relative, as last_success is */
        if (off < bd->last_success)
            bd->last_success = off;
    }

    /* for (i = sidx; i < eidx; i++)
     *         if (!test_and_clear_bit(i, node_bootmem_map)) BUG(); */
    uint64_t freed;
    bf_result r = walk_bits(s, sl, sidx, eidx, WALK_CLEAR_BUG,
                            "!test_and_clear_bit(i, bdata->node_bootmem_map)", LN_FREE_LOOP,
                            &freed);
    if (r.err != BF_OK)
        return r;

    /* Fix H (the contract's rule): freeing page last_pos forgets the partial
     * page, so no later allocation merges into a page nobody reserves. */
    i = bd->last_pos;
    if (!on(s, BUG_H) && bd->last_offset && sidx <= i && i < eidx)
        bd->last_offset = 0;
    return bf_ok(freed);
}

static bf_result bm_free(void *p, uint64_t addr, uint64_t size)
{
    bm_sys *s = p;
    bm_slot *sl = node_for(s, addr);
    if (!sl)
        return bf_fail(BF_EINVAL);
    return free_bootmem_core(s, sl, addr, size);
}

/* ---- __alloc_bootmem_core (the seed) ------------------------------------- */

/* Returns OK with the address, ENOMEM for the seed's "return NULL", or BUG. */
static bf_result __alloc_bootmem_core(bm_sys *s, bm_slot *sl, uint64_t size, uint64_t align,
                                      uint64_t goal, uint64_t limit)
{
    bootmem_data_t *bdata = &sl->bdata;
    uint64_t offset, remaining_size, areasize, preferred;
    uint64_t i, j = 0, start = 0, incr, eidx, end_pfn = bdata->node_low_pfn;
    uint64_t ret;
    uint64_t limit_bytes = limit;                       /* fixes C and P keep it */
    uint64_t start_pfn = bdata->node_boot_start >> PAGE_SHIFT; /* fix E */
    bf_result oops;
    int t;

    if (!size) /* seed 41-44 */
        return bf_bug("!size", 43);
    if (align & (align - 1)) /* seed 45 */
        return bf_bug("align & (align-1)", 45);
    if (!on(s, BUG_G) && align == 0)
        align = 1; /* fix G: no alignment behaves as alignment 1 */

    if (limit && bdata->node_boot_start >= limit) /* seed 47 */
        return bf_fail(BF_ENOMEM);

    limit >>= PAGE_SHIFT; /* seed 50: from here limit is a page number */
    if (on(s, BUG_P) ? (limit && end_pfn > limit) : (limit_bytes && end_pfn > limit))
        end_pfn = limit; /* seed 51-52; fix P: a limit below one page still counts */

    eidx = end_pfn - (bdata->node_boot_start >> PAGE_SHIFT); /* seed 54 */
    offset = 0;
    if (align && (bdata->node_boot_start & (align - 1UL)) != 0)
        offset = (align - (bdata->node_boot_start & (align - 1UL)));
    offset >>= PAGE_SHIFT; /* seed 55-59 */

    /*
     * We try to allocate bootmem pages above 'goal'
     * first, then we try to allocate lower pages.
     */
    if (goal && (goal >= bdata->node_boot_start) && ((goal >> PAGE_SHIFT) < end_pfn)) {
        preferred = goal - bdata->node_boot_start; /* seed 67 */

        if (bdata->last_success >= preferred) {
            int use_hint;
            if (on(s, BUG_C)) /* seed 70: page number against byte offset */
                use_hint = !limit || (limit && limit > bdata->last_success);
            else /* fix C: node_start + last_success < limit, in bytes */
                use_hint = !limit_bytes ||
                           bdata->last_success < limit_bytes - bdata->node_boot_start;
            if (use_hint)
                preferred = bdata->last_success;
        }
    } else
        preferred = 0;

    if (on(s, BUG_E)) {
        preferred = ALIGN(preferred, align) >> PAGE_SHIFT; /* seed 75-76 */
        preferred += offset;
    } else {
        /* fix E: align the physical address; an ALIGN that overflows (or
         * align 0 with bug G) leaves no page above it: scan from the lowest
         * aligned page, as restart_scan does. */
        uint64_t pa = bdata->node_boot_start + preferred;
        uint64_t al = ALIGN(pa, align);
        if (pa < preferred || al < pa || al < bdata->node_boot_start)
            preferred = offset;
        else
            preferred = (al >> PAGE_SHIFT) - start_pfn;
    }
    if (on(s, BUG_O))
        areasize = (size + PAGE_SIZE - 1) / PAGE_SIZE; /* seed 77: wraps near 2^64 */
    else
        areasize = bf_pfn_up(size);
    incr = (align >> PAGE_SHIFT) ? (align >> PAGE_SHIFT) : 1; /* seed 78 */

/* ALIGN(i, incr) of the seed: of the node-relative index (bug E), or fixed,
 * of the physical frame number. */
#define ALIGN_IDX(x)                                                                          \
    (on(s, BUG_E) ? ALIGN((x), incr) : ALIGN(start_pfn + (x), incr) - start_pfn)

restart_scan:
    for (i = preferred; i < eidx; i += incr) {
        /* seed 83 */
        if (find_next_zero_bit(bdata, eidx, i, &i, 83, &oops))
            return oops;
        i = ALIGN_IDX(i); /* seed 84 */
        if (!on(s, BUG_A) && i >= eidx)
            break; /* fix A: 2.6.15's one line */
        t = test_bit(s, bdata, i, 85, &oops); /* seed 85: past eidx with bug A */
        if (t < 0)
            return oops;
        if (t)
            continue;
        /* seed 87-92: for (j = i + 1; j < i + areasize; ++j) { if (j >= eidx)
         * goto fail_block; if (test_bit(j, map)) goto fail_block; }, a word at
         * a time: j ends at the first page past the window or reserved. */
        if (areasize > 1) {
            uint64_t stop = i + areasize, hi;
            if (i + 1 >= eidx) {
                j = i + 1;
                goto fail_block;
            }
            hi = stop < eidx ? stop : eidx;
            if (find_next_bit(bdata, hi, i + 1, &j, 90, &oops))
                return oops;
            if (j < hi)
                goto fail_block;
            if (stop > eidx) {
                j = eidx;
                goto fail_block;
            }
        }
        start = i;
        goto found;
    fail_block:
        i = ALIGN_IDX(j); /* seed 96 */
        if (!on(s, BUG_F))
            i -= incr; /* fix F: the loop's i += incr lands on ALIGN(j) itself */
    }
#undef ALIGN_IDX

    if (preferred > offset) { /* seed 99-102 */
        preferred = offset;
        goto restart_scan;
    }
    return bf_fail(BF_ENOMEM);

found:
    bdata->last_success = start << PAGE_SHIFT; /* seed 106 */
    if (start >= eidx)
        return bf_bug("start >= eidx", 107);

    /*
     * Is the next page of the previous allocation-end the start
     * of this allocation's buffer? If yes then we can 'merge'
     * the previous partial page with this allocation.
     */
    if (align < PAGE_SIZE && bdata->last_offset && bdata->last_pos + 1 == start) {
        offset = ALIGN(bdata->last_offset, align); /* bug G: 0 when align == 0 */
        if (offset > PAGE_SIZE)
            return bf_bug("offset > PAGE_SIZE", 117);
        remaining_size = PAGE_SIZE - offset;
        if (size < remaining_size) {
            areasize = 0;
            /* last_pos unchanged */
            bdata->last_offset = offset + size;
            ret = bdata->last_pos * PAGE_SIZE + offset + bdata->node_boot_start;
        } else {
            remaining_size = size - remaining_size;
            if (on(s, BUG_O))
                areasize = (remaining_size + PAGE_SIZE - 1) / PAGE_SIZE; /* seed 127 */
            else
                areasize = bf_pfn_up(remaining_size);
            ret = bdata->last_pos * PAGE_SIZE + offset + bdata->node_boot_start;
            bdata->last_pos = start + areasize - 1;
            bdata->last_offset = remaining_size;
        }
        bdata->last_offset &= ~PAGE_MASK;
    } else {
        bdata->last_pos = start + areasize - 1;
        bdata->last_offset = size & ~PAGE_MASK;
        ret = start * PAGE_SIZE + bdata->node_boot_start;
    }

    /*
     * Reserve the area now:
     */
    uint64_t done;
    bf_result r = walk_bits(s, sl, start, start + areasize, WALK_SET_BUG,
                            "test_and_set_bit(i, bdata->node_bootmem_map)", 145, &done);
    if (r.err != BF_OK)
        return r;

    /* seed 146: memset(ret, 0, size).  Only with bug O can the block run past
     * the node; the kernel's memset would then run off the end of memory. */
    uint64_t node_end = bdata->node_low_pfn << PAGE_SHIFT;
    if (size > node_end - ret) {
        snprintf(s->oops, sizeof s->oops,
                 "oops: memset(ret, 0, size) of 0x%llx bytes at 0x%llx runs past the end of "
                 "memory",
                 (unsigned long long)size, (unsigned long long)ret);
        return bf_bug(s->oops, 146);
    }
    if (bdata->mem)
        memset(bdata->mem + (ret - bdata->node_boot_start), 0, (size_t)size);
    return bf_ok(ret);
}

/* __alloc_bootmem_limit, and __alloc_bootmem_node_limit when first != NULL:
 * the given node first, then every node on the list in order; panic("Out of
 * memory") when none can place it. */
static bf_result alloc_common(bm_sys *s, bm_slot *first, uint64_t size, uint64_t align,
                              uint64_t goal, uint64_t limit)
{
    bf_result r;
    if (!on(s, BUG_L)) { /* fix L: an invalid request changes nothing anywhere */
        if (!size)
            return check_failed(s, "!size", LN_FIX_SIZE);
        if (align & (align - 1))
            return check_failed(s, "align & (align-1)", LN_FIX_ALIGN);
    }
    if (first && linked(s, first)) {
        r = __alloc_bootmem_core(s, first, size, align, goal, limit);
        if (r.err != BF_ENOMEM)
            return r;
    }
    for (uint64_t i = 0; i < s->nnodes; i++) { /* seed 20-23 */
        bm_slot *sl = &s->node[i];
        if (!linked(s, sl))
            continue;
        r = __alloc_bootmem_core(s, sl, size, align, goal, limit);
        if (r.err != BF_ENOMEM)
            return r;
    }
    /*
     * Whoops, we cannot satisfy the allocation request.
     */
    return bf_fail(BF_ENOMEM); /* seed 29: panic("Out of memory") */
}

static bf_result bm_alloc(void *p, uint64_t size, uint64_t align, uint64_t goal, uint64_t limit)
{
    return alloc_common(p, NULL, size, align, goal, limit);
}

static bf_result bm_alloc_node(void *p, uint64_t nid, uint64_t size, uint64_t align,
                               uint64_t goal, uint64_t limit)
{
    bm_sys *s = p;
    if (nid >= s->nnodes)
        return bf_fail(BF_EINVAL); /* no such pgdat: not a call the kernel could make */
    return alloc_common(s, &s->node[nid], size, align, goal, limit);
}

/* ---- free_all_bootmem_core ----------------------------------------------- */

/* Counts the free pages of the node and drops its map.  The kernel then also
 * released (and counted) the pages holding the map itself; the port's map does
 * not live in node memory, so there are none (docs/bugs2614.md). */
static bf_result bm_free_all(void *p, uint64_t nid)
{
    bm_sys *s = p;
    if (nid >= s->nnodes)
        return bf_fail(BF_EINVAL);
    bm_slot *sl = &s->node[nid];
    bootmem_data_t *bdata = &sl->bdata;
    if (!bdata->node_bootmem_map)
        return check_failed(s, "!bdata->node_bootmem_map", LN_FALL_MAP);

    uint64_t idx = bdata->node_low_pfn - (bdata->node_boot_start >> PAGE_SHIFT);
    const unsigned long *map = bdata->node_bootmem_map;
    uint64_t count = 0;
    for (uint64_t w = 0; w * BITS_PER_LONG < idx; w++) {
        unsigned long v = ~map[w];
        uint64_t left = idx - w * BITS_PER_LONG;
        if (left < BITS_PER_LONG)
            v &= (1UL << left) - 1;
        count += (uint64_t)__builtin_popcountl(v);
    }
    bdata->node_bootmem_map = NULL; /* bug K when a later call still uses it */
    return bf_ok(count);
}

/* ---- queries ------------------------------------------------------------- */

static int bm_page_reserved(void *p, uint64_t pfn)
{
    bm_sys *s = p;
    for (uint64_t i = 0; i < s->nnodes; i++) {
        const bootmem_data_t *bd = &s->node[i].bdata;
        uint64_t spfn = bd->node_boot_start >> PAGE_SHIFT;
        if (bd->node_bootmem_map && spfn <= pfn && pfn < bd->node_low_pfn) {
            uint64_t b = pfn - spfn;
            return (int)((bd->node_bootmem_map[b / BITS_PER_LONG] >> (b % BITS_PER_LONG)) & 1);
        }
    }
    return -1;
}

static int bm_node_info(void *p, uint64_t nid, bf_node_info *out)
{
    bm_sys *s = p;
    if (nid >= s->nnodes)
        return -1;
    const bootmem_data_t *bd = &s->node[nid].bdata;
    out->start_pfn = bd->node_boot_start >> PAGE_SHIFT;
    out->end_pfn = bd->node_low_pfn;
    out->live = bd->node_bootmem_map != NULL;
    out->last_success = bd->last_success;
    out->last_pos = bd->last_pos;
    out->last_offset = bd->last_offset;
    return 0;
}

/* The map words themselves, padding bits (past the node) cleared. */
static int bm_read_bits(void *p, uint64_t nid, uint64_t first, uint64_t *words, uint64_t nwords)
{
    bm_sys *s = p;
    if (nid >= s->nnodes || !s->node[nid].bdata.node_bootmem_map || first % BITS_PER_LONG)
        return -1;
    const bootmem_data_t *bd = &s->node[nid].bdata;
    uint64_t pages = bd->node_low_pfn - (bd->node_boot_start >> PAGE_SHIFT);
    uint64_t w0 = first / BITS_PER_LONG;
    for (uint64_t k = 0; k < nwords; k++) {
        uint64_t w = w0 + k, bit0 = w * BITS_PER_LONG;
        if (w >= bd->mapwords || bit0 >= pages) {
            words[k] = 0;
            continue;
        }
        unsigned long v = bd->node_bootmem_map[w];
        if (pages - bit0 < BITS_PER_LONG)
            v &= (1UL << (pages - bit0)) - 1;
        words[k] = v;
    }
    return 0;
}

/* Both backends are the same code; they differ only in the switches
 * create() starts with, and so in what they promise. */
#define BM_OPS                                                                                     \
    .destroy = bm_destroy, .reset = bm_reset, .set_option = bm_set_option,                         \
    .add_node = bm_add_node, .reserve = bm_reserve, .free = bm_free, .alloc = bm_alloc,            \
    .alloc_node = bm_alloc_node, .free_all = bm_free_all, .page_reserved = bm_page_reserved,       \
    .node_info = bm_node_info, .read_bits = bm_read_bits,                                         \
    .options = "A C D E F G H J K L M N O P: the 2.6.14 bug switches, 0 or 1 (docs/bugs2614.md)"

const bf_backend bf_backend_2614 = {
    .name = "2614",
    .description = "Linux 2.6.14 bootmem, ported with its bugs (switches A C D E F G H J K L M N O P "
                   "all on)",
    /* exact: 2.6.14 promised what the contract says; its bugs are where it
     * breaks that promise, and the harness must see every one */
    .flags = BF_PROMISES_EXACT | BF_LINES_ARE_SEED,
    .create = bm_create,
    BM_OPS,
};

const bf_backend bf_backend_2614fixed = {
    .name = "2614fixed",
    .description = "the 2.6.14 port with every bug switch off: the contract in the kernel's shape",
    .flags = BF_PROMISES_EXACT | BF_LINES_ARE_SEED,
    .create = bm_create_fixed,
    BM_OPS,
};
BF_REGISTER_BACKEND(bf_backend_2614);
BF_REGISTER_BACKEND(bf_backend_2614fixed);
