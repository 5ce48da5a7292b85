/*
 * files.h - reading inputs and walking directories, for every tool.
 */
#ifndef BOOTFUZZ_FILES_H
#define BOOTFUZZ_FILES_H

#include <stddef.h>
#include <stdint.h>

/* Whole file ("-" = stdin) into a malloc'd buffer (one spare NUL byte after
 * it); -1 on error with errno set (EISDIR for a directory). */
int bf_read_file(const char *path, uint8_t **data, size_t *len);

/* Call fn for `path` if it is a file, or for every file below it (in name
 * order, skipping dot files; with `suffix`, only names ending in it).
 * Returns -1 if a path could not be read (reported on stderr), else 0;
 * fn's non-zero returns are OR-ed into the result's second bit. */
int bf_walk(const char *path, const char *suffix, int (*fn)(const char *file, void *ctx),
            void *ctx);
/* The same, its messages naming the command: "bootfuzz: WHO: PATH: cannot
 * read: why". */
int bf_walk_for(const char *who, const char *path, const char *suffix,
                int (*fn)(const char *file, void *ctx), void *ctx);

#endif
