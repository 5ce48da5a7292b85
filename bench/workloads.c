/*
 * bench/bench.c - `make bench`: the fast allocator, the Linux-style bitmap
 * yardstick (bench/linux_bitmap.c), the 2.6.14 port and the reference on the
 * same fixed-seed workloads, in one run (issues 4 and 15).
 *
 * For each workload and node size it prints ns per call for each backend and
 * the ratios linux/fast, 2614/fast and ref/fast, then the yardsticks (one
 * scalar word loop over a whole bitmap; set/clear of the same bits in a bare
 * bitmap) and which goals of issues 4 and 15 the run meets.  Every backend
 * replays the same request list through the bf_backend struct only; fast
 * and linux run a call budget, the slow ones (and linux on slow searches)
 * stop after BENCH_CAP seconds (default 0.3) per workload and size.  Only
 * the calls are timed: setting a node up and undoing successful allocations
 * between batches are not.  The answers of linux and ref are checked against
 * fast's on every call both made, and linux against ref on random call
 * sequences before the timing (a yardstick that answers differently
 * measures something else); any difference makes the exit status 1.
 *
 * Usage: bench [DATAFILE]   (default: the program's path + ".dat", e.g.
 * build/bench.dat, read by bench/plot.gp).  Environment: BENCH_QUICK=1 for a
 * short run (sizes up to 1M pages), BENCH_CAP=SECONDS, BENCH_ONLY=WORKLOAD.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bootfuzz/backend.h"
#include "linux_bitmap.h"

extern const bf_backend bf_backend_fast;
extern const bf_backend bf_backend_ref;
extern const bf_backend bf_backend_2614 __attribute__((weak));

#define PG 4096ULL
/* fast, the Linux-style bitmap yardstick (bench/linux_bitmap.c), the 2.6.14
 * port, the reference */
enum { B_FAST, B_LINUX, B_2614, B_REF, NBE };
static const bf_backend *be_list[NBE];

static double cap_slow = 0.3;   /* seconds per workload/size for linux, 2614 and ref */
static double cap_fast = 0.5;   /* ... and for fast, with a call budget */
static uint64_t budget_fast = 400000;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------ rng */

