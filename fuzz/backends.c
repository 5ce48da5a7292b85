/*
 * backends.c - every backend linked into the tools, by name.
 *
 * The allocators are declared weak so a partial build (say, a user's own
 * backend alone with the reference) still links; a missing one is simply
 * not listed.
 */
#include <string.h>

#include "backends.h"

extern const bf_backend bf_backend_ref;
extern const bf_backend bf_backend_fast __attribute__((weak));
extern const bf_backend bf_backend_2614 __attribute__((weak));
extern const bf_backend bf_backend_2614fixed __attribute__((weak));

const bf_backend *const *bf_backends(void)
{
    static const bf_backend *list[8];
    if (!list[0]) {
        const bf_backend *all[] = {&bf_backend_ref, &bf_backend_fast, &bf_backend_2614,
                                   &bf_backend_2614fixed};
        int n = 0;
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
            if (all[i])
                list[n++] = all[i];
    }
    return list;
}

const bf_backend *bf_backend_find(const char *name)
{
    for (const bf_backend *const *b = bf_backends(); *b; b++)
        if (!strcmp((*b)->name, name))
            return *b;
    return NULL;
}
