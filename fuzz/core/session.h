/*
 * session.h - one backend instance plus what the harness keeps beside it:
 * the backing memory of each node, and whether a BUG ended the sequence.
 * Executes bf_calls (calls and queries) and renders results as trace text.
 */
#ifndef BOOTFUZZ_SESSION_H
#define BOOTFUZZ_SESSION_H

#include "call.h"
#include "trace.h"

/* What backing memory holds before boot: a fixed non-zero byte, so a
 * block that is not zeroed shows. */
#define BF_MEM_FILL 0xa5

typedef struct bf_session_node {
    uint64_t start_pfn, end_pfn;
    uint8_t *mem; /* NULL: node has no backing memory */
} bf_session_node;

typedef struct bf_session {
    const bf_backend *be;
    void *sys;
    bf_session_node node[BF_MAX_NODES];
    uint64_t nnodes;
    int stopped; /* a BUG ended the call sequence */
    int no_mem;  /* nodes get no backing memory, whatever the call asks (the
                  * trusted reference in the fast mode: lockstep.c) */
    uint8_t *membuf[BF_MAX_NODES]; /* kept across resets for reuse */
    size_t memcap[BF_MAX_NODES];
    /* membuf[i] holds BF_MEM_FILL in bytes [0, memfill[i]) except
     * [memdirty_lo[i], memdirty_hi[i]): what need not be filled again */
    size_t memfill[BF_MAX_NODES], memdirty_lo[BF_MAX_NODES], memdirty_hi[BF_MAX_NODES];
} bf_session;

int bf_session_init(bf_session *s, const bf_backend *be);
void bf_session_reset(bf_session *s);
void bf_session_destroy(bf_session *s);

/* The checker saw node slot i's memory hold BF_MEM_FILL everywhere but
 * in bytes [lo, hi): the next node in that slot refills only those. */
void bf_session_mem_seen(bf_session *s, uint64_t i, size_t lo, size_t hi);

/* Run one call or query.  `text` gets the result as the trace language
 * writes it after '=' (value) or a description of a BUG; may be NULL. */
bf_result bf_session_exec(bf_session *s, const bf_call *c, char *text, size_t cap);

/* "= 0x2000", "! ENOMEM", "! BUG" for a result and its text. */
void bf_result_format(bf_result r, const char *text, char *buf, size_t cap);

#endif
