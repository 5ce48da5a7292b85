/*
 * test_fast_random.c - the fast allocator against the reference, call by call.
 *
 * Random call sequences from fixed seeds run on bf_backend_fast (and, half as
 * many, on bf_backend_fast_small: the same code, small geometry) and
 * bf_backend_ref in lockstep.  After every call: the outcome, every node's
 * state (node_info), page_reserved for every page of every node and a page
 * either side, read_bits, and the backing memory must be identical, and the
 * fast allocator's summaries must match a recomputation from its bitmap
 * (bf_fast_verify).  To keep the run near 10 s, the page_reserved sweep runs
 * after every 3rd call when small nodes span over 12,000 pages and after
 * every 25th on the multi-level nodes; read_bits still compares every page
 * after every call there.  One system of each is reused across sequences, so
 * reset() and buffer reuse are exercised too.
 *
 * Shapes: starts on and off every alignment (pfn 0, 1, 63, 511, 513, odd),
 * sizes at word and block edges (63/64/65, 511/512/513, 4095/4096/4097 pages)
 * and a few multi-level nodes (up to 300K pages), up to 6 nodes, adjacent or
 * apart.  Calls: alloc and alloc_node with align 0..2^63 (and non-powers),
 * goals and limits around node edges and near 2^64, sizes up to 2^64-1;
 * frees of live blocks (exact, page-rounded, partial) and raw ranges;
 * reserves; free_all; fills of backing memory.
 * Usage: test_fast_random [SEQUENCES [FIRST_SEED]] (default 300 from seed 1).
 * Prints "ok - NAME" / "not ok - NAME" per check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fast.h"
#include "bootfuzz/backend.h"

extern const bf_backend bf_backend_ref;

#include "tap.h"

static uint64_t rs;
static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}
static uint64_t pick(uint64_t n) { return n ? rnd() % n : 0; }
static int chance(unsigned pct) { return pick(100) < pct; }

#define MAXN 6
#define MAXBLK 256
#define MEM_MAX_PAGES 600 /* nodes up to this size get backing memory */

typedef struct world {
    const bf_backend *be;                      /* fast or fast_small */
    int (*verify)(void *, char *, size_t);     /* its bf_fast_verify */
    void *f, *r; /* fast, ref */
    int n;
    uint64_t start[MAXN], end[MAXN];
    uint8_t *memf[MAXN], *memr[MAXN];
    uint64_t blk_addr[MAXBLK], blk_size[MAXBLK];
    int nblk;
    uint64_t calls;
    int sweep_every; /* page_reserved of every page after every Nth call */
    uint64_t blk, fan; /* its geometry: pages per block, entries per parent */
    char where[160];
} world;

static const char *errn(bf_err e)
{
    static const char *names[] = {"OK", "ENOMEM", "EINVAL", "ENOTRESERVED", "BUG"};
    return (unsigned)e < 5 ? names[e] : "?";
}

static int same_result(world *w, const char *what, bf_result a, bf_result b)
{
    if (a.err == b.err && (a.err != BF_OK || a.value == b.value))
        return 1;
    fprintf(stderr, "%s: call %llu %s: fast %s 0x%llx, ref %s 0x%llx\n", w->where,
            (unsigned long long)w->calls, what, errn(a.err), (unsigned long long)a.value,
            errn(b.err), (unsigned long long)b.value);
    return 0;
}

/* Everything observable must agree. */
static int same_state(world *w, const char *what)
{
    char msg[256];
    if (w->verify(w->f, msg, sizeof msg)) {
        fprintf(stderr, "%s: call %llu %s: summaries: %s\n", w->where,
                (unsigned long long)w->calls, what, msg);
        return 0;
    }
    for (int i = 0; i <= w->n; i++) {
        bf_node_info a, b;
        int ra = w->be->node_info(w->f, (uint64_t)i, &a);
        int rb = bf_backend_ref.node_info(w->r, (uint64_t)i, &b);
        if (ra != rb || (ra == 0 && (a.start_pfn != b.start_pfn || a.end_pfn != b.end_pfn ||
                                     a.live != b.live || a.last_success != b.last_success ||
                                     a.last_pos != b.last_pos ||
                                     a.last_offset != b.last_offset))) {
            fprintf(stderr,
                    "%s: call %llu %s: node %d info differs: fast %d ls=0x%llx lp=%llu "
                    "lo=%llu live=%d, ref %d ls=0x%llx lp=%llu lo=%llu live=%d\n",
                    w->where, (unsigned long long)w->calls, what, i, ra,
                    (unsigned long long)a.last_success, (unsigned long long)a.last_pos,
                    (unsigned long long)a.last_offset, a.live, rb,
                    (unsigned long long)b.last_success, (unsigned long long)b.last_pos,
                    (unsigned long long)b.last_offset, b.live);
            return 0;
        }
    }
    for (int i = 0; i < w->n; i++) {
        uint64_t lo = w->start[i] ? w->start[i] - 1 : 0, hi = w->end[i] + 1;
        if (w->sweep_every > 1 && w->calls % (uint64_t)w->sweep_every)
            lo = hi - 2; /* read_bits below still compares every page */
        for (uint64_t p = lo; p < hi; p++) {
            int a = w->be->page_reserved(w->f, p);
            int b = bf_backend_ref.page_reserved(w->r, p);
            if (a != b) {
                fprintf(stderr, "%s: call %llu %s: page %llu fast %d ref %d\n", w->where,
                        (unsigned long long)w->calls, what, (unsigned long long)p, a, b);
                return 0;
            }
        }
        uint64_t pages = w->end[i] - w->start[i], nw = (pages + 63) / 64 + 1;
        uint64_t *x = calloc(nw, 8), *y = calloc(nw, 8);
        int ra = w->be->read_bits(w->f, (uint64_t)i, 0, x, nw);
        int rb = bf_backend_ref.read_bits(w->r, (uint64_t)i, 0, y, nw);
        int same = ra == rb && !memcmp(x, y, nw * 8);
        if (same && nw > 2) { /* and from a later word on */
            uint64_t f = 64 * pick(nw - 1);
            memset(x, 0, nw * 8);
            memset(y, 0, nw * 8);
            ra = w->be->read_bits(w->f, (uint64_t)i, f, x, 2);
            rb = bf_backend_ref.read_bits(w->r, (uint64_t)i, f, y, 2);
            same = ra == rb && !memcmp(x, y, 16);
        }
        free(x);
        free(y);
        if (!same) {
            fprintf(stderr, "%s: call %llu %s: read_bits of node %d differ\n", w->where,
                    (unsigned long long)w->calls, what, i);
            return 0;
        }
        if (w->memf[i] && memcmp(w->memf[i], w->memr[i], pages * BF_PAGE_SIZE)) {
            fprintf(stderr, "%s: call %llu %s: backing memory of node %d differs\n", w->where,
                    (unsigned long long)w->calls, what, i);
            return 0;
        }
    }
    return 1;
}

