/*
 * fuzz_entry.h - what every engine's entry point calls.
 */
#ifndef BOOTFUZZ_FUZZ_ENTRY_H
#define BOOTFUZZ_FUZZ_ENTRY_H

#include <stddef.h>
#include <stdint.h>

/* Run one input on `target` ("fast", "2614", "ref").  A finding prints the
 * report on stderr and abort()s, so every engine records it.  The backend's
 * options come from the environment variable BOOTFUZZ_OPTIONS
 * ("NAME=VALUE,..."; e.g. the 2.6.14 port's bug switches). */
int bf_fuzz_one(const char *target, const uint8_t *data, size_t size);

/* Set up what bf_fuzz_one runs `target` with (its first call does it when
 * this was not called): the runner, and every buffer the backends keep
 * sized for the largest input (as every runner is: bf_runner_new).  Engines call it before
 * the first input (LLVMFuzzerInitialize; AFL++ before its fork server
 * starts), so no input's coverage holds the setup's edges. */
void bf_fuzz_init(const char *target);

#endif
