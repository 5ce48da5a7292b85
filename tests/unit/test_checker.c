/*
 * test_checker.c - the checker and the lockstep runner can fail.
 *
 * Each planted backend is the reference with one flaw.  Run through the
 * lockstep runner (alone, as the `ref` target runs, and against the
 * reference, as `fast` runs), every flaw must be reported with its
 * invariant and pinned to the call that caused it, although the normal
 * (fast) mode reads only what each call names: the runner replays a finding
 * reading all state after every call.  The unflawed wrapper must give no
 * finding at all, and on random inputs the two modes must agree.
 *
 * The scenario, one 16-page node with backing memory (the most a fuzz
 * input gives), all pages freed:
 *
 *   page 0  1  2  3                                15
 *       [A][B][C] .  .  .  .  .  .  .  .  .  .  . [s]
 *   A, B, C: one-page blocks from calls 3, 4, 5 (the flaw acts in call 4);
 *   s: the page a flawed call reserves although it does not name it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends.h"
#include "lockstep.h"
#include "minimize.h"
#include "suppress.h"
#include "tap.h"

#define PAGE BF_PAGE_SIZE

/* ---- planted backends: the reference plus one flaw ---- */

enum flaw {
    NONE,
    STRAY_RESERVE,   /* the 2nd alloc also reserves page 15 */
    FAILED_CHANGES,  /* an ENOMEM alloc reserves page 15 */
    FAILED_LAST,     /* an EINVAL reserve lowers last_success */
    NOT_ZEROED,      /* allocs do not zero the block */
    STRAY_WRITE,     /* the 2nd alloc writes a byte into page 15 */
    FREE_ALL_COUNT,  /* free_all counts one page too many */
    /* for the judging reference (invariants only; judge_scenario) */
    BUG_ON_REJECTED, /* a free of a page already free answers BUG (kernel style) */
    DOUBLE_FREE_OK,  /* a free of a page already free answers OK */
    REJECTS_VALID,   /* a reserve of a valid range answers EINVAL */
    BUG_ON_VALID,    /* a valid alloc answers BUG at line 7 */
    RESET_LEAK,      /* reset() leaves the next input's first node with page 15 free */
    PLACES_HIGH,     /* allocs go to page 15 when it is free: a placement of its own */
    FREE_FREES_NOTHING, /* free answers the count but the pages stay reserved */
    /* each kind of invariant, at its edge (checker_scenario) */
    SUBPAGE_MISALIGNED, /* an align=16 block 8 bytes off */
    OVERLAP_LAST_BYTE,  /* a block starting on the last byte of a live block */
    MISSED_EXACT_FIT,   /* ENOMEM when a free run fits the request exactly */
    UNZEROED_LAST_BYTE, /* the block's last byte is not zeroed */
    LAST_OFFSET_WRONG,  /* node_info reports last_offset one too high */
    /* signatures that separate root causes (signed()) */
    IGNORES_GOAL,       /* alloc drops the goal */
    IGNORES_LIMIT,      /* alloc drops the limit */
    FREE_UNCHECKED,     /* a free the contract rejects (EINVAL) answers OK */
    EINVAL_AS_ENOMEM,   /* an alloc the contract rejects answers ENOMEM */
    BUG_MAP_NULL,       /* alloc and free_all both stop at BUG_ON(map == NULL), line 9 */
    ABORTS_WITHOUT_GOAL, /* IGNORES_GOAL, and an alloc without a goal crashes the process */
    HANGS_WITHOUT_GOAL,  /* IGNORES_GOAL, and an alloc without a goal never returns */
    EINVAL_ALIGN_0,      /* alloc with align 0 answers EINVAL (it means 1: valid) */
    /* on a node of several words (wide_scenario) */
    WIDE_NEW_FREE,       /* the 300-page node is added with page 200 free */
    WIDE_STRAY_BEFORE,   /* the first reserve also reserves page 5 (a word before the named) */
    WIDE_STRAY_BESIDE,   /* ... page 65 (in the named pages' first word) */
    WIDE_STRAY_AFTER,    /* ... page 290 (the node's last, partial word) */
    WIDE_MISSED_FIT,     /* ENOMEM for the 40 pages that fit exactly at the end */
    WIDE_STRAY_FAR,      /* on the 1000-page node: page 960, 12 words past the named */
    /* at the edges of the runner's node masks and the trusted reference (edge_*) */
    LAST_NODE_POS,       /* node_info of node 63 reports last_pos one too high */
    LAST_NODE_BITS,      /* read_bits of node 63 shows its page 3 free (a named page) */
    NEW_LAST_FREE,       /* the 129-page node is added with page 128 (its last word's only) free */
    NEW_PAST_END,        /* read_bits of the 129-page node sets the bit past its end */
};

typedef struct planted {
    void *in;            /* the reference's system */
    enum flaw flaw;
    int allocs;
    uint8_t *mem[BF_MAX_NODES];
    uint64_t start[BF_MAX_NODES];
    int nnodes;
    int leaked;          /* RESET_LEAK: an input ran since the last reset */
    int reserved4;       /* LAST_NODE_BITS: the 4-page reserve ran */
} planted;

static enum flaw next_flaw;
#define REF (&bf_backend_ref)
extern const bf_backend bf_backend_ref;

