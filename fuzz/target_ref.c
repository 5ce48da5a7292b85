/*
 * target_ref.c - fuzz target "ref": the reference against the invariants alone: tests the judge.
 * Linked unchanged into libFuzzer, AFL++ and the plain replay driver.
 */
#include "fuzz_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return bf_fuzz_one("ref", data, size);
}