/* ------------------------------------------------------------ generators */

static uint64_t pow2_upto(unsigned maxlog) { return 1ULL << pick(maxlog + 1); }

static uint64_t gen_align(void)
{
    switch (pick(10)) {
    case 0: return 0;
    case 1: return 1;
    case 2: case 3: return pow2_upto(11);                /* sub-page */
    case 4: case 5: return 4096ULL << pick(4);           /* 1..8 pages */
    case 6: return 4096ULL << pick(12);                  /* up to 8 MiB */
    case 7: return pow2_upto(63);                        /* anything to 2^63 */
    case 8: return chance(50) ? 1ULL << 63 : 1ULL << (40 + pick(24));
    default: return chance(85) ? 4096 : 3 + pick(5000);  /* mostly valid */
    }
}

static uint64_t any_node_addr(world *w)
{
    int i = (int)pick((uint64_t)w->n);
    uint64_t s = w->start[i] * BF_PAGE_SIZE, e = w->end[i] * BF_PAGE_SIZE;
    switch (pick(8)) {
    case 0: return s;
    case 1: return e - 1 - pick(2 * BF_PAGE_SIZE < e - s ? 2 * BF_PAGE_SIZE : e - s);
    case 2: return s + pick(64) * BF_PAGE_SIZE + pick(3) * 2048;
    case 3: return e - pick(3) * BF_PAGE_SIZE;
    case 4: return s ? s - pick(3) * 2048 : 0;
    default: return s + pick(e - s);
    }
}

static uint64_t gen_size(void)
{
    switch (pick(12)) {
    case 0: return 1 + pick(4096);
    case 1: return 1 + pick(200);
    case 2: return BF_PAGE_SIZE * (1 + pick(4)) - pick(2) * (1 + pick(100));
    case 3: return BF_PAGE_SIZE * (1 + pick(70));
    case 4: return BF_PAGE_SIZE * (60 + pick(10)) + pick(3) * pick(4096);
    case 5: return BF_PAGE_SIZE * (500 + pick(30));
    case 6: return BF_PAGE_SIZE * (4090 + pick(12));
    case 7: return chance(50) ? UINT64_MAX - pick(5000) : 1ULL << (50 + pick(14));
    case 8: return chance(90) ? pick(3 * BF_PAGE_SIZE) + 1 : 0;
    default: return 1 + pick(16 * BF_PAGE_SIZE);
    }
}

static uint64_t gen_goal(world *w)
{
    switch (pick(8)) {
    case 0: case 1: return 0;
    case 2: return UINT64_MAX - pick(1ULL << 20);
    case 3: return rnd();
    default: return any_node_addr(w);
    }
}

static uint64_t gen_limit(world *w)
{
    switch (pick(10)) {
    case 0: case 1: case 2: case 3: return 0;
    case 4: return UINT64_MAX - pick(4096);
    case 5: return 0xffffffffULL;
    case 6: return rnd();
    case 7: return any_node_addr(w) + pick(2) * (BF_PAGE_SIZE - 1);
    default: return any_node_addr(w);
    }
}

/* ------------------------------------------------------------------ calls */

/* A byte range inside one node (possibly unaligned), of at most maxpages. */
static void in_node(world *w, uint64_t *x, uint64_t *y, uint64_t maxpages)
{
    int i = (int)pick((uint64_t)w->n);
    uint64_t s = w->start[i] * BF_PAGE_SIZE, e = w->end[i] * BF_PAGE_SIZE;
    *x = s + (chance(50) ? pick(e - s) : pick((e - s) / BF_PAGE_SIZE) * BF_PAGE_SIZE);
    uint64_t room = e - *x, m = maxpages * BF_PAGE_SIZE;
    *y = 1 + pick(room < m ? room : m);
}

static void track(world *w, uint64_t addr, uint64_t size)
{
    int k = w->nblk < MAXBLK ? w->nblk++ : (int)pick(MAXBLK);
    w->blk_addr[k] = addr;
    w->blk_size[k] = size;
}

/* outcomes seen, per kind of call: [alloc, free, reserve, free_all][err] */
static unsigned long seen[4][BF_ERR_COUNT];

static void count(const char *what, bf_err e)
{
    int k = what[0] == 'a' ? 0 : !strcmp(what, "reserve") ? 2 : !strcmp(what, "free_all") ? 3 : 1;
    if ((unsigned)e < BF_ERR_COUNT)
        seen[k][e]++;
}