static void *p_create(void)
{
    planted *p = calloc(1, sizeof *p);
    p->in = REF->create();
    p->flaw = next_flaw;
    return p;
}
static void p_destroy(void *s)
{
    planted *p = s;
    REF->destroy(p->in);
    free(p);
}
static void p_reset(void *s)
{
    planted *p = s;
    REF->reset(p->in);
    p->allocs = 0;
    p->reserved4 = 0;
    p->leaked = p->flaw == RESET_LEAK && p->nnodes > 0; /* forgets to clear what it leaves */
    p->nnodes = 0;
}
static bf_result p_add_node(void *s, uint64_t a, uint64_t b, uint8_t *mem)
{
    planted *p = s;
    /* NOT_ZEROED: the reference never sees the memory, so nothing zeroes it */
    bf_result r = REF->add_node(p->in, a, b, p->flaw == NOT_ZEROED ? NULL : mem);
    if (r.err == BF_OK) {
        p->mem[p->nnodes] = mem;
        p->start[p->nnodes++] = a;
        if (p->leaked && b - a == 16) /* the stale page of the input before */
            REF->free(p->in, (a + 15) << 12, PAGE);
        if (p->flaw == WIDE_NEW_FREE && b - a == 300)
            REF->free(p->in, (a + 200) << 12, PAGE);
        if (p->flaw == NEW_LAST_FREE && b - a == 129)
            REF->free(p->in, (a + 128) << 12, PAGE);
        p->leaked = 0;
    }
    return r;
}
static bf_result p_reserve(void *s, uint64_t a, uint64_t z)
{
    planted *p = s;
    if (p->flaw == REJECTS_VALID && REF->page_reserved(p->in, a >> 12) == 0)
        return bf_fail(BF_EINVAL); /* a valid reserve of a free page */
    bf_result r = REF->reserve(p->in, a, z);
    static const uint64_t stray[] = {[WIDE_STRAY_BEFORE] = 5, [WIDE_STRAY_BESIDE] = 65,
                                     [WIDE_STRAY_AFTER] = 290, [WIDE_STRAY_FAR] = 960};
    if (r.err == BF_OK && z == 130 * PAGE && /* the first reserve of wide_scenario */
        ((p->flaw >= WIDE_STRAY_BEFORE && p->flaw <= WIDE_STRAY_AFTER) ||
         p->flaw == WIDE_STRAY_FAR))
        REF->reserve(p->in, (p->start[0] + stray[p->flaw]) << 12, PAGE);
    p->reserved4 |= r.err == BF_OK && z == 4 * PAGE;
    if (r.err == BF_EINVAL && p->flaw == FAILED_LAST && p->nnodes)
        REF->free(p->in, (p->start[0] << 12) + 1, 1); /* frees no page, lowers last_success */
    return r;
}
static bf_result p_free(void *s, uint64_t a, uint64_t z)
{
    planted *p = s;
    bf_result r = REF->free(p->in, a, z);
    if (r.err == BF_ENOTRESERVED && p->flaw == BUG_ON_REJECTED)
        return bf_bug("!test_and_clear_bit(i, map)", 12);
    if (r.err == BF_ENOTRESERVED && p->flaw == DOUBLE_FREE_OK)
        return bf_ok(1);
    if (r.err == BF_OK && r.value && p->flaw == FREE_FREES_NOTHING)
        REF->reserve(p->in, a, z); /* the pages back: nothing was freed */
    if (r.err == BF_EINVAL && p->flaw == FREE_UNCHECKED)
        return bf_ok(0);
    return r;
}
static bf_result flawed_alloc(planted *p, bf_result r)
{
    if (r.err == BF_OK && p->flaw == UNZEROED_LAST_BYTE && p->allocs == 0 && p->mem[0])
        p->mem[0][r.value - (p->start[0] << 12) + 99] = 0xa5; /* size 100: its last byte */
    if (r.err == BF_OK && p->flaw == OVERLAP_LAST_BYTE && p->allocs == 1)
        r.value = p->start[0] << 12 | 99; /* the first block's last byte */
    if (r.err == BF_OK && p->flaw == SUBPAGE_MISALIGNED && p->allocs == 2)
        r.value += 8;
    if (r.err == BF_OK && ++p->allocs == 2) {
        if (p->flaw == STRAY_RESERVE)
            REF->reserve(p->in, (p->start[0] + 15) << 12, PAGE);
        if (p->flaw == STRAY_WRITE && p->mem[0])
            p->mem[0][15 * PAGE + 5] = 0x42;
    }
    if (r.err == BF_ENOMEM && p->flaw == FAILED_CHANGES)
        REF->reserve(p->in, (p->start[0] + 15) << 12, PAGE);
    return r;
}
static bf_result p_alloc(void *s, uint64_t z, uint64_t al, uint64_t g, uint64_t l)
{
    planted *p = s;
    if (p->flaw == BUG_ON_VALID)
        return bf_bug("start >= eidx", 7);
    if (p->flaw == PLACES_HIGH && p->nnodes)
        return REF->alloc(p->in, z, al, (p->start[0] + 15) << 12, l);
    if (p->flaw == MISSED_EXACT_FIT && z == 4 * PAGE)
        return bf_fail(BF_ENOMEM); /* the only free run is exactly 4 pages */
    if (p->flaw == WIDE_MISSED_FIT && z == 40 * PAGE)
        return bf_fail(BF_ENOMEM);
    if (p->flaw == BUG_MAP_NULL)
        return bf_bug("map == NULL", 9);
    if (p->flaw == EINVAL_ALIGN_0 && al == 0)
        return bf_fail(BF_EINVAL);
    if (p->flaw == ABORTS_WITHOUT_GOAL && g == 0)
        abort(); /* (a real crash: signing must survive it) */
    while (p->flaw == HANGS_WITHOUT_GOAL && g == 0)
        ; /* (a real hang: signing must survive it, and leave no process behind) */
    int drop = p->flaw == IGNORES_GOAL || p->flaw == ABORTS_WITHOUT_GOAL ||
               p->flaw == HANGS_WITHOUT_GOAL;
    bf_result r = REF->alloc(p->in, z, al, drop ? 0 : g,
                             p->flaw == IGNORES_LIMIT ? 0 : l);
    if (r.err == BF_EINVAL && p->flaw == EINVAL_AS_ENOMEM)
        return bf_fail(BF_ENOMEM);
    return flawed_alloc(p, r);
}
static bf_result p_alloc_node(void *s, uint64_t n, uint64_t z, uint64_t al, uint64_t g, uint64_t l)
{
    planted *p = s;
    return flawed_alloc(p, REF->alloc_node(p->in, n, z, al, g, l));
}
static bf_result p_free_all(void *s, uint64_t n)
{
    planted *p = s;
    if (p->flaw == BUG_MAP_NULL)
        return bf_bug("map == NULL", 9);
    bf_result r = REF->free_all(p->in, n);
    if (r.err == BF_OK && p->flaw == FREE_ALL_COUNT)
        r.value++;
    return r;
}
static int p_page_reserved(void *s, uint64_t pfn) { return REF->page_reserved(((planted *)s)->in, pfn); }
static int p_node_info(void *s, uint64_t n, bf_node_info *o)
{
    planted *p = s;
    int rc = REF->node_info(p->in, n, o);
    if (rc == 0 && p->flaw == LAST_OFFSET_WRONG && o->last_offset)
        o->last_offset++;
    if (rc == 0 && p->flaw == LAST_NODE_POS && n == BF_MAX_NODES - 1 && o->last_pos)
        o->last_pos++;
    return rc;
}
static int p_read_bits(void *s, uint64_t n, uint64_t f, uint64_t *w, uint64_t k)
{
    planted *p = s;
    int rc = REF->read_bits(p->in, n, f, w, k);
    bf_node_info ni;
    if (rc != 0 || REF->node_info(p->in, n, &ni) != 0)
        return rc;
    if (p->flaw == LAST_NODE_BITS && p->reserved4 && n == BF_MAX_NODES - 1 && f == 0 && k)
        w[0] &= ~(1ull << 3);
    if (p->flaw == NEW_PAST_END && ni.end_pfn - ni.start_pfn == 129 && f <= 128 &&
        (129 - f) / 64 < k)
        w[(129 - f) / 64] |= 1ull << (129 % 64);
    return rc;
}

