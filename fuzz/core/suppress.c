/*
 * suppress.c - suppressions files: load, match, count (suppress.h).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "suppress.h"

typedef struct bf_supp_rule {
    char *pattern;   /* as written */
    char *glob;      /* for fnmatch: '[', ']' and '\\' escaped, so only * and ? are wild */
    unsigned long hits;
} bf_supp_rule;

struct bf_supp {
    bf_supp_rule *rule;
    size_t n;
    unsigned long hits;
};

void bf_supp_free(bf_supp *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->rule[i].pattern);
        free(s->rule[i].glob);
    }
    free(s->rule);
    free(s);
}

bf_supp *bf_supp_load(const char *path, char *err, size_t cap)
{
    uint8_t *buf;
    size_t len;
    if (bf_read_file(path, &buf, &len) != 0) {
        snprintf(err, cap, "%s: cannot read the suppressions file: %s", path, strerror(errno));
        return NULL;
    }
    bf_supp *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    char *text = (char *)buf, *end = text + len;
    for (char *line = text; line < end;) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        char *stop = nl ? nl : end;
        char *a = line, *b = stop;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
            b--;
        if (a < b && *a != '#') {
            static const char prefix[] = "bootfuzz: ";
            if ((size_t)(b - a) > sizeof prefix - 1 && !memcmp(a, prefix, sizeof prefix - 1))
                a += sizeof prefix - 1;
            bf_supp_rule *grown = realloc(s->rule, (s->n + 1) * sizeof *grown);
            if (!grown)
                abort();
            s->rule = grown;
            bf_supp_rule *r = &s->rule[s->n++];
            r->pattern = strndup(a, (size_t)(b - a));
            /* a signature's brackets ("[goal limit]") are literal: pasted
             * as printed, a signature matches itself */
            r->glob = malloc(2 * (size_t)(b - a) + 1);
            if (!r->pattern || !r->glob)
                abort();
            char *g = r->glob;
            for (const char *c = a; c < b; c++) {
                if (*c == '[' || *c == ']' || *c == '\\')
                    *g++ = '\\';
                *g++ = *c;
            }
            *g = 0;
            r->hits = 0;
        }
        line = stop + 1;
    }
    free(buf);
    if (!s->n) {
        snprintf(err, cap, "%s: no pattern in the suppressions file (one signature pattern a line)",
                 path);
        bf_supp_free(s);
        return NULL;
    }
    return s;
}

const char *bf_supp_match(bf_supp *s, const char *signature)
{
    if (!s || !signature)
        return NULL;
    if (!strncmp(signature, "bootfuzz: ", 10))
        signature += 10;
    for (size_t i = 0; i < s->n; i++)
        if (fnmatch(s->rule[i].glob, signature, 0) == 0) {
            s->rule[i].hits++;
            s->hits++;
            return s->rule[i].pattern;
        }
    return NULL;
}

unsigned long bf_supp_hits(const bf_supp *s) { return s ? s->hits : 0; }

void bf_supp_print(const bf_supp *s, FILE *out)
{
    if (!s || !s->hits)
        return;
    fprintf(out, "bootfuzz: %lu inputs ended on suppressed findings\n", s->hits);
    for (size_t i = 0; i < s->n; i++)
        if (s->rule[i].hits)
            fprintf(out, "bootfuzz:   %lu  %s\n", s->rule[i].hits, s->rule[i].pattern);
}