static int one_call(world *w)
{
    bf_result a, b;
    const char *what;
    char desc[200];
    uint64_t x = 0, y = 0, g = 0, l = 0, al = 0, nid = 0;
    unsigned c = (unsigned)pick(100);
    w->calls++;
    if (c < 34) {
        x = gen_size(), al = gen_align(), g = gen_goal(w), l = gen_limit(w);
        if (chance(25)) {
            nid = pick((uint64_t)w->n + 1);
            what = "alloc_node";
            a = w->be->alloc_node(w->f, nid, x, al, g, l);
            b = bf_backend_ref.alloc_node(w->r, nid, x, al, g, l);
        } else {
            what = "alloc";
            a = w->be->alloc(w->f, x, al, g, l);
            b = bf_backend_ref.alloc(w->r, x, al, g, l);
        }
        if (a.err == BF_OK && b.err == BF_OK && a.value == b.value)
            track(w, a.value, x);
    } else if (c < 56) {
        what = "free";
        if (w->nblk && chance(70)) {
            int k = (int)pick((uint64_t)w->nblk);
            x = w->blk_addr[k];
            y = w->blk_size[k];
            if (chance(30)) { /* whole pages around it */
                y = ((x + y + BF_PAGE_SIZE - 1) & ~(BF_PAGE_SIZE - 1)) - (x & ~(BF_PAGE_SIZE - 1));
                x &= ~(BF_PAGE_SIZE - 1);
            }
            w->blk_addr[k] = w->blk_addr[--w->nblk];
            w->blk_size[k] = w->blk_size[w->nblk];
        } else if (chance(70)) {
            in_node(w, &x, &y, chance(80) ? 20 : 3000);
        } else {
            x = any_node_addr(w);
            y = chance(80) ? pick(20 * BF_PAGE_SIZE) + 1 : rnd();
        }
        a = w->be->free(w->f, x, y);
        b = bf_backend_ref.free(w->r, x, y);
    } else if (c < 80) {
        what = "reserve";
        x = any_node_addr(w);
        if (chance(70))
            in_node(w, &x, &y, chance(70) ? 16 : 1500);
        else switch (pick(4)) {
        case 0: y = 1 + pick(BF_PAGE_SIZE); break;
        case 1: y = BF_PAGE_SIZE * (1 + pick(40)); break;
        case 2: y = BF_PAGE_SIZE * (1 + pick(1200)); break;
        default: y = chance(90) ? 1 + pick(20 * BF_PAGE_SIZE) : rnd(); break;
        }
        a = w->be->reserve(w->f, x, y);
        b = bf_backend_ref.reserve(w->r, x, y);
    } else if (c < 93) {
        /* free a stretch of reserved pages (keeps plenty of free room) */
        what = "free-run";
        int i = (int)pick((uint64_t)w->n);
        uint64_t p = w->start[i] + pick(w->end[i] - w->start[i]), q = p;
        while (q < w->end[i] && q - p < 3000 && bf_backend_ref.page_reserved(w->r, q) == 1)
            q++;
        if (q == p)
            q = p + 1;
        x = p * BF_PAGE_SIZE;
        y = (q - p) * BF_PAGE_SIZE;
        a = w->be->free(w->f, x, y);
        b = bf_backend_ref.free(w->r, x, y);
    } else if (c < 95 && w->calls > 200) { /* late: a retired node takes no more calls */
        what = "free_all";
        nid = pick((uint64_t)w->n + 1);
        a = w->be->free_all(w->f, nid);
        b = bf_backend_ref.free_all(w->r, nid);
    } else {
        /* a user writes into a node's backing memory */
        what = "fill";
        int i = (int)pick((uint64_t)w->n);
        if (w->memf[i]) {
            uint64_t pages = w->end[i] - w->start[i], o = pick(pages * BF_PAGE_SIZE);
            uint64_t len = pick(pages * BF_PAGE_SIZE - o) % 20000;
            int v = (int)(1 + pick(255));
            memset(w->memf[i] + o, v, len);
            memset(w->memr[i] + o, v, len);
        }
        a = b = bf_ok(0);
    }
    if (strcmp(what, "fill"))
        count(what, b.err);
    snprintf(desc, sizeof desc, "%s(0x%llx, 0x%llx, align 0x%llx, goal 0x%llx, limit 0x%llx, nid %llu)",
             what, (unsigned long long)x, (unsigned long long)y ? (unsigned long long)y : 0ULL,
             (unsigned long long)al, (unsigned long long)g, (unsigned long long)l,
             (unsigned long long)nid);
    return same_result(w, desc, a, b) && same_state(w, desc);
}

/* ------------------------------------------------------------- sequences */

static const uint64_t sizes[] = {1,    2,    63,   64,   65,   127,  128,  511,  512,
                                 513,  1023, 1024, 1025, 4095, 4096, 4097, 8191, 8193,
                                 100,  300,  777,  2000, 6000, 9000};
static const uint64_t starts[] = {0, 1, 63, 64, 65, 511, 512, 513, 4095, 4096, 12345, 1ULL << 20};

static void add_node(world *w, uint64_t s, uint64_t e)
{
    uint8_t *mf = NULL, *mr = NULL;
    if (e - s <= MEM_MAX_PAGES) {
        mf = malloc((e - s) * BF_PAGE_SIZE);
        mr = malloc((e - s) * BF_PAGE_SIZE);
        memset(mf, 0xa5, (e - s) * BF_PAGE_SIZE);
        memset(mr, 0xa5, (e - s) * BF_PAGE_SIZE);
    }
    bf_result a = w->be->add_node(w->f, s, e, mf);
    bf_result b = bf_backend_ref.add_node(w->r, s, e, mr);
    if (a.err != b.err || a.value != b.value || a.err != BF_OK) {
        fprintf(stderr, "%s: add_node(%llu, %llu) differs or failed\n", w->where,
                (unsigned long long)s, (unsigned long long)e);
        failures++;
    }
    w->start[w->n] = s;
    w->end[w->n] = e;
    w->memf[w->n] = mf;
    w->memr[w->n] = mr;
    w->n++;
}

static void clear_world(world *w)
{
    w->be->reset(w->f);
    bf_backend_ref.reset(w->r);
    for (int i = 0; i < w->n; i++) {
        free(w->memf[i]);
        free(w->memr[i]);
    }
    w->n = 0;
    w->nblk = 0;
}

/* One sequence: nodes of the given shape class, then `ncalls` calls. */
static int run_sequence(world *w, uint64_t seed, int big, int ncalls)
{
    rs = seed * 0x9e3779b97f4a7c15ULL + 1;
    clear_world(w);
    w->sweep_every = big ? 25 : 1;
    int nn = big ? 1 + (int)pick(2) : 1 + (int)pick(MAXN);
    uint64_t at = starts[pick(sizeof starts / sizeof starts[0])];
    for (int i = 0; i < nn; i++) {
        uint64_t size = big ? 20000 + pick(300000) : sizes[pick(sizeof sizes / sizeof sizes[0])];
        if (!big && chance(20))
            size = 1 + pick(3000);
        add_node(w, at, at + size);
        at += size + (chance(40) ? 0 : pick(3) ? pick(700) : pick(1ULL << 30));
    }
    if (!big && w->end[nn - 1] - w->start[0] > 12000 && w->n > 2)
        w->sweep_every = 3; /* many pages: sweep every 3rd call, read_bits every call */
    snprintf(w->where, sizeof w->where, "seed %llu (%d nodes, first [%llu, %llu))",
             (unsigned long long)seed, nn, (unsigned long long)w->start[0],
             (unsigned long long)w->end[0]);
    w->calls = 0;
    if (!same_state(w, "add_node"))
        return 0;
    /* free most of each node first, as a boot does, then carve it up */
    for (int i = 0; i < nn; i++) {
        uint64_t s = w->start[i] * BF_PAGE_SIZE, e = w->end[i] * BF_PAGE_SIZE;
        uint64_t sz = e - s;
        if (chance(80)) {
            bf_result a = w->be->free(w->f, s, sz), b = bf_backend_ref.free(w->r, s, sz);
            w->calls++;
            if (!same_result(w, "initial free", a, b) || !same_state(w, "initial free"))
                return 0;
        }
    }
    for (int k = 0; k < ncalls; k++)
        if (!one_call(w))
            return 0;
    return 1;
}

