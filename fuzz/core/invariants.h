/*
 * invariants.h - contract section 4, checked after every call on a backend.
 *
 * The checker never calls the reference: it keeps its own shadow of the
 * nodes, the live blocks and an image of each node's backing memory, and
 * reads the backend's state through the bf_backend queries.  So it can judge
 * the reference too (the `ref` fuzz target does exactly that).
 */
#ifndef BOOTFUZZ_INVARIANTS_H
#define BOOTFUZZ_INVARIANTS_H

#include "session.h"

#define BF_MAX_BLOCKS 256
#define BF_NFREE_UNKNOWN UINT64_MAX
/* Word ranges up to this long are compared and copied in a loop, longer
 * ones by memcmp/memcpy (whose call a sanitizer build intercepts: dear for
 * a few words). */
#define BF_FEW_WORDS 8

typedef struct bf_inv_node {
    uint64_t start, end;
    int live;
    uint64_t nwords;
    uint64_t *bits, *next; /* reserved bits after the last call / this call */
    uint64_t nfree;        /* pages free in bits, or BF_NFREE_UNKNOWN once they
                            * changed (counted again when §4.6 asks: it skips
                            * a node with fewer free pages than asked) */
    uint64_t cap;          /* words allocated in bits and next */
    /* What the backing memory must hold: BF_MEM_FILL outside bytes
     * [img_lo, img_hi), image[] inside (written only where blocks went,
     * so a node's memory is not copied when it is added). */
    int has_mem;
    uint8_t *image;
    size_t image_cap, img_lo, img_hi;
    bf_node_info info;
    uint64_t read_w0, read_w1; /* words of bits read after the last call */
} bf_inv_node;

typedef struct bf_inv_block {
    uint64_t addr, size;
    uint32_t node;
    uint8_t pattern;
} bf_inv_block;

typedef struct bf_checker {
    bf_session *s;
    bf_inv_node node[BF_MAX_NODES];
    uint64_t nnodes;
    bf_inv_block blk[BF_MAX_BLOCKS];
    unsigned nblk;
    unsigned patterns;
    unsigned calls;
    int precise;        /* read every live node whole after every call */
    int trusted;        /* in the fast mode, only keep its cached state (from the
                         * words calls name; a new node all reserved, as
                         * contract 1 says) and check memory (it has none in the
                         * fast mode: run_mode), with no whole reads and no check
                         * of its queries: for the reference when a backend is
                         * compared with it after every call */
    int whole;          /* the last call read every live node whole */
    uint64_t read_mask; /* nodes whose state the last call read (bit = nid) */
    /* the broken invariant, when a check fails */
    const char *inv;
    uint64_t fit_node;  /* "first-fit": the node where a fit was missed */
    char detail[256];
} bf_checker;

void bf_checker_init(bf_checker *k, bf_session *s);
void bf_checker_reset(bf_checker *k);
void bf_checker_destroy(bf_checker *k);

/* After `call` answered `r` on the checker's session: 0 if every invariant
 * holds, else -1 with k->inv (the invariant's short name) and k->detail. */
int bf_checker_after(bf_checker *k, const bf_call *call, bf_result r);
/* Read every live node whole (the fast mode otherwise reads what calls name). */
int bf_checker_sync(bf_checker *k);
/* At the end of a sequence: every byte of backing memory is what the
 * contract allows (live blocks unchanged, nothing written elsewhere). */
int bf_checker_final(bf_checker *k);

/* The node's reserved bits as the checker last read them (NULL if retired
 * or unknown); the lockstep runner compares these between backends. */
const uint64_t *bf_checker_bits(const bf_checker *k, uint64_t nid, uint64_t *nwords);

/* Node nid's last_* state as last read (NULL if retired or unknown), and
 * in [*w0, *w1) the words of its bits (bf_checker_bits) that the last call
 * (or bf_checker_sync) read; empty if it read none: a correct backend did
 * not change them. */
/* The first word in [w0, w1) where bit words x and y differ, or w1.  Whole
 * nodes are compared after every call in the precise mode and every few
 * calls in the fast one, and they are nearly always equal: memcmp says so a
 * vector at a time, and the loop runs only where they differ (or over the
 * few words a call names). */
uint64_t bf_first_diff(const uint64_t *x, const uint64_t *y, uint64_t w0, uint64_t w1);

const bf_node_info *bf_checker_read(const bf_checker *k, uint64_t nid, uint64_t *w0,
                                    uint64_t *w1);

#endif
