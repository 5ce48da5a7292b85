/*
 * lockstep.c - every call on the reference and on the backend under test,
 * outcomes and state compared after each one, invariants checked on both.
 *
 * Findings get a signature that is stable for one bug and differs between
 * bugs (the first line of the report): kind, call, what differs, backend,
 * and in brackets what the contract says decided the call (docs/harness.md,
 * "Signatures"): the rules a rejected request breaks, or, for a valid
 * allocation, the parts of the request the finding needs (each taken away
 * in turn, on a fresh instance: the ones without which it is gone).  Values
 * go on later lines, since they differ from one input to the next for the
 * same bug.  The brackets are worked out in signature.c, the report is
 * written by report.c (what the three share: lockstep_parts.h).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends.h"
#include "lockstep.h"
#include "ref.h"
#include "suppress.h"
#include "lockstep_parts.h"

int bf_check_parse(const char *s, bf_check *out)
{
    if (!s || !s[0] || !strcmp(s, "auto"))
        *out = BF_CHECK_AUTO;
    else if (!strcmp(s, "exact"))
        *out = BF_CHECK_EXACT;
    else if (!strcmp(s, "invariants"))
        *out = BF_CHECK_INVARIANTS;
    else
        return -1;
    return 0;
}

static int apply_options(bf_runner *r)
{
    char buf[sizeof r->options];
    memcpy(buf, r->options, sizeof buf);
    /* the same syntax and errors as the command line's (fuzz/tool/cmd_args.c),
     * for what the engines read from BOOTFUZZ_OPTIONS */
    for (char *tok = strtok(buf, ", \t\n"); tok; tok = strtok(NULL, ", \t\n")) {
        char *eq = strchr(tok, '=');
        uint64_t v;
        if (!eq || eq == tok) {
            fprintf(stderr, "bootfuzz: options '%s': give NAME=VALUE (e.g. A=1)\n", tok);
            return -1;
        }
        *eq = 0;
        if (bf_parse_u64(eq + 1, strlen(eq + 1), &v) != 0) {
            fprintf(stderr, "bootfuzz: options '%s=%s': the value is not a number (1, 0x10, 4K)\n",
                    tok, eq + 1);
            return -1;
        }
        int (*set)(void *, const char *, uint64_t) = r->sut_be->set_option;
        if (!set || set(r->sut.sys, tok, v) != 0) {
            /* the backend says only "no": an option that takes 0 or 1
             * exists, and it is the value that is refused (the runner is
             * not made, so what these tries set does not matter) */
            if (set && (set(r->sut.sys, tok, 0) == 0 || set(r->sut.sys, tok, 1) == 0))
                fprintf(stderr, "bootfuzz: backend %s refuses the value %s for option %s\n",
                        r->sut_be->name, eq + 1, tok);
            else
                fprintf(stderr, "bootfuzz: backend %s has no option '%s'\n", r->sut_be->name, tok);
            return -1;
        }
    }
    return 0;
}

bf_runner *bf_runner_new(const char *name, const char *options, bf_check check)
{
    const bf_backend *sut = bf_backend_find(name);
    if (!sut) {
        char names[512];
        bf_backend_names(names, sizeof names);
        fprintf(stderr, "bootfuzz: unknown backend '%s' (linked in: %s)\n", name, names);
        return NULL;
    }
    return bf_runner_new_with(sut, options, check);
}

static void runner_presize(bf_runner *r, uint64_t pages);

