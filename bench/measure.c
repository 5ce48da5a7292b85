/*
 * bench/measure.c - timing one backend on one workload
 * and node size: only the calls are timed, each answer is checked against
 * fast's answers (linux and ref must agree; 2614 keeps its bugs).
 * (a part of `make bench`: bench/bench.h)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

/* answers of linux and ref that differ from fast's (the exact backends:
 * every one must answer as fast does; 2614 keeps its bugs, so not it) */
uint64_t mismatches[NBE];

void check_answer(int b, const bf_result *got, const bf_result *want)
{
    if ((b == B_LINUX || b == B_REF) &&
        (got->err != want->err || (got->err == BF_OK && got->value != want->value)))
        mismatches[b]++;
}

/* Answers of fast to a sequence of calls that depends on the answers
 * (churn, reserve/free): fast runs first and logs every answer; the others
 * are checked against the log as far as they go. */
bf_result *ans_log;
uint64_t ans_n, ans_cap;

void log_answer(int b, uint64_t at, const bf_result *r)
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
uint64_t budget_of(int b) { return b == B_FAST || b == B_LINUX ? budget_fast : UINT64_MAX; }
double cap_of(int b) { return b == B_FAST ? cap_fast : cap_slow; }
volatile uint64_t sink;

/* Requests against a fixed node state; successful blocks are freed again
 * after each batch (untimed), so every batch sees the same node. */
meas run_requests(int b, uint64_t pages, const uint64_t *resv, const req *rq, uint64_t nrq,
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
meas run_boot(int b, uint64_t pages, const req *rq, uint64_t nrq, bf_result *expect)
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
 * block, on a node about half full of blocks.  A failed alloc is not
 * followed by a free: the node stays as full as it started for every
 * backend.  (Freeing after a failure drained the node at each failure, and
 * a backend that fails more drained faster: 2614, whose bug A oopses on
 * some searches fast and ref answer, ran its 0.3 s on a 1K-page node it had
 * emptied, while fast's stayed about a third full, so the two timed
 * different workloads.) */
meas run_churn(int b, uint64_t pages, uint64_t sd)
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
        uint64_t made = 32; /* the allocs, and each free below */
        double t0 = now();
        for (int n = 0; n < 32; n++) {
            uint64_t size = (1 + pick(64)) * PG, goal = pick(2) ? pick(pages) * PG : 0;
            bf_result r = got[n] = be->alloc(s, size, PG, goal, 0);
            if (r.err != BF_OK) {
                m.fails++;
                continue;
            }
            if (nlive < maxlive) {
                la[nlive] = r.value;
                ls[nlive++] = size;
            }
            if (nlive) {
                uint64_t k = pick(nlive);
                be->free(s, la[k], ls[k]);
                la[k] = la[--nlive];
                ls[k] = ls[nlive];
                made++;
            }
        }
        spent += now() - t0;
        /* the allocs' answers (each depends on the ones before it) */
        for (int n = 0; n < 32; n++)
            log_answer(b, nalloc++, &got[n]);
        m.calls += made;
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

rfop *rf_ops;
uint64_t rf_nops;
uint64_t *rf_resv;

/* chunks of 1-16 pages, half of them free; each op flips one chunk */
void rf_build(uint64_t pages, uint64_t nops)
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

meas run_resfree(int b, uint64_t pages)
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

double run_bare(uint64_t pages)
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

double run_null(void)
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

double run_scan(uint64_t pages)
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

void measure_done(void)
{
    free(rf_ops);
    free(rf_resv);
    free(ans_log);
}
