/*
 * target_2614.c - fuzz target "2614": the 2.6.14 port against the reference: must find its bugs.
 * Linked unchanged into libFuzzer, AFL++ and the plain replay driver.
 */
#include "fuzz_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return bf_fuzz_one("2614", data, size);
}