static const bf_backend planted_be = {
    .name = "planted", .description = "the reference with one planted flaw",
    .flags = BF_PROMISES_EXACT, .create = p_create, .destroy = p_destroy, .reset = p_reset,
    .add_node = p_add_node, .reserve = p_reserve, .free = p_free, .alloc = p_alloc,
    .alloc_node = p_alloc_node, .free_all = p_free_all, .page_reserved = p_page_reserved,
    .node_info = p_node_info, .read_bits = p_read_bits,
};

/* ---- the scenario ---- */

static size_t ncalls;
static bf_call calls[BF_DECODE_MAX_RAW];

static void call(int op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, int flags)
{
    bf_call *c = &calls[ncalls++];
    memset(c, 0, sizeof *c);
    c->op = (uint8_t)op;
    c->flags = (uint8_t)flags;
    c->arg[0] = a0;
    c->arg[1] = a1;
    c->arg[2] = a2;
    c->arg[3] = a3;
}

/* Calls 1-2 set up the node, 3-5 allocate A, B, C, then `tail` more calls
 * (a failing reserve, an ENOMEM alloc, a free of A, a free_all at the end). */
static size_t scenario(uint8_t *buf, size_t cap)
{
    ncalls = 0;
    call(BF_OP_NODE, 0x100, 0x110, 0, 0, BF_CALL_MEM);  /* 1: pfns 0x100..0x10f */
    call(BF_OP_FREE, 0x100000, 16 * PAGE, 0, 0, 0);     /* 2: free all 16 pages */
    call(BF_OP_ALLOC, PAGE, PAGE, 0, 0, 0);             /* 3: A */
    call(BF_OP_ALLOC, PAGE, PAGE, 0, 0, 0);             /* 4: B (the flaw acts) */
    call(BF_OP_ALLOC, PAGE, PAGE, 0, 0, 0);             /* 5: C */
    call(BF_OP_RESERVE, 0x50000000, PAGE, 0, 0, 0);     /* 6: EINVAL: no node there */
    call(BF_OP_ALLOC, 128 * PAGE, PAGE, 0, 0, 0);       /* 7: ENOMEM */
    for (int i = 0; i < 12; i++)                         /* 8-19: quiet, failing calls */
        call(BF_OP_FREE, 0x50000000, PAGE, 0, 0, 0);
    call(BF_OP_FREE, 0x100000, PAGE, 0, 0, 0);          /* 20: free A */
    call(BF_OP_FREE_ALL, 0, 0, 0, 0, 0);                /* 21 */
    return bf_encode_calls(calls, ncalls, buf, cap);
}

static bf_runner *runner_for(enum flaw f, int compare)
{
    next_flaw = f;
    return bf_runner_new_with(&planted_be, NULL, compare ? BF_CHECK_EXACT : BF_CHECK_INVARIANTS);
}

/* The flaw is reported with this signature, at call `at` (1-based). */
static void expect(enum flaw f, int compare, const char *sig, unsigned at, const char *name)
{
    uint8_t buf[4096];
    size_t len = scenario(buf, sizeof buf);
    bf_runner *r = runner_for(f, compare);
    char what[200];
    int found = bf_runner_run(r, buf, len);
    snprintf(what, sizeof what, "%s (%s): %s at call %u", name, compare ? "vs ref" : "alone",
             sig, at);
    int ok = found && !strcmp(r->signature, sig) && r->nlog == at;
    check(ok, what);
    if (!ok)
        printf("#   got: found=%d \"%s\" at call %u\n", found, r->signature, r->nlog);
    /* the same answer in a second run: nothing carries over */
    int again = bf_runner_run(r, buf, len);
    snprintf(what, sizeof what, "%s (%s): the same finding again", name, compare ? "vs ref" : "alone");
    check(again == found && !strcmp(r->signature, sig) && r->nlog == at, what);
    bf_runner_free(r);
}

/* The judging reference: one node, all freed, then
 *   3: free page 0 again   (the contract: ENOTRESERVED)
 *   4: free page 1 again   (ENOTRESERVED)
 *   5: reserve page 0      (valid: the failed frees changed nothing; 1 free page)
 *   6: alloc one page      (valid; the contract places it at page 1)
 *   7: free page 15        (ENOTRESERVED, unless the backend placed call 6
 *                           there: then valid, in the pages it holds) */
