/*
 * bench/linux_bitmap.h - the "Linux-style bitmap" yardstick of make bench
 * (issue 15): what an engineer would use instead of fast.
 *
 * A plain bitmap per node (1 bit per page, 1 = reserved, Linux's
 * convention) searched the way Linux's lib/bitmap.c does it:
 * find_next_zero_bit word at a time, then bitmap_find_next_zero_area_off
 * (first zero, rounded up to the alignment grid with an offset, the area
 * checked with find_next_bit, retried past the busy bit).  Around it, the
 * contract's rules (docs/contract.md sections 2-3: window, preferred start
 * with goal and last_success, the second search below it, the merge into
 * the last partial page), so it answers every request as the reference
 * does; bench/bench.c checks that on every comparable request.
 *
 * Not registered as a backend (it lives in bench/ and is not fuzzed): the
 * bench calls it through this struct only.  Every call of the struct is
 * implemented (read_bits included), so the harness could hold it to the
 * reference, but nothing outside bench/ links it.
 */
#ifndef BOOTFUZZ_BENCH_LINUX_BITMAP_H
#define BOOTFUZZ_BENCH_LINUX_BITMAP_H

#include "bootfuzz/backend.h"

extern const bf_backend bf_backend_linux_bitmap;

#endif