/* A few fixed edge cases beyond what the random mix reaches often. */
static int edge_cases(world *w)
{
    static const struct {
        uint64_t s, e;
    } shapes[] = {{0, 64}, {1, 65}, {63, 127}, {511, 1024}, {513, 1537}, {7, 4103}, {0, 4097}};
    int ok = 1;
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0] && ok; si++) {
        clear_world(w);
        snprintf(w->where, sizeof w->where, "edge shape [%llu, %llu)",
                 (unsigned long long)shapes[si].s, (unsigned long long)shapes[si].e);
        add_node(w, shapes[si].s, shapes[si].e);
        uint64_t s = shapes[si].s * BF_PAGE_SIZE, e = shapes[si].e * BF_PAGE_SIZE;
        w->be->free(w->f, s, e - s);
        bf_backend_ref.free(w->r, s, e - s);
        /* every alignment with goals and limits at each page near the ends */
        for (unsigned lg = 0; lg < 64 && ok; lg += 1 + (lg > 14) * 6) {
            uint64_t al = 1ULL << lg;
            for (int j = 0; j < 6 && ok; j++) {
                uint64_t g = j < 3 ? s + (uint64_t)j * BF_PAGE_SIZE : e - (uint64_t)(j - 2) * 2048;
                uint64_t lim = j & 1 ? 0 : e - (uint64_t)j * 1000;
                uint64_t sz = j == 5 ? 5000 : 100 + (uint64_t)j * 4096;
                bf_result a = w->be->alloc(w->f, sz, al, g, lim);
                bf_result b = bf_backend_ref.alloc(w->r, sz, al, g, lim);
                w->calls++;
                ok = same_result(w, "edge alloc", a, b) && same_state(w, "edge alloc");
            }
        }
    }
    return ok;
}

/* ------------------------------------------------------- directed edges
 *
 * Sequences built by hand for two edges of fast (impl/fast/) that random nodes
 * rarely reach, since both need a free run of exactly the critical length
 * at a block boundary:
 *   - the walk's pruning of block-aligned requests by bbest (the longest free
 *     run from a block boundary inside an entry's span): it must descend
 *     when bbest == npages;
 *   - block_change, the O(1) update of a level-1 entry when one child block
 *     changed its start or end run while both neighbours hold a reserved
 *     page: it must rescan when the entry's longest inner run lay in the
 *     changed region and the region now holds a shorter one.
 * Each runs in lockstep with ref (answer, state and bf_fast_verify after
 * every call, as one_call does) on one node at pfn 0 whose end is a whole
 * number of blocks (so block-aligned requests prune by bbest), and each
 * answer must also be the one derived here.  B = pages per block, F = blocks
 * per level-1 entry (fast 512 and 16, fast_small 128 and 4).  Pictures show
 * blocks, fast_small's geometry (F = 4), '|' between level-1 entries:
 * '#' all reserved, '.' all free, a letter: see the legend below it. */

#define NOFIT UINT64_MAX

/* Both backends take the call; then results, states and the summaries are
 * compared (both reported, so a failure shows each). */
static int d_same(world *w, const char *desc, bf_result a, bf_result b)
{
    int ok = same_result(w, desc, a, b);
    return same_state(w, desc) && ok;
}

static int d_free(world *w, uint64_t pfn, uint64_t np)
{
    char desc[96];
    uint64_t x = pfn * BF_PAGE_SIZE, y = np * BF_PAGE_SIZE;
    w->calls++;
    snprintf(desc, sizeof desc, "free(pfn %llu, %llu pages)", (unsigned long long)pfn,
             (unsigned long long)np);
    bf_result b = bf_backend_ref.free(w->r, x, y);
    return d_same(w, desc, w->be->free(w->f, x, y), b) && b.err == BF_OK;
}

/* An alloc of np pages aligned to align_pages pages, goal at goal_pfn, no
 * limit; want = the pfn derived by hand, NOFIT for ENOMEM. */
static int d_alloc(world *w, uint64_t np, uint64_t align_pages, uint64_t goal_pfn, uint64_t want)
{
    char desc[128];
    uint64_t sz = np * BF_PAGE_SIZE, al = align_pages * BF_PAGE_SIZE, g = goal_pfn * BF_PAGE_SIZE;
    w->calls++;
    snprintf(desc, sizeof desc, "alloc(%llu pages, align %llu pages, goal pfn %llu)",
             (unsigned long long)np, (unsigned long long)align_pages, (unsigned long long)goal_pfn);
    bf_result b = bf_backend_ref.alloc(w->r, sz, al, g, 0);
    int ok = d_same(w, desc, w->be->alloc(w->f, sz, al, g, 0), b);
    if (want == NOFIT ? b.err != BF_ENOMEM : b.err != BF_OK || b.value != want * BF_PAGE_SIZE) {
        fprintf(stderr, "%s: %s: ref %s pfn %llu, the test expects %s %llu (its picture is wrong)\n",
                w->where, desc, errn(b.err), (unsigned long long)(b.value / BF_PAGE_SIZE),
                want == NOFIT ? "ENOMEM" : "pfn", (unsigned long long)want);
        ok = 0;
    }
    return ok;
}

/* A fresh world with one all-reserved node of nblk blocks at pfn 0. */
static void d_node(world *w, const char *name, uint64_t nblk)
{
    clear_world(w);
    snprintf(w->where, sizeof w->where, "directed %s (node of %llu blocks of %llu pages)", name,
             (unsigned long long)nblk, (unsigned long long)w->blk);
    w->calls = 0;
    w->sweep_every = 1;
    add_node(w, 0, nblk * w->blk);
}

/* bbest_exact_fit_in_level1_entry: the only block-aligned fit of B+7 pages
 * is a run of exactly B+7 from block F+1, inside level-1 entry 1; bbest of
 * that entry and of the root is exactly B+7.  From goal 0 the root decides;
 * from goal pfn B (block 1) the walk climbs to entry 1 and it decides.
 *     # # # # | # x y #        x: all free, y: its first 7 pages free
 * want (F+1)B both times (a walk descending only when bbest > npages
 * answers ENOMEM). */
static int bbest_exact_fit_in_level1_entry(world *w)
{
    uint64_t B = w->blk, F = w->fan, at = (F + 1) * B;
    d_node(w, "bbest_exact_fit_in_level1_entry", 2 * F);
    return d_free(w, at, B + 7) && d_alloc(w, B + 7, B, 0, at) && d_free(w, at, B + 7) &&
           d_alloc(w, B + 7, B, B, at);
}

/* bbest_exact_fit_before_a_longer_one: as above, and a longer aligned run
 * (2B, blocks 2F+1 and 2F+2) in entry 2: the root's bbest (2B) says
 * descend, entry 1's (exactly B+7) must too.
 *     # # # # | # x y # | # . . #
 * want (F+1)B (not (2F+1)B), then (2F+1)B. */