static size_t judge_scenario(uint8_t *buf, size_t cap)
{
    ncalls = 0;
    call(BF_OP_NODE, 0x100, 0x110, 0, 0, BF_CALL_MEM); /* 1 */
    call(BF_OP_FREE, 0x100000, 16 * PAGE, 0, 0, 0);    /* 2 */
    call(BF_OP_FREE, 0x100000, PAGE, 0, 0, 0);         /* 3 */
    call(BF_OP_FREE, 0x101000, PAGE, 0, 0, 0);         /* 4 */
    call(BF_OP_RESERVE, 0x100000, PAGE, 0, 0, 0);      /* 5 */
    call(BF_OP_ALLOC, PAGE, PAGE, 0, 0, 0);            /* 6 */
    call(BF_OP_FREE, 0x10f000, PAGE, 0, 0, 0);         /* 7 */
    return bf_encode_calls(calls, ncalls, buf, cap);
}

/* Run buf on the planted backend with flaw f: signature sig (NULL: no
 * finding) at call `at`, or say what came instead. */
static void expect_run(enum flaw f, bf_check chk, const uint8_t *buf, size_t len, const char *sig,
                       unsigned at, const char *what)
{
    next_flaw = f;
    bf_runner *r = bf_runner_new_with(&planted_be, NULL, chk);
    int found = bf_runner_run(r, buf, len);
    int ok = sig ? found && !strcmp(r->signature, sig) && r->nlog == at : !found && r->nlog == at;
    check(ok, what);
    if (!ok)
        printf("#   got: found=%d \"%s\" at call %u\n", found, r->signature, r->nlog);
    bf_runner_free(r);
}

static void judged(enum flaw f, const char *sig, unsigned at, const char *name)
{
    uint8_t buf[1024];
    size_t len = judge_scenario(buf, sizeof buf);
    char what[240];
    snprintf(what, sizeof what, "invariants only, the reference judging: %s: %s at call %u", name,
             sig ? sig : "no finding", at);
    expect_run(f, BF_CHECK_INVARIANTS, buf, len, sig, at, what);
}

/* Each invariant at its edge, where a weakened checker would look away:
 *
 *   page 0 1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 *       [AB..C]#  #  #  #  #  #  #  #  #  #  .  .  .  .   (end = 0)
 *       [AB..C]#  #  #  .  .  .  .  #  #  #  #  #  #  #  #   (end = 1: the run in the middle)
 *   A (call 3), B (4), C (5): small blocks in page 0; call 8 asks for exactly
 *   the 4 free pages.                                                         */
static size_t checker_scenario(uint8_t *buf, size_t cap, int middle)
{
    ncalls = 0;
    call(BF_OP_NODE, 0x100, 0x110, 0, 0, BF_CALL_MEM); /* 1 */
    call(BF_OP_FREE, 0x100000, 16 * PAGE, 0, 0, 0);    /* 2 */
    call(BF_OP_ALLOC, 100, 0, 0, 0, 0);                /* 3: A = 0x100000 */
    call(BF_OP_ALLOC, 100, 0, 0, 0, 0);                /* 4: B = 0x100064, merged */
    call(BF_OP_ALLOC, 100, 16, 0, 0, 0);               /* 5: C = 0x1000d0 */
    if (middle) {
        call(BF_OP_RESERVE, 0x101000, 3 * PAGE, 0, 0, 0); /* 6: pages 1-3 */
        call(BF_OP_RESERVE, 0x108000, 8 * PAGE, 0, 0, 0); /* 7: pages 8-15 */
    } else {
        call(BF_OP_RESERVE, 0x101000, 11 * PAGE, 0, 0, 0); /* 6: pages 1-11 */
        call(BF_OP_RESERVE, 0x101000, PAGE, 0, 0, 0);      /* 7: page 1 again: 0 */
    }
    call(BF_OP_ALLOC, 4 * PAGE, 0, 0, 0, 0);           /* 8: exactly the free run */
    return bf_encode_calls(calls, ncalls, buf, cap);
}

static void edge(enum flaw f, int compare, int middle, const char *sig, unsigned at,
                 const char *name)
{
    uint8_t buf[1024];
    size_t len = checker_scenario(buf, sizeof buf, middle);
    char what[240];
    snprintf(what, sizeof what, "%s (%s): %s at call %u", name, compare ? "vs ref" : "invariants only",
             sig ? sig : "no finding", at);
    expect_run(f, compare ? BF_CHECK_EXACT : BF_CHECK_INVARIANTS, buf, len, sig, at, what);
}

/* A node of 300 pages: five words of bits, the last one partial.  The
 * fast mode reads only the words a call names, and a whole node every few
 * calls; whole reads skip the words that hold named pages only; §4.6 keeps
 * the node's free count from the words that changed.  A flaw in any word,
 * and a free count off by the calls in between, must still show:
 *
 *   word     0 (0-63)    1 (64-127)    2 (128-191)   3 (192-255)  4 (256-299)
 *   call 3   .  s5       .  s65 [70 ----------------------- 199]  .     s290
 *   after 7  [0 ----------------------------------------- 259]   [260-299 free]
 *   call 3 reserves 70-199 (the flaws reserve one page s beside it), 4
 *   reserves 0-69, 5 frees 100-109, 6 reserves 200-259, 7 reserves 100-109
 *   again: 40 pages are left, and call 8 asks for exactly those 40. */
