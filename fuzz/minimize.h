/*
 * minimize.h - operation-level minimization of a failing input.
 */
#ifndef BOOTFUZZ_MINIMIZE_H
#define BOOTFUZZ_MINIMIZE_H

#include "lockstep.h"

/* Shrink the failing input to as few, as simple calls as still fail with
 * the same signature.  0: out/nout hold the calls (encode them with
 * bf_encode_calls); -1: the input does not fail; -2: its calls, encoded,
 * fail differently.  The runner is left holding the minimized run. */
int bf_minimize(bf_runner *r, const uint8_t *data, size_t size, bf_call *out, unsigned *nout,
                unsigned *tries);

#endif