static int bbest_exact_fit_before_a_longer_one(world *w)
{
    uint64_t B = w->blk, F = w->fan, at = (F + 1) * B, decoy = (2 * F + 1) * B;
    d_node(w, "bbest_exact_fit_before_a_longer_one", 3 * F);
    return d_free(w, at, B + 7) && d_free(w, decoy, 2 * B) && d_alloc(w, B + 7, B, 0, at) &&
           d_alloc(w, B + 7, B, 0, decoy);
}

/* bbest_counts_from_the_boundary: the run reaches 5 pages left of block
 * F+1's boundary (inner run B+12), the run from the boundary is exactly
 * B+7, and an aligned fit can start only at the boundary.
 *     # # # # | z x y #        z: its last 5 pages free
 * want (F+1)B. */
static int bbest_counts_from_the_boundary(world *w)
{
    uint64_t B = w->blk, F = w->fan, at = (F + 1) * B;
    d_node(w, "bbest_counts_from_the_boundary", 2 * F);
    return d_free(w, at - 5, B + 12) && d_alloc(w, B + 7, B, 0, at);
}

/* bbest_exact_fit_across_level1_entries: the run of exactly B+7 starts at
 * the last block of entry 0 (its bbest: B, cut at the entry's end) and ends
 * 7 pages into entry 1 (its start run); the root's bbest is exactly B+7.
 *     # # # x | y # # #
 * want (F-1)B from goal 0 (the root decides) and from goal pfn B (the carried
 * candidate meets entry 1's start run). */
static int bbest_exact_fit_across_level1_entries(world *w)
{
    uint64_t B = w->blk, F = w->fan, at = (F - 1) * B;
    d_node(w, "bbest_exact_fit_across_level1_entries", 2 * F);
    return d_free(w, at, B + 7) && d_alloc(w, B + 7, B, 0, at) && d_free(w, at, B + 7) &&
           d_alloc(w, B + 7, B, B, at);
}

/* bbest_exact_fit_at_a_level1_entry_start: the run of exactly B+7 is entry
 * 1's start run (a boundary of the root, not inside entry 1).
 *     # # # # | x y # #
 * want FB from goal 0 and from goal pfn B. */
static int bbest_exact_fit_at_a_level1_entry_start(world *w)
{
    uint64_t B = w->blk, F = w->fan, at = F * B;
    d_node(w, "bbest_exact_fit_at_a_level1_entry_start", 2 * F);
    return d_free(w, at, B + 7) && d_alloc(w, B + 7, B, 0, at) && d_free(w, at, B + 7) &&
           d_alloc(w, B + 7, B, B, at);
}

/* bbest_exact_fit_in_the_last_partial_entry: the node has F+3 blocks, so
 * level-1 entry 1 has 3 children; the run of exactly B+7 from block F+1
 * ends 7 pages into the node's last block.
 *     # # # # | # x y
 * want (F+1)B from goal 0 and from goal pfn B. */
static int bbest_exact_fit_in_the_last_partial_entry(world *w)
{
    uint64_t B = w->blk, F = w->fan, at = (F + 1) * B;
    d_node(w, "bbest_exact_fit_in_the_last_partial_entry", F + 3);
    return d_free(w, at, B + 7) && d_alloc(w, B + 7, B, 0, at) && d_free(w, at, B + 7) &&
           d_alloc(w, B + 7, B, B, at);
}

/* bbest_exact_whole_blocks: runs of exactly one block, then two blocks,
 * from block F+1 (bbest B, then 2B).
 *     # # # # | # . # #   then   # # # # | # . . #
 * want (F+1)B for B pages, then (F+1)B for 2B pages. */
static int bbest_exact_whole_blocks(world *w)
{
    uint64_t B = w->blk, F = w->fan, at = (F + 1) * B;
    d_node(w, "bbest_exact_whole_blocks", 2 * F);
    return d_free(w, at, B) && d_alloc(w, B, B, 0, at) && d_free(w, at, 2 * B) &&
           d_alloc(w, 2 * B, B, 0, at);
}

/* block_change_start_run_lost_by_one (in the level-1 entry from block e0;
 * j = e0 + 1 is the changed block, L = e0 and R = e0 + 2 its neighbours,
 * each holding a reserved page):
 *     l s r # | # # # #        l: last 10 pages free, s: first page free,
 *                              r: first 2 pages free, pages 20-30 free
 * The entry's longest inner run is 11 twice: [jB-10, jB+1) across L and j
 * (the first, so the stored one) and R's pages 20-30.  Allocating page jB
 * changes j's start run; the region [jB-10, (j+1)B+2) then holds 10 and 2,
 * one page shorter than the run it lost, so the entry's inner run must come
 * from a rescan (11, in R): an O(1) update that took the region's 10 would
 * make the summaries say "no run of 11" (ENOMEM; bf_fast_verify: stored inner
 * 10, recomputed 11).  Such an update errs only when a run of the lost
 * length is left elsewhere in the entry (without R's run, 10 would be the
 * entry's true longest), so R holds one.  want: ENOMEM for 100 pages (the flush), jB, then R's
 * run for 11 pages.  With flush_first, an alloc of 100 pages (ENOMEM either
 * way) flushes the change before the 11 pages are asked for, so the
 * self-check alone must see a wrong summary there. */
static int block_change_start_lost(world *w, uint64_t e0, int flush_first)
{
    uint64_t B = w->blk, j = (e0 + 1) * B, r = j + B;
    return d_free(w, j - 10, 11) && d_free(w, r, 2) && d_free(w, r + 20, 11) &&
           d_alloc(w, 100, 1, 0, NOFIT) && d_alloc(w, 1, 1, j, j) &&
           (!flush_first || d_alloc(w, 100, 1, 0, NOFIT)) && d_alloc(w, 11, 1, 0, r + 20);
}

static int block_change_start_run_lost_by_one(world *w)
{
    d_node(w, "block_change_start_run_lost_by_one", 2 * w->fan);
    return block_change_start_lost(w, 0, 0);
}

/* block_change_lost_by_one_in_the_last_partial_entry: the same in level-1
 * entry 1 of a node of F+3 blocks, whose 3 children leave exactly one block
 * (F+1) with a neighbour on each side; R is the node's last block.  The
 * flush comes from a failing alloc whose answer the loss cannot change.
 *     # # # # | l s r */
static int block_change_lost_by_one_in_the_last_partial_entry(world *w)
{
    d_node(w, "block_change_lost_by_one_in_the_last_partial_entry", w->fan + 3);
    return block_change_start_lost(w, w->fan, 1);
}

/* block_change_end_run_lost_by_one: the mirror image; j's end run changes.
 *     l e r # | # # # #        l: last 2 pages free, e: last page free,
 *                              r: first 10 pages free, pages 20-30 free
 * Inner 11 at [2B-1, 2B+10) (the first) and R's [2B+20, 2B+31); allocating
 * page 2B-1 leaves the region 2 and 10.  want ENOMEM (100 pages), 2B-1,
 * 2B+20. */
