/*
 * impl/fast/fast.h - the fast exact allocator (issue 4): what tests and the bench
 * may use besides the bf_backend struct.
 */
#ifndef BOOTFUZZ_IMPL_FAST_H
#define BOOTFUZZ_IMPL_FAST_H

#include <stddef.h>

#include "bootfuzz/backend.h"

extern const bf_backend bf_backend_fast;

/* Geometry of the summaries of `fast` (docs/performance.md explains them;
 * fast_small, the same code, uses 128 and 4: impl/fast/fast_small.c). */
#define BF_FAST_BLOCK_PAGES 512u /* pages per level-0 summary (8 words) */
#define BF_FAST_FANOUT 16u       /* level-k entries per level-(k+1) entry */

/* Recomputes, from the bitmap alone and by a different method, every summary
 * of every live node that is not marked dirty (start run, end run, longest
 * inner run, and checks that the stored inner position is a maximal run of
 * that length), checks that the parent of every dirty entry is dirty (so the
 * next flush reaches it) and that no bit past a level's end is set, the
 * free-page count and the padding bits; retired nodes must have been wiped.
 * Dirty summaries are stale by design and never trusted.  Returns 0
 * when all agree, -1 with a description in msg otherwise.  Cost O(pages) per
 * level: for tests and the BF_FAST_VERIFY build, not for the hot path.
 * With -DBF_FAST_VERIFY every call of the backend runs it and aborts on a
 * difference. */
int bf_fast_verify(void *sys, char *msg, size_t msglen);

#endif
