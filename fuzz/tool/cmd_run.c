/*
 * cmd_run.c - `bootfuzz run`: run traces against a backend, check every
 * expectation, or print the trace back annotated with the results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends.h"
#include "cli.h"
#include "decode.h"
#include "files.h"
#include "lockstep.h"
#include "session.h"
#include "trace.h"

#define RESULT_COLUMN 39 /* results start at column 40 in annotated output */

typedef struct run_opts {
    const bf_backend *be;
    const cli_options *opts;
    int annotate;
    int verbose;
    int invariants;  /* check contract section 4, not the trace's expectations */
    bf_runner *runner; /* for invariants */
} run_opts;

typedef struct run_stats {
    int files, checks, mismatches, bad_files;
} run_stats;

/* (checked against this backend before anything ran: cli_options_check) */
static int apply_options(bf_session *s, const run_opts *o)
{
    for (int i = 0; i < o->opts->n; i++)
        if (s->be->set_option(s->sys, o->opts->name[i], o->opts->value[i]) != 0)
            return cli_error("run: backend %s refused option %s", s->be->name, o->opts->name[i]);
    return 0;
}

/* One statement line, canonical, with `result` at RESULT_COLUMN, other
 * backends' expectations kept, and the comment kept. */
static void print_annotated(const bf_tline *l, const char *result, const char *note,
                            const char *backend)
{
    char call[256];
    int n = (int)bf_call_format(&l->call, call, sizeof call);
    printf("%s%*s %s", call, n < RESULT_COLUMN ? RESULT_COLUMN - n : 0, "", result);
    for (int i = 0; i < l->nexp; i++) {
        char e[BF_MAP_MAX + 64];
        if (!l->exp[i].backend[0] || !strcmp(l->exp[i].backend, backend))
            continue;
        bf_expect_format(&l->exp[i], e, sizeof e);
        printf("   @%s %s", l->exp[i].backend, e);
    }
    if (l->comment)
        printf("   %s", l->comment);
    if (note)
        printf("%s# %s", l->comment ? " " : "   ", note);
    putchar('\n');
}

/* --invariants: the trace's calls (queries and expectations aside) run as a
 * fuzz input would, through the lockstep runner in invariants mode: every
 * invariant of contract section 4 after every call, the reference judging
 * each request.  Placement is the backend's own business, so an address or
 * state the trace expects is not checked. */
static void run_invariants(const char *path, const bf_call *calls, const int *line, size_t n,
                           const run_opts *o, run_stats *st)
{
    uint8_t buf[1 + BF_DECODE_MAX_RAW * 41];
    size_t len = bf_encode_calls(calls, n, buf, sizeof buf);
    bf_runner *r = o->runner;
    int f = bf_runner_run(r, buf, len);
    st->checks += (int)r->nlog;
    if (f) {
        unsigned at = r->nlog ? r->nlog - 1 : 0;
        printf("%s:%d: %s\n", path, at < n ? line[at] : 0, r->signature + strlen("bootfuzz: "));
        bf_runner_report(r, stdout);
        st->mismatches++;
    }
    if (o->verbose)
        fprintf(stderr, "%s: %s on %s (invariants, %u calls)\n", path, f ? "FAIL" : "ok",
                r->sut_be->name, r->nlog);
}

/* What the first reading of a trace finds (every line parsed, none run). */
typedef struct trace_scan {
    int statements, has_expectations;
    bf_call calls[BF_DECODE_MAX_RAW]; /* for --invariants: what a fuzz input holds */
    int line[BF_DECODE_MAX_RAW];
    size_t n;
    int too_big_at; /* line of the first call past what a fuzz input holds, or 0 */
} trace_scan;

static void scan_line(const bf_tline *l, trace_scan *sc)
{
    if (l->kind != BF_LINE_STMT)
        return;
    sc->statements++;
    sc->has_expectations |= l->nexp > 0;
    if (bf_op_get(l->call.op)->is_query || sc->too_big_at)
        return;
    if (sc->n == BF_DECODE_MAX_RAW ||
        (l->call.op == BF_OP_NODE && (l->call.flags & BF_CALL_MEM) &&
         l->call.arg[1] - l->call.arg[0] > BF_DECODE_MEM_PAGES)) {
        sc->too_big_at = l->lineno;
        return;
    }
    sc->line[sc->n] = l->lineno;
    sc->calls[sc->n++] = l->call;
}

/* The trace is read twice, a line at a time: first every line is parsed
 * (a malformed trace runs nothing, and whether it has expectations decides
 * between checking and annotating), then it runs.  Memory is that of one
 * line, whatever the trace's length. */
