/*
 * target.c - the fuzz target of one backend: LLVMFuzzerTestOneInput.
 *
 * One file serves every target (OpenSSL's fuzz/ shape: one entry point,
 * linked unchanged into every engine and the replay driver); the Makefile
 * compiles it once per registered backend with BF_TARGET set to the
 * backend's name, e.g. -DBF_TARGET='"fast"' for build/.../libfuzzer-fast.
 * Whether the backend is compared exactly with the reference or checked by
 * the invariants is the backend's own flag (bootfuzz/backend.h).
 */
#include "fuzz_entry.h"

#ifndef BF_TARGET
#error "compile with -DBF_TARGET='\"NAME\"' (the backend to fuzz)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Called by libFuzzer (and the AFL++ and replay drivers) before any input:
 * the setup's own calls are then no input's coverage. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    bf_fuzz_init(BF_TARGET);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return bf_fuzz_one(BF_TARGET, data, size);
}
