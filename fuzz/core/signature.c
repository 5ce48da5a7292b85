/*
 * signature.c - the brackets of a finding's signature: what the contract
 * says decided the failing call.  For a request it rejects, every rule it
 * breaks (from the reference); for a valid allocation, the parts of the
 * request the finding needs, each taken away in turn on a fresh instance in
 * a child process (docs/harness.md, "Signatures").  A part of the lockstep
 * runner (lockstep_parts.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lockstep.h"
#include "ref.h"
#include "lockstep_parts.h"

/* ---- the signature's brackets: what decided the failing call ---- */

int bf_in_child(int (*fn)(void *), void *arg, unsigned secs)
{
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid == 0) {
        /* die quietly: the engines' and sanitizers' handlers would report
         * the child's crash as the input's own (and write artifacts) */
        static const int sig[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGALRM};
        for (unsigned i = 0; i < sizeof sig / sizeof *sig; i++)
            signal(sig[i], SIG_DFL);
        alarm(secs); /* a hang is a failure too, and leaves no orphan behind */
        _exit(fn(arg) ? 0 : 1);
    }
    if (pid < 0) /* no process to spare: the caller decides */
        return -1;
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* calls[0, n) as an input: does it fail at its last call with signature
 * `base` (brackets not computed), on a fresh instance (create(): nothing
 * an earlier run left in this process can change the answer)?  In a child
 * process (bf_in_child): the request taken apart is one nobody fuzzed, and
 * a backend that crashes or hangs on it must not take the finding at hand
 * with it (either means the finding went away: the part was needed). */
typedef struct alike {
    bf_runner *g; /* a fresh runner, never run in this process: each child runs its own copy */
    const uint8_t *buf;
    size_t len;
    unsigned n;
    const char *base;
} alike;

static int alike_here(void *p)
{
    const alike *a = p;
    return bf_ls_run_checked(a->g, a->buf, a->len) && a->g->nlog == a->n &&
           !strcmp(a->g->signature, a->base);
}

/* `g`: a fresh runner of r's backend (fresh_runner, brackets off) that only
 * children run, so each starts from create() at the cost of one creation
 * per finding, not one per part (copy-on-write does the rest). */
static int fails_alike(const bf_runner *r, bf_runner *g, const bf_call *calls, unsigned n,
                       const char *base)
{
    size_t len = bf_encode_calls(calls, n, NULL, 0);
    uint8_t *buf = malloc(len);
    if (!buf)
        abort();
    bf_encode_calls(calls, n, buf, len);
    alike a = {g, buf, len, n, base};
    int same = bf_in_child(alike_here, &a, BF_CHILD_SECS);
    if (same < 0) { /* no process to spare: here, on a runner of its own */
        a.g = bf_ls_fresh_runner(r);
        a.g->shape_check = 0;
        same = alike_here(&a);
        bf_runner_free(a.g);
    }
    free(buf);
    return same;
}

/* Is the node a block of this call belongs to off the request's alignment
 * (align > one page, its start_pfn not a multiple of align / PAGE_SIZE)?
 * Contract §3 step 3 aligns the physical frame number, so such a node is
 * where aligning a node-relative index goes wrong.  The node: the one
 * holding the contract's block, else the backend's, else the one where the
 * checker saw a fit the backend missed (first-fit), else alloc_node's nid,
 * else the first live one. */
static int off_align_node(bf_runner *r, const bf_call *c, uint64_t align)
{
    const bf_log_entry *e = &r->log[r->nlog - 1];
    const bf_checker *k = r->compare && r->ref_chk.inv ? &r->ref_chk : &r->sut_chk;
    uint64_t step = align / BF_PAGE_SIZE, at = UINT64_MAX, want = UINT64_MAX;
    if (r->compare && e->ref.err == BF_OK)
        at = bf_pfn_down(e->ref.value);
    else if (e->sut.err == BF_OK)
        at = bf_pfn_down(e->sut.value);
    else if (k->inv && !strcmp(k->inv, "first-fit"))
        want = k->fit_node;
    else if (c->op == BF_OP_ALLOC_NODE)
        want = c->arg[0];
    bf_node_info n;
    for (uint64_t i = 0; r->ref.be->node_info(r->ref.sys, i, &n) == 0; i++) {
        if (!n.live)
            continue;
        int hit = at != UINT64_MAX     ? (n.start_pfn <= at && at < n.end_pfn)
                  : want != UINT64_MAX ? i == want
                                       : 1; /* the first live node */
        if (hit)
            return step > 1 && n.start_pfn % step != 0;
    }
    return 0;
}

/* An allocation: the parts of the request the finding needs.  Each part is
 * taken away in turn (the goal 0, the limit 0, the alignment 1; for a
 * request the contract rejects, size 0 becomes 1 and a bad alignment 1),
 * on the calls as they are, a fresh instance each time; a part without
 * which the finding is gone, or another, is a tag, and a part it does not
 * need stays away for the next try (greedy, in this fixed order, so the
 * answer is the same on every run).  This is what separates root causes
 * that fail the same way in the same call: a hint ignored under a limit
 * needs [goal limit], a lost goal [goal align=0], an ENOMEM for a request
 * with no node to try needs only one of its reasons.  alloc_node is signed
 * as alloc (one core); its nid is not a part (without it another node is
 * tried first, which is another call, not a simpler one). */
