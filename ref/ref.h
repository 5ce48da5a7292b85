/*
 * ref.h - what the harness asks the reference beyond the backend interface.
 *
 * The reference is the backend `bf_backend_ref` (registered by name "ref");
 * this header adds only what the lockstep runner needs to let it judge the
 * requests of an invariants-only backend (fuzz/lockstep.c).
 */
#ifndef BOOTFUZZ_REF_H
#define BOOTFUZZ_REF_H

#include <stdint.h>

#include "bootfuzz/backend.h"

extern const bf_backend bf_backend_ref;

/* Contract §2: BF_EINVAL when alloc (is_node == 0) or alloc_node(nid)
 * (is_node == 1) rejects the request whatever the pages hold (size 0, align
 * neither 0 nor a power of two, unknown nid), else BF_OK.  `sys` is a
 * reference system (bf_backend_ref.create()); nothing is changed. */
bf_err ref_alloc_rejects(const void *sys, int is_node, uint64_t nid, uint64_t size,
                         uint64_t align);

#endif