static int block_change_end_run_lost_by_one(world *w)
{
    uint64_t B = w->blk;
    d_node(w, "block_change_end_run_lost_by_one", 2 * w->fan);
    return d_free(w, B - 2, 2) && d_free(w, 2 * B - 1, 11) && d_free(w, 2 * B + 20, 11) &&
           d_alloc(w, 100, 1, 0, NOFIT) && d_alloc(w, 1, 1, 2 * B - 1, 2 * B - 1) &&
           d_alloc(w, 11, 1, 0, 2 * B + 20);
}

/* block_change_keeps_an_equal_run: the region held two runs of 11 and keeps
 * one: the O(1) update is right and must move the stored position to it.
 *     l s r # | # # # #        l: last 10 pages free, s: first and last
 *                              page free, r: first 10 pages free
 * Inner 11 at [B-10, B+1) and [2B-1, 2B+10); allocating page B leaves 10
 * and 11.  want ENOMEM (100 pages), B, ENOMEM (100 pages: the flush, after
 * which the self-check sees the stored position; no search reads it), 2B-1
 * for 11 pages, then ENOMEM. */
static int block_change_keeps_an_equal_run(world *w)
{
    uint64_t B = w->blk;
    d_node(w, "block_change_keeps_an_equal_run", 2 * w->fan);
    return d_free(w, B - 10, 11) && d_free(w, 2 * B - 1, 11) && d_alloc(w, 100, 1, 0, NOFIT) &&
           d_alloc(w, 1, 1, B, B) && d_alloc(w, 100, 1, 0, NOFIT) &&
           d_alloc(w, 11, 1, 0, 2 * B - 1) &&
           d_alloc(w, 11, 1, 0, NOFIT);
}

/* block_change_whole_block_between_reserved_pages: block 1 allocated whole
 * and freed again, its neighbours each holding a reserved page.
 *     l . r s | # # # #        l: last 3 pages free, r: first 4 pages and
 *                              pages 10 on free, s: first 16 pages free
 * The entry's inner run: B+7 across the region [B-3, 2B+4), then B+6 (the
 * other run) once block 1 is taken, then B+7 again once it is freed (the
 * O(1) update: the region grows past the stored run).  A whole-block
 * change can never reach the one-page-short boundary above: taking a free
 * block shortens the region's run by at least B, freeing one lengthens it.
 * want ENOMEM (3B), B (aligned B at goal B), B-3 for B+7, 2B+10 for B+6. */
static int block_change_whole_block_between_reserved_pages(world *w)
{
    uint64_t B = w->blk;
    d_node(w, "block_change_whole_block_between_reserved_pages", 2 * w->fan);
    return d_free(w, B - 3, B + 7) && d_free(w, 2 * B + 10, B + 6) &&
           d_alloc(w, 3 * B, 1, 0, NOFIT) && d_alloc(w, B, B, B, B) &&
           d_alloc(w, B + 7, 1, 0, NOFIT) && d_free(w, B, B) && d_alloc(w, B + 7, 1, 0, B - 3) &&
           d_alloc(w, B + 6, 1, 0, 2 * B + 10);
}

/* ------------------------------------------- directed: small-node search
 *
 * fast searches a node of at most 8 blocks (4,096 pages) over the bitmap
 * alone while its summaries are stale (impl/fast/place.h: small_search):
 * word by word (linear_words) for requests of at most 64 pages aligned to
 * at most 64, from free run to free run (linear_search) otherwise; first
 * from p, then below it.  Its edges: a run across a word boundary, the
 * alignment grid of the physical frame, the window's end (limit) inside a
 * word, a candidate below p whose run reaches past p, the merge into the
 * previous block's last page.  Every search below comes after a free or an
 * allocation, so the summaries are stale and fast takes that path (but
 * the third of small_failing_twice_then_the_root);
 * fast_small (128-page blocks, no such path) walks its summaries for the
 * same calls.  Pictures: page numbers (pfn) of the node, '#' reserved,
 * '.' free; everything not drawn is reserved. */

/* A fresh world with one all-reserved node [s, e) (pfn). */
static void d_node_pages(world *w, const char *name, uint64_t s, uint64_t e)
{
    clear_world(w);
    snprintf(w->where, sizeof w->where, "directed %s (node [%llu, %llu))", name,
             (unsigned long long)s, (unsigned long long)e);
    w->calls = 0;
    w->sweep_every = 1;
    add_node(w, s, e);
}

/* alloc(size, align, goal, limit) in bytes; want: the address derived by
 * hand, NOFIT for ENOMEM. */
static int d_alloc_b(world *w, uint64_t sz, uint64_t al, uint64_t g, uint64_t lim, uint64_t want)
{
    char desc[160];
    w->calls++;
    snprintf(desc, sizeof desc, "alloc(0x%llx, align 0x%llx, goal 0x%llx, limit 0x%llx)",
             (unsigned long long)sz, (unsigned long long)al, (unsigned long long)g,
             (unsigned long long)lim);
    bf_result b = bf_backend_ref.alloc(w->r, sz, al, g, lim);
    int ok = d_same(w, desc, w->be->alloc(w->f, sz, al, g, lim), b);
    if (want == NOFIT ? b.err != BF_ENOMEM : b.err != BF_OK || b.value != want) {
        fprintf(stderr, "%s: %s: ref %s 0x%llx, the test expects %s 0x%llx (its picture is wrong)\n",
                w->where, desc, errn(b.err), (unsigned long long)b.value,
                want == NOFIT ? "ENOMEM" : "address", (unsigned long long)want);
        ok = 0;
    }
    return ok;
}

#define PG BF_PAGE_SIZE

/* d_alloc with a limit (pfn): every search of these tests has one (at the
 * node's end when the window is the whole node), since fast's boot path
 * (limit 0, place_quick) would otherwise answer some of them first. */
static int d_alloc_l(world *w, uint64_t np, uint64_t align_pages, uint64_t goal_pfn,
                     uint64_t limit_pfn, uint64_t want_pfn)
{
    return d_alloc_b(w, np * PG, align_pages * PG, goal_pfn * PG, limit_pfn * PG,
                     want_pfn == NOFIT ? NOFIT : want_pfn * PG);
}

/* small_run_across_a_word_boundary: a run of exactly 10 pages across the
 * boundary of words 0 and 1 (pfn 64), a longer one later.
 *     0-59 #   60-69 .   70-199 #   200-214 .
 * want 60 (the run carried into word 1 meets its 6 free pages: 60 + 10 =
 * 64 + 6), then 200 for the same request. */
