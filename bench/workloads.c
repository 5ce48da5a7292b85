/*
 * bench/workloads.c - the workloads: the node patterns
 * (which pages start reserved) and request lists of each, from fixed seeds.
 * (a part of `make bench`: bench/bench.h)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

void *node_with(const bf_backend *be, uint64_t pages, const uint64_t *resv)
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

/* ------------------------------------------------------------ workloads */

const wl wls[NW] = {
    {"boot", "free all, then 16 B-64 KiB blocks, align 64 or 4096, goal 16 MiB"},
    {"fragmented", "random 50% reserved; 1-32 pages, goal 0 or random"},
    {"frag-fail", "same node; 25-32 pages (no fit anywhere)"},
    {"checkerboard", "every other page reserved; 2 pages (all fail)"},
    {"huge-aligned", "1 page in 256 reserved; 2 MiB aligned to 2 MiB, goal 0 or random"},
    {"limited", "limit = quarter of node (4 GiB at 4M pages), fragmented below, "
                "16 pages free just under it; 9-32 pages"},
    {"limited-fail", "same node; 17-32 pages (fit only above the limit)"},
    {"churn", "half full of 1-64 page blocks; alloc random block, then (if it fit) free random block"},
    {"reserve/free", "chunks of 1-16 pages, half free; reserve a free one or free a reserved one"},
};

uint64_t *make_pattern(int w, uint64_t pages)
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

req *make_requests(int w, uint64_t pages, uint64_t n)
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
