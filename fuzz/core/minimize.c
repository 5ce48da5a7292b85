/*
 * minimize.c - shrink a failing input at the level of calls, not bytes.
 *
 * 1. Keep the calls up to the failing one.
 * 2. Remove calls (delta debugging: halves, quarters, ... single calls).
 * 3. Shrink each argument toward the simplest value (0, 1, a page, small
 *    powers of two, halves, page-rounded); moving a node toward pfn 0 moves
 *    every address that pointed into it along.
 * 4. Tidy: remove single calls once more until nothing changes.
 * A candidate is accepted only if it fails with the same signature.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "minimize.h"

typedef struct mctx {
    bf_runner *r;
    char want[sizeof ((bf_runner *)0)->signature];
    uint8_t buf[1 + BF_DECODE_MAX_RAW * (1 + 5 * 8)];
    unsigned tries;
} mctx;

static int careful; /* bf_minimize_careful() */

void bf_minimize_careful(int on) { careful = on; }

typedef struct cand {
    mctx *m;
    size_t len;
} cand;

static int fails_here(void *p)
{
    cand *c = p;
    return bf_runner_run(c->m->r, c->m->buf, c->len) && !strcmp(c->m->r->signature, c->m->want);
}

/* Does this call list still fail with the same signature?  Careful: first
 * in a child process, so that a candidate the backend crashes or hangs on
 * is only a candidate that does not fail alike; then here, where it is now
 * known to end, for the runner's log. */
static int still_fails(mctx *m, const bf_call *calls, unsigned n)
{
    size_t len = bf_encode_calls(calls, n, m->buf, sizeof m->buf);
    m->tries++;
    cand c = {m, len};
    if (careful && bf_in_child(fails_here, &c, BF_CHILD_SECS) == 0)
        return 0; /* (-1, no process to spare: tried here, at the risk it has) */
    return fails_here(&c);
}

/* Calls actually run: the failing one is the last the runner logged. */
static unsigned failing_prefix(mctx *m, bf_call *calls)
{
    for (unsigned i = 0; i < m->r->nlog; i++)
        calls[i] = m->r->log[i].call;
    return m->r->nlog;
}

static unsigned remove_range(const bf_call *in, unsigned n, unsigned at, unsigned len, bf_call *out)
{
    unsigned k = 0;
    for (unsigned i = 0; i < n; i++)
        if (i < at || i >= at + len)
            out[k++] = in[i];
    return k;
}

/* Delta debugging over calls: try removing chunks, halving the chunk size. */
static unsigned ddmin(mctx *m, bf_call *calls, unsigned n)
{
    bf_call cand[BF_DECODE_MAX_RAW];
    for (unsigned chunk = n / 2 ? n / 2 : 1;; chunk = chunk / 2 ? chunk / 2 : 1) {
        int removed = 0;
        for (unsigned at = 0; at < n;) {
            unsigned k = remove_range(calls, n, at, chunk, cand);
            if (k > 0 && still_fails(m, cand, k)) {
                n = failing_prefix(m, calls); /* may be shorter still */
                removed = 1;
            } else {
                at += chunk;
            }
        }
        if (chunk == 1 && !removed)
            return n;
    }
}

/* Which arguments are byte addresses (moved along with their node). */
static int is_addr_arg(int op, int i)
{
    switch (op) {
    case BF_OP_RESERVE:
    case BF_OP_FREE: return i == 0;
    case BF_OP_ALLOC: return i == 2 || i == 3;
    case BF_OP_ALLOC_NODE: return i == 3 || i == 4;
    }
    return 0;
}

static int nargs(int op)
{
    static const int n[] = {[BF_OP_NODE] = 2, [BF_OP_RESERVE] = 2, [BF_OP_FREE] = 2,
                            [BF_OP_ALLOC] = 4, [BF_OP_ALLOC_NODE] = 5, [BF_OP_FREE_ALL] = 1};
    return op < BF_OP_RESERVED ? n[op] : 0;
}

/* Candidate simpler values for v, simplest first: at most SIMPLER_MAX of
 * them (the fixed values, page-rounded, half, one less).  Every array that
 * receives them is sized from SIMPLER_MAX, so adding a value cannot
 * overrun one (it did once: 9 values into arrays of 8). */
