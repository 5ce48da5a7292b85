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
 *
 * The parts: bench.h says what each file holds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "linux_bitmap.h"

const bf_backend *be_list[NBE];

double cap_slow = 0.3;   /* seconds per workload/size for linux, 2614 and ref */
double cap_fast = 0.5;   /* ... and for fast, with a call budget */
uint64_t budget_fast = 400000;
uint64_t sizes[MAXSZ] = {1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216};
int nsizes = MAXSZ;
meas res_[NW][MAXSZ][NBE];
double scan_ns[MAXSZ], bare_ns[MAXSZ], null_ns[MAXSZ];

double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------ rng */

uint64_t rs;
void seed(uint64_t s) { rs = s * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL; }
uint64_t rnd(void)
{
    uint64_t z = (rs += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
uint64_t pick(uint64_t n) { return rnd() % n; }

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
    measure_done();
    return mismatches[B_LINUX] || mismatches[B_REF] || yard_bad ? 1 : 0;
}
