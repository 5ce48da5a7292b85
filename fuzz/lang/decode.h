/*
 * decode.h - fuzz input bytes -> call sequence (byte format BF_FORMAT_VERSION, docs/harness.md).
 *
 * Any byte string decodes to valid calls; the decoder never reads past the
 * input, reads at most BF_DECODE_MAX_CALLS records and emits at most
 * BF_DECODE_MAX_RAW calls.  Decoding is online: some
 * arguments name things of the run so far ("the 3rd most recent block",
 * "the end of node 1"), so the runner feeds each call's outcome back with
 * bf_dctx_update() before asking for the next call.  That outcome must be
 * the reference's, so that every backend sees the same calls.
 */
#ifndef BOOTFUZZ_DECODE_H
#define BOOTFUZZ_DECODE_H

#include "call.h"

/* Version of the byte format.  4: a node record whose argument byte 3 has
 * bits 1 and 2 set adds a run of nodes (byte 4: how many, or "fill the
 * table and one more"), so the full node table of contract §2 is one
 * record away; and no input decodes to more than BF_DECODE_MAX_RAW calls
 * (what the runner logs and a reproducer holds).  3: a place argument of kind 7 whose detail
 * byte has bit 4 set is a last frame below 2^64 in the request's alignment
 * (2^64 - align or - 2 align, minus 1 with the kind's bit 5), not one of the
 * 64-bit edges again; raw records (encoded traces, minimized reproducers,
 * the shipped corpora) decode as before.  2: a raw node record gets
 * backing memory only up to BF_DECODE_MEM_PAGES, like a header node (1
 * allowed up to BF_MEM_MAX_PAGES: 64 MiB filled and checked per input). */
#define BF_FORMAT_VERSION 4
#define BF_DECODE_MAX_CALLS 64    /* calls from records (prelude not counted) */
#define BF_DECODE_MAX_RAW 80      /* calls of any input (prelude and node runs included) */
#define BF_DECODE_RUN_PAGES 512   /* nodes of a node run are cut to this (one fast block) */
#define BF_RECORD_SIZE 8          /* one call record */
#define BF_DECODE_MAX_NODE_PAGES (1u << 16) /* nodes of raw records are cut to this */
#define BF_DECODE_MEM_PAGES 16     /* backing memory only for nodes this small */
#define BF_RECENT 16              /* blocks a free/reserve can name */
#define BF_HEADER_RAW 0x80        /* header bit: no implicit nodes/prelude */
#define BF_RECORD_RAW 0xf0        /* record byte 0xf0..0xff: op + raw 64-bit arguments */

/* What the decoder knows of the run so far (from the reference). */
typedef struct bf_dctx {
    uint64_t nnodes;
    struct {
        uint64_t start, end;
        int live;
    } node[BF_MAX_NODES];
    struct {
        uint64_t addr, size;
    } recent[BF_RECENT];
    unsigned nrecent, recent_head;
    uint64_t last_addr;
} bf_dctx;

typedef struct bf_decoder {
    const uint8_t *data;
    size_t size, pos;
    int raw;           /* header said: records only */
    int mem;           /* give small header nodes backing memory */
    int prep;          /* prelude kind */
    unsigned hdr_nodes, hdr_done; /* header nodes, and prelude calls emitted */
    uint8_t node_bytes[4][3];
    unsigned prelude_step;
    unsigned calls;    /* records read */
    unsigned emitted;  /* calls emitted, all kinds: at most BF_DECODE_MAX_RAW */
    unsigned run_left; /* nodes still to add of a node run */
    uint8_t run_bytes[2]; /* the run's start and size bytes (pick_node) */
    int run_first;     /* the next run node is the run's first */
    uint64_t pending_node; /* node index whose prelude is being emitted */
} bf_decoder;

void bf_decoder_init(bf_decoder *d, const uint8_t *data, size_t size);
/* The next call, or 0 when the input is exhausted. */
int bf_decoder_next(bf_decoder *d, const bf_dctx *ctx, bf_call *out);

void bf_dctx_reset(bf_dctx *c);
void bf_dctx_update(bf_dctx *c, const bf_call *call, bf_result ref_result);

/* Encode concrete calls (node, reserve, free, alloc, alloc_node, free_all)
 * as raw records: decoding the result gives exactly these calls.  Returns
 * the number of bytes written (or needed, if more than cap). */
size_t bf_encode_calls(const bf_call *calls, size_t n, uint8_t *out, size_t cap);

#endif
