/*
 * ref.h - what the harness asks the reference beyond the backend interface.
 *
 * The reference is the backend `bf_backend_ref` (registered by name "ref");
 * this header adds only what the lockstep runner needs to let it judge the
 * requests of an invariants-only backend (fuzz/core/lockstep.c).
 */
#ifndef BOOTFUZZ_REF_H
#define BOOTFUZZ_REF_H

#include <stddef.h>
#include <stdint.h>

#include "bootfuzz/backend.h"

extern const bf_backend bf_backend_ref;

/* Why the contract rejects a call with EINVAL (§2): every reason that
 * holds, as a set of these bits; 0 when the call is valid.  The harness
 * signs a finding on a rejected call with them (docs/harness.md,
 * "Signatures"), so two missing checks never share a group. */
enum {
    REF_WHY_SIZE0 = 1u << 0,    /* size == 0 (every call with a size) */
    REF_WHY_ALIGN = 1u << 1,    /* align neither 0 nor a power of two (alloc) */
    REF_WHY_NO_NODE = 1u << 2,  /* nid >= the number of nodes (alloc_node, free_all) */
    REF_WHY_WRAPS = 1u << 3,    /* addr + size overflows 64 bits (reserve, free) */
    REF_WHY_OUTSIDE = 1u << 4,  /* page PFN_DOWN(addr) is in no live node: below,
                                 * between or above them, or in a retired one (reserve,
                                 * free; a range that does not wrap) */
    REF_WHY_PAST_END = 1u << 5, /* it is in a live node, PFN_UP(addr + size) past its end */
    REF_WHY_RETIRED = 1u << 6,  /* the node is already retired (free_all) */
    REF_WHY_BELOW = 1u << 7,    /* a range that wraps starts below every live node
                                 * (reserve, free) */
};

/* reserve / free (the same checks): addr and size in bytes */
unsigned ref_range_why(const void *sys, uint64_t addr, uint64_t size);
/* alloc (is_node == 0) / alloc_node(nid) (is_node == 1): size in bytes */
unsigned ref_alloc_why(const void *sys, int is_node, uint64_t nid, uint64_t size,
                       uint64_t align);
/* free_all(nid) */
unsigned ref_free_all_why(const void *sys, uint64_t nid);
/* The reasons as words ("wraps outside-nodes"), in the order of the bits;
 * returns the length (as snprintf: what is needed when cap is short). */
size_t ref_why_format(unsigned why, char *buf, size_t cap);

/* Contract §2: BF_EINVAL when alloc (is_node == 0) or alloc_node(nid)
 * (is_node == 1) rejects the request whatever the pages hold (size 0, align
 * neither 0 nor a power of two, unknown nid), else BF_OK.  `sys` is a
 * reference system (bf_backend_ref.create()); nothing is changed. */
bf_err ref_alloc_rejects(const void *sys, int is_node, uint64_t nid, uint64_t size,
                         uint64_t align);

#endif
