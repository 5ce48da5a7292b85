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
    const char *opt_name[32];
    uint64_t opt_value[32];
    int nopt;
    int annotate;
    int verbose;
    int invariants;  /* check contract section 4, not the trace's expectations */
    bf_runner *runner; /* for invariants */
} run_opts;

typedef struct run_stats {
    int files, checks, mismatches, bad_files;
} run_stats;

static int apply_options(bf_session *s, const run_opts *o)
{
    for (int i = 0; i < o->nopt; i++) {
        if (!s->be->set_option || s->be->set_option(s->sys, o->opt_name[i], o->opt_value[i])) {
            fprintf(stderr, "bootfuzz: backend %s has no option '%s'\n", s->be->name,
                    o->opt_name[i]);
            return -1;
        }
    }
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
static void run_invariants(const char *path, const bf_trace *t, const run_opts *o, run_stats *st)
{
    bf_call calls[BF_DECODE_MAX_RAW];
    int line[BF_DECODE_MAX_RAW];
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++) {
        const bf_tline *l = &t->line[i];
        if (l->kind != BF_LINE_STMT || bf_op_get(l->call.op)->is_query)
            continue;
        if (n == BF_DECODE_MAX_RAW ||
            (l->call.op == BF_OP_NODE && (l->call.flags & BF_CALL_MEM) &&
             l->call.arg[1] - l->call.arg[0] > BF_DECODE_MEM_PAGES)) {
            fprintf(stderr, "%s:%d:1: --invariants runs what a fuzz input holds: at most %d "
                            "calls, backing memory for nodes of at most %d pages\n",
                    path, l->lineno, BF_DECODE_MAX_RAW, BF_DECODE_MEM_PAGES);
            st->bad_files++;
            return;
        }
        line[n] = l->lineno;
        calls[n++] = l->call;
    }
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

static void run_file(const char *path, bf_session *s, const run_opts *o, run_stats *st)
{
    bf_trace t;
    char err[512];
    st->files++;
    if (bf_trace_load(path, &t, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        st->bad_files++;
        return;
    }
    /* a trace with nothing to check is printed back with the answers, on
     * any backend; one with expectations is checked by the invariants on a
     * backend that promises only those (or with --invariants) */
    if (o->invariants && !o->annotate && bf_trace_has_expectations(&t)) {
        run_invariants(path, &t, o, st);
        bf_trace_free(&t);
        return;
    }
    bf_session_reset(s);
    if (apply_options(s, o) != 0) {
        st->bad_files++;
        bf_trace_free(&t);
        return;
    }
    int annotate = o->annotate || !bf_trace_has_expectations(&t);
    int checks = 0, bad = 0;
    static char text[BF_MAP_MAX + 256];
    for (size_t i = 0; i < t.n; i++) {
        const bf_tline *l = &t.line[i];
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
    if (o->verbose)
        fprintf(stderr, "%s: %s on %s (%d checks, %d mismatches)\n", path,
                bad ? "FAIL" : "ok", s->be->name, checks, bad);
    st->checks += checks;
    st->mismatches += bad;
    bf_trace_free(&t);
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

int cmd_run(int argc, char **argv)
{
    run_opts o = {0};
    o.be = bf_backend_find("ref");
    int i;
    for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (!strcmp(a, "--backend") || !strcmp(a, "-b")) {
            if (++i == argc)
                return cli_usage_error("run: --backend needs a name");
            o.be = bf_backend_find(argv[i]);
            if (!o.be)
                return cli_usage_error("run: unknown backend '%s' (bootfuzz list shows them)",
                                       argv[i]);
        } else if (!strcmp(a, "--option") || !strcmp(a, "-o") || !strcmp(a, "--options")) {
            if (++i == argc)
                return cli_usage_error("run: %s needs NAME=VALUE[,NAME=VALUE...]", a);
            /* one NAME=VALUE or a comma list, as replay's --options and the
             * stored options files have them */
            for (char *tok = strtok(argv[i], ","); tok; tok = strtok(NULL, ",")) {
                char *eq = strchr(tok, '=');
                uint64_t v = 1;
                if (!eq || eq == tok || bf_parse_u64(eq + 1, strlen(eq + 1), &v))
                    return cli_usage_error("run: %s '%s': give NAME=VALUE (a number)", a, tok);
                if (o.nopt == 32)
                    return cli_usage_error("run: too many options (32 at most)");
                *eq = 0;
                o.opt_name[o.nopt] = tok;
                o.opt_value[o.nopt++] = v;
            }
        } else if (!strcmp(a, "--invariants")) {
            o.invariants = 1;
        } else if (!strcmp(a, "--exact")) {
            o.invariants = -1;
        } else if (!strcmp(a, "--annotate") || !strcmp(a, "-a")) {
            o.annotate = 1;
        } else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
            o.verbose = 1;
        } else {
            return cli_usage_error("run: unknown flag '%s'", a);
        }
    }
    if (i == argc)
        return cli_usage_error("run: no trace file given");
    /* a backend that promises only the invariants is checked by them */
    if (o.invariants == 1 && o.annotate)
        return cli_usage_error("run: --annotate shows answers; --invariants checks them");
    if (o.invariants == 0 && !(o.be->flags & BF_PROMISES_EXACT))
        o.invariants = 1;
    o.invariants = o.invariants > 0;
    if (o.invariants) {
        char opts[512] = "";
        size_t used = 0;
        for (int k = 0; k < o.nopt && used < sizeof opts; k++) {
            int w = snprintf(opts + used, sizeof opts - used, "%s%s=%llu", k ? "," : "",
                             o.opt_name[k], (unsigned long long)o.opt_value[k]);
            used += w > 0 ? (size_t)w : 0;
        }
        o.runner = bf_runner_new_with(o.be, opts, BF_CHECK_INVARIANTS);
        if (!o.runner)
            return 2;
    }
    bf_session s;
    if (bf_session_init(&s, o.be) != 0) {
        fprintf(stderr, "bootfuzz: cannot create backend %s\n", o.be->name);
        return 2;
    }
    run_stats st = {0};
    run_ctx ctx = {&s, &o, &st};
    for (; i < argc; i++) /* a directory: every *.trace below it, in name order */
        if (bf_walk(argv[i], ".trace", run_one, &ctx) < 0)
            st.bad_files++;
    bf_session_destroy(&s);
    bf_runner_free(o.runner);
    if (o.verbose || st.files > 1)
        fprintf(stderr, "bootfuzz run: %d file%s on %s%s, %d checks, %d %s%s\n", st.files,
                st.files == 1 ? "" : "s", o.be->name, o.invariants ? " (invariants)" : "",
                st.checks, st.mismatches, o.invariants ? "findings" : "mismatches",
                st.bad_files ? ", some files could not be read (see above)" : "");
    fflush(stdout);
    return st.bad_files ? 2 : st.mismatches ? 1 : 0;
}