static uint64_t rs;
static void seed(uint64_t s) { rs = s * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL; }
static uint64_t rnd(void)
{
    uint64_t z = (rs += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static uint64_t pick(uint64_t n) { return rnd() % n; }

/* ------------------------------------------------------- node patterns */

/* resv: 1 bit per page, 1 = reserved.  A node starts all reserved; freeing
 * each maximal free run gives the pattern. */
static uint64_t *pat_new(uint64_t pages) { return calloc((pages + 63) / 64 + 1, 8); }
static int pat_get(const uint64_t *p, uint64_t i) { return (int)((p[i >> 6] >> (i & 63)) & 1); }
static void pat_set(uint64_t *p, uint64_t i) { p[i >> 6] |= 1ULL << (i & 63); }

static void *node_with(const bf_backend *be, uint64_t pages, const uint64_t *resv)
{
    void *s = be->create();
    be->add_node(s, 0, pages, NULL);
    uint64_t i = 0;
    while (i < pages) {
        if (resv && pat_get(resv, i)) {
            i++;
            continue;
        }
        uint64_t j = i;
        while (j < pages && !(resv && pat_get(resv, j)))
            j++;
        be->free(s, i * PG, (j - i) * PG);
        i = j;
    }
    return s;
}

/* -------------------------------------------------------------- requests */

typedef struct req {
    uint64_t size, align, goal, limit;
} req;

typedef struct meas {
    double ns;      /* per call */
    uint64_t calls;
    uint64_t fails; /* ENOMEM answers */
    int ran;
} meas;

typedef struct wl {
    const char *name;
    const char *what;
} wl;

/* answers of linux and ref that differ from fast's (the exact backends:
 * every one must answer as fast does; 2614 keeps its bugs, so not it) */
static uint64_t mismatches[NBE];

static void check_answer(int b, const bf_result *got, const bf_result *want)
{
    if ((b == B_LINUX || b == B_REF) &&
        (got->err != want->err || (got->err == BF_OK && got->value != want->value)))
        mismatches[b]++;
}

/* Answers of fast to a sequence of calls that depends on the answers
 * (churn, reserve/free): fast runs first and logs every answer; the others
 * are checked against the log as far as they go. */
static bf_result *ans_log;
static uint64_t ans_n, ans_cap;

static void log_answer(int b, uint64_t at, const bf_result *r)
{
    if (b == B_FAST) {
        if (at >= ans_cap) {
            ans_cap = 2 * at + 4096;
            ans_log = realloc(ans_log, ans_cap * sizeof *ans_log);
            if (!ans_log)
                abort();
        }
        ans_log[at] = *r;
        ans_n = at + 1;
    } else if (at < ans_n) {
        check_answer(b, r, &ans_log[at]);
    }
}

/* the call budget: fast and the yardstick run it all (cheap calls need many
 * for a steady figure), 2614 and ref only their time cap */
static uint64_t budget_of(int b) { return b == B_FAST || b == B_LINUX ? budget_fast : UINT64_MAX; }
static double cap_of(int b) { return b == B_FAST ? cap_fast : cap_slow; }
static volatile uint64_t sink;

/* Requests against a fixed node state; successful blocks are freed again
 * after each batch (untimed), so every batch sees the same node. */
static meas run_requests(int b, uint64_t pages, const uint64_t *resv, const req *rq, uint64_t nrq,
                         bf_result *expect)
{
    const bf_backend *be = be_list[b];
    meas m = {0, 0, 0, 1};
    void *s = node_with(be, pages, resv);
    double cap = cap_of(b), spent = 0;
    uint64_t budget = budget_of(b), i = 0;
    bf_result res[64];
    while (m.calls < budget && spent < cap) {
        unsigned n = 0;
        double t0 = now();
        for (; n < 64 && m.calls + n < budget; n++, i++) {
            const req *q = &rq[i % nrq];
            res[n] = be->alloc(s, q->size, q->align, q->goal, q->limit);
        }
        spent += now() - t0;
        for (unsigned k = 0; k < n; k++) {
            uint64_t at = i - n + k;
            const req *q = &rq[at % nrq];
            if (at < nrq) {
                if (b == B_FAST)
                    expect[at] = res[k];
                else
                    check_answer(b, &res[k], &expect[at]);
            }
            if (res[k].err == BF_OK)
                be->free(s, res[k].value, (q->size + PG - 1) / PG * PG);
            else
                m.fails++;
        }
        m.calls += n;
    }
    m.ns = spent * 1e9 / (double)m.calls;
    be->destroy(s);
    return m;
}

/* boot: free all, then small blocks from a goal; a fresh node each round. */
static meas run_boot(int b, uint64_t pages, const req *rq, uint64_t nrq, bf_result *expect)
{
    const bf_backend *be = be_list[b];
    meas m = {0, 0, 0, 1};
    double cap = cap_of(b), spent = 0;
    uint64_t budget = budget_of(b), i = 0;
    uint64_t round = pages / 8; /* ~a quarter of the node's pages */
    bf_result res[64];
    double wall0 = now();
    while (m.calls < budget && spent < cap && now() - wall0 < 4 * cap + 1) {
        void *s = node_with(be, pages, NULL);
        uint64_t done = 0;
        while (done < round && m.calls < budget && spent < cap) {
            unsigned n = 0;
            double t0 = now();
            for (; n < 64 && done + n < round; n++)
                res[n] = be->alloc(s, rq[(i + n) % nrq].size, rq[(i + n) % nrq].align,
                                   rq[(i + n) % nrq].goal, 0);
            spent += now() - t0;
            for (unsigned k = 0; k < n; k++) {
                uint64_t at = i + k;
                if (at < nrq) {
                    if (b == B_FAST)
                        expect[at] = res[k];
                    else
                        check_answer(b, &res[k], &expect[at]);
                }
                m.fails += res[k].err != BF_OK;
            }
            i += n;
            done += n;
            m.calls += n;
        }
        be->destroy(s);
        i = 0; /* a fresh node replays the list from its start */
    }
    m.ns = spent * 1e9 / (double)m.calls;
    return m;
}

/* churn: alternate an alloc of a random block and a free of a random live
 * block, on a node about half full of blocks. */
static meas run_churn(int b, uint64_t pages, uint64_t sd)
{
    const bf_backend *be = be_list[b];
    meas m = {0, 0, 0, 1};
    double cap = cap_of(b), spent = 0;
    uint64_t budget = budget_of(b), nalloc = 0;
    bf_result got[32];
    uint64_t maxlive = pages / 8 + 64, nlive = 0;
    uint64_t *la = malloc(maxlive * 8), *ls = malloc(maxlive * 8);
    uint64_t *resv = pat_new(pages);
    /* pre-fill: random blocks of 1-64 pages until about half the pages */
    seed(sd);
    uint64_t used = 0;
    while (used < pages / 2 && nlive < maxlive) {
        uint64_t n = 1 + pick(64), at = pick(pages - n), k;
        for (k = 0; k < n && !pat_get(resv, at + k); k++)
            ;
        if (k < n)
            continue;
        for (k = 0; k < n; k++)
            pat_set(resv, at + k);
        la[nlive] = at * PG;
        ls[nlive++] = n * PG;
        used += n;
    }
    /* pattern: reserved = live blocks; all else free */
    void *s = node_with(be, pages, resv);
    free(resv);
    seed(sd + 1);
    while (m.calls < budget && spent < cap) {
        double t0 = now();
        for (int n = 0; n < 32; n++) {
            uint64_t size = (1 + pick(64)) * PG, goal = pick(2) ? pick(pages) * PG : 0;
            bf_result r = got[n] = be->alloc(s, size, PG, goal, 0);
            if (r.err == BF_OK && nlive < maxlive) {
                la[nlive] = r.value;
                ls[nlive++] = size;
            } else if (r.err != BF_OK) {
                m.fails++;
            }
            if (nlive) {
                uint64_t k = pick(nlive);
                be->free(s, la[k], ls[k]);
                la[k] = la[--nlive];
                ls[k] = ls[nlive];
            }
        }
        spent += now() - t0;
        /* the allocs' answers (each depends on the ones before it) */
        for (int n = 0; n < 32; n++)
            log_answer(b, nalloc++, &got[n]);
        m.calls += 64;
    }
    m.ns = spent * 1e9 / (double)m.calls;
    be->destroy(s);
    free(la);
    free(ls);
    return m;
}

/* ------------------------------------------- reserve/free and bare bitmap */

typedef struct rfop {
    uint64_t addr, size;
    int reserve;
} rfop;

static rfop *rf_ops;
static uint64_t rf_nops;
static uint64_t *rf_resv;

/* chunks of 1-16 pages, half of them free; each op flips one chunk */
static void rf_build(uint64_t pages, uint64_t nops)
{
    uint64_t nch = 0, *cs = malloc((pages + 1) * 8), *cn = malloc((pages + 1) * 8);
    uint8_t *st = malloc(pages + 1);
    seed(77);
    for (uint64_t at = 0; at < pages;) {
        uint64_t n = 1 + pick(16);
        if (at + n > pages)
            n = pages - at;
        cs[nch] = at;
        cn[nch] = n;
        st[nch++] = (uint8_t)pick(2); /* 1 = reserved */
        at += n;
    }
    free(rf_resv);
    rf_resv = pat_new(pages);
    for (uint64_t c = 0; c < nch; c++)
        if (st[c])
            for (uint64_t k = 0; k < cn[c]; k++)
                pat_set(rf_resv, cs[c] + k);
    free(rf_ops);
    rf_ops = malloc(nops * sizeof *rf_ops);
    for (uint64_t i = 0; i < nops; i++) {
        uint64_t c = pick(nch);
        rf_ops[i].addr = cs[c] * PG;
        rf_ops[i].size = cn[c] * PG;
        rf_ops[i].reserve = !st[c];
        st[c] = !st[c];
    }
    rf_nops = nops;
    free(cs);
    free(cn);
    free(st);
}

static meas run_resfree(int b, uint64_t pages)
{
    const bf_backend *be = be_list[b];
    meas m = {0, 0, 0, 1};
    void *s = node_with(be, pages, rf_resv);
    double cap = cap_of(b), spent = 0;
    uint64_t i = 0;
    bf_result got[256];
    /* the op list flips chunks: it must be replayed whole, in order */
    while (i < rf_nops && spent < cap) {
        uint64_t i0 = i, e = i + 256 < rf_nops ? i + 256 : rf_nops;
        double t0 = now();
        for (; i < e; i++)
            got[i - i0] = rf_ops[i].reserve ? be->reserve(s, rf_ops[i].addr, rf_ops[i].size)
                                            : be->free(s, rf_ops[i].addr, rf_ops[i].size);
        spent += now() - t0;
        for (uint64_t k = i0; k < e; k++) {
            m.fails += got[k - i0].err != BF_OK;
            log_answer(b, k, &got[k - i0]);
        }
    }
    m.calls = i;
    m.ns = spent * 1e9 / (double)i;
    be->destroy(s);
    return m;
}

/* The baseline: the same bits set and cleared in a bare bitmap, through an
 * out-of-line call as the kernel's __bitmap_set/__bitmap_clear are. */
__attribute__((noinline)) static void bare_set(uint64_t *map, uint64_t a, uint64_t n)
{
    uint64_t b = a + n, ja = a >> 6, jb = (b - 1) >> 6;
    uint64_t ma = ~0ULL << (a & 63), mb = ~0ULL >> (63 - ((b - 1) & 63));
    if (ja == jb) {
        map[ja] |= ma & mb;
        return;
    }
    map[ja] |= ma;
    for (uint64_t j = ja + 1; j < jb; j++)
        map[j] = ~0ULL;
    map[jb] |= mb;
}

__attribute__((noinline)) static void bare_clear(uint64_t *map, uint64_t a, uint64_t n)
{
    uint64_t b = a + n, ja = a >> 6, jb = (b - 1) >> 6;
    uint64_t ma = ~0ULL << (a & 63), mb = ~0ULL >> (63 - ((b - 1) & 63));
    if (ja == jb) {
        map[ja] &= ~(ma & mb);
        return;
    }
    map[ja] &= ~ma;
    for (uint64_t j = ja + 1; j < jb; j++)
        map[j] = 0;
    map[jb] &= ~mb;
}

static double run_bare(uint64_t pages)
{
    uint64_t *map = pat_new(pages);
    memcpy(map, rf_resv, (pages + 63) / 64 * 8);
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) { /* best of 3: it is short */
        double t0 = now();
        for (uint64_t i = 0; i < rf_nops; i++) {
            if (rf_ops[i].reserve)
                bare_set(map, rf_ops[i].addr / PG, rf_ops[i].size / PG);
            else
                bare_clear(map, rf_ops[i].addr / PG, rf_ops[i].size / PG);
        }
        double t = (now() - t0) * 1e9 / (double)rf_nops;
        if (t < best)
            best = t;
    }
    free(map);
    return best;
}

/* The floor of any backend call: an empty reserve() through a bf_backend
 * function pointer, returning a bf_result, in the reserve/free loop. */
__attribute__((noinline)) static bf_result null_call(void *s, uint64_t a, uint64_t n)
{
    (void)s;
    return bf_ok(a + n);
}

static double run_null(void)
{
    bf_result (*volatile fp)(void *, uint64_t, uint64_t) = null_call;
    bf_result (*f)(void *, uint64_t, uint64_t) = fp;
    uint64_t acc = 0;
    double t0 = now();
    for (uint64_t i = 0; i < rf_nops; i++)
        acc += f(NULL, rf_ops[i].addr, rf_ops[i].size).value;
    sink = acc;
    return (now() - t0) * 1e9 / (double)rf_nops;
}

/* The floor of any linear search: one scalar word loop over a whole
 * checkerboard bitmap (1 = reserved, every other page), looking for two
 * adjacent free pages within a word or across a word boundary; it stops at
 * the first hit, of which there is none, so every word is read.  The early
 * exit keeps it a plain scalar loop (what find_next_zero_bit and its kin
 * are), and the figure is the best of several timed batches, so it is what
 * the loop costs, not what the machine's noise adds.  The empty asm with a
 * memory clobber before each call keeps the compiler from seeing that the
 * call reads unchanged memory and hoisting it out of the timed loop. */
__attribute__((noinline)) static uint64_t scan_words(const uint64_t *map, uint64_t nw)
{
    uint64_t carry = 0; /* the previous word's top page was free */
    for (uint64_t j = 0; j < nw; j++) {
        uint64_t f = ~map[j];
        if ((f & (f >> 1)) | (carry & f))
            return j;
        carry = f >> 63;
    }
    return nw;
}

static double run_scan(uint64_t pages)
{
    uint64_t nw = (pages + 63) / 64, *map = malloc(nw * 8);
    uint64_t per = 1 + (1u << 16) / nw; /* scans per timed batch: >= 64K words */
    for (uint64_t j = 0; j < nw; j++)
        map[j] = 0x5555555555555555ULL;
    double best = 1e30;
    for (int rep = 0; rep < 15; rep++) {
        uint64_t acc = 0;
        double t0 = now();
        for (uint64_t r = 0; r < per; r++) {
            __asm__ volatile("" : : "r"(map) : "memory");
            acc += scan_words(map, nw);
        }
        double t = (now() - t0) * 1e9 / (double)per;
        sink = acc;
        if (t < best)
            best = t;
    }
    free(map);
    return best;
}

/* ------------------------------------------------------------ workloads */

enum { W_BOOT, W_FRAG, W_FRAGFAIL, W_CHECK, W_HUGE, W_LIMIT, W_LIMITFAIL, W_CHURN, W_RESFREE, NW };
static const wl wls[NW] = {
    {"boot", "free all, then 16 B-64 KiB blocks, align 64 or 4096, goal 16 MiB"},
    {"fragmented", "random 50% reserved; 1-32 pages, goal 0 or random"},
    {"frag-fail", "same node; 25-32 pages (no fit anywhere)"},
    {"checkerboard", "every other page reserved; 2 pages (all fail)"},
    {"huge-aligned", "1 page in 256 reserved; 2 MiB aligned to 2 MiB, goal 0 or random"},
    {"limited", "limit = quarter of node (4 GiB at 4M pages), fragmented below, "
                "16 pages free just under it; 9-32 pages"},
    {"limited-fail", "same node; 17-32 pages (fit only above the limit)"},
    {"churn", "half full of 1-64 page blocks; alloc random block, free random block"},
    {"reserve/free", "chunks of 1-16 pages, half free; reserve a free one or free a reserved one"},
};

#define MAXSZ 8
static uint64_t sizes[MAXSZ] = {1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216};
static int nsizes = MAXSZ;
static meas res_[NW][MAXSZ][NBE];
static double scan_ns[MAXSZ], bare_ns[MAXSZ], null_ns[MAXSZ];

static uint64_t *make_pattern(int w, uint64_t pages)
{
    uint64_t *p = pat_new(pages);
    seed(1000 + (uint64_t)w);
    switch (w) {
    case W_FRAG:
    case W_FRAGFAIL:
        for (uint64_t i = 0; i < pages; i++)
            if (rnd() & 1)
                pat_set(p, i);
        break;
    case W_CHECK:
        for (uint64_t i = 0; i < pages; i += 2)
            pat_set(p, i);
        break;
    case W_HUGE:
        for (uint64_t i = 0; i < pages; i++)
            if (!pick(256))
                pat_set(p, i);
        break;
    case W_LIMIT:
    case W_LIMITFAIL: {
        uint64_t wend = (pages * PG / 4 - 1) / PG; /* PFN_DOWN(limit) */
        uint64_t i = 0;
        while (i < wend - 16) { /* reserved 1-8, then free 1-8 */
            uint64_t r = 1 + pick(8), f = 1 + pick(8);
            for (uint64_t k = 0; k < r && i < wend - 16; k++)
                pat_set(p, i++);
            i += f;
        }
        for (i = wend - 16 - 8; i < wend - 16; i++) /* the 16 free pages stand alone */
            pat_set(p, i);
        break;
    }
    default:
        break;
    }
    return p;
}

static req *make_requests(int w, uint64_t pages, uint64_t n)
{
    req *r = malloc(n * sizeof *r);
    seed(2000 + (uint64_t)w);
    uint64_t goal16 = pages * PG >= 64ULL << 20 ? 16ULL << 20 : pages * PG / 4;
    for (uint64_t i = 0; i < n; i++) {
        req *q = &r[i];
        q->limit = 0;
        q->align = PG;
        q->goal = 0;
        switch (w) {
        case W_BOOT: {
            double lg = 4.0 + (double)pick(1u << 20) / (double)(1u << 20) * 12.0; /* 16 B..64 KiB */
            q->size = (uint64_t)pow(2.0, lg);
            q->align = pick(2) ? 64 : PG;
            q->goal = goal16;
            break;
        }
        case W_FRAG:
            q->size = (1 + pick(32)) * PG;
            q->goal = pick(2) ? pick(pages) * PG : 0;
            break;
        case W_FRAGFAIL:
            q->size = (25 + pick(8)) * PG;
            q->goal = pick(2) ? pick(pages) * PG : 0;
            break;
        case W_CHECK:
            q->size = 2 * PG;
            q->goal = pick(2) ? pick(pages) * PG : 0;
            break;
        case W_HUGE:
            q->size = 2ULL << 20;
            q->align = 2ULL << 20;
            q->goal = pick(2) ? pick(pages) * PG : 0;
            break;
        case W_LIMIT:
        case W_LIMITFAIL:
            q->size = (w == W_LIMIT ? 9 + pick(24) : 17 + pick(16)) * PG;
            q->limit = pages * PG / 4 - 1;
            break;
        }
    }
    return r;
}

static void run_all(void)
{
    uint64_t nrq = 4096;
    bf_result *expect = malloc(nrq * sizeof *expect);
    const char *only = getenv("BENCH_ONLY");
    for (int w = 0; w < NW; w++) {
        if (only && strcmp(only, wls[w].name))
            continue;
        for (int z = 0; z < nsizes; z++) {
            uint64_t pages = sizes[z];
            uint64_t *pat = NULL;
            req *rq = NULL;
            if (w != W_BOOT && w != W_CHURN && w != W_RESFREE)
                pat = make_pattern(w, pages);
            if (w != W_CHURN && w != W_RESFREE)
                rq = make_requests(w, pages, nrq);
            if (w == W_RESFREE) {
                rf_build(pages, 2000000);
                bare_ns[z] = run_bare(pages);
                null_ns[z] = run_null();
            }
            for (int b = 0; b < NBE; b++) {
                if (!be_list[b])
                    continue;
                switch (w) {
                case W_BOOT: res_[w][z][b] = run_boot(b, pages, rq, nrq, expect); break;
                case W_CHURN: res_[w][z][b] = run_churn(b, pages, 3000 + (uint64_t)z); break;
                case W_RESFREE: res_[w][z][b] = run_resfree(b, pages); break;
                default: res_[w][z][b] = run_requests(b, pages, pat, rq, nrq, expect); break;
                }
            }
            free(pat);
            free(rq);
            fprintf(stderr, ".");
        }
        fprintf(stderr, " %s\n", wls[w].name);
    }
    free(expect);
}

static void fmt_ns(char *buf, size_t n, const meas *m)
{
    if (!m->ran)
        snprintf(buf, n, "-");
    else if (m->ns >= 1e6)
        snprintf(buf, n, "%.2fms", m->ns / 1e6);
    else if (m->ns >= 1e4)
        snprintf(buf, n, "%.1fus", m->ns / 1e3);
    else
        snprintf(buf, n, "%.1f", m->ns);
}

static void fmt_ratio(char *buf, size_t n, const meas *a, const meas *f)
{
    if (!a->ran || !f->ran)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.3g", a->ns / f->ns);
}

static const char *size_name(uint64_t p)
{
    static char b[4][16];
    static int k;
    k = (k + 1) & 3;
    if (p >= 1048576)
        snprintf(b[k], 16, "%lluM", (unsigned long long)(p >> 20));
    else
        snprintf(b[k], 16, "%lluK", (unsigned long long)(p >> 10));
    return b[k];
}

static int size_index(uint64_t p)
{
    for (int z = 0; z < nsizes; z++)
        if (sizes[z] == p)
            return z;
    return -1;
}

static void print_table(FILE *dat)
{
    char ns[NBE][32], r[NBE][32];
    printf("\nns per call (us = microseconds, ms = milliseconds); X/fast = X's ns / fast's ns\n"
           "(how many times faster fast is); linux = the Linux-style bitmap yardstick\n"
           "calls = calls timed for fast / linux / 2614 / ref (fast and linux run %llu calls,\n"
           "linux, 2614 and ref stop after %.2g s)\n\n",
           (unsigned long long)budget_fast, cap_slow);
    printf("%-13s %5s %8s %8s %8s %8s %10s %9s %9s  %s\n", "workload", "pages", "fast", "linux", "2614",
           "ref", "linux/fast", "2614/fast", "ref/fast", "calls");
    for (int w = 0; w < NW; w++) {
        for (int z = 0; z < nsizes; z++) {
            meas *m = res_[w][z];
            if (!m[B_FAST].ran)
                continue; /* left out by BENCH_ONLY */
            for (int b = 0; b < NBE; b++) {
                fmt_ns(ns[b], sizeof ns[b], &m[b]);
                fmt_ratio(r[b], sizeof r[b], &m[b], &m[B_FAST]);
            }
            printf("%-13s %5s %8s %8s %8s %8s %10s %9s %9s  %llu/%llu/%llu/%llu\n", z ? "" : wls[w].name,
                   size_name(sizes[z]), ns[B_FAST], ns[B_LINUX], ns[B_2614], ns[B_REF], r[B_LINUX],
                   r[B_2614], r[B_REF], (unsigned long long)m[B_FAST].calls,
                   (unsigned long long)m[B_LINUX].calls, (unsigned long long)m[B_2614].calls,
                   (unsigned long long)m[B_REF].calls);
            if (dat)
                fprintf(dat, "%s %llu %.3f %.3f %.3f %.3f\n", wls[w].name, (unsigned long long)sizes[z],
                        m[B_FAST].ns, m[B_2614].ran ? m[B_2614].ns : -1, m[B_REF].ns, m[B_LINUX].ns);
        }
    }
    printf("\nyardsticks per node size: one scalar word loop over a whole checkerboard bitmap\n"
           "(best of 15; the floor of any linear search); set/clear of 1-16 bits in a bare\n"
           "bitmap (same op list as reserve/free); an empty call through a bf_backend pointer\n"
           "(the interface's own cost); fast reserve/free and its ratio to bare\n\n");
    printf("%6s %12s %12s %12s %12s %10s\n", "pages", "scan", "bare ns/op", "empty call", "fast ns/op",
           "fast/bare");
    for (int z = 0; z < nsizes; z++) {
        meas sc = {scan_ns[z], 1, 0, 1};
        fmt_ns(ns[0], sizeof ns[0], &sc);
        printf("%6s %12s %12.1f %12.1f %12.1f %10.2f\n", size_name(sizes[z]), ns[0], bare_ns[z],
               null_ns[z], res_[W_RESFREE][z][B_FAST].ns, res_[W_RESFREE][z][B_FAST].ns / bare_ns[z]);
        if (dat)
            fprintf(dat, "scan %llu %.3f -1 -1 -1\n", (unsigned long long)sizes[z], scan_ns[z]);
    }
    printf("\nworkloads:\n");
    for (int w = 0; w < NW; w++)
        printf("  %-13s %s\n", wls[w].name, wls[w].what);
}

/* fmt takes up to two doubles, x then y; a format that uses only x leaves y
 * unread (an extra argument, which printf allows). */
static int goal_line(int met, const char *fmt, double x, double y)
{
    printf("  [%s] ", met ? "met" : "NOT met");
    printf(fmt, x, y);
    printf("\n");
    return met;
}

/* Issue 15: fast against the Linux-style bitmap at >= 64K pages, every
 * workload; against 2.6.14 on small-node churn.  Returns how many missed. */
static int print_goals15(void)
{
    int missed = 0, any = 0;
    char f[160];
    printf("\ngoals of issue 15 (this run):\n");
    for (int w = 0; w < NW; w++) {
        double worst = 1e300;
        uint64_t at = 0;
        for (int z = 0; z < nsizes; z++) {
            meas *m = res_[w][z];
            if (sizes[z] < 65536 || !m[B_FAST].ran || !m[B_LINUX].ran)
                continue;
            double r = m[B_LINUX].ns / m[B_FAST].ns;
            if (r < worst) {
                worst = r;
                at = sizes[z];
            }
        }
        if (worst == 1e300)
            continue;
        any = 1;
        snprintf(f, sizeof f, "%s, 64K pages and up: linux/fast >= %%.2fx (lowest, at %s pages; goal >= 2x)",
                 wls[w].name, size_name(at));
        missed += !goal_line(worst >= 2, f, worst, 0);
    }
    for (int z = 0; z < nsizes; z++) {
        meas *m = res_[W_CHURN][z];
        if (sizes[z] > 4096 || !m[B_FAST].ran || !m[B_2614].ran)
            continue;
        any = 1;
        snprintf(f, sizeof f, "churn at %s pages: 2614/fast = %%.2fx (goal >= 1x)", size_name(sizes[z]));
        missed += !goal_line(m[B_2614].ns / m[B_FAST].ns >= 1, f, m[B_2614].ns / m[B_FAST].ns, 0);
    }
    if (!any)
        printf("  (no workload at 64K pages and up, nor churn at 1K-4K, was run)\n");
    return missed;
}

static void print_goals(void)
{
    int z4 = size_index(4194304), z64 = size_index(65536), z16 = size_index(16777216);
    printf("\ngoals of issue 4 (this run):\n");
    if (z4 < 0) {
        printf("  (the 4M-page node was not run)\n");
        return;
    }
    int ws[] = {W_FRAG, W_CHECK, W_LIMIT};
    for (int k = 0; k < 3; k++) {
        meas *m = res_[ws[k]][z4];
        if (m[B_2614].ran && m[B_FAST].ran) {
            char f[128];
            snprintf(f, sizeof f, "%s at 4M pages: 2614/fast = %%.0fx (goal >= 1000x)",
                     wls[ws[k]].name);
            goal_line(m[B_2614].ns / m[B_FAST].ns >= 1000, f, m[B_2614].ns / m[B_FAST].ns, 0);
        }
    }
    int wf[] = {W_FRAGFAIL, W_CHECK, W_LIMITFAIL};
    for (int k = 0; k < 3; k++) {
        char f[128];
        snprintf(f, sizeof f, "%s at 4M pages (failing searches): %%.1f ns vs scan %%.0f ns",
                 wls[wf[k]].name);
        if (res_[wf[k]][z4][B_FAST].ran)
            goal_line(res_[wf[k]][z4][B_FAST].ns < scan_ns[z4], f, res_[wf[k]][z4][B_FAST].ns, scan_ns[z4]);
    }
    if (res_[W_BOOT][z4][B_2614].ran && res_[W_BOOT][z4][B_FAST].ran)
        goal_line(res_[W_BOOT][z4][B_2614].ns / res_[W_BOOT][z4][B_FAST].ns >= 2,
                  "boot at 4M pages: 2614/fast = %.2fx (goal >= 2x)",
                  res_[W_BOOT][z4][B_2614].ns / res_[W_BOOT][z4][B_FAST].ns, 0);
    if (z64 >= 0 && z16 >= 0) {
        int wg[] = {W_FRAG, W_FRAGFAIL, W_CHECK};
        for (int k = 0; k < 3; k++) {
            char f[128];
            meas *a = res_[wg[k]][z64], *b = res_[wg[k]][z16];
            if (!a[B_FAST].ran)
                continue;
            snprintf(f, sizeof f, "%s growth 64K -> 16M pages: fast x%%.2f (goal <= 4x); 2614 x%%.0f",
                     wls[wg[k]].name);
            double g = b[B_FAST].ns / a[B_FAST].ns;
            double g2 = b[B_2614].ran ? b[B_2614].ns / a[B_2614].ns : 0;
            goal_line(g <= 4, f, g, g2);
        }
    }
    if (res_[W_RESFREE][z4][B_FAST].ran)
        goal_line(res_[W_RESFREE][z4][B_FAST].ns <= 5 * bare_ns[z4],
                  "reserve/free 1-16 pages at 4M pages: %.2fx a bare bitmap (goal <= 5x)",
                  res_[W_RESFREE][z4][B_FAST].ns / bare_ns[z4], 0);
}

/* The yardstick must answer as the contract does, or its figures mean
 * nothing: random call sequences (fixed seeds) on small nodes of many
 * shapes, every answer, node_info and page state compared with the
 * reference after every call.  Returns the number of differences (the
 * first few are printed). */
static uint64_t check_linux_vs_ref(void)
{
    const bf_backend *L = be_list[B_LINUX], *R = be_list[B_REF];
    uint64_t bad = 0, calls = 0;
    for (uint64_t sd = 0; sd < 300; sd++) {
        void *ls = L->create(), *rs_ = R->create();
        seed(9000 + sd);
        uint64_t at = pick(4) ? pick(40) : (1ULL << 40) + pick(40), span = 0;
        int nn = 1 + (int)pick(3);
        for (int k = 0; k < nn; k++) {
            uint64_t len = 1 + pick(k == 0 ? 700 : 200);
            bf_result a = L->add_node(ls, at, at + len, NULL), b = R->add_node(rs_, at, at + len, NULL);
            bad += a.err != b.err || a.value != b.value;
            span = at + len;
            at = span + pick(8);
        }
        uint64_t lo = (span > 800 ? span - 800 : 0) * PG; /* addresses around the nodes */
        for (int c = 0; c < 400; c++, calls++) {
            uint64_t op = pick(16), addr = lo + pick((span + 8) * PG - lo + 1), size;
            uint64_t al = pick(3) ? (1ULL << pick(14)) : 0;
            bf_result a, b;
            size = pick(4) ? 1 + pick(12 * PG) : 1 + pick(80 * PG);
            if (pick(3) == 0)
                addr &= ~(PG - 1);
            if (op < 4) {
                a = L->reserve(ls, addr, size);
                b = R->reserve(rs_, addr, size);
            } else if (op < 8) {
                a = L->free(ls, addr, size);
                b = R->free(rs_, addr, size);
            } else if (op < 15) {
                uint64_t goal = pick(3) ? addr : 0, lim = pick(4) ? 0 : lo + pick((span + 8) * PG - lo);
                if (pick(5)) {
                    a = L->alloc(ls, size, al, goal, lim);
                    b = R->alloc(rs_, size, al, goal, lim);
                } else {
                    uint64_t nid = pick((uint64_t)nn + 1);
                    a = L->alloc_node(ls, nid, size, al, goal, lim);
                    b = R->alloc_node(rs_, nid, size, al, goal, lim);
                }
            } else {
                uint64_t nid = pick((uint64_t)nn + 1);
                a = L->free_all(ls, nid);
                b = R->free_all(rs_, nid);
            }
            int diff = a.err != b.err || (a.err == BF_OK && a.value != b.value);
            for (int k = 0; k < nn && !diff; k++) {
                bf_node_info x, y;
                L->node_info(ls, (uint64_t)k, &x);
                R->node_info(rs_, (uint64_t)k, &y);
                diff = x.live != y.live || x.last_success != y.last_success ||
                       x.last_pos != y.last_pos || x.last_offset != y.last_offset;
                for (uint64_t pf = x.start_pfn; pf < x.end_pfn && !diff; pf++)
                    diff = L->page_reserved(ls, pf) != R->page_reserved(rs_, pf);
            }
            if (diff && bad++ < 5)
                fprintf(stderr, "bench: linux yardstick differs from ref: seed %llu call %d op %llu\n",
                        (unsigned long long)sd, c, (unsigned long long)op);
        }
        L->destroy(ls);
        R->destroy(rs_);
    }
    printf("linux yardstick vs ref: %llu random calls on small nodes, %llu differing\n",
           (unsigned long long)calls, (unsigned long long)bad);
    return bad;
}

int main(int argc, char **argv)
{
    char datpath[1024];
    const char *q = getenv("BENCH_QUICK"), *cp = getenv("BENCH_CAP");
    be_list[B_FAST] = &bf_backend_fast;
    be_list[B_LINUX] = &bf_backend_linux_bitmap;
    be_list[B_2614] = &bf_backend_2614; /* weak: NULL when the port is not linked */
    be_list[B_REF] = &bf_backend_ref;
    if (cp && atof(cp) > 0)
        cap_slow = atof(cp);
    if (q && *q == '1') {
        nsizes = 6;
        cap_slow = cp ? cap_slow : 0.05;
        cap_fast = 0.1;
        budget_fast = 50000;
    }
    snprintf(datpath, sizeof datpath, "%s.dat", argv[0]);
    if (argc > 1)
        snprintf(datpath, sizeof datpath, "%s", argv[1]);
    for (int z = 0; z < nsizes; z++)
        scan_ns[z] = run_scan(sizes[z]);
    printf("bootfuzz bench: fast, linux, 2614, ref on one node at pfn 0 (backends: fast linux%s ref)\n",
           be_list[B_2614] ? " 2614" : " [2614 not linked]");
    uint64_t yard_bad = check_linux_vs_ref();
    fflush(stdout);
    run_all();
    FILE *dat = fopen(datpath, "w");
    if (dat)
        fprintf(dat, "# workload pages fast_ns 2614_ns ref_ns linux_ns (from bench/bench.c)\n");
    print_table(dat);
    print_goals();
    print_goals15();
    printf("\nanswers differing from fast's: linux %llu, ref %llu (on every call both made)\n",
           (unsigned long long)mismatches[B_LINUX], (unsigned long long)mismatches[B_REF]);
    if (dat) {
        fclose(dat);
        printf("data for bench/plot.gp: %s\n", datpath);
    }
    free(rf_ops);
    free(rf_resv);
    free(ans_log);
    return mismatches[B_LINUX] || mismatches[B_REF] || yard_bad ? 1 : 0;
}
