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

typedef struct bf_inv_node {
    uint64_t start, end;
    int live;
    uint64_t nwords;
    uint64_t *bits, *next; /* reserved bits after the last call / this call */
    uint64_t cap;          /* words allocated in bits and next */
    uint8_t *image;        /* what the backing memory must hold, or NULL */
    size_t image_cap;
    bf_node_info info;
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
    /* the broken invariant, when a check fails */
    const char *inv;
    char detail[256];
} bf_checker;

void bf_checker_init(bf_checker *k, bf_session *s);
void bf_checker_reset(bf_checker *k);
void bf_checker_destroy(bf_checker *k);

/* After `call` answered `r` on the checker's session: 0 if every invariant
 * holds, else -1 with k->inv (the invariant's short name) and k->detail. */
int bf_checker_after(bf_checker *k, const bf_call *call, bf_result r);
/* Read every live node whole (big nodes are otherwise read where calls act). */
int bf_checker_sync(bf_checker *k);
/* At the end of a sequence: every byte of backing memory is what the
 * contract allows (live blocks unchanged, nothing written elsewhere). */
int bf_checker_final(bf_checker *k);

/* The node's reserved bits as the checker last read them (NULL if retired
 * or unknown); the lockstep runner compares these between backends. */
const uint64_t *bf_checker_bits(const bf_checker *k, uint64_t nid, uint64_t *nwords);

#endif
