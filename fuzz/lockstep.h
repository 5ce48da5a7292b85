/*
 * lockstep.h - run one fuzz input on the reference and a backend, call by
 * call, and stop at the first disagreement or broken invariant.
 */
#ifndef BOOTFUZZ_LOCKSTEP_H
#define BOOTFUZZ_LOCKSTEP_H

#include <stdio.h>

#include "decode.h"
#include "invariants.h"

#define BF_LOG_MAX BF_DECODE_MAX_RAW /* record calls + prelude, or raw records */

/* A fuzz target: which backend is tested, and how. */
typedef struct bf_target {
    const char *name;     /* "fast", "2614", "ref" */
    const char *backend;  /* the backend under test */
    int compare;          /* compare every answer and all state with ref */
} bf_target;

const bf_target *bf_target_find(const char *name);
extern const bf_target bf_targets[];

typedef struct bf_log_entry {
    bf_call call;
    bf_result ref, sut;
} bf_log_entry;

typedef struct bf_runner {
    const bf_target *target;
    const bf_backend *sut_be;
    bf_session ref, sut; /* for the ref target only `ref` is used */
    bf_checker ref_chk, sut_chk;
    bf_dctx dctx;
    bf_decoder dec;
    bf_log_entry log[BF_LOG_MAX];
    unsigned nlog;
    char options[512];   /* applied to the backend after every reset */
    int always_precise;  /* read all state after every call, not just on findings */
    /* the finding, if any */
    char signature[256];
    char detail[1024];   /* values and state difference, multi-line */
} bf_runner;

/* options: "NAME=VALUE,NAME=VALUE" set on the backend under test (the
 * 2.6.14 port's bug switches), or NULL/"".  Returns NULL with a message on
 * stderr for an unknown target or option. */
bf_runner *bf_runner_new(const char *target, const char *options);
/* The same for any backend (tests use planted-bug backends). */
bf_runner *bf_runner_new_with(const bf_target *t, const bf_backend *sut, const char *options);
void bf_runner_free(bf_runner *r);

/* 0: clean; 1: a finding (signature, detail and the log describe it). */
int bf_runner_run(bf_runner *r, const uint8_t *data, size_t size);

/* The failure report: signature line, the trace up to the failing call with
 * both sides' answers (a runnable trace), and the state difference. */
void bf_runner_report(const bf_runner *r, FILE *out);

#endif
