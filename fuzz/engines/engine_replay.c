/*
 * engine_replay.c - the plain replay driver: no fuzzing engine, any
 * compiler.  Runs every file given (directories: every file below them, in
 * name order) through LLVMFuzzerTestOneInput, like libFuzzer does when
 * given files.  `make test` replays corpus/ with it.  A finding aborts, as
 * in every engine; a clean run prints how many inputs ran.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static unsigned long ran;

static int run_file(const char *path, void *ctx)
{
    (void)ctx;
    uint8_t *buf;
    size_t len;
    if (bf_read_file(path, &buf, &len) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 1;
    }
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
    /* an exact-size copy, so a read past the input is caught by ASan */
    unsigned char *copy = malloc(len ? len : 1);
    if (!copy)
        abort();
    memcpy(copy, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
    ran++;
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 0, files = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1])
            continue; /* libFuzzer-style flags (-runs=N, ...) are accepted and ignored */
        rc |= bf_walk(argv[i], NULL, run_file, NULL) != 0;
        files++;
    }
    if (!files) {
        fprintf(stderr, "usage: %s FILE|DIR...  (replays inputs through the fuzz target)\n",
                argv[0]);
        return 2;
    }
    fprintf(stderr, "replay: %lu inputs, no finding\n", ran);
    return rc ? 2 : 0;
}