static int small_run_across_a_word_boundary(world *w)
{
    d_node_pages(w, "small_run_across_a_word_boundary", 0, 1024);
    return d_free(w, 60, 10) && d_free(w, 200, 15) && d_alloc_l(w, 10, 1, 0, 1024, 60) &&
           d_alloc_l(w, 10, 1, 0, 1024, 200);
}

/* small_aligned_on_the_physical_frame: the node starts at pfn 3, so bit i
 * of its map is pfn 3 + i and the grid of 4 pages falls on bits 1, 5, ..
 * (phase 1), not on bits 0, 4, ...
 *     5-12 .   61-68 .   (pfn; bits 2-9 and 58-65)
 * want pfn 8 for 4 pages aligned to 4 (inside word 0), then pfn 64 (bit
 * 61) for 4 pages aligned to 4 from goal pfn 60: the run from bit 58 is
 * carried into word 1, its first aligned page is bit 61 and [61, 65) ends
 * 1 bit into word 1; node-relative alignment would answer pfn 7, pfn 63
 * (or 61). */
static int small_aligned_on_the_physical_frame(world *w)
{
    d_node_pages(w, "small_aligned_on_the_physical_frame", 3, 1027);
    return d_free(w, 5, 8) && d_free(w, 61, 8) && d_alloc_l(w, 4, 4, 0, 1027, 8) &&
           d_alloc_l(w, 4, 4, 60, 1027, 64);
}

/* small_window_end_inside_a_word: a limit cuts the free run 100-139
 * inside word 1; then a run across words 0 and 1 ends exactly at the
 * window's end.
 *     60-69 . (after the first call)   100-139 .
 * want ENOMEM for 10 pages below limit pfn 105 (the run holds 5 pages
 * inside the window), 100 below limit pfn 110 (an exact fit to the
 * window's end), then, with 60-69 freed, 60 below limit pfn 70 (the run
 * carried from word 0 ends at the window's end: 60 + 10 = 70). */
static int small_window_end_inside_a_word(world *w)
{
    d_node_pages(w, "small_window_end_inside_a_word", 0, 1024);
    return d_free(w, 100, 40) && d_alloc_l(w, 10, 1, 0, 105, NOFIT) &&
           d_alloc_l(w, 10, 1, 0, 110, 100) && d_free(w, 60, 10) && d_alloc_l(w, 10, 1, 0, 70, 60);
}

/* small_below_p_reaching_past_it: nothing fits at or above p = 55; the
 * lowest candidate below p starts at p - 1 and its run reaches p - 1 + 10,
 * the last end the search below p may accept.
 *     54-63 .
 * want 54 for 10 pages from goal pfn 55 (from p: 9 free pages only). */
static int small_below_p_reaching_past_it(world *w)
{
    d_node_pages(w, "small_below_p_reaching_past_it", 0, 1024);
    return d_free(w, 54, 10) && d_alloc_l(w, 10, 1, 55, 1024, 54);
}

/* small_long_requests (over 64 pages, or aligned to over 64: free run to
 * free run, each run's last reserved page read from the far end):
 *     node [0, 2048):   10-79 .   81-199 .   1900-2047 .
 * want 81 for 100 pages (the run from 10 fails at its last reserved page
 * 80, the next candidate is 81), then 1900 for 148 pages (an exact fit to
 * the node's end), then ENOMEM for 149;
 *     node [3, 2051) (bit i = pfn 3 + i):   pfn 5-99 .
 * want pfn 8 for 70 pages aligned to 8 (the grid of the physical frame). */
static int small_long_requests(world *w)
{
    d_node_pages(w, "small_long_requests", 0, 2048);
    if (!(d_free(w, 10, 70) && d_free(w, 81, 119) && d_free(w, 1900, 148) &&
          d_alloc_l(w, 100, 1, 0, 2048, 81) && d_alloc_l(w, 148, 1, 0, 2048, 1900) &&
          d_alloc_l(w, 149, 1, 0, 2048, NOFIT)))
        return 0;
    d_node_pages(w, "small_long_requests", 3, 2051);
    return d_free(w, 5, 95) && d_alloc_l(w, 70, 8, 0, 2051, 8);
}

/* small_merge_into_the_last_page: with a limit (so not the boot path),
 * the second block starts inside the first one's last page.
 *     node [0, 512), backing memory:   0-99 .
 * want 0x0 for 100 bytes aligned to 16, then 0x70 (= ALIGN(100, 16)) for
 * 200 bytes: the chosen frame 1 follows last_pos 0, no page is reserved,
 * last_offset 0x138; then 0x138 for 4000 bytes aligned to 8 from goal
 * pfn 1: 3784 bytes in page 0, the rest (216) in page 1, reserved now
 * (k = 1; last_pos 1, last_offset 216). */
static int small_merge_into_the_last_page(world *w)
{
    d_node_pages(w, "small_merge_into_the_last_page", 0, 512);
    return d_free(w, 0, 100) && d_alloc_b(w, 100, 16, 0, 400 * PG, 0) &&
           d_alloc_b(w, 200, 16, 0, 400 * PG, 0x70) &&
           d_alloc_b(w, 4000, 8, PG, 400 * PG, 0x138);
}

/* small_failing_twice_then_the_root: requests too long for any run, twice
 * in a row (the second failure brings the summaries up to date), then a
 * third answered from them; a free makes them stale again and the search
 * is over the bitmap once more.
 *     20-29 .   then 30-39 . too
 * want ENOMEM three times for 11 pages, then 20 after the free. */
static int small_failing_twice_then_the_root(world *w)
{
    d_node_pages(w, "small_failing_twice_then_the_root", 0, 1024);
    return d_free(w, 20, 10) && d_alloc_l(w, 11, 1, 0, 1024, NOFIT) &&
           d_alloc_l(w, 11, 1, 500, 1024, NOFIT) && d_alloc_l(w, 11, 1, 0, 1024, NOFIT) &&
           d_free(w, 30, 10) && d_alloc_l(w, 11, 1, 0, 1024, 20);
}

/* small_no_run_that_long_until_a_free: a request that fails on the whole
 * node, unaligned, bounds every free run (fast answers longer ones at once
 * from then on); an allocation keeps the bound, a free voids it.
 *     20-29 .   40-44 .    then 20-24 taken, then 30-39 freed: 25-44 .
 * want ENOMEM for 11 pages, 20 for 5, ENOMEM for 12 (no run of 11 or more),
 * then 25 for 12 after the free. */
static int small_no_run_that_long_until_a_free(world *w)
{
    d_node_pages(w, "small_no_run_that_long_until_a_free", 0, 1024);
    return d_free(w, 20, 10) && d_free(w, 40, 5) && d_alloc_l(w, 11, 1, 0, 1024, NOFIT) &&
           d_alloc_l(w, 5, 1, 0, 1024, 20) && d_alloc_l(w, 12, 1, 0, 1024, NOFIT) &&
           d_free(w, 30, 10) && d_alloc_l(w, 12, 1, 0, 1024, 25);
}