bf_runner *bf_runner_new_with(const bf_backend *sut, const char *options, bf_check check)
{
    const bf_backend *ref = &bf_backend_ref;
    bf_runner *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->sut_be = sut;
    r->check = check;
    r->fresh_check = 1;
    r->shape_check = 1;
    if (check == BF_CHECK_AUTO)
        check = (sut->flags & BF_PROMISES_EXACT) ? BF_CHECK_EXACT : BF_CHECK_INVARIANTS;
    /* the reference is checked alone: comparing it with itself, or letting
     * it judge its own requests, would test nothing */
    int alone = sut == ref;
    r->compare = !alone && check == BF_CHECK_EXACT;
    r->judge = !alone && check == BF_CHECK_INVARIANTS;
    snprintf(r->options, sizeof r->options, "%s", options ? options : "");
    if (bf_session_init(&r->ref, ref) != 0 || bf_session_init(&r->sut, sut) != 0)
        abort();
    bf_checker_init(&r->ref_chk, &r->ref);
    bf_checker_init(&r->sut_chk, &r->sut);
    /* Against the reference, the reference's checker is trusted in the
     * fast mode.  The backend's whole reads are compared with the
     * reference's cached bits, which equal the reference's own (each
     * call's words are compared on both sides; a new node is all reserved
     * on the reference, as contract 1 says and the reference's own target
     * checks, and is read whole on the backend), so reading the reference
     * whole again would only test the reference, which its own target
     * does; so would asking its queries at the end.  Likewise its
     * invariants: the backend's answers and state equal the reference's
     * after every call and the backend's checker judges them, so a
     * reference that broke one makes the backend break it too (or differ);
     * the precise replay of that finding checks the reference first and
     * names the one at fault.  Its backing memory is never compared with
     * the backend's, and its answers do not depend on it: in the fast mode
     * its nodes get none (run_mode), and the precise mode checks it. */
    r->ref_chk.trusted = r->compare;
    /* every runner starts presized (the engines', the tool's and the fresh
     * ones that judge a RESET-LEAK or sign a finding): a backend whose
     * reset() keeps buffers must not answer differently in `bootfuzz
     * replay` than under the engine that found the input */
    runner_presize(r, BF_DECODE_MAX_NODE_PAGES);
    bf_session_reset(&r->sut);
    if (apply_options(r) != 0) {
        bf_runner_free(r);
        return NULL;
    }
    return r;
}

void bf_runner_free(bf_runner *r)
{
    if (!r)
        return;
    for (int i = 0; i < BF_HISTORY; i++)
        free(r->hist[i].data);
    free(r->leak_trace);
    free(r->leak_input);
    bf_checker_destroy(&r->ref_chk);
    bf_checker_destroy(&r->sut_chk);
    bf_session_destroy(&r->ref);
    bf_session_destroy(&r->sut);
    free(r);
}

/* ---- signatures ---- */

/* The call as signatures name it: alloc_node is alloc (one allocator core),
 * and a reserve or free the contract rejects is reserve/free (§2: free is
 * invalid "as for reserve", one rule: the brackets say which part of it).
 * The report and the trace say which call it was. */
static const char *sigop(const bf_runner *r, const bf_call *c)
{
    if (r->sign == SIGN_WHY && (c->op == BF_OP_RESERVE || c->op == BF_OP_FREE))
        return "reserve/free";
    return c->op == BF_OP_ALLOC_NODE ? "alloc" : bf_op_get(c->op)->name;
}

/* An oops without its numbers (addresses, bit indexes of this input): the
 * same bug, the same text. */
static void normalize_cond(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = in ? in : "BUG()"; *p && o + 2 < cap; p++) {
        if (isdigit((unsigned char)*p)) {
            while (isxdigit((unsigned char)p[1]) || p[1] == 'x')
                p++;
            while (p[1] == 'u' || p[1] == 'U' || p[1] == 'l' || p[1] == 'L')
                p++; /* 10ull is one number */
            out[o++] = 'N';
        } else {
            out[o++] = *p;
        }
    }
    out[o] = 0;
}

static const char *opname(const bf_call *c) { return bf_op_get(c->op)->name; }

