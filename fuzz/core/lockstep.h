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
#define BF_HISTORY 8                 /* inputs kept to find one whose state leaks */

/* How a backend is checked.  BF_CHECK_AUTO follows its flags (the one
 * source of truth): BF_PROMISES_EXACT means EXACT, else INVARIANTS.  The
 * reference itself is always checked alone, by the invariants. */
typedef enum bf_check {
    BF_CHECK_AUTO = 0,
    BF_CHECK_EXACT,      /* every answer and all state compared with the reference */
    BF_CHECK_INVARIANTS, /* contract section 4 only; the reference judges requests */
} bf_check;

/* "exact", "invariants", "auto" (or NULL/"") -> *out; -1 for anything else. */
int bf_check_parse(const char *s, bf_check *out);

typedef struct bf_log_entry {
    bf_call call;
    bf_result ref, sut;
} bf_log_entry;

typedef struct bf_runner {
    const bf_backend *sut_be;
    int compare;         /* exact: compare every answer and all state with ref */
    int judge;           /* invariants only, with ref judging each request in
                          * the backend's state (a mirror: see lockstep.c) */
    bf_session ref, sut; /* for the ref target only `ref` is used */
    bf_checker ref_chk, sut_chk;
    bf_dctx dctx;
    bf_decoder dec;
    bf_log_entry log[BF_LOG_MAX];
    unsigned nlog;
    char options[512];   /* applied to the backend after every reset */
    int always_precise;  /* read all state after every call, not just on findings */
    bf_check check;      /* as asked (for the fresh instances below) */
    /* A finding is checked on a fresh instance of the backend (create(),
     * not reset()): when the input alone does not give it, the backend's
     * reset() leaked state from an earlier input, and the finding becomes
     * "RESET-LEAK" with the leaking input (from the history) in the report.
     * On by default; off in the fresh instances themselves. */
    int fresh_check;
    /* The signature's brackets (lockstep.c, sign()): what decided the
     * failing call; for an allocation, the parts of the request the finding
     * needs, each taken away in turn on a fresh instance.  On by default;
     * off in those instances, which compare signatures without brackets. */
    int shape_check;
    int sign;            /* how the finding at hand is signed (lockstep.c) */
    struct {
        uint8_t *data;
        size_t size, cap;
    } hist[BF_HISTORY];  /* the last inputs run, newest at (nhist - 1) % BF_HISTORY */
    unsigned long nhist;
    struct bf_supp *supp;   /* known findings (suppress.h), or NULL: an input whose
                             * finding matches runs as clean, counted here */
    unsigned long suppressed;
    char *leak_trace;    /* RESET-LEAK: the leaking input's calls (malloc'd) or NULL */
    uint8_t *leak_input; /* RESET-LEAK: the leaking input's bytes (malloc'd) or NULL */
    size_t leak_size;
    /* the finding, if any */
    char signature[256];
    char detail[1024];   /* values and state difference, multi-line */
    /* For a difference in state: queries with the reference's answers, the
     * lines that make the reproducer fail right after the failing call. */
    char state_lines[1024];
} bf_runner;

/* Run fn(arg) in a child process, with at most `secs` seconds and the
 * signals engines and sanitizers catch back to their defaults (so a crash
 * there dies quietly): 1 when fn returned non-zero and the child exited,
 * 0 when fn returned 0, or the child crashed or ran out of time; -1 when
 * there was no process to spare (fork failed: the caller decides whether
 * to run it here).  For running requests
 * nobody fuzzed (a signature's parts, a minimizer's candidates) without
 * risking the finding at hand. */
#define BF_CHILD_SECS 10
int bf_in_child(int (*fn)(void *), void *arg, unsigned secs);

/* A runner for the registered backend `name` (its fuzz target has the same
 * name), checked as `check` says.  options: "NAME=VALUE,NAME=VALUE" set on
 * the backend under test (the 2.6.14 port's bug switches), or NULL/"".
 * Returns NULL with a message on stderr for an unknown backend or option. */
bf_runner *bf_runner_new(const char *name, const char *options, bf_check check);
/* The same for any backend, registered or not (tests use planted flaws). */
bf_runner *bf_runner_new_with(const bf_backend *sut, const char *options, bf_check check);
void bf_runner_free(bf_runner *r);

/* 0: clean (or a finding that r->supp suppresses: counted in
 * r->suppressed); 1: a finding (signature, detail and the log describe it). */
int bf_runner_run(bf_runner *r, const uint8_t *data, size_t size);

/* After a clean run (bf_runner_run returned 0): every instance back to its
 * reset state now, at the end of the input, instead of at the start of the
 * next.  The work a reset does depends on what the input left behind (the
 * blocks to wipe, the marks to clear), so done here it is this input's
 * own: no input's control flow, hence coverage, depends on the input
 * before it (AFL++ "stability").  The fuzz targets call it; callers that
 * read the state after a run do not. */
void bf_runner_settle(bf_runner *r);


/* The failure report: signature line ("bootfuzz: SIGNATURE", what engines'
 * logs and scripts look for), the values and state difference as comments,
 * and the trace up to the failing call: the contract's answers as the
 * expectations (the backend's as @NAME overrides on earlier lines where an
 * invariants-only backend placed blocks its own way), the failing call with
 * the contract's answer alone, then, for a difference in state, queries
 * with the reference's answers.  So the trace fails on the backend at the
 * failing call (bootfuzz run --backend NAME), and passes on the reference. */
void bf_runner_report(const bf_runner *r, FILE *out);
/* The same, as a trace file: the signature line is a comment ("# bootfuzz:
 * SIGNATURE"), so `bootfuzz run` and `encode` take the file as it is. */
void bf_runner_write_trace(const bf_runner *r, FILE *out);

#endif