static void run_file(const char *path, bf_session *s, const run_opts *o, run_stats *st)
{
    bf_trace_reader rd;
    const bf_tline *l;
    char err[512];
    int more;
    static trace_scan sc;
    memset(&sc, 0, sizeof sc);
    st->files++;
    if (bf_trace_open(&rd, path, err, sizeof err) != 0) {
        fprintf(stderr, "bootfuzz: run: %s\n", err);
        st->bad_files++;
        return;
    }
    while ((more = bf_trace_next(&rd, &l, err, sizeof err)) > 0)
        scan_line(l, &sc);
    if (more < 0 || bf_trace_rewind(&rd) != 0) {
        fprintf(stderr, "bootfuzz: run: %s\n", more < 0 ? err : "cannot read it again");
        st->bad_files++;
        bf_trace_close(&rd);
        return;
    }
    if (!sc.statements) {
        fprintf(stderr, "bootfuzz: run: %s: no calls in this trace: nothing to run\n", path);
        st->bad_files++;
        bf_trace_close(&rd);
        return;
    }
    /* a trace with nothing to check is printed back with the answers, on
     * any backend; one with expectations is checked by the invariants on a
     * backend that promises only those (or with --invariants) */
    if (o->invariants && !o->annotate && sc.has_expectations) {
        bf_trace_close(&rd);
        if (sc.too_big_at) {
            fprintf(stderr, "bootfuzz: run: %s:%d:1: --invariants runs what a fuzz input holds: "
                            "at most %d calls, backing memory for nodes of at most %d pages\n",
                    path, sc.too_big_at, BF_DECODE_MAX_RAW, BF_DECODE_MEM_PAGES);
            st->bad_files++;
            return;
        }
        run_invariants(path, sc.calls, sc.line, sc.n, o, st);
        return;
    }
    bf_session_reset(s);
    if (apply_options(s, o) != 0) {
        st->bad_files++;
        bf_trace_close(&rd);
        return;
    }
    int annotate = o->annotate || !sc.has_expectations;
    int checks = 0, bad = 0;
    static char text[BF_MAP_MAX + 256];
    while ((more = bf_trace_next(&rd, &l, err, sizeof err)) > 0) {
        if (l->kind != BF_LINE_STMT) {
            if (annotate)
                printf("%s\n", l->raw);
            continue;
        }
        if (s->stopped) { /* a BUG ended the sequence: the rest does not run */
            if (annotate)
                printf("%s   # not run: a BUG ended the sequence\n", l->raw);
            continue;
        }
        bf_result r = bf_session_exec(s, &l->call, text, sizeof text);
        char got[sizeof text + 8];
        bf_result_format(r, text, got, sizeof got);
        const bf_expect *e = bf_tline_expect_for(l, s->be->name);
        /* contract section 5, as the fuzzers judge it (lockstep.c): a BUG()
         * where the contract rejects the request (EINVAL, ENOTRESERVED) is
         * agreement, and it ends the sequence; an oops never is */
        int bug_agrees = e && e->is_err && r.err == BF_BUG &&
                         (e->err == BF_EINVAL || e->err == BF_ENOTRESERVED) &&
                         !(r.bug_cond && !strncmp(r.bug_cond, BF_OOPS_PREFIX, strlen(BF_OOPS_PREFIX)));
        if (e) {
            checks++;
            if (!bug_agrees && !bf_expect_matches(e, r.err, text)) {
                char want[BF_MAP_MAX + 64], call[256];
                bf_expect_format(e, want, sizeof want);
                bf_call_format(&l->call, call, sizeof call);
                printf("%s:%d: %s: expected %s, got %s%s%s%s\n", path, l->lineno, call, want,
                       got, r.err == BF_BUG ? " (" : "", r.err == BF_BUG ? text : "",
                       r.err == BF_BUG ? ")" : "");
                bad++;
            }
        }
        if (annotate)
            print_annotated(l, got, r.err == BF_BUG ? text : NULL, s->be->name);
    }
    if (more < 0) { /* the file changed under us */
        fprintf(stderr, "bootfuzz: run: %s\n", err);
        st->bad_files++;
    }
    /* a backend judged by the invariants is judged by them whatever the
     * trace expects, also when it only asks for the answers: the same calls
     * must not pass here and fail with an expectation added */
    if (o->invariants && more == 0) {
        if (sc.too_big_at)
            fprintf(stderr, "bootfuzz: run: %s:%d:1: not checked by the invariants: they run what a "
                            "fuzz input holds (at most %d calls, backing memory for nodes of at most "
                            "%d pages)\n", path, sc.too_big_at, BF_DECODE_MAX_RAW, BF_DECODE_MEM_PAGES);
        else
            run_invariants(path, sc.calls, sc.line, sc.n, o, st);
    }
    if (o->verbose)
        fprintf(stderr, "%s: %s on %s (%d checks, %d mismatches)\n", path,
                bad ? "FAIL" : "ok", s->be->name, checks, bad);
    st->checks += checks;
    st->mismatches += bad;
    bf_trace_close(&rd);
}

