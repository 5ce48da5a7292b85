/*
 * backends.c - the registry: every backend linked into a program, by name.
 *
 * Backends add themselves with BF_REGISTER_BACKEND (bootfuzz/backend.h), a
 * constructor that runs before main(), so a program holds exactly the
 * backends whose files were linked into it: no list to edit, no fixed size.
 * The list is kept sorted by name, with the reference first, so every
 * tool shows them in one order whatever the link order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends.h"

static bf_backend_entry *registry; /* sorted: "ref" first, then by name */
static size_t registered;
static const bf_backend **cache;   /* NULL-terminated copy for bf_backends() */

static int before(const bf_backend *a, const bf_backend *b)
{
    int ar = !strcmp(a->name, "ref"), br = !strcmp(b->name, "ref");
    if (ar != br)
        return ar;
    return strcmp(a->name, b->name) < 0;
}

int bf_backend_name_ok(const char *name)
{
    if (!name || !name[0] || strlen(name) > 64)
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return 0;
    return 1;
}

void bf_backend_register(bf_backend_entry *e)
{
    const bf_backend *b = e->backend;
    /* constructors run before main(): a bad registration can only stop the
     * program, with a message that names it */
    if (!b || !bf_backend_name_ok(b->name)) {
        fprintf(stderr, "bootfuzz: a backend registered with the name '%s': names are letters, "
                        "digits, '_' and '-'\n", b && b->name ? b->name : "(null)");
        exit(2);
    }
    const struct {
        const char *name;
        int missing;
    } req[] = {{"create", !b->create},       {"destroy", !b->destroy},
               {"reset", !b->reset},         {"add_node", !b->add_node},
               {"reserve", !b->reserve},     {"free", !b->free},
               {"alloc", !b->alloc},         {"alloc_node", !b->alloc_node},
               {"free_all", !b->free_all},   {"page_reserved", !b->page_reserved},
               {"node_info", !b->node_info}};
    int missing = 0;
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if (req[i].missing) {
            fprintf(stderr, "bootfuzz: backend '%s' leaves .%s NULL (only set_option and "
                            "read_bits may be NULL; include/bootfuzz/backend.h)\n",
                    b->name, req[i].name);
            missing = 1;
        }
    if (missing)
        exit(2);
    bf_backend_entry **at = &registry;
    while (*at && before((*at)->backend, b))
        at = &(*at)->next;
    if (*at && !strcmp((*at)->backend->name, b->name)) {
        if ((*at)->backend == b)
            return; /* the same backend twice: nothing new */
        fprintf(stderr, "bootfuzz: two backends are named '%s'; rename one\n", b->name);
        exit(2);
    }
    e->next = *at;
    *at = e;
    registered++;
    free(cache);
    cache = NULL;
}

const bf_backend *const *bf_backends(void)
{
    if (!cache) {
        cache = malloc((registered + 1) * sizeof *cache);
        if (!cache)
            abort();
        size_t n = 0;
        for (const bf_backend_entry *e = registry; e; e = e->next)
            cache[n++] = e->backend;
        cache[n] = NULL;
    }
    return cache;
}

const bf_backend *bf_backend_find(const char *name)
{
    for (const bf_backend_entry *e = registry; e; e = e->next)
        if (!strcmp(e->backend->name, name))
            return e->backend;
    return NULL;
}

void bf_backend_names(char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = 0;
    for (const bf_backend_entry *e = registry; e && o + 1 < cap; e = e->next) {
        int n = snprintf(buf + o, cap - o, "%s%s", o ? ", " : "", e->backend->name);
        if (n < 0)
            break;
        o += (size_t)n;
    }
}