static const uint64_t simple_fixed[] = {0, 1, 16, 100, 4096, 8192};
#define SIMPLER_MAX (sizeof simple_fixed / sizeof simple_fixed[0] + 3)
static int simpler(uint64_t v, uint64_t *c)
{
    int n = 0;
    const uint64_t *fixed = simple_fixed;
    for (unsigned i = 0; i < sizeof simple_fixed / sizeof simple_fixed[0]; i++)
        if (fixed[i] < v)
            c[n++] = fixed[i];
    if (v > 4096 && (v & 4095))
        c[n++] = v & ~(uint64_t)4095; /* page-rounded */
    if (v > 1)
        c[n++] = v / 2;
    if (v > 0)
        c[n++] = v - 1;
    return n;
}

/* Move node `ni` (call index) to start pfn `ns`, and every later address
 * that pointed into it along with it. */
static void move_node(bf_call *calls, unsigned n, unsigned ni, uint64_t ns)
{
    uint64_t os = calls[ni].arg[0], oe = calls[ni].arg[1];
    uint64_t lo = os << 12, hi = oe << 12, delta = (os - ns) << 12;
    calls[ni].arg[0] = ns;
    calls[ni].arg[1] = ns + (oe - os);
    for (unsigned i = ni + 1; i < n; i++)
        for (int a = 0; a < nargs(calls[i].op); a++)
            if (is_addr_arg(calls[i].op, a) && calls[i].arg[a] >= lo && calls[i].arg[a] <= hi)
                calls[i].arg[a] -= delta;
}

/* The start address of the node (added before call i) holding addr. */
static int node_base(const bf_call *calls, unsigned i, uint64_t addr, uint64_t *base)
{
    for (unsigned k = 0; k < i; k++)
        if (calls[k].op == BF_OP_NODE && calls[k].arg[0] < calls[k].arg[1] &&
            calls[k].arg[1] < BF_PFN_LIMIT && addr >> 12 >= calls[k].arg[0] &&
            addr >> 12 <= calls[k].arg[1]) {
            *base = calls[k].arg[0] << 12;
            return 1;
        }
    return 0;
}

static int shrink_args(mctx *m, bf_call *calls, unsigned *n)
{
    int changed = 0;
    bf_call cand[BF_DECODE_MAX_RAW];
    for (unsigned i = 0; i < *n; i++) {
        if (calls[i].op == BF_OP_NODE) {
            /* toward pfn 0 (with its addresses), then toward fewer pages */
            uint64_t starts[SIMPLER_MAX];
            int k = simpler(calls[i].arg[0], starts);
            for (int s = 0; s < k; s++) {
                memcpy(cand, calls, *n * sizeof *cand);
                move_node(cand, *n, i, starts[s]);
                if (still_fails(m, cand, *n)) {
                    memcpy(calls, cand, *n * sizeof *cand);
                    *n = failing_prefix(m, calls);
                    changed = 1;
                    break;
                }
            }
            uint64_t pages[SIMPLER_MAX];
            k = simpler(calls[i].arg[1] - calls[i].arg[0], pages);
            for (int s = 0; s < k; s++) {
                if (pages[s] == 0)
                    continue;
                memcpy(cand, calls, *n * sizeof *cand);
                cand[i].arg[1] = cand[i].arg[0] + pages[s];
                if (still_fails(m, cand, *n)) {
                    memcpy(calls, cand, *n * sizeof *cand);
                    *n = failing_prefix(m, calls);
                    changed = 1;
                    break;
                }
            }
            continue;
        }
        for (int a = 0; a < nargs(calls[i].op) && i < *n; a++) {
            uint64_t vals[3 + SIMPLER_MAX]; /* node-relative ones, then simpler() */
            int k = 0;
            uint64_t base;
            /* an address shrinks toward its node's start first */
            if (is_addr_arg(calls[i].op, a) && node_base(calls, i, calls[i].arg[a], &base) &&
                calls[i].arg[a] > base) {
                uint64_t off = calls[i].arg[a] - base;
                vals[k++] = base;
                if (off & 4095)
                    vals[k++] = base + (off & ~(uint64_t)4095);
                vals[k++] = base + off / 2;
            }
            k += simpler(calls[i].arg[a], vals + k);
            for (int s = 0; s < k; s++) {
                memcpy(cand, calls, *n * sizeof *cand);
                cand[i].arg[a] = vals[s];
                if (still_fails(m, cand, *n)) {
                    memcpy(calls, cand, *n * sizeof *cand);
                    *n = failing_prefix(m, calls);
                    changed = 1;
                    break;
                }
            }
        }
    }
    return changed;
}

