/*
 * engine_stability.c - does an input's coverage depend on the input run
 * before it?  The libFuzzer equivalent of AFL++'s stability figure.
 *
 * Linked with the objects of a libFuzzer build (make libfuzzer:
 * build/libfuzzer/fuzz/stability-TARGET): the instrumented code's edge
 * counters (-fsanitize=fuzzer-no-link, inline 8-bit counters) register
 * here instead of with libFuzzer.  Every input given (files, or every file
 * below a directory, in name order) runs in three orders in one process:
 * in order, reversed, and shuffled (a fixed seed), so each input follows a
 * different one each time.  Its edges (counters bucketed as AFL++ and
 * libFuzzer bucket them: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+) must be
 * the same every time.  Prints the inputs whose edges differ (with the
 * input run before them) and "stability P% (V of H edges vary)", P as
 * AFL++ computes it; exits 1 when any edge varies, 2 on a usage error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
void __sanitizer_cov_8bit_counters_init(uint8_t *start, uint8_t *stop);
void __sanitizer_cov_pcs_init(const uintptr_t *beg, const uintptr_t *end);
/* from the sanitizer runtime (ASan builds): where an edge is, as text */
void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out, size_t cap)
    __attribute__((weak));

/* the counter arrays of the instrumented objects (one per object) */
#define MAX_MODULES 64
static struct {
    uint8_t *start, *stop;
} mod[MAX_MODULES];
static unsigned nmod, npcs;
static size_t nedges;
/* each object's PC table: (pc, flags) per counter, in the counters' order */
static const uintptr_t *pcs[MAX_MODULES];

void __sanitizer_cov_pcs_init(const uintptr_t *beg, const uintptr_t *end)
{
    (void)end;
    if (npcs < MAX_MODULES)
        pcs[npcs++] = beg;
}

/* "function file:line" of edge e, when the runtime can say */
static const char *where(size_t e)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "edge %zu", e);
    for (unsigned m = 0; m < nmod && npcs == nmod; m++) {
        size_t n = (size_t)(mod[m].stop - mod[m].start);
        if (e >= n) {
            e -= n;
            continue;
        }
        if (__sanitizer_symbolize_pc)
            __sanitizer_symbolize_pc((void *)pcs[m][2 * e], "%F %L", buf, sizeof buf);
        break;
    }
    return buf;
}

void __sanitizer_cov_8bit_counters_init(uint8_t *start, uint8_t *stop)
{
    if (nmod == MAX_MODULES) {
        fprintf(stderr, "stability: more than %d instrumented objects\n", MAX_MODULES);
        exit(2);
    }
    mod[nmod].start = start;
    mod[nmod].stop = stop;
    nmod++;
    nedges += (size_t)(stop - start);
}

static uint8_t bucket(uint8_t c)
{
    return c == 0 ? 0 : c < 4 ? c : c < 8 ? 4 : c < 16 ? 5 : c < 32 ? 6 : c < 128 ? 7 : 8;
}

typedef struct input {
    char *path;
    uint8_t *data;
    size_t size;
    uint8_t *map; /* bucketed edges of its first run (nedges) */
} input;

static input *in;
static size_t nin, capin;

static int load(const char *path, void *ctx)
{
    (void)ctx;
    if (nin == capin) {
        capin = capin ? 2 * capin : 256;
        in = realloc(in, capin * sizeof *in);
        if (!in)
            abort();
    }
    input *x = &in[nin];
    memset(x, 0, sizeof *x);
    if (bf_read_file(path, &x->data, &x->size) != 0) {
        fprintf(stderr, "stability: %s: %s\n", path, strerror(errno));
        return 1;
    }
    x->path = strdup(path);
    if (!x->path)
        abort();
    nin++;
    return 0;
}

/* Run input i alone (counters cleared first), its bucketed edges into out. */
static void run(size_t i, uint8_t *out)
{
    for (unsigned m = 0; m < nmod; m++)
        memset(mod[m].start, 0, (size_t)(mod[m].stop - mod[m].start));
    /* an exact-size copy, as the engines hand it over */
    uint8_t *copy = malloc(in[i].size ? in[i].size : 1);
    if (!copy)
        abort();
    memcpy(copy, in[i].data, in[i].size);
    LLVMFuzzerTestOneInput(copy, in[i].size);
    free(copy);
    size_t e = 0;
    for (unsigned m = 0; m < nmod; m++)
        for (uint8_t *c = mod[m].start; c < mod[m].stop; c++)
            out[e++] = bucket(*c);
}

int main(int argc, char **argv)
{
    int rc = 0, files = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1])
            continue;
        rc |= bf_walk(argv[i], NULL, load, NULL) != 0;
        files++;
    }
    if (!files || rc || nin == 0) {
        fprintf(stderr, "usage: %s FILE|DIR...  (runs every input in three orders; its "
                        "coverage must not change)\n", argv[0]);
        return 2;
    }
    LLVMFuzzerInitialize(&argc, &argv);
    uint8_t *varies = calloc(nedges ? nedges : 1, 1), *hit = calloc(nedges ? nedges : 1, 1);
    uint8_t *now = malloc(nedges ? nedges : 1);
    size_t *order = malloc(nin * sizeof *order);
    if (!varies || !hit || !now || !order)
        abort();
    for (size_t i = 0; i < nin; i++) {
        in[i].map = malloc(nedges ? nedges : 1);
        if (!in[i].map)
            abort();
    }
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    unsigned long bad = 0;
    for (int pass = 0; pass < 3; pass++) {
        for (size_t i = 0; i < nin; i++)
            order[i] = pass == 1 ? nin - 1 - i : i;
        if (pass == 2) /* Fisher-Yates with a fixed xorshift seed */
            for (size_t i = nin - 1; i > 0; i--) {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                size_t j = (size_t)(rng % (i + 1)), t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        for (size_t k = 0; k < nin; k++) {
            size_t i = order[k];
            run(i, pass == 0 ? in[i].map : now);
            for (size_t e = 0; pass == 0 && e < nedges; e++)
                hit[e] |= in[i].map[e] != 0;
            if (pass == 0)
                continue;
            size_t diff = 0, first = 0;
            for (size_t e = 0; e < nedges; e++) {
                if (now[e] != in[i].map[e]) {
                    if (!diff++)
                        first = e;
                    varies[e] = 1;
                    hit[e] = 1;
                }
            }
            if (diff && bad++ < 10)
                printf("varies: %s: %zu edges differ (first: %s, bucket %u then %u), run "
                       "after %s\n", in[i].path, diff, where(first), in[i].map[first], now[first],
                       k ? in[order[k - 1]].path : "(the previous pass)");
        }
    }
    size_t nhit = 0, nvar = 0;
    for (size_t e = 0; e < nedges; e++) {
        nhit += hit[e];
        nvar += varies[e];
    }
    printf("stability %.2f%% (%zu of %zu edges vary; %zu inputs x 3 orders, %lu runs differ)\n",
           nhit ? 100.0 * (double)(nhit - nvar) / (double)nhit : 100.0, nvar, nhit, nin, bad);
    for (size_t i = 0; i < nin; i++) {
        free(in[i].path);
        free(in[i].data);
        free(in[i].map);
    }
    free(in);
    free(varies);
    free(hit);
    free(now);
    free(order);
    return nvar ? 1 : 0;
}
