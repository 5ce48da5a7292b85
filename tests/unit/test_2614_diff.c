/*
 * test_2614_diff.c - the 2.6.14 port with every bug switch off ("2614fixed")
 * against the reference, call by call on random call sequences: every answer,
 * every node's state, every page bit and the backing memory must agree.
 * Then the port with its bugs on, on the same kind of sequences, must never
 * crash or trip a sanitizer (its answers are not compared).
 * Prints "ok - NAME" / "not ok - NAME" per check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootfuzz/backend.h"

extern const bf_backend bf_backend_ref;
extern const bf_backend bf_backend_2614;
extern const bf_backend bf_backend_2614fixed;

#include "tap.h"

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static uint64_t pick(uint64_t n) { return n ? rnd() % n : 0; }

#define MAXN 6
#define MEMPAGES 40

typedef struct side {
    const bf_backend *be;
    void *sys;
    uint8_t *mem[MAXN];
} side;

typedef struct world {
    uint64_t start[MAXN], end[MAXN];
    int n;
} world;

static uint64_t node_pages_choice(void)
{
    static const uint64_t sizes[] = {1, 2, 3, 7, 16, 17, 31, 63, 64, 65, 100, 128, 130, 200};
    return sizes[pick(sizeof sizes / sizeof sizes[0])];
}

static uint64_t start_choice(const world *w)
{
    uint64_t last = w->n ? w->end[w->n - 1] : 0;
    switch (pick(8)) {
    case 0: return 0;
    case 1: return pick(40);
    case 2: return last + pick(5);
    case 3: return last + pick(300);
    case 4: return (((uint64_t)1 << 52) - 1) - pick(400);
    case 5: return ((uint64_t)1 << 20) + pick(64);
    case 6: return w->n ? w->start[pick((uint64_t)w->n)] + pick(4) : 16;
    default: return last + 64 * pick(4);
    }
}

/* A range inside one node (often page-aligned), or NULL-ish when none. */
static void range_in_node(const world *w, uint64_t *addr, uint64_t *size)
{
    int i = (int)pick((uint64_t)w->n);
    uint64_t pages = w->end[i] - w->start[i];
    uint64_t first = pick(pages), n = 1 + pick(pages - first);
    *addr = (w->start[i] + first) << 12;
    *size = n << 12;
    if (pick(4) == 0) { /* unaligned ends */
        uint64_t cut = pick(0x1000);
        *addr += cut;
        *size -= cut ? cut : 0;
        if (*size == 0)
            *size = 1;
    }
}

/* An address near a node (or anywhere). */
static uint64_t addr_choice(const world *w)
{
    if (!w->n || pick(10) == 0) {
        switch (pick(4)) {
        case 0: return rnd();
        case 1: return UINT64_MAX - pick(0x3000);
        case 2: return pick(0x40000);
        default: return 0;
        }
    }
    int i = (int)pick((uint64_t)w->n);
    uint64_t lo = w->start[i] << 12, hi = w->end[i] << 12;
    switch (pick(6)) {
    case 0: return lo + pick(hi - lo);
    case 1: return lo + (pick(hi - lo) & ~(uint64_t)0xfff);
    case 2: return lo - pick(0x2000);
    case 3: return hi - pick(0x2000);
    case 4: return hi + pick(0x2000);
    default: return lo + pick(0x800) * 16;
    }
}

static uint64_t size_choice(void)
{
    switch (pick(12)) {
    case 0: return 0;
    case 1: return UINT64_MAX - pick(0x2000);
    case 2: return rnd();
    case 3: return 1 + pick(100);
    case 4: return 4096 * (1 + pick(4));
    case 5: return 4096 * (1 + pick(40)) - pick(3);
    case 6: return 1 + pick(0x3000);
    default: return 1 + pick(0x10000);
    }
}

static uint64_t align_choice(void)
{
    switch (pick(10)) {
    case 0: return 0;
    case 1: return (uint64_t)1 << pick(64);
    case 2: return 3 + pick(100);
    case 3: return (uint64_t)1 << pick(8);
    case 4: case 5: return 4096;
    case 6: return (uint64_t)1 << (12 + pick(6));
    default: return 0;
    }
}

static uint64_t goal_choice(const world *w)
{
    if (pick(3) == 0)
        return 0;
    return addr_choice(w);
}

static uint64_t limit_choice(const world *w)
{
    switch (pick(8)) {
    case 0: return 1 + pick(0x1800);
    case 1: return UINT64_MAX - pick(2);
    case 2: case 3: return addr_choice(w);
    default: return 0;
    }
}

static int same_result(bf_result a, bf_result b)
{
    if (a.err != b.err)
        return 0;
    return a.err != BF_OK || a.value == b.value;
}

static const char *fmt(bf_result r, char *buf, size_t cap)
{
    if (r.err == BF_OK)
        snprintf(buf, cap, "OK 0x%llx", (unsigned long long)r.value);
    else if (r.err == BF_BUG)
        snprintf(buf, cap, "BUG %s @%d", r.bug_cond ? r.bug_cond : "?", r.bug_line);
    else
        snprintf(buf, cap, "err %d", (int)r.err);
    return buf;
}

