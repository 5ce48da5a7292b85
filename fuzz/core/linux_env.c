/*
 * linux_env.c - the run-time half of bootfuzz/linux.h: where BUG() and
 * panic() in kernel-style backend code go.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bootfuzz/linux.h"

bf_linux_env *bf_linux_current;

_Noreturn void bf_linux_leave(bf_result outcome)
{
    if (!bf_linux_current) {
        /* kernel-style code ran outside BF_LINUX_CALL: a wrapper bug */
        fprintf(stderr, "bootfuzz: BUG()/panic() outside BF_LINUX_CALL (bootfuzz/linux.h)\n");
        abort();
    }
    bf_linux_current->outcome = outcome;
    longjmp(bf_linux_current->jump, 1);
}