typedef struct run_ctx {
    bf_session *s;
    const run_opts *o;
    run_stats *st;
} run_ctx;

static int run_one(const char *path, void *p)
{
    run_ctx *c = p;
    run_file(path, c->s, c->o, c->st);
    return 0;
}

static const cli_opt run_opts_table[] = {
    CLI_OPTS_TARGET,
    CLI_OPT_VERBOSE,
    {"annotate", 'a', NULL, CLI_O_FIRST_OWN},
    {0},
};

int cmd_run(int argc, char **argv)
{
    run_opts o = {0};
    cli_backend_args b;
    cli_backend_args_init(&b, "ref");
    cli_args a;
    cli_args_init(&a, "run", run_opts_table, argc, argv);
    const char *v;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    int nfiles = 0, r;
    if (!files)
        abort();
    while ((r = cli_next(&a, &v)) != CLI_DONE) {
        int taken = r > 0 ? cli_backend_arg(&b, "run", r, v) : 1;
        if (taken == 2) {
            free(files);
            return 2;
        }
        if (r == CLI_OPERAND)
            files[nfiles++] = (char *)v;
        else if (r == CLI_O_VERBOSE)
            o.verbose = 1;
        else if (r == CLI_O_FIRST_OWN)
            o.annotate = 1;
        else if (taken == 1) {
            free(files);
            return cli_finish(&a, r);
        }
    }
    if (cli_backend_args_done(&b, "run") != 0) {
        free(files);
        return 2;
    }
    if (!nfiles) {
        free(files);
        return cli_usage_error("run: no trace given (give FILE or DIR; bootfuzz help run)");
    }
    o.be = b.be;
    o.opts = &b.options;
    /* --check invariants 1, exact -1, auto 0; then auto on a backend that
     * promises only the invariants is checked by them */
    o.invariants = !b.check || !b.check[0] || !strcmp(b.check, "auto") ? 0
                   : !strcmp(b.check, "invariants")                     ? 1
                                                                        : -1;
    if (o.invariants == 1 && o.annotate) {
        free(files);
        return cli_usage_error("run: --annotate shows answers; --invariants checks them");
    }
    if (o.invariants == 0 && !(o.be->flags & BF_PROMISES_EXACT))
        o.invariants = 1;
    o.invariants = o.invariants > 0;
    if (o.invariants) {
        char opts[512];
        cli_options_format(&b.options, opts, sizeof opts);
        o.runner = bf_runner_new_with(o.be, opts, BF_CHECK_INVARIANTS);
        if (!o.runner) {
            free(files);
            return 2;
        }
    }
    bf_session s;
    if (bf_session_init(&s, o.be) != 0) {
        free(files);
        return cli_error("run: cannot create backend %s", o.be->name);
    }
    run_stats st = {0};
    run_ctx ctx = {&s, &o, &st};
    for (int i = 0; i < nfiles; i++) { /* a directory: every *.trace below it, in name order */
        int before = st.files;
        if (bf_walk_for("run", files[i], ".trace", run_one, &ctx) < 0)
            st.bad_files++;
        else if (st.files == before) {
            fprintf(stderr, "bootfuzz: run: %s: no *.trace file in it: nothing to run\n", files[i]);
            st.bad_files++;
        }
    }
    free(files);
    bf_session_destroy(&s);
    bf_runner_free(o.runner);
    if (o.verbose || st.files > 1)
        fprintf(stderr, "bootfuzz run: %d file%s on %s%s, %d checks, %d %s%s\n", st.files,
                st.files == 1 ? "" : "s", o.be->name, o.invariants ? " (invariants)" : "",
                st.checks, st.mismatches, o.invariants ? "findings" : "mismatches",
                st.bad_files ? ", some files could not be run (see above)" : "");
    fflush(stdout);
    return st.bad_files ? 2 : st.mismatches ? 1 : 0;
}