/* Compare every node's state, page bits and backing memory. */
static int same_state(side *a, side *b, const world *w, char *why, size_t cap)
{
    for (int i = 0; i < w->n; i++) {
        bf_node_info x, y;
        if (a->be->node_info(a->sys, (uint64_t)i, &x) || b->be->node_info(b->sys, (uint64_t)i, &y)) {
            snprintf(why, cap, "node_info %d missing", i);
            return 0;
        }
        if (x.start_pfn != y.start_pfn || x.end_pfn != y.end_pfn || x.live != y.live ||
            x.last_success != y.last_success || x.last_pos != y.last_pos ||
            x.last_offset != y.last_offset) {
            snprintf(why, cap,
                     "node %d: live %d/%d last_success 0x%llx/0x%llx last_pos %llu/%llu "
                     "last_offset %llu/%llu",
                     i, x.live, y.live, (unsigned long long)x.last_success,
                     (unsigned long long)y.last_success, (unsigned long long)x.last_pos,
                     (unsigned long long)y.last_pos, (unsigned long long)x.last_offset,
                     (unsigned long long)y.last_offset);
            return 0;
        }
        for (uint64_t p = w->start[i] ? w->start[i] - 1 : 0; p <= w->end[i]; p++) {
            int ra = a->be->page_reserved(a->sys, p), rb = b->be->page_reserved(b->sys, p);
            if (ra != rb) {
                snprintf(why, cap, "page 0x%llx: %d/%d", (unsigned long long)p, ra, rb);
                return 0;
            }
        }
        if (a->be->read_bits && b->be->read_bits) {
            uint64_t wa[8], wb[8], first = 64 * pick(2);
            int ka = a->be->read_bits(a->sys, (uint64_t)i, first, wa, 8);
            int kb = b->be->read_bits(b->sys, (uint64_t)i, first, wb, 8);
            if (ka != kb || (ka == 0 && memcmp(wa, wb, sizeof wa))) {
                snprintf(why, cap, "read_bits of node %d differ", i);
                return 0;
            }
        }
        uint64_t pages = w->end[i] - w->start[i];
        if (pages > MEMPAGES)
            pages = MEMPAGES;
        if (memcmp(a->mem[i], b->mem[i], (size_t)pages * 4096)) {
            snprintf(why, cap, "backing memory of node %d differs", i);
            return 0;
        }
    }
    return 1;
}

/* One random call on both sides (b may be NULL: only a runs). */
static int step(side *a, side *b, world *w, char *line, size_t cap, bf_result *ra, bf_result *rb)
{
    bf_result x = {BF_OK, 0, 0, 0}, y = x;
    uint64_t op = pick(100);
    if (op < 8 || w->n == 0) {
        uint64_t s = start_choice(w), pages = node_pages_choice();
        if (pick(20) == 0)
            pages = pick(3) ? 0 : ((uint64_t)1 << 32) + 1;
        uint64_t e = s + pages;
        int slot = w->n;
        int mem = slot < MAXN && pages && pages <= MEMPAGES && pick(2);
        snprintf(line, cap, "node %llu %llu%s", (unsigned long long)s, (unsigned long long)e,
                 mem ? " mem" : "");
        if (mem) {
            memset(a->mem[slot], 0xa5, MEMPAGES * 4096);
            if (b)
                memset(b->mem[slot], 0xa5, MEMPAGES * 4096);
        }
        if (slot >= MAXN) { /* keep the world small: only invalid nodes now */
            s = w->start[0];
            e = s + 1;
        }
        x = a->be->add_node(a->sys, s, e, mem ? a->mem[slot] : NULL);
        if (b)
            y = b->be->add_node(b->sys, s, e, mem ? b->mem[slot] : NULL);
        if (x.err == BF_OK && slot < MAXN) {
            w->start[slot] = s;
            w->end[slot] = e;
            w->n++;
        }
    } else if (op < 25) {
        uint64_t ad = addr_choice(w), sz = pick(4) ? 4096 * (1 + pick(6)) - pick(2) * pick(0x1000) : size_choice();
        if (pick(10) < 6)
            range_in_node(w, &ad, &sz);
        snprintf(line, cap, "reserve 0x%llx 0x%llx", (unsigned long long)ad, (unsigned long long)sz);
        x = a->be->reserve(a->sys, ad, sz);
        if (b)
            y = b->be->reserve(b->sys, ad, sz);
    } else if (op < 47) {
        uint64_t ad = addr_choice(w), sz = pick(4) ? 4096 * (1 + pick(20)) + pick(2) * pick(0x1000) : size_choice();
        if (pick(10) < 7)
            range_in_node(w, &ad, &sz);
        snprintf(line, cap, "free 0x%llx 0x%llx", (unsigned long long)ad, (unsigned long long)sz);
        x = a->be->free(a->sys, ad, sz);
        if (b)
            y = b->be->free(b->sys, ad, sz);
    } else if (op < 97) {
        uint64_t sz = size_choice(), al = align_choice(), g = goal_choice(w), l = limit_choice(w);
        if (pick(3) == 0) {
            uint64_t nid = pick((uint64_t)w->n + 1);
            snprintf(line, cap, "alloc_node %llu 0x%llx align=0x%llx goal=0x%llx limit=0x%llx",
                     (unsigned long long)nid, (unsigned long long)sz, (unsigned long long)al,
                     (unsigned long long)g, (unsigned long long)l);
            x = a->be->alloc_node(a->sys, nid, sz, al, g, l);
            if (b)
                y = b->be->alloc_node(b->sys, nid, sz, al, g, l);
        } else {
            snprintf(line, cap, "alloc 0x%llx align=0x%llx goal=0x%llx limit=0x%llx",
                     (unsigned long long)sz, (unsigned long long)al, (unsigned long long)g,
                     (unsigned long long)l);
            x = a->be->alloc(a->sys, sz, al, g, l);
            if (b)
                y = b->be->alloc(b->sys, sz, al, g, l);
        }
    } else {
        uint64_t nid = pick((uint64_t)w->n + 1);
        snprintf(line, cap, "free_all %llu", (unsigned long long)nid);
        x = a->be->free_all(a->sys, nid);
        if (b)
            y = b->be->free_all(b->sys, nid);
    }
    *ra = x;
    *rb = y;
    return b ? same_result(x, y) : 1;
}

