/*
 * lockstep_parts.h - what the three files of the lockstep runner share:
 * lockstep.c (the runner), signature.c (a finding's brackets), report.c
 * (its report).  Not for other files: lockstep.h is the runner's interface.
 */
#ifndef BOOTFUZZ_LOCKSTEP_PARTS_H
#define BOOTFUZZ_LOCKSTEP_PARTS_H

#include <stdio.h>

#include "lockstep.h"

/* How a finding on the call at hand is signed (bf_ls_sign(), signature.c). */
enum {
    SIGN_NONE,       /* nothing more (a finding at the end, or on a valid reserve/free) */
    SIGN_WHY,        /* the contract rejects it (EINVAL): the rules it breaks */
    SIGN_PAGE_FREE,  /* the contract answers ENOTRESERVED: [page-free] */
    SIGN_SHAPE,      /* a valid allocation: the parts of the request it needs */
    SIGN_CRASH,      /* a BUG or oops on a valid request: its site says it all */
};

/* lockstep.c */
/* Runs the input (the fast mode, then the precise one on a finding) and
 * signs a finding; 1 = a finding, in r->signature and r->detail. */
int bf_ls_run_checked(bf_runner *r, const uint8_t *data, size_t size);
/* A new runner of r's backend, options and checks (brackets off): a fresh
 * instance, create() and nothing since. */
bf_runner *bf_ls_fresh_runner(const bf_runner *r);
/* "seed line" for a port of the seed (BF_LINES_ARE_SEED), else "line". */
const char *bf_ls_line_word(const bf_backend *be);
/* An answer as a trace writes it: the value (hex for an address), the
 * error's name, or BUG(cond, line N). */
void bf_ls_fmt_result(const bf_backend *be, bf_result x, int addr, char *buf, size_t cap);
/* snprintf at p, never past end; returns the new end of the text. */
char *bf_ls_append(char *p, const char *end, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* signature.c: appends the brackets to r->signature (if r->shape_check). */
void bf_ls_sign(bf_runner *r);

/* report.c: one logged call as a trace line (the reference's answer as the
 * expectation, the backend's as an @override where it differs). */
void bf_ls_print_entry(const bf_runner *r, const bf_log_entry *e, FILE *out, int with_sut,
                       const char *note);

#endif
