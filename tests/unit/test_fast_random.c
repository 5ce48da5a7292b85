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

#include "../../impl/fast.h"
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
    run_all(&w, "fast", nseq, first);
    /* the same code with 128-page blocks and fan-out 4: the small nodes
     * here cross its summary levels, the multi-level ones many more */
    memset(&w, 0, sizeof w);
    w.be = &bf_backend_fast_small;
    w.verify = bf_fast_small_verify;
    run_all(&w, "fast_small", nseq / 2, first);

    printf("# outcomes (OK/ENOMEM/EINVAL/ENOTRESERVED): alloc %lu/%lu/%lu/%lu, "
           "free %lu/%lu/%lu/%lu, reserve %lu/%lu/%lu/%lu, free_all %lu/%lu/%lu/%lu\n",
           seen[0][0], seen[0][1], seen[0][2], seen[0][3], seen[1][0], seen[1][1], seen[1][2],
           seen[1][3], seen[2][0], seen[2][1], seen[2][2], seen[2][3], seen[3][0], seen[3][1],
           seen[3][2], seen[3][3]);
    return failures ? 1 : 0;
}
