/*
 * backends.h - the registry of backends the tools know by name.
 */
#ifndef BOOTFUZZ_BACKENDS_H
#define BOOTFUZZ_BACKENDS_H

#include "bootfuzz/backend.h"

/* NULL-terminated list of every backend linked into this program. */
const bf_backend *const *bf_backends(void);
const bf_backend *bf_backend_find(const char *name);

#endif
