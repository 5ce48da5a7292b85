/*
 * tap.h - what every unit test shares: one "ok - NAME" / "not ok - NAME"
 * line per check (tests/run counts them; main returns failures != 0), and
 * T_ASAN, set in AddressSanitizer builds.
 */
#ifndef BOOTFUZZ_TEST_TAP_H
#define BOOTFUZZ_TEST_TAP_H

#include <stdio.h>

#if defined(__SANITIZE_ADDRESS__)
#define T_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define T_ASAN 1
#endif
#endif
#ifndef T_ASAN
#define T_ASAN 0
#endif

static int failures;

static void check(int cond, const char *name)
{
    printf("%s - %s\n", cond ? "ok" : "not ok", name);
    failures += !cond;
}

#endif
