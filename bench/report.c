/*
 * bench/report.c - the results: the table (ns per call and
 * ratios), the data file for bench/plot.gp, the goals of issues 4 and 15.
 * (a part of `make bench`: bench/bench.h)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

void fmt_ns(char *buf, size_t n, const meas *m)
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

void fmt_ratio(char *buf, size_t n, const meas *a, const meas *f)
{
    if (!a->ran || !f->ran)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.3g", a->ns / f->ns);
}

const char *size_name(uint64_t p)
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

int size_index(uint64_t p)
{
    for (int z = 0; z < nsizes; z++)
        if (sizes[z] == p)
            return z;
    return -1;
}

void print_table(FILE *dat)
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
int goal_line(int met, const char *fmt, double x, double y)
{
    printf("  [%s] ", met ? "met" : "NOT met");
    printf(fmt, x, y);
    printf("\n");
    return met;
}

/* Issue 15: fast against the Linux-style bitmap at >= 64K pages, every
 * workload; against 2.6.14 on small-node churn.  Returns how many missed. */
int print_goals15(void)
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

void print_goals(void)
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
