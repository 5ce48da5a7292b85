/*
 * call.h - one call of a call sequence, as the trace language, the fuzz
 * decoder and the runners all see it.  Kept tiny and flat: the fuzzer makes
 * millions of these.
 */
#ifndef BOOTFUZZ_CALL_H
#define BOOTFUZZ_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "bootfuzz/backend.h"

typedef enum bf_op {
    /* contract section 2 calls */
    BF_OP_NODE,       /* start_pfn end_pfn            [flag mem] */
    BF_OP_RESERVE,    /* addr size */
    BF_OP_FREE,       /* addr size */
    BF_OP_ALLOC,      /* size align goal limit */
    BF_OP_ALLOC_NODE, /* nid size align goal limit */
    BF_OP_FREE_ALL,   /* nid */
    /* harness queries: never change allocator state */
    BF_OP_RESERVED, /* pfn */
    BF_OP_STATE,    /* nid */
    BF_OP_MAP,      /* nid [first count]           [flag range] */
    BF_OP_FILL,     /* addr size byte  (writes backing memory only) */
    BF_OP_NONZERO,  /* addr size */
    BF_OP_COUNT
} bf_op;

#define BF_CALL_MEM 0x1u   /* node: give it backing memory */
#define BF_CALL_RANGE 0x2u /* map: first/count given */

#define BF_CALL_MAX_ARGS 5
#define BF_MEM_MAX_PAGES 16384 /* backing memory per node: at most 64 MiB */

typedef struct bf_call {
    uint8_t op; /* bf_op */
    uint8_t flags;
    uint64_t arg[BF_CALL_MAX_ARGS];
} bf_call;

/* Static description of each op, shared by the parser and the printer. */
typedef struct bf_op_info {
    const char *name;
    int nargs;     /* positional arguments that must be given */
    int nopt;      /* optional keyword arguments (align goal limit) */
    int is_query;
} bf_op_info;

/* inline: the runner and the checker ask these for every call */
extern const bf_op_info bf_op_table[BF_OP_COUNT];
static inline const bf_op_info *bf_op_get(int op)
{
    return (op >= 0 && op < BF_OP_COUNT) ? &bf_op_table[op] : NULL;
}
static inline int bf_op_is_alloc(int op) { return op == BF_OP_ALLOC || op == BF_OP_ALLOC_NODE; }

/* Canonical text of a call (no expectation, no newline).  Returns length. */
size_t bf_call_format(const bf_call *c, char *buf, size_t cap);

/* Text of an error class: "ENOMEM", ... */
const char *bf_err_name(bf_err e);
int bf_err_parse(const char *s, size_t len, bf_err *out);

#endif
