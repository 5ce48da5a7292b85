/*
 * backend.h - the one interface every allocator under test implements.
 *
 * A user who brings their own boot-time allocator to bootfuzz implements
 * exactly this struct of function pointers and nothing else (the shape
 * cryptofuzz uses for its modules).  Every call of contract section 2 is here,
 * plus the queries the harness uses to compare state, plus lifecycle hooks
 * that let the fuzzer reuse one system for millions of inputs.
 *
 * Results are typed: an error class plus a 64-bit value.  Address 0 is a valid
 * allocation, so "NULL means failure" is never used.
 */
#ifndef BOOTFUZZ_BACKEND_H
#define BOOTFUZZ_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#define BF_PAGE_SHIFT 12
#define BF_PAGE_SIZE ((uint64_t)1 << BF_PAGE_SHIFT)
#define BF_MAX_NODES 64
#define BF_MAX_NODE_PAGES ((uint64_t)1 << 32) /* contract 1: at most 2^32 pages */
#define BF_PFN_LIMIT ((uint64_t)1 << 52)      /* contract 1: end_pfn < 2^52 */

/* Outcome classes.  BF_BUG is not an error of the contract: it is what a
 * backend reports when its code would have called the kernel's BUG() (the
 * 2.6.14 port does).  A BUG ends the call sequence. */
typedef enum bf_err {
    BF_OK = 0,
    BF_ENOMEM,       /* alloc found no room */
    BF_EINVAL,       /* a bad argument */
    BF_ENOTRESERVED, /* free of a page that is already free */
    BF_BUG,          /* the backend hit a BUG()/BUG_ON(); see bug_cond/bug_line */
    BF_ERR_COUNT
} bf_err;

typedef struct bf_result {
    bf_err err;
    uint64_t value;       /* valid when err == BF_OK */
    const char *bug_cond; /* when err == BF_BUG: the condition, e.g. "start >= eidx" */
    int bug_line;         /* when err == BF_BUG: the seed line it stands for */
} bf_result;

/* A node as the harness sees it (queries only; not part of the kernel API). */
typedef struct bf_node_info {
    uint64_t start_pfn, end_pfn;
    int live;             /* 0 once free_all retired it */
    uint64_t last_success; /* byte offset from the node start */
    uint64_t last_pos;     /* node-relative page index */
    uint64_t last_offset;  /* bytes used in page last_pos; 0 = none */
} bf_node_info;

/* The backend promises the exact contract: the lockstep runner compares every
 * outcome and all node state with the reference.  Without this flag only the
 * invariants of contract section 4 are checked, and the reference runs beside
 * the backend only to judge each request (an error or BUG on a request the
 * contract rejects is agreement, never a finding).  This flag is the one
 * place that decides it: every target, tool and script reads it from here.
 * (A user may still ask for invariants only on an exact backend:
 * BOOTFUZZ_CHECK=invariants, or `bootfuzz run --invariants`.) */
#define BF_PROMISES_EXACT 0x1u
/* bug_line of a BUG outcome is a line of the seed (../shared/seed), not of
 * the backend's own source: reports say "seed line N" instead of "line N". */
#define BF_LINES_ARE_SEED 0x2u