static size_t wide_scenario(uint8_t *buf, size_t cap, uint64_t pages)
{
    const uint64_t base = 0x1000000; /* pfn 0x1000 */
    ncalls = 0;
    call(BF_OP_NODE, 0x1000, 0x1000 + pages, 0, 0, 0);    /* 1 */
    call(BF_OP_FREE, base, pages * PAGE, 0, 0, 0);        /* 2 */
    call(BF_OP_RESERVE, base + 70 * PAGE, 130 * PAGE, 0, 0, 0); /* 3 */
    call(BF_OP_RESERVE, base, 70 * PAGE, 0, 0, 0);        /* 4 */
    call(BF_OP_FREE, base + 100 * PAGE, 10 * PAGE, 0, 0, 0); /* 5 */
    call(BF_OP_RESERVE, base + 200 * PAGE, 60 * PAGE, 0, 0, 0); /* 6 */
    call(BF_OP_RESERVE, base + 100 * PAGE, 10 * PAGE, 0, 0, 0); /* 7 */
    call(BF_OP_ALLOC, 40 * PAGE, PAGE, 0, 0, 0);          /* 8: pages 260-299 */
    return bf_encode_calls(calls, ncalls, buf, cap);
}

static void wide(enum flaw f, int compare, const char *sig, unsigned at, const char *name)
{
    uint8_t buf[1024];
    uint64_t pages = f == WIDE_STRAY_FAR ? 1000 : 300;
    size_t len = wide_scenario(buf, sizeof buf, pages);
    char what[240];
    snprintf(what, sizeof what, "%llu-page node: %s (%s): %s at call %u",
             (unsigned long long)pages, name, compare ? "vs ref" : "invariants only",
             sig ? sig : "no finding", at);
    expect_run(f, compare ? BF_CHECK_EXACT : BF_CHECK_INVARIANTS, buf, len, sig, at, what);
}

/* The edges of the runner's node masks and of the trusted reference:
 *   nodes64: 64 adjacent 16-page nodes at pfn 0x1000 (calls 1-64); node 63
 *     (bit 63 of every node mask) freed (65), an alloc_node of one page
 *     (66) and of 100 bytes (67: last_pos 1), a reserve of its pages 2-5 (68);
 *   new129: nodes of 16 and 65 pages, then one of 129 pages (3: three
 *     words, the last holding one page), a free of its first 64 pages (4)
 *     and an alloc (5).  The reference's new node is taken as all reserved
 *     (bf_checker.trusted), with 0 past its end as read_bits gives it. */
static size_t nodes64(uint8_t *buf, size_t cap)
{
    ncalls = 0;
    for (uint64_t i = 0; i < BF_MAX_NODES; i++)
        call(BF_OP_NODE, 0x1000 + 16 * i, 0x1010 + 16 * i, 0, 0, 0);
    uint64_t base = (0x1000 + 16 * 63) * PAGE;
    call(BF_OP_FREE, base, 16 * PAGE, 0, 0, 0);       /* 65 */
    call(BF_OP_ALLOC_NODE, 63, PAGE, PAGE, 0, 0);     /* 66 */
    call(BF_OP_ALLOC_NODE, 63, 100, 16, 0, 0);        /* 67 */
    call(BF_OP_RESERVE, base + 2 * PAGE, 4 * PAGE, 0, 0, 0); /* 68 */
    return bf_encode_calls(calls, ncalls, buf, cap);
}
static size_t new129(uint8_t *buf, size_t cap)
{
    ncalls = 0;
    call(BF_OP_NODE, 0x100, 0x110, 0, 0, 0);         /* 1 */
    call(BF_OP_NODE, 0x110, 0x151, 0, 0, 0);         /* 2 */
    call(BF_OP_NODE, 0x200, 0x200 + 129, 0, 0, 0);   /* 3 */
    call(BF_OP_FREE, 0x200000, 64 * PAGE, 0, 0, 0);  /* 4 */
    call(BF_OP_ALLOC, PAGE, PAGE, 0, 0, 0);          /* 5 */
    return bf_encode_calls(calls, ncalls, buf, cap);
}
static void edge_case(enum flaw f, int compare, size_t (*scenario_of)(uint8_t *, size_t),
                      const char *sig, unsigned at, const char *name)
{
    uint8_t buf[4096];
    size_t len = scenario_of(buf, sizeof buf);
    char what[240];
    snprintf(what, sizeof what, "%s (%s): %s at call %u", name,
             compare ? "vs ref" : "invariants only", sig ? sig : "no finding", at);
    expect_run(f, compare ? BF_CHECK_EXACT : BF_CHECK_INVARIANTS, buf, len, sig, at, what);
}

/* The report of a BUG in a user's backend says "line N", not "seed line N". */
static void bug_wording(void)
{
    uint8_t buf[1024];
    size_t len = judge_scenario(buf, sizeof buf);
    next_flaw = BUG_ON_VALID;
    bf_runner *r = bf_runner_new_with(&planted_be, NULL, BF_CHECK_INVARIANTS);
    char *text = NULL;
    size_t tlen = 0;
    FILE *f = open_memstream(&text, &tlen);
    if (bf_runner_run(r, buf, len))
        bf_runner_report(r, f);
    fclose(f);
    check(text && strstr(text, "start >= eidx at line 7") && !strstr(text, "seed line") &&
              !strstr(text, "the contract answers BUG"),
          "a BUG in a user's backend is reported at 'line 7', never as a seed line");
    free(text);
    bf_runner_free(r);
}

/* A reset() that leaks: the second run of the same input fails, a fresh
 * instance does not; the finding says RESET-LEAK and names the input
 * before it. */
