/*
 * fuzz_entry.c - the body of every fuzz target: one runner per process,
 * reset for each input, report and abort() on a finding.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_entry.h"
#include "lockstep.h"

int bf_fuzz_one(const char *target, const uint8_t *data, size_t size)
{
    static bf_runner *r;
    if (!r) {
        r = bf_runner_new(target, getenv("BOOTFUZZ_OPTIONS"));
        if (!r)
            exit(2);
    }
    if (bf_runner_run(r, data, size)) {
        bf_runner_report(r, stderr);
        fflush(stderr);
        abort();
    }
    return 0;
}
