/*
 * test_fast_read_bits.c - fast's and fast_small's read_bits against the
 * reference's, for every `first` (a multiple of 64: backend.h) and every
 * word count up to two words past the node's end, on nodes of word- and
 * block-edge sizes at misaligned starts (fast keeps a node's first page at
 * bit off0 of its map, so every shift is met) after random reserves and
 * frees.  The checker reads nodes this way: whole, and the words a call
 * names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends.h"
#include "ref.h"
#include "tap.h"

#define PAGE BF_PAGE_SIZE

#define rnd tap_rand

int main(void)
{
    const long rounds = 60;
    static const char *const names[] = {"fast", "fast_small"};
    static const uint64_t sizes[] = {1, 2, 63, 64, 65, 127, 128, 129, 191, 192, 193, 300,
                                     511, 512, 513, 640, 1000, 1025, 4100};
    long checks = 0, bad = 0;
    for (int b = 0; b < 2; b++) {
        const bf_backend *be = bf_backend_find(names[b]), *ref = &bf_backend_ref;
        void *x = be->create(), *y = ref->create();
        for (long round = 0; round < rounds; round++) {
            be->reset(x);
            ref->reset(y);
            uint64_t nn = 1 + rnd() % 4, st[4], en[4], prev = rnd() % 200;
            for (uint64_t i = 0; i < nn; i++) {
                st[i] = prev + rnd() % 3;
                en[i] = st[i] + sizes[rnd() % (sizeof sizes / sizeof *sizes)];
                prev = en[i];
                be->add_node(x, st[i], en[i], NULL);
                ref->add_node(y, st[i], en[i], NULL);
                if (rnd() % 4) {
                    be->free(x, st[i] * PAGE, (en[i] - st[i]) * PAGE);
                    ref->free(y, st[i] * PAGE, (en[i] - st[i]) * PAGE);
                }
            }
            for (int op = 0; op < 40; op++) {
                uint64_t j = rnd() % nn, z = en[j] - st[j];
                uint64_t at = st[j] + rnd() % z, len = 1 + rnd() % (en[j] - at);
                if (rnd() % 2) {
                    be->reserve(x, at * PAGE, len * PAGE);
                    ref->reserve(y, at * PAGE, len * PAGE);
                } else {
                    be->free(x, at * PAGE, len * PAGE);
                    ref->free(y, at * PAGE, len * PAGE);
                }
            }
            for (uint64_t j = 0; j < nn; j++) {
                uint64_t pages = en[j] - st[j], nw = (pages + 63) / 64 + 2;
                for (uint64_t f = 0; f <= nw * 64; f += 64)
                    for (uint64_t k = 1; k <= nw; k++) {
                        uint64_t a[80], c[80];
                        memset(a, 0xa5, sizeof a);
                        memset(c, 0xa5, sizeof c);
                        int ra = be->read_bits(x, j, f, a, k), rc = ref->read_bits(y, j, f, c, k);
                        checks++;
                        if ((ra != rc || memcmp(a, c, sizeof a)) && bad++ < 3) {
                            printf("# %s: node %llu [%llu,%llu) first %llu nwords %llu: "
                                   "differs from ref (rc %d vs %d)\n",
                                   names[b], (unsigned long long)j, (unsigned long long)st[j],
                                   (unsigned long long)en[j], (unsigned long long)f,
                                   (unsigned long long)k, ra, rc);
                        }
                    }
            }
        }
        be->destroy(x);
        ref->destroy(y);
    }
    char what[160];
    snprintf(what, sizeof what, "read_bits of fast and fast_small: every first and word count "
             "as the reference's (%ld reads)", checks);
    check(bad == 0 && checks > 0, what);
    return failures != 0;
}
