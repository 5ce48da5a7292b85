/*
 * bench/bench.h - what the parts of `make bench` share: the backends
 * compared, the workloads and sizes, the results table, the random
 * numbers, and each part's entry points.
 *
 *   bench.c      the run: backends, settings, the yardstick's check, main
 *   workloads.c  node patterns and request lists of each workload
 *   measure.c    timing each backend on a workload, answers checked
 *   report.c     the table, the data file for bench/plot.gp, the goals
 *
 * Units: pages (node sizes, patterns), bytes (requests, as the contract's
 * calls take them), ns per call (results).
 */
#ifndef BOOTFUZZ_BENCH_H
#define BOOTFUZZ_BENCH_H

#include <stdint.h>
#include <stdio.h>

#include "bootfuzz/backend.h"

extern const bf_backend bf_backend_fast;
extern const bf_backend bf_backend_ref;
extern const bf_backend bf_backend_2614 __attribute__((weak));

#define PG 4096ULL
/* fast, the Linux-style bitmap yardstick (bench/linux_bitmap.c), the 2.6.14
 * port, the reference */
enum { B_FAST, B_LINUX, B_2614, B_REF, NBE };
extern const bf_backend *be_list[NBE];
extern double cap_slow, cap_fast;
extern uint64_t budget_fast;

double now(void);
void seed(uint64_t s);
uint64_t rnd(void);
uint64_t pick(uint64_t n);

/* resv: 1 bit per page, 1 = reserved.  A node starts all reserved; freeing
 * each maximal free run gives the pattern. */
static inline uint64_t *pat_new(uint64_t pages) { return calloc((pages + 63) / 64 + 1, 8); }
static inline int pat_get(const uint64_t *p, uint64_t i) { return (int)((p[i >> 6] >> (i & 63)) & 1); }
static inline void pat_set(uint64_t *p, uint64_t i) { p[i >> 6] |= 1ULL << (i & 63); }

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

enum { W_BOOT, W_FRAG, W_FRAGFAIL, W_CHECK, W_HUGE, W_LIMIT, W_LIMITFAIL, W_CHURN, W_RESFREE, NW };
extern const wl wls[NW];
#define MAXSZ 8
extern uint64_t sizes[MAXSZ];
extern int nsizes;
extern meas res_[NW][MAXSZ][NBE];
extern double scan_ns[MAXSZ], bare_ns[MAXSZ], null_ns[MAXSZ];

/* workloads.c */
void *node_with(const bf_backend *be, uint64_t pages, const uint64_t *resv);
uint64_t *make_pattern(int w, uint64_t pages);
req *make_requests(int w, uint64_t pages, uint64_t n);

/* measure.c: answers of linux and ref that differ from fast's */
extern uint64_t mismatches[NBE];
meas run_requests(int b, uint64_t pages, const uint64_t *resv, const req *rq, uint64_t nrq,
                  bf_result *expect);
meas run_boot(int b, uint64_t pages, const req *rq, uint64_t nrq, bf_result *expect);
meas run_churn(int b, uint64_t pages, uint64_t sd);
void rf_build(uint64_t pages, uint64_t nops);
meas run_resfree(int b, uint64_t pages);
double run_bare(uint64_t pages);
double run_null(void);
double run_scan(uint64_t pages);
void measure_done(void); /* frees what the measurements kept */

/* report.c */
void print_table(FILE *dat);
void print_goals(void);
int print_goals15(void);

#endif
