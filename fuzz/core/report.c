/*
 * report.c - a finding's report: its signature, what differs, each side's
 * answers, and the calls as a trace that replays it (bf_runner_report,
 * bf_runner_write_trace).  A part of the lockstep runner (lockstep_parts.h).
 */
#include <stdio.h>
#include <string.h>

#include "lockstep.h"
#include "ref.h"
#include "lockstep_parts.h"

/* One logged call as a trace line: the reference's answer as the plain
 * expectation, the backend's as an @override where it differs. */
void bf_ls_print_entry(const bf_runner *r, const bf_log_entry *e, FILE *out, int with_sut,
                       const char *note)
{
    char call[256], a[96], b[96];
    int n = (int)bf_call_format(&e->call, call, sizeof call);
    int addr = bf_op_is_alloc(e->call.op);
    bf_ls_fmt_result(r->compare ? &bf_backend_ref : r->sut_be, e->ref, addr, a, sizeof a);
    if (e->ref.err == BF_BUG) /* the trace language writes "! BUG"; the why goes in the comment */
        snprintf(a, sizeof a, "BUG");
    fprintf(out, "%s%*s %s %s", call, n < 39 ? 39 - n : 0, "", e->ref.err == BF_OK ? "=" : "!", a);
    int differs = e->sut.err != e->ref.err || e->sut.value != e->ref.value;
    if (with_sut == 2 && r->compare && differs) {
        /* the failing call: the contract's answer alone, so the trace fails
         * here on the backend; what the backend said goes in the comment */
        bf_ls_fmt_result(r->sut_be, e->sut, addr, b, sizeof b);
        fprintf(out, "   # <-- finding: %s answered %s %s", r->sut_be->name,
                e->sut.err == BF_OK ? "=" : "!", e->sut.err == BF_OK ? b : bf_err_name(e->sut.err));
        if (e->sut.err == BF_BUG)
            fprintf(out, " (%s at %s %d)", e->sut.bug_cond ? e->sut.bug_cond : "BUG()",
                    bf_ls_line_word(r->sut_be), e->sut.bug_line);
        fputc('\n', out);
        return;
    }
    if (with_sut && r->compare && differs) {
        if (e->sut.err == BF_BUG)
            fprintf(out, "   @%s ! BUG", r->sut_be->name);
        else {
            bf_ls_fmt_result(r->sut_be, e->sut, addr, b, sizeof b);
            fprintf(out, "   @%s %s %s", r->sut_be->name, e->sut.err == BF_OK ? "=" : "!", b);
        }
    }
    if (note)
        fprintf(out, "   # %s", note);
    if (e->sut.err == BF_BUG && with_sut)
        fprintf(out, "%s%s at %s %d", note ? "; " : "   # ",
                e->sut.bug_cond ? e->sut.bug_cond : "BUG()", bf_ls_line_word(r->sut_be),
                e->sut.bug_line);
    fputc('\n', out);
}

/* Each line of text (multi-line, '\n'-separated) as a comment: prefix first. */
static void comment_lines(FILE *out, const char *prefix, const char *text)
{
    while (*text) {
        const char *nl = strchr(text, '\n');
        int len = nl ? (int)(nl - text) : (int)strlen(text);
        fprintf(out, "%s%.*s\n", prefix, len, text);
        text += len + (nl != NULL);
    }
}

static void report(const bf_runner *r, FILE *out, const char *sig_prefix);

void bf_runner_report(const bf_runner *r, FILE *out) { report(r, out, ""); }
void bf_runner_write_trace(const bf_runner *r, FILE *out) { report(r, out, "# "); }

static void report(const bf_runner *r, FILE *out, const char *sig_prefix)
{
    fprintf(out, "%s%s\n", sig_prefix, r->signature);
    fprintf(out, "# target %s (%s%s%s), byte format %d, failing call %u of %u\n",
            r->sut_be->name,
            r->compare ? "compared exactly with the reference"
                       : r->judge ? "invariants only, the reference judging requests"
                                  : "invariants only",
            r->options[0] ? ", options " : "", r->options, BF_FORMAT_VERSION, r->nlog, r->nlog);
    comment_lines(out, "# ", r->detail);
    if (r->compare)
        fprintf(out, "# the trace up to the failing call, with the contract's answers: it fails on "
                     "%s at the finding and passes on ref\n", r->sut_be->name);
    else
        fprintf(out, "# the trace up to the failing call, with %s's own answers (invariants only: "
                     "bootfuzz run --backend %s checks the invariants after every call and "
                     "ignores these)\n", r->sut_be->name, r->sut_be->name);
    fprintf(out, "%%format 1\n");
    if (r->leak_trace) {
        fprintf(out, "# the earlier input that leaves the state behind (run it first):\n");
        comment_lines(out, "#   ", r->leak_trace);
        fprintf(out, "# then this input, after reset():\n");
    }
    for (unsigned i = 0; i < r->nlog; i++) {
        int last = i + 1 == r->nlog;
        const bf_log_entry *e = &r->log[i];
        int differs = e->sut.err != e->ref.err || e->sut.value != e->ref.value;
        if (last && r->compare && differs)
            bf_ls_print_entry(r, e, out, 2, NULL);
        else
            bf_ls_print_entry(r, e, out, 1, last ? "<-- finding" : NULL);
    }
    fputs(r->state_lines, out);
}