static void reset_leak(void)
{
    uint8_t buf[4096];
    size_t len = scenario(buf, sizeof buf);
    next_flaw = RESET_LEAK;
    bf_runner *r = bf_runner_new_with(&planted_be, NULL, BF_CHECK_INVARIANTS);
    int first = bf_runner_run(r, buf, len);
    int second = bf_runner_run(r, buf, len);
    char *text = NULL;
    size_t tlen = 0;
    FILE *f = open_memstream(&text, &tlen);
    if (second)
        bf_runner_report(r, f);
    fclose(f);
    check(!first && second && !strncmp(r->signature, "bootfuzz: RESET-LEAK planted: ", 30) &&
              r->leak_trace && strstr(text, "reset() does not return it to a clean system") &&
              strstr(text, "The input 1 before it leaves the state behind"),
          "a reset() that leaks state: RESET-LEAK, naming the input before it");
    if (!second || strncmp(r->signature, "bootfuzz: RESET-LEAK", 20))
        printf("#   got: first=%d second=%d \"%s\"\n", first, second, r->signature);
    free(text);
    /* with the check off, the same leak would be a plain finding that no
     * fresh process reproduces: what triage used to call flaky */
    r->fresh_check = 0;
    int third = bf_runner_run(r, buf, len);
    check(third && strncmp(r->signature, "bootfuzz: RESET-LEAK", 20) != 0,
          "without the fresh-instance check the leak passes for an ordinary finding (the check "
          "is what names it)");
    bf_runner_free(r);

    /* the signature as printed, pasted into a suppressions file, suppresses it */
    r = bf_runner_new_with(&planted_be, NULL, BF_CHECK_INVARIANTS);
    bf_runner_run(r, buf, len);
    bf_runner_run(r, buf, len);
    char path[] = "/tmp/bootfuzz-test-supp-XXXXXX", err[256];
    int fd = mkstemp(path);
    FILE *sf = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (sf) {
        fprintf(sf, "%s\n", r->signature + strlen("bootfuzz: "));
        fclose(sf);
    }
    bf_runner_free(r);
    r = bf_runner_new_with(&planted_be, NULL, BF_CHECK_INVARIANTS);
    r->supp = bf_supp_load(path, err, sizeof err);
    first = bf_runner_run(r, buf, len);
    second = bf_runner_run(r, buf, len);
    check(r->supp && !first && !second && r->suppressed == 1,
          "a RESET-LEAK signature pasted as printed suppresses that leak");
    bf_supp_free(r->supp);
    r->supp = NULL;
    bf_runner_free(r);
    unlink(path);
}

/* Random inputs: the fast mode (with its replay on findings) and the
 * precise mode give the same verdict and signature. */
static void modes_agree(const char *target, const char *options, int want_findings, bf_check chk)
{
    bf_runner *fast = bf_runner_new(target, options, chk),
              *precise = bf_runner_new(target, options, chk);
    precise->always_precise = 1;
    int disagree = 0, findings = 0;
    uint8_t buf[1 + 12 + 64 * BF_RECORD_SIZE];
    for (int i = 0; i < 3000; i++) {
        size_t len = 13 + (tap_rand() % 65) * BF_RECORD_SIZE;
        for (size_t k = 0; k < len; k++)
            buf[k] = (uint8_t)tap_rand();
        int a = bf_runner_run(fast, buf, len), b = bf_runner_run(precise, buf, len);
        findings += a;
        if (a != b || (a && (strcmp(fast->signature, precise->signature) || fast->nlog != precise->nlog))) {
            if (!disagree)
                printf("# input %d: fast mode %d \"%s\" at %u, precise %d \"%s\" at %u\n", i, a,
                       fast->signature, fast->nlog, b, precise->signature, precise->nlog);
            disagree++;
        }
    }
    char what[160];
    snprintf(what, sizeof what, "target %s%s%s%s: both modes agree on 3000 random inputs (%d findings)",
             target, chk == BF_CHECK_INVARIANTS ? " invariants only" : "", options ? " " : "",
             options ? options : "", findings);
    check(disagree == 0 && (want_findings ? findings > 0 : findings == 0), what);
    bf_runner_free(fast);
    bf_runner_free(precise);
}

/* One node (pfns 0x100..0x10f, every page free), then the call c. */
static size_t one_call(uint8_t *buf, size_t cap, bf_call c)
{
    ncalls = 0;
    call(BF_OP_NODE, 0x100, 0x110, 0, 0, 0);
    call(BF_OP_FREE, 0x100000, 16 * PAGE, 0, 0, 0);
    calls[ncalls++] = c;
    return bf_encode_calls(calls, ncalls, buf, cap);
}

/* Flaw f, the scenario one_call(c): signature sig at call 3, checked
 * exactly and invariants only (the reference judging) when both == 1. */
static void signed_as(enum flaw f, bf_call c, const char *sig, int both, const char *name)
{
    uint8_t buf[256];
    size_t len = one_call(buf, sizeof buf, c);
    char what[300];
    for (int m = 0; m <= both; m++) {
        snprintf(what, sizeof what, "signature (%s): %s: %s", m ? "invariants only" : "exact",
                 name, sig);
        expect_run(f, m ? BF_CHECK_INVARIANTS : BF_CHECK_EXACT, buf, len, sig, 3, what);
    }
}

#define ALLOC(z, al, g, l) ((bf_call){.op = BF_OP_ALLOC, .arg = {(z), (al), (g), (l)}})
#define FREE(a, z) ((bf_call){.op = BF_OP_FREE, .arg = {(a), (z)}})

/* Two root causes that fail the same way in the same call get two
 * signatures, and one root cause reached by requests of different shapes
 * gets one: the parts a finding needs, the rules a rejected request
 * breaks, the site of a BUG (docs/harness.md, "Signatures"). */