int bf_minimize(bf_runner *r, const uint8_t *data, size_t size, bf_call *out, unsigned *nout,
                unsigned *tries)
{
    mctx m = {.r = r};
    if (!bf_runner_run(r, data, size))
        return -1;
    snprintf(m.want, sizeof m.want, "%s", r->signature);
    bf_call calls[BF_DECODE_MAX_RAW];
    unsigned n = failing_prefix(&m, calls);
    /* the concrete calls, raw-encoded, must fail the same way first */
    if (!still_fails(&m, calls, n))
        return -2;
    n = failing_prefix(&m, calls);
    for (int round = 0; round < 8; round++) {
        n = ddmin(&m, calls, n);
        if (!shrink_args(&m, calls, &n))
            break;
    }
    n = ddmin(&m, calls, n);
    still_fails(&m, calls, n); /* leave the runner holding the final run */
    memcpy(out, calls, n * sizeof *calls);
    *nout = n;
    *tries = m.tries;
    return 0;
}

/* What a minimization in a child process sends back. */
typedef struct min_result {
    int rc;
    unsigned n, tries;
    bf_call calls[BF_DECODE_MAX_RAW];
} min_result;

static int write_all(int fd, const void *p, size_t len)
{
    const char *c = p;
    while (len) {
        ssize_t w = write(fd, c, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        len -= (size_t)w;
    }
    return 0;
}

/* bf_minimize, first in a child process: a candidate the backend crashes or
 * hangs on (a request nobody fuzzed) must not take the finding with it.
 * When the child dies that way, the minimization runs again here with
 * every candidate in a child of its own (careful: slower, never lost). */
int bf_minimize_guarded(bf_runner *r, const uint8_t *data, size_t len, bf_call *calls,
                        unsigned *n, unsigned *tries, const char *in)
{
    int fds[2];
    min_result *res = calloc(1, sizeof *res);
    if (!res)
        abort();
    fflush(NULL);
    pid_t pid = pipe(fds) == 0 ? fork() : -1;
    if (pid == 0) {
        close(fds[0]);
        res->rc = bf_minimize(r, data, len, res->calls, &res->n, &res->tries);
        _exit(write_all(fds[1], res, sizeof *res) == 0 ? 0 : 3);
    }
    int ok = 0;
    if (pid > 0) {
        close(fds[1]);
        size_t got = 0;
        while (got < sizeof *res) {
            ssize_t k = read(fds[0], (char *)res + got, sizeof *res - got);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                break;
            got += (size_t)k;
        }
        close(fds[0]);
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        ok = got == sizeof *res && WIFEXITED(st) && WEXITSTATUS(st) == 0;
        if (!ok)
            fprintf(stderr, "bootfuzz: minimizing %s: a candidate crashed the backend or ran out of "
                            "time; minimizing again, each candidate in a process of its own\n", in);
    }
    int rc;
    if (ok) {
        rc = res->rc;
        *n = res->n;
        *tries = res->tries;
        memcpy(calls, res->calls, sizeof res->calls);
        /* the runner holds the minimized run, as bf_minimize leaves it */
        if (rc == 0) {
            uint8_t bytes[1 + BF_DECODE_MAX_RAW * 41];
            size_t blen = bf_encode_calls(calls, *n, bytes, sizeof bytes);
            bf_runner_run(r, bytes, blen);
        }
    } else {
        bf_minimize_careful(1);
        rc = bf_minimize(r, data, len, calls, n, tries);
        bf_minimize_careful(0);
    }
    free(res);
    return rc;
}
