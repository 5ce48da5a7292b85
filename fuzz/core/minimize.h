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

/* Careful (on != 0): every candidate runs first in a child process
 * (lockstep.h bf_in_child), so one the backend crashes or hangs on is
 * merely rejected.  About a fork per candidate; `bootfuzz minimize` turns
 * it on only after a minimization in a child process died that way. */
void bf_minimize_careful(int on);

/* bf_minimize, first in a child process; if that child crashes or runs out
 * of time (a candidate the backend cannot take), again here, careful.  The
 * same answers as bf_minimize; `in` names the input in the message said
 * when it falls back. */
int bf_minimize_guarded(bf_runner *r, const uint8_t *data, size_t len, bf_call *calls,
                        unsigned *n, unsigned *tries, const char *in);

#endif