static void signatures(void)
{
    const char *goal = "bootfuzz: MISMATCH alloc value planted [goal]";
    signed_as(IGNORES_GOAL, ALLOC(PAGE, PAGE, 0x108000, 0), goal, 0, "a dropped goal");
    signed_as(IGNORES_GOAL, ALLOC(PAGE, PAGE, 0x108000, 0x10f000), goal, 0,
              "a dropped goal, with a limit it does not need");
    signed_as(IGNORES_GOAL, ALLOC(PAGE, 2 * PAGE, 0x108000, 0), goal, 0,
              "a dropped goal, with an alignment it does not need");
    /* taking the goal away crashes this backend: the finding at hand
     * survives (the parts are tried in a child process), and the goal is
     * needed */
    signed_as(ABORTS_WITHOUT_GOAL, ALLOC(PAGE, PAGE, 0x108000, 0), goal, 0,
              "a dropped goal, in a backend that crashes without one");
    signed_as(HANGS_WITHOUT_GOAL, ALLOC(PAGE, PAGE, 0x108000, 0), goal, 0,
              "a dropped goal, in a backend that hangs without one (the child's time runs out)");
    /* the minimizer tries goal 0 too: guarded, the crash only rejects that
     * candidate (unguarded, it would end this test process) */
    {
        uint8_t buf[256];
        size_t len = one_call(buf, sizeof buf, ALLOC(PAGE, PAGE, 0x108000, 0));
        next_flaw = ABORTS_WITHOUT_GOAL;
        bf_runner *r = bf_runner_new_with(&planted_be, NULL, BF_CHECK_EXACT);
        bf_call out[BF_DECODE_MAX_RAW];
        unsigned n = 0, tries = 0;
        int rc = bf_minimize_guarded(r, buf, len, out, &n, &tries, "a test input");
        check(rc == 0 && n >= 1 && out[n - 1].op == BF_OP_ALLOC && out[n - 1].arg[2] != 0 &&
                  !strcmp(r->signature, goal),
              "minimize, guarded: a candidate that crashes the backend is rejected; the result keeps its goal and signature");
        bf_runner_free(r);
    }
    /* the goal lies past the window: the contract starts at the node, the
     * flaw at the goal.  The window rule reads the limit alone (§4.2): the
     * goal, needed too, is not said */
    signed_as(IGNORES_LIMIT, ALLOC(PAGE, PAGE, 0x10a000, 0x105000),
              "bootfuzz: INVARIANT window alloc planted [limit]", 1, "a dropped limit");
    /* a free the contract rejects: the rule it breaks (reserve and free
     * share it, §2), whichever side of the node */
    const char *outside = "bootfuzz: MISMATCH reserve/free planted misses EINVAL [outside-nodes]";
    signed_as(FREE_UNCHECKED, FREE(0xff000, PAGE), outside, 1, "a free below the node accepted");
    signed_as(FREE_UNCHECKED, FREE(0x120000, PAGE), outside, 1, "a free above the node accepted");
    signed_as(FREE_UNCHECKED, FREE(0x10f000, 2 * PAGE),
              "bootfuzz: MISMATCH reserve/free planted misses EINVAL [past-node-end]", 1,
              "a free past the node's end accepted");
    signed_as(FREE_UNCHECKED, FREE(0x100000, UINT64_MAX - 0x1000),
              "bootfuzz: MISMATCH reserve/free planted misses EINVAL [wraps]", 1,
              "a wrapping free from the node accepted");
    signed_as(FREE_UNCHECKED, FREE(0x200000, UINT64_MAX - 0x1000),
              "bootfuzz: MISMATCH reserve/free planted misses EINVAL [wraps]", 1,
              "a wrapping free from above the node accepted (only the wrap is wrong to check)");
    signed_as(FREE_UNCHECKED, FREE(0xff000, UINT64_MAX - 0x1000),
              "bootfuzz: MISMATCH reserve/free planted misses EINVAL [wraps below-nodes]", 1,
              "a wrapping free below the node accepted (a lower-bound check would catch it too)");
    const char *nomem = "bootfuzz: MISMATCH alloc planted misses EINVAL [align-not-pow2]";
    /* (exact only: invariants only, an error where the contract rejects is agreement) */
    signed_as(EINVAL_AS_ENOMEM, ALLOC(PAGE, 3, 0, 0), nomem, 0, "ENOMEM for align 3");
    signed_as(EINVAL_AS_ENOMEM, ALLOC(0, 3, 0, 0), nomem, 0,
              "ENOMEM for size 0 and align 3 (one reason is enough)");
    signed_as(EINVAL_AS_ENOMEM, ALLOC(0, 1, 0, 0),
              "bootfuzz: MISMATCH alloc planted misses EINVAL [size=0]", 0,
              "ENOMEM for size 0");
    /* a valid request rejected: one signature whether the contract places
     * it or finds no room */
    const char *valid = "bootfuzz: MISMATCH alloc planted=EINVAL ref=valid [align=0]";
    signed_as(EINVAL_ALIGN_0, ALLOC(PAGE, 0, 0, 0), valid, 1, "align 0 rejected (the contract places it)");
    signed_as(EINVAL_ALIGN_0, ALLOC(64 * PAGE, 0, 0, 0), valid, 1,
              "align 0 rejected (the contract finds no room: ENOMEM)");
    const char *bug = "bootfuzz: BUG planted \"map == NULL\" line 9";
    signed_as(BUG_MAP_NULL, ALLOC(PAGE, PAGE, 0, 0), bug, 1, "a BUG reached from alloc");
    signed_as(BUG_MAP_NULL, (bf_call){.op = BF_OP_FREE_ALL}, bug, 1,
              "the same BUG reached from free_all");
}