static int found(bf_runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int found(bf_runner *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(r->signature, sizeof r->signature, "bootfuzz: ");
    vsnprintf(r->signature + n, sizeof r->signature - (size_t)n, fmt, ap);
    va_end(ap);
    return 1;
}

/* "seed line 107" for a port of the seed, "line 42" for anyone's own code */
const char *bf_ls_line_word(const bf_backend *be)
{
    return (be->flags & BF_LINES_ARE_SEED) ? "seed line" : "line";
}

void bf_ls_fmt_result(const bf_backend *be, bf_result x, int addr, char *buf, size_t cap)
{
    if (x.err == BF_OK)
        snprintf(buf, cap, addr ? "0x%llx" : "%llu", (unsigned long long)x.value);
    else if (x.err == BF_BUG)
        snprintf(buf, cap, "BUG(%s, %s %d)", x.bug_cond ? x.bug_cond : "", bf_ls_line_word(be),
                 x.bug_line);
    else
        snprintf(buf, cap, "%s", bf_err_name(x.err));
}

char *bf_ls_append(char *p, const char *end, const char *fmt, ...)
{
    if (p >= end)
        return p;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(p, (size_t)(end - p), fmt, ap);
    va_end(ap);
    return n < 0 ? p : (p + n < end ? p + n : (char *)end);
}

/* A query on the reference, with its answer, as a trace line: what the
 * backend's state should have read after the failing call. */
static void state_line(bf_runner *r, uint8_t op, uint8_t flags, uint64_t a0, uint64_t a1,
                       uint64_t a2)
{
    bf_call q = {.op = op, .flags = flags, .arg = {a0, a1, a2}};
    char text[BF_MAP_MAX + 64], res[BF_MAP_MAX + 80], call[128];
    bf_result x = bf_session_exec(&r->ref, &q, text, sizeof text);
    bf_result_format(x, text, res, sizeof res);
    int n = (int)bf_call_format(&q, call, sizeof call);
    size_t used = strlen(r->state_lines);
    snprintf(r->state_lines + used, sizeof r->state_lines - used, "%s%*s %s   # <-- the state differs\n",
             call, n < 39 ? 39 - n : 0, "", res);
}

/* map NID FIRST COUNT around pfn (at most 64 pages of the node) */
static void map_line(bf_runner *r, uint64_t nid, const bf_node_info *n, uint64_t pfn)
{
    uint64_t first = pfn - n->start_pfn > 8 ? pfn - 8 : n->start_pfn;
    uint64_t count = n->end_pfn - first < 64 ? n->end_pfn - first : 64;
    state_line(r, BF_OP_MAP, BF_CALL_RANGE, nid, first, count);
}

/* Compare node state (last_* and pages) after the call: the words either
 * checker read (the named ones in the fast mode, every node on whole
 * reads) against the other side's, read too or cached (a cached word is
 * what that side holds if it is correct, which its own reads check), and
 * which nodes are retired when the call retires one or reads all. */
static int compare_state(bf_runner *r, const bf_call *c)
{
    const char *be = r->sut_be->name;
    char *d = r->detail, *end = r->detail + sizeof r->detail;
    int whole = r->ref_chk.whole || r->sut_chk.whole;
    /* the nodes read on either side, or all of them */
    uint64_t todo = r->ref_chk.read_mask | r->sut_chk.read_mask;
    if (whole || c->op == BF_OP_FREE_ALL)
        todo = ~0ull;
    if (r->ref_chk.nnodes < 64)
        todo &= (1ull << r->ref_chk.nnodes) - 1;
    for (; todo; todo &= todo - 1) { /* the nodes in todo, lowest first */
        uint64_t i = (uint64_t)__builtin_ctzll(todo);
        bf_node_info a, b;
        uint64_t w0 = 0, w1 = 0, v0 = 0, v1 = 0;
        const bf_node_info *ka = bf_checker_read(&r->ref_chk, i, &w0, &w1);
        const bf_node_info *kb = bf_checker_read(&r->sut_chk, i, &v0, &v1);
        int ra = 0, rb = 0;
        if (ka && kb) { /* live on both sides */
            if (w0 == w1 && v0 == v1)
                continue; /* not read after this call: unchanged */
            a = *ka;
            b = *kb;
        } else if (whole || ka || kb || c->op == BF_OP_FREE_ALL) {
            ra = r->ref.be->node_info(r->ref.sys, i, &a); /* retired on a side */
            rb = r->sut_be->node_info(r->sut.sys, i, &b);
        } else {
            continue; /* retired on both sides, as compared when it happened */
        }
        if (ra != rb || (ra == 0 && a.live != b.live)) {
            bf_ls_append(d, end, "node %llu: ref %s, %s %s\n", (unsigned long long)i,
                         ra ? "unknown" : a.live ? "live" : "retired", be,
                         rb ? "unknown" : b.live ? "live" : "retired");
            const bf_node_info *n = ra == 0 ? &a : &b;
            if (ra == 0 || rb == 0)
                state_line(r, BF_OP_MAP, BF_CALL_RANGE, i, n->start_pfn, 1);
            return found(r, "MISMATCH %s retired %s", sigop(r, c), be);
        }
        if (ra)
            continue;
        static const char *const field[3] = {"last_success", "last_pos", "last_offset"};
        const uint64_t va[3] = {a.last_success, a.last_pos, a.last_offset};
        const uint64_t vb[3] = {b.last_success, b.last_pos, b.last_offset};
        for (int f = 0; f < 3; f++) {
            if (va[f] != vb[f]) {
                bf_ls_append(d, end, "node %llu %s: ref=0x%llx %s=0x%llx\n", (unsigned long long)i,
                             field[f], (unsigned long long)va[f], be, (unsigned long long)vb[f]);
                state_line(r, BF_OP_STATE, 0, i, 0, 0);
                return found(r, "MISMATCH %s %s %s", sigop(r, c), field[f], be);
            }
        }
        uint64_t wa = 0, wb = 0;
        const uint64_t *ba = bf_checker_bits(&r->ref_chk, i, &wa);
        const uint64_t *bb = bf_checker_bits(&r->sut_chk, i, &wb);
        if (!ka || !kb || !ba || !bb || wa != wb)
            continue;
        /* the words read on either side */
        uint64_t lo = w0 < w1 ? w0 : v0, hi = w0 < w1 ? w1 : v1;
        if (w0 < w1 && v0 < v1) {
            lo = w0 < v0 ? w0 : v0;
            hi = w1 > v1 ? w1 : v1;
        }
        uint64_t w = bf_first_diff(ba, bb, lo, hi);
        if (w < hi) {
            uint64_t first = w * 64;
            while (first < hi * 64 && ((ba[first / 64] ^ bb[first / 64]) >> (first % 64) & 1) == 0)
                first++;
            bf_ls_append(d, end, "node %llu pages differ first at pfn %llu: ref %s, %s %s\n",
                         (unsigned long long)i, (unsigned long long)(a.start_pfn + first),
                         (ba[first / 64] >> (first % 64) & 1) ? "reserved" : "free", be,
                         (bb[first / 64] >> (first % 64) & 1) ? "reserved" : "free");
            map_line(r, i, &a, a.start_pfn + first);
            return found(r, "MISMATCH %s pages %s", sigop(r, c), be);
        }
    }
    return 0;
}

/* A broken invariant on one side: `when` is the call's name or "end". */
static int invariant(bf_runner *r, const bf_checker *k, const char *be, const char *when)
{
    snprintf(r->detail, sizeof r->detail, "%s: %s\n", be, k->detail);
    return found(r, "INVARIANT %s %s %s", k->inv, when, be);
}

static int rejected(bf_err e) { return e == BF_EINVAL || e == BF_ENOTRESERVED; }

/*
 * Invariants only: the reference judges the request.  It is kept as a
 * mirror of the backend's state, not of its own placements: calls other
 * than allocations run on it as they are (their effect is fixed by the
 * contract, so while both sides agree both hold the same pages), and after
 * an allocation the backend placed, the mirror reserves that block's pages
 * (check_mirror below).  So "is this free of a page already free?" is asked
 * of the pages the backend really holds.  An allocation is judged only for
 * what rejects it whatever the pages hold (§2 EINVAL); where the backend
 * may place it is the invariants' business (§4).
 */
static bf_result judge(bf_runner *r, const bf_call *c)
{
    if (bf_op_is_alloc(c->op)) {
        int k = c->op == BF_OP_ALLOC_NODE;
        bf_err e = ref_alloc_rejects(r->ref.sys, k, c->arg[0], c->arg[k], c->arg[k + 1]);
        return bf_fail(e); /* BF_OK: a valid request, placed by the backend */
    }
    return bf_session_exec(&r->ref, c, NULL, 0);
}

/* After the backend placed a block the invariants accept (inside one live
 * node, no overlap): the mirror reserves its pages, as the backend did. */
static void mirror_block(bf_runner *r, const bf_call *c, bf_result s)
{
    int k = c->op == BF_OP_ALLOC_NODE;
    bf_call m = {.op = BF_OP_RESERVE, .arg = {s.value, c->arg[k]}};
    if (bf_session_exec(&r->ref, &m, NULL, 0).err != BF_OK) {
        /* cannot happen after the checker's invariants 2 and 3 hold */
        fprintf(stderr, "bootfuzz: internal error: the reference could not mirror block "
                        "0x%llx+%llu\n", (unsigned long long)s.value, (unsigned long long)c->arg[k]);
        abort();
    }
}

/* The backend and the judging reference differ where placement has no
 * say: the error class (value: 0), or a count or node id (value: 1). */
static int judged_mismatch(bf_runner *r, const bf_call *c, bf_result want, bf_result s, int value)
{
    char a[96], b[96];
    const char *be = r->sut_be->name;
    bf_ls_fmt_result(&bf_backend_ref, want, 0, a, sizeof a);
    bf_ls_fmt_result(r->sut_be, s, bf_op_is_alloc(c->op), b, sizeof b);
    snprintf(r->detail, sizeof r->detail, "%s=%s ref=%s (the reference judging the request in "
             "the pages %s holds)\n", be, b,
             bf_op_is_alloc(c->op) && want.err == BF_OK ? "a valid request" : a, be);
    if (value)
        return found(r, "MISMATCH %s value %s", sigop(r, c), be);
    if (rejected(want.err))
        return found(r, "MISMATCH %s %s misses %s", sigop(r, c), be, bf_err_name(want.err));
    if (rejected(s.err))
        return found(r, "MISMATCH %s %s=%s ref=valid", sigop(r, c), be, bf_err_name(s.err));
    return found(r, "MISMATCH %s %s=%s ref=%s", sigop(r, c), be,
                 s.err == BF_OK ? "OK" : bf_err_name(s.err),
                 want.err == BF_OK ? "OK" : bf_err_name(want.err));
}

/* Invariants only: after a call that changed pages, the pages the backend
 * holds (as its checker just read them) must be the mirror's, word for word
 * in every word the call named.  reserve and free have their effect fixed by
 * the contract (a free that frees nothing, a reserve that reserves too
 * little, is a finding here even when no invariant of section 4 sees it),
 * and an allocation's block was mirrored as the backend placed it: so this
 * also keeps the mirror honest, and every later judgement exact. */
static int mirror_agrees(bf_runner *r, const bf_call *c)
{
    for (uint64_t i = 0; i < r->sut_chk.nnodes; i++) {
        uint64_t w0 = 0, w1 = 0, nw = 0;
        if (!bf_checker_read(&r->sut_chk, i, &w0, &w1) || w0 >= w1)
            continue;
        const uint64_t *have = bf_checker_bits(&r->sut_chk, i, &nw);
        if (!have || w1 > nw)
            continue;
        for (uint64_t w = w0; w < w1; w += 64) {
            uint64_t want[64], n = w1 - w < 64 ? w1 - w : 64;
            if (bf_backend_ref.read_bits(r->ref.sys, i, w * 64, want, n) != 0)
                break; /* retired on the mirror: node_info differs, compared elsewhere */
            if (!memcmp(want, have + w, n * sizeof *want))
                continue;
            uint64_t k = 0;
            while (want[k] == have[w + k])
                k++;
            unsigned b = (unsigned)__builtin_ctzll(want[k] ^ have[w + k]);
            bf_node_info ni;
            bf_backend_ref.node_info(r->ref.sys, i, &ni);
            uint64_t pfn = ni.start_pfn + (w + k) * 64 + b;
            snprintf(r->detail, sizeof r->detail,
                     "node %llu pfn %llu: the contract's %s leaves it %s, %s has it %s\n",
                     (unsigned long long)i, (unsigned long long)pfn, opname(c),
                     (want[k] >> b & 1) ? "reserved" : "free", r->sut_be->name,
                     (have[w + k] >> b & 1) ? "reserved" : "free");
            map_line(r, i, &ni, pfn);
            return found(r, "MISMATCH %s pages %s", sigop(r, c), r->sut_be->name);
        }
    }
    return 0;
}

/* Exact: the backend's answer is not the reference's (class or value). */
static int answer_differs(bf_runner *r, const bf_call *c, const bf_log_entry *e)
{
    char a[96], b[96];
    const char *be = r->sut_be->name;
    int addr = bf_op_is_alloc(c->op);
    bf_ls_fmt_result(&bf_backend_ref, e->ref, addr, a, sizeof a);
    bf_ls_fmt_result(r->sut_be, e->sut, addr, b, sizeof b);
    snprintf(r->detail, sizeof r->detail, "%s=%s ref=%s\n", be, b, a);
    /* a request the contract rejects: whatever else the backend answered
     * (OK, ENOTRESERVED, ENOMEM), one missing check, one signature */
    if (e->sut.err != e->ref.err && rejected(e->ref.err))
        return found(r, "MISMATCH %s %s misses %s", sigop(r, c), be, bf_err_name(e->ref.err));
    /* a valid request rejected: whether the contract placed it or found no
     * room (OK, ENOMEM) is the pages', not the bug's */
    if (rejected(e->sut.err) && !rejected(e->ref.err) && e->ref.err != BF_BUG)
        return found(r, "MISMATCH %s %s=%s ref=valid", sigop(r, c), be, bf_err_name(e->sut.err));
    if (e->sut.err != e->ref.err)
        return found(r, "MISMATCH %s %s=%s ref=%s", sigop(r, c), be,
                     e->sut.err == BF_OK ? "OK" : bf_err_name(e->sut.err),
                     e->ref.err == BF_OK ? "OK" : bf_err_name(e->ref.err));
    return found(r, "MISMATCH %s value %s", sigop(r, c), be);
}

static int step(bf_runner *r, const bf_call *c, bf_log_entry *e)
{
    const char *be = r->sut_be->name;
    int cmp = r->compare;
    int judged = r->judge && !bf_op_get(c->op)->is_query;
    char cond[160];
    bf_result j = bf_ok(0); /* the contract's verdict on the request (judged) */
    if (cmp)
        e->ref = bf_session_exec(&r->ref, c, NULL, 0);
    else if (judged)
        j = judge(r, c);
    e->sut = bf_session_exec(&r->sut, c, NULL, 0);
    if (!cmp) /* invariants only: its own answers name the blocks */
        e->ref = e->sut;
    bf_result s = e->sut;
    /* the contract's answer class, where it is known */
    bf_result want = cmp ? e->ref : j;
    int known = cmp || judged;
    /* how a finding on this call is signed (after the fact: bf_ls_sign()) */
    r->sign = known && rejected(want.err) ? (want.err == BF_EINVAL ? SIGN_WHY : SIGN_PAGE_FREE)
              : bf_op_is_alloc(c->op)     ? SIGN_SHAPE
                                          : SIGN_NONE;

    if (s.err == BF_BUG) {
        int oops = s.bug_cond && !strncmp(s.bug_cond, BF_OOPS_PREFIX, strlen(BF_OOPS_PREFIX));
        if (!oops && known && rejected(want.err))
            return 2; /* BUG where the contract rejects: agreement; the sequence ends */
        normalize_cond(s.bug_cond, cond, sizeof cond);
        if (known)
            snprintf(r->detail, sizeof r->detail, "%s: %s at %s %d; the contract answers %s\n", be,
                     s.bug_cond ? s.bug_cond : "BUG()", bf_ls_line_word(r->sut_be), s.bug_line,
                     cmp || !bf_op_is_alloc(c->op) ? bf_err_name(want.err)
                                                   : "OK or ENOMEM (a valid request)");
        else
            snprintf(r->detail, sizeof r->detail, "%s: %s at %s %d\n", be,
                     s.bug_cond ? s.bug_cond : "BUG()", bf_ls_line_word(r->sut_be), s.bug_line);
        if (r->sign != SIGN_WHY && r->sign != SIGN_PAGE_FREE)
            r->sign = SIGN_CRASH; /* on a rejected request: the rules it breaks, too */
        /* where it stopped is the site (an oops names what it touched, a
         * BUG its condition and line), not the call that got there: the
         * same NULL map is one bug whichever call reads it */
        if (oops) /* its text holds this input's numbers: N */
            return found(r, "OOPS %s \"%s\"", be, cond);
        /* a BUG's condition is source text, as it stands in the file */
        return found(r, "BUG %s \"%s\" %s %d", be, s.bug_cond ? s.bug_cond : "BUG()",
                     bf_ls_line_word(r->sut_be), s.bug_line);
    }
    if (judged) {
        /* an error where the contract rejects is agreement; accepting what it
         * rejects, or rejecting what it accepts, is a finding (placement is
         * not involved: both sides hold the same pages) */
        int bad;
        if (rejected(want.err))
            bad = s.err == BF_OK;
        else if (bf_op_is_alloc(c->op))
            bad = rejected(s.err); /* OK or ENOMEM: for the invariants to judge */
        else /* a count or node id: fixed by the pages, not by placement */
            bad = s.err != want.err;
        if (bad)
            return judged_mismatch(r, c, want, s, 0);
    }
    /* a request the contract rejects, not rejected alike: that is the
     * finding, before whatever the backend then did to its pages (as when
     * judging: one missing check, one signature, whatever pages it
     * touched and whatever it answered instead) */
    if (cmp && rejected(want.err) && s.err != want.err)
        return answer_differs(r, c, e);
    if (cmp && bf_checker_after(&r->ref_chk, c, e->ref) != 0)
        return invariant(r, &r->ref_chk, "ref", sigop(r, c));
    if (bf_checker_after(&r->sut_chk, c, s) != 0)
        return invariant(r, &r->sut_chk, be, sigop(r, c));
    if (judged && bf_op_is_alloc(c->op) && s.err == BF_OK)
        mirror_block(r, c, s);
    if (judged && s.err == BF_OK && (bf_op_is_alloc(c->op) || c->op == BF_OP_RESERVE ||
                                     c->op == BF_OP_FREE) && mirror_agrees(r, c))
        return 1;
    /* a count or node id the invariants did not judge (free_all's count is
     * invariant 7's): fixed by the pages both sides hold */
    if (judged && !bf_op_is_alloc(c->op) && s.err == BF_OK && s.value != want.value)
        return judged_mismatch(r, c, want, s, 1);
    if (!cmp)
        return 0;
    if (s.err != e->ref.err || (s.err == BF_OK && s.value != e->ref.value))
        return answer_differs(r, c, e);
    r->detail[0] = 0;
    return compare_state(r, c);
}

static int run_mode(bf_runner *r, const uint8_t *data, size_t size, int precise)
{
    int cmp = r->compare;
    if (cmp || r->judge) {
        bf_session_reset(&r->ref);
        bf_checker_reset(&r->ref_chk);
    }
    bf_session_reset(&r->sut);
    bf_checker_reset(&r->sut_chk);
    r->ref_chk.precise = r->sut_chk.precise = precise;
    /* the trusted reference in the fast mode: no backing memory either
     * (see bf_runner_new_with) */
    r->ref.no_mem = r->ref_chk.trusted && !precise;
    if (r->options[0] && apply_options(r) != 0)
        abort(); /* checked in bf_runner_new */
    bf_dctx_reset(&r->dctx);
    bf_decoder_init(&r->dec, data, size);
    r->nlog = 0;
    r->sign = SIGN_NONE;
    r->signature[0] = 0;
    r->detail[0] = 0;
    r->state_lines[0] = 0;
    bf_call c;
    while (r->nlog < BF_LOG_MAX && bf_decoder_next(&r->dec, &r->dctx, &c)) {
        bf_log_entry *e = &r->log[r->nlog++];
        e->call = c;
        int st = step(r, &c, e);
        if (st == 1)
            return 1;
        if (st == 2)
            return 0;
        bf_dctx_update(&r->dctx, &c, e->ref);
    }
    /* the whole state once more (the fast mode reads only what calls name),
     * then the backing memory: findings of no one call */
    r->sign = SIGN_NONE;
    const char *be = r->sut_be->name;
    if (cmp && bf_checker_sync(&r->ref_chk) != 0)
        return invariant(r, &r->ref_chk, "ref", "end");
    if (bf_checker_sync(&r->sut_chk) != 0)
        return invariant(r, &r->sut_chk, be, "end");
    if (cmp && r->nlog && compare_state(r, &r->log[r->nlog - 1].call))
        return 1;
    if (cmp && bf_checker_final(&r->ref_chk) != 0)
        return invariant(r, &r->ref_chk, "ref", "end");
    if (bf_checker_final(&r->sut_chk) != 0)
        return invariant(r, &r->sut_chk, be, "end");
    return 0;
}

/* The fast mode reads only what each call names (and everything every few
 * calls); when it reports a finding, the input runs again reading every
 * node whole after every call, so the report names the call that went
 * wrong first.  Both runs are deterministic, so the answer is too. */
int bf_ls_run_checked(bf_runner *r, const uint8_t *data, size_t size)
{
    if (!r->always_precise && !run_mode(r, data, size, 0))
        return 0;
    /* seen only by the fast mode's cached state (a change no single call
     * shows): report that */
    if (run_mode(r, data, size, 1) || run_mode(r, data, size, 0)) {
        bf_ls_sign(r);
        return 1;
    }
    return 0;
}

bf_runner *bf_ls_fresh_runner(const bf_runner *r)
{
    bf_runner *f = bf_runner_new_with(r->sut_be, r->options, r->check);
    if (!f)
        abort(); /* the same backend and options worked for r */
    f->fresh_check = 0;
    f->always_precise = r->always_precise;
    f->shape_check = r->shape_check;
    return f;
}

static void remember(bf_runner *r, const uint8_t *data, size_t size)
{
    unsigned i = (unsigned)(r->nhist % BF_HISTORY);
    if (r->hist[i].cap < size) {
        free(r->hist[i].data);
        r->hist[i].data = malloc(size);
        if (!r->hist[i].data)
            abort();
        r->hist[i].cap = size;
    }
    if (size)
        memcpy(r->hist[i].data, data, size);
    r->hist[i].size = size;
    r->nhist++;
}

/* The finding in r does not come on a fresh instance: find which earlier
 * input leaves the state behind (the newest one that, run first on a fresh
 * instance, brings the finding back), and say so. */
static void reset_leak(bf_runner *r, const uint8_t *data, size_t size, const char *fresh_sig)
{
    char inner[256];
    snprintf(inner, sizeof inner, "%s", r->signature + strlen("bootfuzz: "));
    long found_at = -1;
    char *trace = NULL;
    size_t tlen = 0;
    unsigned long have = r->nhist < BF_HISTORY ? r->nhist : BF_HISTORY;
    for (unsigned long k = 1; k <= have && found_at < 0; k++) {
        unsigned i = (unsigned)((r->nhist - k) % BF_HISTORY);
        bf_runner *g = bf_ls_fresh_runner(r);
        g->fresh_check = 0;
        int clean = !bf_ls_run_checked(g, r->hist[i].data, r->hist[i].size);
        FILE *mem = clean ? open_memstream(&trace, &tlen) : NULL;
        if (mem) { /* the leaking input's calls, as answered on the fresh instance */
            for (unsigned n = 0; n < g->nlog; n++)
                bf_ls_print_entry(g, &g->log[n], mem, 0, NULL);
            fclose(mem);
        }
        if (clean && bf_ls_run_checked(g, data, size) && !strcmp(g->signature, r->signature)) {
            found_at = (long)k;
            free(r->leak_input);
            r->leak_input = malloc(r->hist[i].size ? r->hist[i].size : 1);
            if (!r->leak_input)
                abort();
            if (r->hist[i].size) /* (the empty input has no bytes, and no buffer) */
                memcpy(r->leak_input, r->hist[i].data, r->hist[i].size);
            r->leak_size = r->hist[i].size;
        } else {
            free(trace);
            trace = NULL;
        }
        bf_runner_free(g);
    }
    free(r->leak_trace);
    r->leak_trace = trace;
    char *d = r->detail, *end = r->detail + sizeof r->detail;
    d = bf_ls_append(d, end,
                     "%s's reset() does not return it to a clean system: state leaks from one "
                     "input into the next.\n",
                     r->sut_be->name);
    d = bf_ls_append(d, end,
                     "After earlier inputs this input gives '%s'; on a fresh instance "
                     "(create()) it gives %s.\n",
                     inner, fresh_sig);
    if (found_at > 0)
        bf_ls_append(d, end,
                     "The input %ld before it leaves the state behind: it and this one, on a "
                     "fresh instance, give the finding again (its calls are below).\n",
                     found_at);
    else
        bf_ls_append(d, end,
                     "None of the last %lu inputs alone brings it back on a fresh instance.\n",
                     have);
    found(r, "RESET-LEAK %s: %s", r->sut_be->name, inner);
}

int bf_runner_run(bf_runner *r, const uint8_t *data, size_t size)
{
    free(r->leak_trace);
    r->leak_trace = NULL;
    free(r->leak_input);
    r->leak_input = NULL;
    r->leak_size = 0;
    int f = bf_ls_run_checked(r, data, size);
    if (f && r->supp && bf_supp_match(r->supp, r->signature)) {
        r->suppressed++; /* known: quietly on, without the cost of checking it again */
        f = 0;
    }
    if (f && r->fresh_check) {
        bf_runner *g = bf_ls_fresh_runner(r);
        int again = bf_ls_run_checked(g, data, size);
        if (!again || strcmp(g->signature, r->signature)) {
            char fresh_sig[300];
            snprintf(fresh_sig, sizeof fresh_sig, again ? "'%s'" : "%s",
                     again ? g->signature + strlen("bootfuzz: ") : "no finding");
            bf_runner_free(g);
            reset_leak(r, data, size, fresh_sig);
            /* known as it is printed, "RESET-LEAK NAME: ..." */
            if (r->supp && bf_supp_match(r->supp, r->signature)) {
                r->suppressed++;
                f = 0;
            }
        } else {
            bf_runner_free(g);
        }
    }
    if (r->fresh_check)
        remember(r, data, size);
    return f;
}

void bf_runner_settle(bf_runner *r)
{
    if (r->compare || r->judge) {
        bf_session_reset(&r->ref);
        bf_checker_reset(&r->ref_chk);
    }
    bf_session_reset(&r->sut);
    bf_checker_reset(&r->sut_chk);
}

/* Nodes [i * pages, (i + 1) * pages), one in every slot, on one instance,
 * then reset: what any backend keeps is now as large as an input needs. */
static void presize(bf_session *s, uint64_t pages)
{
    for (uint64_t i = 0; i < BF_MAX_NODES; i++)
        s->be->add_node(s->sys, i * pages, (i + 1) * pages, NULL);
    bf_session_reset(s);
}

/* Size every buffer a backend keeps across resets (node maps, summaries)
 * for the largest input: BF_MAX_NODES nodes of `pages` pages each, added
 * and reset on every instance of r.  A backend grows a kept buffer when a
 * node outgrows it; after this no fuzz input (nodes of at most
 * BF_DECODE_MAX_NODE_PAGES) grows one, so whether a buffer grows is not a
 * branch that depends on earlier inputs.  Every runner does it once, when
 * it is made (bf_runner_new_with). */
static void runner_presize(bf_runner *r, uint64_t pages)
{
    if (r->compare || r->judge)
        presize(&r->ref, pages);
    presize(&r->sut, pages);
}