static void alloc_tags(bf_runner *r, int rejected_why, char *tags, size_t cap)
{
    bf_runner *g = bf_ls_fresh_runner(r);
    g->shape_check = 0;
    unsigned n = r->nlog;
    bf_call *calls = malloc(n * sizeof *calls);
    if (!calls)
        abort();
    for (unsigned i = 0; i < n; i++)
        calls[i] = r->log[i].call;
    char *t = tags, *end = tags + cap;
    bf_call *c = &calls[n - 1];
    int k = c->op == BF_OP_ALLOC_NODE;
    uint64_t *size = &c->arg[k], *align = &c->arg[k + 1];
    /* the calls re-encoded must fail alike as they are (an input whose
     * finding needs its decoder's own shape: the reasons alone) */
    int can = fails_alike(r, g, calls, n, r->signature);
    if (rejected_why) {
        unsigned why = (unsigned)rejected_why;
        if (can && (why & REF_WHY_SIZE0) && (why & ~REF_WHY_SIZE0)) {
            *size = 1; /* another reason still rejects it: is size 0 needed? */
            if (fails_alike(r, g, calls, n, r->signature))
                why &= ~REF_WHY_SIZE0;
            else
                *size = 0;
        }
        if (can && (why & REF_WHY_ALIGN) && (why & ~REF_WHY_ALIGN)) {
            uint64_t was = *align;
            *align = 1;
            if (fails_alike(r, g, calls, n, r->signature))
                why &= ~REF_WHY_ALIGN;
            else
                *align = was;
        }
        ref_why_format(why, tags, cap);
        goto out;
    }
    if (!can)
        goto out;
    /* a broken invariant of one part of the request: only that part (the
     * alignment rule reads align, §4.1; the window rule the limit, §4.2; a
     * missed fit the alignment, §4.6): the others would split one bug by
     * what else its inputs happened to need */
    const char *inv = r->compare && r->ref_chk.inv ? NULL : r->sut_chk.inv;
    int only_align = inv && (!strcmp(inv, "align") || !strcmp(inv, "first-fit"));
    int only_limit = inv && !strcmp(inv, "window");
    static const char *const part[2] = {"goal", "limit"};
    for (int p = 0; p < 2; p++) {
        uint64_t *a = &c->arg[k + 2 + p], was = *a;
        if (was == 0 || only_align || (only_limit && p == 0))
            continue;
        *a = 0;
        if (!fails_alike(r, g, calls, n, r->signature)) {
            *a = was;
            t = bf_ls_append(t, end, "%s%s", t > tags ? " " : "", part[p]);
        }
    }
    uint64_t was = *align;
    if (was != 1 && !only_limit) {
        *align = 1;
        if (!fails_alike(r, g, calls, n, r->signature)) {
            *align = was;
            t = bf_ls_append(t, end, "%s%s", t > tags ? " " : "",
                             was == 0 ? "align=0" : was > BF_PAGE_SIZE ? "align>page" : "align");
            if (off_align_node(r, c, was))
                bf_ls_append(t, end, " off-align-node");
        }
    }
out:
    free(calls);
    bf_runner_free(g);
}

/* Append to the signature what the contract says decided the failing call:
 * for a request it rejects, every rule the request breaks (ref.h REF_WHY_*,
 * read from the reference, which a rejected call leaves as it was); for a
 * valid allocation, the parts of the request the finding needs (above).
 * A crash site (BUG, oops) on a valid request needs nothing more, and a
 * finding of no one call (at the end) has no call to say it of. */
void bf_ls_sign(bf_runner *r)
{
    if (!r->shape_check || !r->nlog || r->sign == SIGN_NONE || r->sign == SIGN_CRASH)
        return;
    const bf_call *c = &r->log[r->nlog - 1].call;
    char tags[160] = "";
    if (r->sign == SIGN_PAGE_FREE) {
        snprintf(tags, sizeof tags, "page-free");
    } else if (r->sign == SIGN_WHY) {
        unsigned why = 0;
        int k = c->op == BF_OP_ALLOC_NODE;
        switch (c->op) {
        case BF_OP_RESERVE:
        case BF_OP_FREE: why = ref_range_why(r->ref.sys, c->arg[0], c->arg[1]); break;
        case BF_OP_ALLOC:
        case BF_OP_ALLOC_NODE:
            why = ref_alloc_why(r->ref.sys, k, c->arg[0], c->arg[k], c->arg[k + 1]);
            break;
        case BF_OP_FREE_ALL: why = ref_free_all_why(r->ref.sys, c->arg[0]); break;
        default: break;
        }
        if (bf_op_is_alloc(c->op))
            alloc_tags(r, (int)why, tags, sizeof tags);
        else
            ref_why_format(why, tags, sizeof tags);
    } else {
        alloc_tags(r, 0, tags, sizeof tags);
    }
    if (tags[0]) {
        size_t used = strlen(r->signature);
        snprintf(r->signature + used, sizeof r->signature - used, " [%s]", tags);
    }
}
