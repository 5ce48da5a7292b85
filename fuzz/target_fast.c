/*
 * target_fast.c - fuzz target "fast": the fast allocator against the reference, call by call, plus invariants.
 * Linked unchanged into libFuzzer, AFL++ and the plain replay driver.
 */
#include "fuzz_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return bf_fuzz_one("fast", data, size);
}
