/*
 * test_registry.c - the backend registry holds any number of backends.
 *
 * 20 backends register on top of those linked in (a fixed list of 8 once
 * overran with the 8th); each is found by name, listed once, in the
 * registry's order (ref first, then by name), and the list is
 * NULL-terminated.  Run under ASan too (make asan), where an overrun shows.
 * A second backend with a name already taken stops the program (exit 2):
 * checked in a child process.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends.h"
#include "tap.h"

#define N 20

extern const bf_backend bf_backend_ref;

static bf_backend be[N];
static bf_backend_entry entry[N];
static char names[N][16];

static int count(void)
{
    int n = 0;
    for (const bf_backend *const *b = bf_backends(); *b; b++)
        n++;
    return n;
}

/* Registering a copy of the reference named `name` stops the program with
 * exit 2: tried in a child process. */
static int refused(const char *name)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        static bf_backend b;
        static bf_backend_entry e;
        b = bf_backend_ref;
        b.name = name;
        e.backend = &b;
        if (!freopen("/dev/null", "w", stderr))
            _exit(3);
        bf_backend_register(&e);
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 2;
}

int main(void)
{
    int before = count();
    check(before >= 1 && bf_backends()[0] == &bf_backend_ref,
          "the linked-in backends registered themselves, the reference first");
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "extra%02d", N - 1 - i); /* out of order */
        be[i] = bf_backend_ref;
        be[i].name = names[i];
        entry[i].backend = &be[i];
        bf_backend_register(&entry[i]);
    }
    check(count() == before + N, "20 more backends: every one listed");
    int found = 0;
    for (int i = 0; i < N; i++)
        found += bf_backend_find(names[i]) == &be[i];
    check(found == N, "each is found by its name");
    int sorted = 1;
    const bf_backend *const *l = bf_backends();
    for (int i = 2; l[i]; i++)
        sorted &= strcmp(l[i - 1]->name, l[i]->name) < 0;
    check(sorted && l[count()] == NULL, "listed by name after the reference, NULL-terminated");
    bf_backend_register(&entry[0]);
    check(count() == before + N, "registering the same backend twice changes nothing");

    check(refused("extra00"), "a second backend named 'extra00' stops the program (exit 2)");
    check(refused("has space"), "a name with a space is refused (exit 2)");
    return failures != 0;
}
