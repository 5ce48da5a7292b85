/*
 * tap.h - what every unit test shares: one "ok - NAME" / "not ok - NAME"
 * line per check (tests/run counts them; main returns failures != 0), and
 * T_ASAN, set in AddressSanitizer builds, and tap_rand.
 */
#ifndef BOOTFUZZ_TEST_TAP_H
#define BOOTFUZZ_TEST_TAP_H

#include <stdint.h>
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

/* xorshift64: fixed-seed pseudo-random numbers, the same on every run. */
static uint64_t tap_rng = 0x9e3779b97f4a7c15ull;
static inline uint64_t tap_rand(void)
{
    tap_rng ^= tap_rng << 13;
    tap_rng ^= tap_rng >> 7;
    tap_rng ^= tap_rng << 17;
    return tap_rng;
}

#endif