static void side_init(side *s, const bf_backend *be)
{
    s->be = be;
    s->sys = be->create();
    for (int i = 0; i < MAXN; i++) {
        s->mem[i] = malloc(MEMPAGES * 4096);
        if (!s->mem[i])
            abort();
        memset(s->mem[i], 0xa5, MEMPAGES * 4096); /* nodes without memory: untouched */
    }
}

static void side_fini(side *s)
{
    s->be->destroy(s->sys);
    for (int i = 0; i < MAXN; i++)
        free(s->mem[i]);
}

/* Differential: 2614fixed against ref. */
static void run_diff(uint64_t seed, int sequences, int calls)
{
    side r, f;
    side_init(&r, &bf_backend_ref);
    side_init(&f, &bf_backend_2614fixed);
    rng_state = seed;
    int bad = 0;
    char line[256], why[256] = "", ba[128], bb[128];
    long total = 0;
    for (int q = 0; q < sequences && !bad; q++) {
        world w = {{0}, {0}, 0};
        r.be->reset(r.sys);
        f.be->reset(f.sys);
        for (int c = 0; c < calls && !bad; c++) {
            bf_result x, y;
            total++;
            if (!step(&r, &f, &w, line, sizeof line, &x, &y)) {
                printf("# seq %d call %d: %s: ref %s, 2614fixed %s\n", q, c, line,
                       fmt(x, ba, sizeof ba), fmt(y, bb, sizeof bb));
                bad = 1;
            } else if (!same_state(&r, &f, &w, why, sizeof why)) {
                printf("# seq %d call %d: after %s: %s\n", q, c, line, why);
                bad = 1;
            }
        }
    }
    printf("# %ld calls compared (seed 0x%llx)\n", total, (unsigned long long)seed);
    char name[128];
    snprintf(name, sizeof name, "2614fixed agrees with ref on random sequences (seed 0x%llx)",
             (unsigned long long)seed);
    check(!bad, name);
    side_fini(&r);
    side_fini(&f);
}

/* The port with its bugs on: it must answer every call (BUGs end a sequence),
 * and never crash.  Under ASan bug A's read one word past the map is a real
 * out-of-bounds read by design, so A is switched off there. */
static void run_buggy(uint64_t seed, int sequences, int calls, const char *off)
{
    side b;
    side_init(&b, &bf_backend_2614);
    rng_state = seed;
    long bugs = 0, total = 0;
    int sane = 1;
    char line[256];
    for (int q = 0; q < sequences; q++) {
        world w = {{0}, {0}, 0};
        b.be->reset(b.sys);
        for (const char *o = off; o && *o; o++) {
            char name[2] = {*o, 0};
            b.be->set_option(b.sys, name, 0);
        }
        for (int c = 0; c < calls; c++) {
            bf_result x, y;
            total++;
            step(&b, NULL, &w, line, sizeof line, &x, &y);
            if (x.err == BF_BUG) {
                bugs++;
                if (!x.bug_cond || x.bug_line <= 0)
                    sane = 0;
                break;
            }
            if (x.err >= BF_ERR_COUNT)
                sane = 0;
        }
    }
    printf("# %ld calls on 2614 (switches %s off), %ld sequences ended by a BUG\n", total,
           off && *off ? off : "none", bugs);
    char name[160];
    snprintf(name, sizeof name,
             "2614 (switches %s off) answers every call, BUGs carry a condition and line",
             off && *off ? off : "none");
    check(sane && bugs > 0, name);
    side_fini(&b);
}

int main(void)
{
    run_diff(0x2614, 1500, 60);
    run_diff(0xdecafbad12345ull, 1500, 60);
    run_diff(0x9e3779b97f4a7c15ull, 400, 200);
    run_buggy(0x51ce, 3000, 60, "");
    run_buggy(0x51cf, 2000, 100, "L");
    return failures ? 1 : 0;
}
