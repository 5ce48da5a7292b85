/*
 * backends.h - the registry of backends the tools know by name (filled by
 * BF_REGISTER_BACKEND, bootfuzz/backend.h).  Each backend is also a fuzz
 * target of the same name.
 */
#ifndef BOOTFUZZ_BACKENDS_H
#define BOOTFUZZ_BACKENDS_H

#include <stddef.h>

#include "bootfuzz/backend.h"

/* NULL-terminated list of every backend linked into this program: "ref"
 * first, then by name.  Valid until the next registration. */
const bf_backend *const *bf_backends(void);
/* The backend of that name, or NULL. */
const bf_backend *bf_backend_find(const char *name);
/* "ref, 2614, 2614fixed, fast": every name, for messages (cut to cap). */
void bf_backend_names(char *buf, size_t cap);
/* 1 when name is usable as a backend and target name: [A-Za-z0-9_-]{1,64}. */
int bf_backend_name_ok(const char *name);

#endif
