/*
 * trace.h - the trace language (docs/trace.md): parse a text file into lines
 * of calls with expectations, and write calls and results back as text.
 */
#ifndef BOOTFUZZ_TRACE_H
#define BOOTFUZZ_TRACE_H

#include <stddef.h>
#include <stdio.h>

#include "call.h"

#define BF_TRACE_FORMAT 1 /* the version of the language this tool reads */
#define BF_MAX_EXPECT 8   /* expectations on one line (one per backend) */
#define BF_BACKEND_NAME_MAX 24
#define BF_MAP_MAX 4096 /* most pages a `map` query shows */

typedef struct bf_expect {
    char backend[BF_BACKEND_NAME_MAX]; /* "" = every backend without its own */
    int is_err;
    bf_err err;   /* when is_err */
    char *text;   /* value words, single-spaced (when !is_err) */
} bf_expect;

enum { BF_LINE_BLANK, BF_LINE_COMMENT, BF_LINE_DIRECTIVE, BF_LINE_STMT };

typedef struct bf_tline {
    int kind;
    int lineno;
    char *raw;     /* the line as read, without the newline */
    bf_call call;  /* BF_LINE_STMT */
    bf_expect exp[BF_MAX_EXPECT];
    int nexp;
    char *comment; /* trailing comment of a statement ("# ..."), or NULL */
} bf_tline;

typedef struct bf_trace {
    bf_tline *line;
    size_t n, cap;
    int format;
} bf_trace;

/* Parse `len` bytes of text.  On error returns -1 and writes
 * "path:line:column: what is wrong" into err. */
int bf_trace_parse(const char *path, const char *text, size_t len, bf_trace *out, char *err,
                   size_t errcap);
/* Read and parse a file ("-" is standard input). */
int bf_trace_load(const char *path, bf_trace *out, char *err, size_t errcap);
void bf_trace_free(bf_trace *t);

/* Reading a trace a line at a time, in memory of one line (a trace may have
 * millions): open, then next until it returns 0 (the end) or -1 (err gets
 * "path:line:column: what is wrong", or "path: cannot read: why").  The line
 * *out points at is valid until the next call.  rewind starts again from
 * line 1 (standard input, "-", is copied aside at open so that it can). */
typedef struct bf_trace_reader {
    FILE *f;
    const char *path;
    int lineno, format;
    char *buf;
    size_t cap;
    bf_tline line;
} bf_trace_reader;
int bf_trace_open(bf_trace_reader *r, const char *path, char *err, size_t errcap);
int bf_trace_next(bf_trace_reader *r, const bf_tline **out, char *err, size_t errcap);
int bf_trace_rewind(bf_trace_reader *r);
void bf_trace_close(bf_trace_reader *r);

/* The expectation that applies to `backend` on this line, or NULL. */
const bf_expect *bf_tline_expect_for(const bf_tline *l, const char *backend);
int bf_trace_has_expectations(const bf_trace *t);

/* Does the result text `got` (as bf_exec renders it) satisfy `exp`? */
int bf_expect_matches(const bf_expect *exp, bf_err got_err, const char *got_text);
/* "= 0x2000" or "! ENOMEM" */
void bf_expect_format(const bf_expect *e, char *buf, size_t cap);

/* Parse one number of the trace language; 0 on success. */
int bf_parse_u64(const char *s, size_t len, uint64_t *out);

#endif