typedef struct bf_backend {
    const char *name;        /* short, used on the command line: "ref", "fast", "2614" */
    const char *description; /* one line for --help */
    unsigned flags;          /* BF_PROMISES_EXACT, ... */

    /* Lifecycle.  create() may allocate; reset() returns the system to "no
     * nodes" and must not allocate (buffers are kept for reuse); add_node may
     * allocate only when a node needs more room than any earlier one had. */
    void *(*create)(void);
    void (*destroy)(void *sys);
    void (*reset)(void *sys);

    /* Optional run-time switches (e.g. the 2.6.14 port's bug switches).
     * Returns 0 when the option is known and set, -1 otherwise.  May be NULL. */
    int (*set_option)(void *sys, const char *name, uint64_t value);

    /* Contract section 2.  `mem`, when not NULL, is backing memory of
     * (end_pfn - start_pfn) * PAGE_SIZE bytes standing for the node's
     * physical memory: alloc zeroes exactly the bytes it returns and no call
     * writes any other byte.  The caller owns it. */
    bf_result (*add_node)(void *sys, uint64_t start_pfn, uint64_t end_pfn, uint8_t *mem);
    bf_result (*reserve)(void *sys, uint64_t addr, uint64_t size);
    bf_result (*free)(void *sys, uint64_t addr, uint64_t size);
    bf_result (*alloc)(void *sys, uint64_t size, uint64_t align, uint64_t goal, uint64_t limit);
    bf_result (*alloc_node)(void *sys, uint64_t nid, uint64_t size, uint64_t align,
                            uint64_t goal, uint64_t limit);
    bf_result (*free_all)(void *sys, uint64_t nid);

    /* Queries.  page_reserved: 1 reserved, 0 free, -1 when no live node
     * holds the page.  node_info: 0 and *out filled, or -1 for an unknown
     * node id (a retired node is known: live == 0). */
    int (*page_reserved)(void *sys, uint64_t pfn);
    int (*node_info)(void *sys, uint64_t nid, bf_node_info *out);

    /* Optional (may be NULL; the harness then asks page_reserved page by
     * page): copy the reserved bits of live node nid, from node-relative page
     * `first` (a multiple of 64) on, into words: bit j of words[w] stands for
     * page start_pfn + first + 64 * w + j; bits past the node's end are 0.
     * 0 on success, -1 for an unknown or retired node.  The fuzzer compares
     * state after every call, so this is what keeps it fast. */
    int (*read_bits)(void *sys, uint64_t nid, uint64_t first, uint64_t *words, uint64_t nwords);

    /* Optional (may be NULL): the options set_option knows, in a few words
     * for people ("A C D E F G H J K L M N O P: the 2.6.14 bugs, 0 or 1").
     * The tools print it when an option is unknown, and in `bootfuzz list`. */
    const char *options;
} bf_backend;

/* A BUG outcome whose bug_cond starts with this prefix stands for a memory
 * fault the kernel would have taken (an oops: NULL or out-of-bounds access),
 * not a deliberate BUG() check.  The harness always counts it as a finding,
 * even on a request the contract rejects. */
#define BF_OOPS_PREFIX "oops:"


/* Helpers every backend may use (header-only, no state). */
static inline bf_result bf_ok(uint64_t v)
{
    bf_result r = {BF_OK, v, 0, 0};
    return r;
}
static inline bf_result bf_fail(bf_err e)
{
    bf_result r = {e, 0, 0, 0};
    return r;
}
static inline bf_result bf_bug(const char *cond, int line)
{
    bf_result r = {BF_BUG, 0, cond, line};
    return r;
}

/* PFN_DOWN / PFN_UP without overflow for any 64-bit byte value. */
static inline uint64_t bf_pfn_down(uint64_t a) { return a >> BF_PAGE_SHIFT; }
static inline uint64_t bf_pfn_up(uint64_t a)
{
    return (a >> BF_PAGE_SHIFT) + ((a & (BF_PAGE_SIZE - 1)) != 0);
}

const char *bf_err_name(bf_err e);

/*
 * Registration.  A backend registers itself, so bringing one takes its own
 * file and nothing else (no list to edit):
 *
 *     const bf_backend my_backend = { .name = "mine", ... };
 *     BF_REGISTER_BACKEND(my_backend);
 *
 * The macro adds a constructor that links the backend into the registry
 * before main() (or before the fuzzing engine's first input).  Any number of
 * backends may register; names must be unique (a second backend with a name
 * already taken is refused with a message on stderr, and exits 2, since the
 * tools could not tell them apart).  Names are what the command line,
 * the fuzz targets (build/.../libfuzzer-NAME) and the scripts use: letters,
 * digits, '_' and '-' only.
 */
typedef struct bf_backend_entry {
    const bf_backend *backend;
    struct bf_backend_entry *next; /* the registry's, set by bf_backend_register */
} bf_backend_entry;

/* Adds e->backend to the registry (e must stay valid: static storage). */
void bf_backend_register(bf_backend_entry *e);

#define BF_REGISTER_BACKEND(sym)                                                                   \
    static bf_backend_entry bf_backend_entry_##sym = {&(sym), 0};                                  \
    __attribute__((constructor)) static void bf_backend_register_##sym(void)                       \
    {                                                                                              \
        bf_backend_register(&bf_backend_entry_##sym);                                              \
    }                                                                                              \
    typedef int bf_backend_registered_##sym /* swallows the caller's ';' */

#endif
