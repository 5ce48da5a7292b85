/*
 * files.c - reading inputs and walking directories, for every tool.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "files.h"

int bf_read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return -1;
    /* a directory opens, and reading it fails with EISDIR: say so, not EIO */
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        if (f != stdin)
            fclose(f);
        errno = EISDIR;
        return -1;
    }
    errno = 0;
    size_t cap = 4096, n = 0, got;
    uint8_t *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, (cap *= 2) + 1);
    }
    int bad = ferror(f), why = errno;
    if (f != stdin)
        fclose(f);
    if (!buf)
        abort();
    if (bad) {
        free(buf);
        errno = why ? why : EIO;
        return -1;
    }
    buf[n] = 0;
    *data = buf;
    *len = n;
    return 0;
}

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(const char *who, const char *path, const char *suffix, int top,
                int (*fn)(const char *file, void *ctx), void *ctx)
{
    struct stat sb;
    if (strcmp(path, "-") && stat(path, &sb) != 0) {
        fprintf(stderr, "bootfuzz: %s%s%s: cannot read: %s\n", who ? who : "", who ? ": " : "",
                path, strerror(errno));
        return -1;
    }
    if (!strcmp(path, "-") || !S_ISDIR(sb.st_mode)) {
        if (!top && suffix && !ends_with(path, suffix))
            return 0;
        return fn(path, ctx) ? 2 : 0;
    }
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "bootfuzz: %s%s%s: cannot read: %s\n", who ? who : "", who ? ": " : "",
                path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            names = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
            if (!names)
                abort();
        }
        names[n] = malloc(strlen(path) + strlen(de->d_name) + 2);
        if (!names[n])
            abort();
        sprintf(names[n++], "%s/%s", path, de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        int r = walk(who, names[i], suffix, 0, fn, ctx);
        rc = (rc < 0 || r < 0) ? -1 : (rc | r);
        free(names[i]);
    }
    free(names);
    return rc;
}

int bf_walk(const char *path, const char *suffix, int (*fn)(const char *file, void *ctx),
            void *ctx)
{
    return walk(NULL, path, suffix, 1, fn, ctx);
}

int bf_walk_for(const char *who, const char *path, const char *suffix,
                int (*fn)(const char *file, void *ctx), void *ctx)
{
    return walk(who, path, suffix, 1, fn, ctx);
}