int main(void)
{
    signatures();
    uint8_t buf[4096];
    size_t len = scenario(buf, sizeof buf);
    for (int compare = 0; compare <= 1; compare++) {
        bf_runner *r = runner_for(NONE, compare);
        check(bf_runner_run(r, buf, len) == 0 && r->nlog == ncalls,
              compare ? "unflawed wrapper vs ref: no finding, every call run"
                      : "unflawed wrapper alone: no finding, every call run");
        bf_runner_free(r);
    }
    for (int cmp = 0; cmp <= 1; cmp++) {
        expect(STRAY_RESERVE, cmp, "bootfuzz: INVARIANT other-pages-changed alloc planted", 4,
               "an alloc that reserves a page it does not name");
        expect(FAILED_CHANGES, cmp, "bootfuzz: INVARIANT failed-call-changed-state alloc planted",
               7, "an ENOMEM alloc that reserves a page");
        expect(FAILED_LAST, cmp, "bootfuzz: INVARIANT failed-call-changed-state reserve/free planted [outside-nodes]",
               6, "an EINVAL reserve that lowers last_success");
        expect(NOT_ZEROED, cmp, "bootfuzz: INVARIANT zeroed alloc planted", 3,
               "an alloc that does not zero its block");
        expect(STRAY_WRITE, cmp, "bootfuzz: INVARIANT stray-write end planted", 21,
               "an alloc that writes outside its block");
        expect(FREE_ALL_COUNT, cmp, "bootfuzz: INVARIANT free-all-count free_all planted", 21,
               "a free_all that counts a page too many");
    }
    for (int cmp = 0; cmp <= 1; cmp++) {
        edge(NONE, cmp, 0, NULL, 8, "the unflawed wrapper, exact fit at the end");
        edge(NONE, cmp, 1, NULL, 8, "the unflawed wrapper, exact fit in the middle");
        edge(SUBPAGE_MISALIGNED, cmp, 0, "bootfuzz: INVARIANT align alloc planted [align]", 5,
             "a block 8 bytes off its 16-byte alignment (sub-page)");
        edge(OVERLAP_LAST_BYTE, cmp, 0, "bootfuzz: INVARIANT overlap alloc planted", 4,
             "a block starting on the last byte of a live block");
        edge(MISSED_EXACT_FIT, cmp, 0, "bootfuzz: INVARIANT first-fit alloc planted", 8,
             "ENOMEM while a free run at the window's end fits exactly");
        edge(MISSED_EXACT_FIT, cmp, 1, "bootfuzz: INVARIANT first-fit alloc planted", 8,
             "ENOMEM while a free run in the middle fits exactly");
        edge(UNZEROED_LAST_BYTE, cmp, 0, "bootfuzz: INVARIANT zeroed alloc planted", 3,
             "a block whose last byte is not zeroed");
    }
    for (int cmp = 0; cmp <= 1; cmp++) {
        const char *stray = "bootfuzz: INVARIANT other-pages-changed reserve planted";
        wide(NONE, cmp, NULL, 8, "the unflawed wrapper");
        wide(WIDE_NEW_FREE, cmp, "bootfuzz: INVARIANT new-node-reserved node planted", 1,
             "a new node with a free page in its fourth word");
        wide(WIDE_STRAY_BEFORE, cmp, stray, 3, "a reserve that also takes a page words before");
        wide(WIDE_STRAY_BESIDE, cmp, stray, 3,
             "a reserve that also takes a page of its own first word");
        wide(WIDE_STRAY_AFTER, cmp, stray, 3,
             "a reserve that also takes a page of the last, partial word");
        wide(WIDE_MISSED_FIT, cmp, "bootfuzz: INVARIANT first-fit alloc planted", 8,
             "ENOMEM for the 40 pages left, after five calls changed the free count");
        wide(WIDE_STRAY_FAR, cmp, stray, 3,
             "a reserve that also takes a page 12 words past the named ones (memcmp's stretch)");
        edge_case(NONE, cmp, nodes64, NULL, 68, "64 nodes, the unflawed wrapper");
        edge_case(NONE, cmp, new129, NULL, 5, "a 129-page new node, the unflawed wrapper");
        edge_case(NEW_LAST_FREE, cmp, new129, "bootfuzz: INVARIANT new-node-reserved node planted",
                  3, "a new node whose last word's only page is free");
    }
    /* compared with the reference: what the invariants alone do not see */
    edge_case(LAST_NODE_POS, 1, nodes64, "bootfuzz: MISMATCH alloc last_pos planted", 67,
              "node 63 of 64: last_pos one too high");
    edge_case(LAST_NODE_BITS, 1, nodes64, "bootfuzz: MISMATCH reserve pages planted", 68,
              "node 63 of 64: a page the reserve names shows free");
    edge_case(NEW_PAST_END, 1, new129, "bootfuzz: MISMATCH node pages planted", 3,
              "a new node with a bit set past its end (the reference's is 0 there)");
    edge(LAST_OFFSET_WRONG, 1, 0, "bootfuzz: MISMATCH alloc last_offset planted", 3,
         "last_offset one too high");
    edge(LAST_OFFSET_WRONG, 0, 0, NULL, 8,
         "last_offset one too high, where only the invariants are promised: not judged");
    judged(NONE, NULL, 7, "the unflawed wrapper");
    judged(PLACES_HIGH, NULL, 7,
           "a placement of its own, then a free of that block: valid in the pages the backend "
           "holds (the reference mirrors them)");
    judged(BUG_ON_REJECTED, NULL, 3,
           "a BUG on a free of a free page (contract: ENOTRESERVED) is agreement; it ends the input");
    judged(DOUBLE_FREE_OK, "bootfuzz: MISMATCH free planted misses ENOTRESERVED [page-free]", 3,
           "a free of a free page that answers OK");
    judged(REJECTS_VALID, "bootfuzz: MISMATCH reserve planted=EINVAL ref=valid", 5,
           "a valid reserve answered EINVAL");
    judged(BUG_ON_VALID, "bootfuzz: BUG planted \"start >= eidx\" line 7", 6, "a BUG on a valid alloc");
    judged(FREE_FREES_NOTHING, "bootfuzz: MISMATCH free pages planted", 2,
           "a free that answers its count but frees nothing (no invariant of section 4 sees it)");
    bug_wording();
    reset_leak();
    modes_agree("fast", NULL, 0, BF_CHECK_AUTO);
    modes_agree("ref", NULL, 0, BF_CHECK_AUTO);
    modes_agree("2614", NULL, 1, BF_CHECK_AUTO);
    /* the judging reference on exact backends checked by the invariants
     * alone: no false finding on 3000 random inputs; the port's bugs still show */
    modes_agree("fast", NULL, 0, BF_CHECK_INVARIANTS);
    modes_agree("2614fixed", NULL, 0, BF_CHECK_INVARIANTS);
    modes_agree("2614", NULL, 1, BF_CHECK_INVARIANTS);
    return failures != 0;
}