/* small_failures_that_bound_nothing: a failure of an aligned request, or
 * of one whose window a limit cuts, says nothing of the runs elsewhere.
 *     21-30 .                     want ENOMEM for 8 pages aligned to 8
 *                                 (24-31 holds reserved 31), then 21 for 8;
 *     21-30 .   100-119 .         want ENOMEM for 15 pages below limit pfn
 *                                 110, then 100 for 15 (window: the node). */
static int small_failures_that_bound_nothing(world *w)
{
    d_node_pages(w, "small_failures_that_bound_nothing", 0, 1024);
    if (!(d_free(w, 21, 10) && d_alloc_l(w, 8, 8, 0, 1024, NOFIT) &&
          d_alloc_l(w, 8, 1, 0, 1024, 21)))
        return 0;
    d_node_pages(w, "small_failures_that_bound_nothing", 0, 1024);
    return d_free(w, 21, 10) && d_free(w, 100, 20) && d_alloc_l(w, 15, 1, 0, 110, NOFIT) &&
           d_alloc_l(w, 15, 1, 0, 1024, 100);
}

#undef PG

static void directed(world *w, const char *tag)
{
    static const struct {
        int (*run)(world *);
        const char *name;
    } tests[] = {
        {bbest_exact_fit_in_level1_entry, "bbest_exact_fit_in_level1_entry"},
        {bbest_exact_fit_before_a_longer_one, "bbest_exact_fit_before_a_longer_one"},
        {bbest_counts_from_the_boundary, "bbest_counts_from_the_boundary"},
        {bbest_exact_fit_across_level1_entries, "bbest_exact_fit_across_level1_entries"},
        {bbest_exact_fit_at_a_level1_entry_start, "bbest_exact_fit_at_a_level1_entry_start"},
        {bbest_exact_fit_in_the_last_partial_entry, "bbest_exact_fit_in_the_last_partial_entry"},
        {bbest_exact_whole_blocks, "bbest_exact_whole_blocks"},
        {block_change_start_run_lost_by_one, "block_change_start_run_lost_by_one"},
        {block_change_lost_by_one_in_the_last_partial_entry,
         "block_change_lost_by_one_in_the_last_partial_entry"},
        {block_change_end_run_lost_by_one, "block_change_end_run_lost_by_one"},
        {block_change_keeps_an_equal_run, "block_change_keeps_an_equal_run"},
        {block_change_whole_block_between_reserved_pages,
         "block_change_whole_block_between_reserved_pages"},
        {small_run_across_a_word_boundary, "small_run_across_a_word_boundary"},
        {small_aligned_on_the_physical_frame, "small_aligned_on_the_physical_frame"},
        {small_window_end_inside_a_word, "small_window_end_inside_a_word"},
        {small_below_p_reaching_past_it, "small_below_p_reaching_past_it"},
        {small_long_requests, "small_long_requests"},
        {small_merge_into_the_last_page, "small_merge_into_the_last_page"},
        {small_failing_twice_then_the_root, "small_failing_twice_then_the_root"},
        {small_no_run_that_long_until_a_free, "small_no_run_that_long_until_a_free"},
        {small_failures_that_bound_nothing, "small_failures_that_bound_nothing"},
    };
    char name[160];
    for (size_t t = 0; t < sizeof tests / sizeof tests[0]; t++) {
        snprintf(name, sizeof name, "%s: %s = ref", tag, tests[t].name);
        check(tests[t].run(w), name);
    }
}

extern const bf_backend bf_backend_fast_small;
int bf_fast_small_verify(void *sys, char *msg, size_t msglen);

/* One backend (fast, or fast_small: the same code with a small geometry). */
static void run_all(world *w, const char *tag, int nseq, uint64_t first)
{
    char name[160];
    w->f = w->be->create();
    w->r = bf_backend_ref.create();
    snprintf(name, sizeof name, "%s = ref: every alignment 1..2^63, goals and limits at node edges", tag);
    check(edge_cases(w), name);
    directed(w, tag);

    int bad = 0, first_bad = -1;
    for (int sq = 0; sq < nseq; sq++)
        if (!run_sequence(w, first + (uint64_t)sq, 0, 250)) {
            bad++;
            if (first_bad < 0)
                first_bad = (int)(first + (uint64_t)sq);
            if (bad >= 3)
                break;
        }
    snprintf(name, sizeof name, "%s = ref on %d random sequences of small nodes (first bad seed %d)",
             tag, nseq, first_bad);
    check(bad == 0, name);

    bad = 0;
    for (int sq = 0; sq < 4; sq++)
        bad += !run_sequence(w, 100000 + (uint64_t)sq, 1, 150);
    snprintf(name, sizeof name, "%s = ref on multi-level nodes (20K-320K pages)", tag);
    check(bad == 0, name);
    clear_world(w);
    w->be->destroy(w->f);
    bf_backend_ref.destroy(w->r);
}

int main(int argc, char **argv)
{
    static world w;
    int nseq = argc > 1 ? atoi(argv[1]) : 300;     /* sequences of small nodes */
    uint64_t first = argc > 2 ? strtoull(argv[2], NULL, 0) : 1; /* their first seed */
    memset(&w, 0, sizeof w);
    w.be = &bf_backend_fast;
    w.verify = bf_fast_verify;
    w.blk = BF_FAST_BLOCK_PAGES;
    w.fan = BF_FAST_FANOUT;
    run_all(&w, "fast", nseq, first);
    /* the same code with 128-page blocks and fan-out 4: the small nodes
     * here cross its summary levels, the multi-level ones many more */
    memset(&w, 0, sizeof w);
    w.be = &bf_backend_fast_small;
    w.verify = bf_fast_small_verify;
    w.blk = 128; /* impl/fast/fast_small.c */
    w.fan = 4;
    run_all(&w, "fast_small", nseq / 2, first);

    printf("# outcomes (OK/ENOMEM/EINVAL/ENOTRESERVED): alloc %lu/%lu/%lu/%lu, "
           "free %lu/%lu/%lu/%lu, reserve %lu/%lu/%lu/%lu, free_all %lu/%lu/%lu/%lu\n",
           seen[0][0], seen[0][1], seen[0][2], seen[0][3], seen[1][0], seen[1][1], seen[1][2],
           seen[1][3], seen[2][0], seen[2][1], seen[2][2], seen[2][3], seen[3][0], seen[3][1],
           seen[3][2], seen[3][3]);
    return failures ? 1 : 0;
}
