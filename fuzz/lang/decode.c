/*
 * decode.c - the byte format (version BF_FORMAT_VERSION): any byte string
 * -> a valid call sequence.
 *
 * Layout (docs/harness.md has the full table):
 *   header byte H            nodes = 1 + (H & 3), prelude = (H >> 2) & 3,
 *                            backing memory = (H >> 4) & 1, raw = H & 0x80
 *   3 bytes per header node  start, size and prelude parameter
 *   8-byte call records      byte 0 picks the call, bytes 1-7 its arguments;
 *                            a node record can add a run of nodes (v4)
 * Missing bytes read as 0, so every prefix of an input is an input too.
 *
 * Designed for mutation: records have a fixed size, so flipping a byte
 * changes one argument of one call; each argument is a "class" byte (which
 * kind of value: an edge, a node-relative place, a recent block) and a
 * "detail" byte, so the edges of contract sections 2-3 (0, 1, PAGE_SIZE+-1,
 * powers of two +-1, 2^64-1, node edges, 63/64/65-page word edges, limits
 * just below/above a page) are each one byte away.
 */
#include <string.h>

#include "decode.h"

#define PAGE BF_PAGE_SIZE

static uint8_t byte_at(const bf_decoder *d, size_t i) { return i < d->size ? d->data[i] : 0; }

void bf_decoder_init(bf_decoder *d, const uint8_t *data, size_t size)
{
    memset(d, 0, sizeof *d);
    d->data = data;
    d->size = size;
    uint8_t h = byte_at(d, 0);
    d->pos = 1;
    d->raw = (h & BF_HEADER_RAW) != 0;
    if (d->raw)
        return;
    d->hdr_nodes = 1 + (h & 3);
    d->prep = (h >> 2) & 3;
    d->mem = (h >> 4) & 1;
    for (unsigned i = 0; i < d->hdr_nodes; i++)
        for (unsigned k = 0; k < 3; k++)
            d->node_bytes[i][k] = byte_at(d, d->pos++);
}

/* ---- value pickers ---- */

/* 64-bit edges every argument can reach. */
static const uint64_t edge64[16] = {
    0, 1, PAGE - 1, PAGE, PAGE + 1, 0x7fff, 0x8000, 0xffffffffull, 0x100000000ull,
    (uint64_t)1 << 63, ((uint64_t)1 << 63) + 1, UINT64_MAX - PAGE + 1, UINT64_MAX - PAGE,
    UINT64_MAX - 1, UINT64_MAX, (BF_PFN_LIMIT - 1) << BF_PAGE_SHIFT,
};

/* Pages of a node that counts as "a node" when there is none yet. */
static void node_of(const bf_dctx *c, unsigned sel, uint64_t *start, uint64_t *end)
{
    if (c->nnodes == 0) {
        *start = 0;
        *end = 16;
        return;
    }
    unsigned i = sel % (unsigned)c->nnodes; /* nnodes <= 64: a 32-bit division */
    *start = c->node[i].start;
    *end = c->node[i].end;
}

static uint64_t pick_size(const bf_dctx *c, uint8_t s, uint8_t v)
{
    static const int64_t off3[4] = {-1, 0, 1, 0};
    uint64_t ns, ne;
    switch (s & 7) {
    case 0: return (uint64_t)v + 1;                          /* 1..256 bytes */
    case 1: return ((uint64_t)v + 1) * 16;                   /* to 4 KiB by 16 */
    case 2: return PAGE * (1 + (v & 63)) + (uint64_t)off3[(s >> 3) & 3]; /* pages +-1 */
    case 3: return PAGE * (v % 70);                          /* 0..69 pages: 63/64/65 */
    case 4: return PAGE * v + (s >> 3);                      /* pages and a few bytes */
    case 5:                                                  /* a share of a node */
        node_of(c, s >> 3, &ns, &ne);
        return (ne - ns) * PAGE * ((uint64_t)v + 1) / 256 + ((s >> 6) ? 1 : 0);
    case 6: return edge64[v & 15] + ((v >> 4) & 1);          /* 64-bit edges */
    default: {                                               /* powers of two +-1 */
        uint64_t p = (uint64_t)1 << (v & 63);
        return (s >> 3) & 1 ? p - 1 : (s >> 4) & 1 ? p + 1 : p;
    }
    }
}

static uint64_t pick_align(uint8_t a)
{
    static const uint64_t bad[4] = {3, ((uint64_t)1 << 63) + 1, 6, PAGE + 1};
    switch (a >> 6) {
    case 0: return (a & 1) ? 0 : (uint64_t)1 << ((a >> 1) & 7);   /* 0, 1..128 */
    case 1: return PAGE << ((a >> 1) & 7) * (a & 1);              /* 4K, 4K..512K */
    case 2: return (uint64_t)1 << (a & 63);                        /* any power of two */
    default: return (a & 63) < 56 ? PAGE << (a & 3) : bad[a & 3]; /* 4K..32K, invalid */
    }
}

/* A place: goal, limit or a free/reserve address, relative to a node or
 * the last block when that is what matters. kind 0 is "none" (0).  `align`
 * is the request's (0 for a free/reserve address): the top of the address
 * space is also offered in its units, so ALIGN(goal, align) can land
 * exactly on 2^64 - align, or just below it, as contract §3 step 4 must
 * get right (a computation one mutation away from wrapping to 0). */
static uint64_t pick_place(const bf_dctx *c, uint8_t k, uint8_t v, uint64_t align)
{
    uint64_t ns, ne, x;
    node_of(c, k, &ns, &ne);
    ns <<= BF_PAGE_SHIFT;
    ne <<= BF_PAGE_SHIFT;
    switch ((k >> 2) & 7) {
    case 0: return 0;
    case 1: x = ns + (uint64_t)v * PAGE; break;           /* page inside/after start */
    case 2: x = ns + (uint64_t)v * 64; break;             /* unaligned, inside */
    case 3: x = ne - (uint64_t)(v & 31) * PAGE; break;    /* at or below the end */
    case 4: x = ne + (uint64_t)v * PAGE; break;           /* above the node */
    case 5: /* pages below the last block (what the last_success hint points at) */
        x = (c->nrecent ? c->recent[(c->recent_head + BF_RECENT - 1) % BF_RECENT].addr : ns) -
            (uint64_t)(v & 15) * PAGE;
        break;
    case 6: x = c->last_addr + (uint64_t)v * 16; break;   /* after the last block */
    default:
        if (v & 0x10) { /* the last frames of 2^64, in the request's alignment */
            uint64_t unit = align > PAGE && (align & (align - 1)) == 0 ? align : PAGE;
            return (0 - unit * (1 + ((v >> 5) & 1))) - ((k >> 5) & 1);
        }
        return edge64[v & 15] - ((k >> 5) & 1);          /* 64-bit edges */
    }
    return (k >> 5) & 1 ? x - 1 : (k >> 6) & 1 ? x + 0x7ff : x;
}

/* free/reserve target: mostly recent blocks and node edges. */
static void pick_range(const bf_dctx *c, const uint8_t *b, uint64_t *addr, uint64_t *size)
{
    uint64_t ns, ne;
    unsigned mode = b[0] & 7;
    if (mode < 4 && c->nrecent == 0)
        mode = 4;
    switch (mode) {
    case 0: case 1: case 2: case 3: { /* a recent block, by index into the live set */
        unsigned i = (c->recent_head + BF_RECENT - 1 - b[1] % c->nrecent) % BF_RECENT;
        uint64_t a = c->recent[i].addr, s = c->recent[i].size;
        switch (b[2] & 3) {
        case 0: *addr = a; *size = s; break;                    /* exactly */
        case 1: *addr = a & ~(PAGE - 1);                        /* its whole pages */
            *size = ((a + s + PAGE - 1) & ~(PAGE - 1)) - *addr; break;
        case 2: *addr = a & ~(PAGE - 1); *size = PAGE; break;   /* its first page */
        default: *addr = a + (b[3] & 15) * PAGE;                 /* a part of it */
            *size = PAGE * (1 + (b[4] & 7)); break;
        }
        return;
    }
    case 4: /* pages inside a node */
        node_of(c, b[1], &ns, &ne);
        *addr = (ns + b[2] % (ne - ns + 1)) * PAGE + ((b[3] & 1) ? b[4] : 0);
        *size = PAGE * (b[5] % 70) + ((b[3] & 2) ? b[6] : 0);
        return;
    case 5: /* around the node edges */
        node_of(c, b[1], &ns, &ne);
        *addr = ((b[2] & 1) ? ne : ns) * PAGE - (uint64_t)(b[3] & 7) * PAGE + (b[4] & 1) * 0x800;
        *size = PAGE * (1 + (b[5] & 15)) - (b[6] & 1);
        return;
    case 6: /* raw 64-bit values */
        *addr = pick_place(c, b[1] | 0x1c, b[2], 0);
        *size = pick_size(c, b[3], b[4]);
        return;
    default: /* a whole node */
        node_of(c, b[1], &ns, &ne);
        *addr = ns * PAGE;
        *size = (ne - ns) * PAGE;
        return;
    }
}

/* Node layouts: starts aligned and misaligned, sizes around word edges;
 * at most maxpages pages. */
static void pick_node(const bf_dctx *c, uint8_t s, uint8_t z, uint64_t maxpages, uint64_t *start,
                      uint64_t *end)
{
    static const uint64_t word_edge[12] = {63, 64, 65, 127, 128, 129, 1, 2, 31, 32, 33, 192};
    uint64_t prev = c->nnodes ? c->node[c->nnodes - 1].end : 0;
    uint64_t a = s >> 3, zs = z >> 3, pages;
    switch (z & 7) {
    case 0: pages = 16; break;
    case 1: pages = word_edge[zs % 12]; break;
    case 2: pages = 1 + zs; break;
    case 3: pages = 32 + zs * 8; break;
    case 4: pages = 64 * (1 + zs); break;
    case 5: pages = zs & 1 ? 4096 + zs / 2 - 8 : 96 + zs; break; /* 4088..4103 around a 64-word block */
    case 6: /* occasionally large (1 node in 64): 8K to 64K pages */
        pages = zs >= 28 ? (uint64_t)8192 << (zs & 3) : 128 + 4 * zs;
        break;
    default: pages = 256 + zs; break;
    }
    if (pages > maxpages)
        pages = maxpages;
    switch (s & 7) {
    case 0: *start = prev; break;                              /* adjacent */
    case 1: *start = prev + a; break;                          /* a gap */
    case 2: *start = prev + 16 * a; break;
    case 3: *start = prev + 1 + 2 * a; break;                  /* odd: misaligned */
    case 4: *start = (prev + 511) / 512 * 512 + 512 * a; break; /* 2 MiB aligned */
    case 5: *start = BF_PFN_LIMIT - pages - a; break;           /* at the top */
    case 6: *start = 0x100000 * (a + 1); break;                /* above 4 GiB */
    default: *start = c->nnodes ? c->node[c->nnodes - 1].start + a : a; break; /* overlap */
    }
    *end = *start + pages;
}

/* ---- the prelude of header nodes ---- */

static int prelude_next(bf_decoder *d, const bf_dctx *c, bf_call *o)
{
    while (d->hdr_done < d->hdr_nodes) {
        const uint8_t *nb = d->node_bytes[d->hdr_done];
        unsigned step = d->prelude_step++;
        if (step == 0) {
            o->op = BF_OP_NODE;
            pick_node(c, nb[0], nb[1], UINT64_MAX, &o->arg[0], &o->arg[1]);
            if (d->mem && o->arg[1] - o->arg[0] <= BF_DECODE_MEM_PAGES)
                o->flags |= BF_CALL_MEM;
            d->pending_node = c->nnodes;
            return 1;
        }
        /* the node was not added (overlap, ...): no prelude for it */
        if (c->nnodes != d->pending_node + 1 || d->prep == 3 || step > 2) {
            d->hdr_done++;
            d->prelude_step = 0;
            continue;
        }
        uint64_t s = c->node[d->pending_node].start, e = c->node[d->pending_node].end;
        uint64_t pages = e - s, p = nb[2];
        if (step == 1) { /* as a kernel boot does: free all RAM of the node */
            o->op = BF_OP_FREE;
            o->arg[0] = s * PAGE;
            o->arg[1] = pages * PAGE;
            return 1;
        }
        if (d->prep == 0)
            continue;
        o->op = BF_OP_RESERVE;
        if (d->prep == 1) { /* a reserved prefix */
            o->arg[0] = s * PAGE;
            o->arg[1] = (1 + p % pages) * PAGE;
        } else { /* a reserved chunk in the middle */
            uint64_t at = (p & 15) * pages / 16, len = 1 + (p >> 4);
            o->arg[0] = (s + at) * PAGE;
            o->arg[1] = (len < pages - at ? len : pages - at) * PAGE;
        }
        return 1;
    }
    return 0;
}

/* ---- records ---- */

static const uint8_t raw_nargs[6] = {2, 2, 2, 4, 5, 1};
static const uint8_t raw_ops[6] = {BF_OP_NODE, BF_OP_RESERVE, BF_OP_FREE,
                                   BF_OP_ALLOC, BF_OP_ALLOC_NODE, BF_OP_FREE_ALL};

static uint64_t read_u64(bf_decoder *d)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)byte_at(d, d->pos++) << (8 * i);
    return v;
}

/* One node of a node run: the run's layout bytes again, after the nodes
 * added so far, cut to BF_DECODE_RUN_PAGES (65 nodes of at most one block
 * each keep an input's checking work bounded); no backing memory. */
static void run_node(bf_decoder *d, const bf_dctx *c, bf_call *o)
{
    uint8_t sb = d->run_bytes[0];
    unsigned cls = sb & 7;
    int first = d->run_first;
    d->run_first = 0;
    d->run_left--;
    o->op = BF_OP_NODE;
    /* a start class that names a place, not a step from the last node (5:
     * the top of the pfn range, 6: above 4 GiB, 7: overlapping), places the
     * run's first node; the others follow it, adjacent */
    if (!first && cls >= 5)
        sb &= (uint8_t)~7;
    pick_node(c, sb, d->run_bytes[1], BF_DECODE_RUN_PAGES, &o->arg[0], &o->arg[1]);
    if (first && cls == 5) { /* the run's nodes that fit the table end at the top */
        uint64_t slots = c->nnodes < BF_MAX_NODES ? BF_MAX_NODES - 1 - c->nnodes : 0;
        uint64_t pages = o->arg[1] - o->arg[0];
        uint64_t below = pages * (d->run_left < slots ? d->run_left : slots);
        if (o->arg[0] >= below) {
            o->arg[0] -= below;
            o->arg[1] -= below;
        }
    }
}

static int next_call(bf_decoder *d, const bf_dctx *c, bf_call *o)
{
    if (!d->raw && prelude_next(d, c, o))
        return 1;
    if (d->run_left) {
        run_node(d, c, o);
        return 1;
    }
    if (d->pos >= d->size || d->calls >= (d->raw ? BF_DECODE_MAX_RAW : BF_DECODE_MAX_CALLS))
        return 0;
    d->calls++;
    uint8_t b0 = byte_at(d, d->pos);
    if ((b0 & BF_RECORD_RAW) == BF_RECORD_RAW) {
        unsigned k = (b0 & 7) % 6;
        d->pos++;
        o->op = raw_ops[k];
        if (k == 0 && (b0 & 8))
            o->flags = BF_CALL_MEM;
        for (unsigned i = 0; i < raw_nargs[k]; i++)
            o->arg[i] = read_u64(d);
        /* fuzz inputs keep nodes small enough to check every call: a valid
         * node over BF_DECODE_MAX_NODE_PAGES is cut to that size (still
         * valid); an invalid one stays invalid.  The 2^32-page edge is
         * covered by the trace tests. */
        if (o->op == BF_OP_NODE && o->arg[0] < o->arg[1] &&
            o->arg[1] - o->arg[0] > BF_DECODE_MAX_NODE_PAGES &&
            o->arg[1] - o->arg[0] <= BF_MAX_NODE_PAGES)
            o->arg[1] = o->arg[0] + BF_DECODE_MAX_NODE_PAGES;
        /* backing memory only for small nodes, as for header nodes: it is
         * filled and checked byte by byte, and kept for reuse */
        if (o->op == BF_OP_NODE && (o->flags & BF_CALL_MEM) &&
            !(o->arg[0] < o->arg[1] && o->arg[1] - o->arg[0] <= BF_DECODE_MEM_PAGES))
            o->flags = 0;
        return 1;
    }
    uint8_t b[7];
    if (d->pos + BF_RECORD_SIZE <= d->size)
        memcpy(b, d->data + d->pos + 1, sizeof b);
    else
        for (int i = 0; i < 7; i++)
            b[i] = byte_at(d, d->pos + 1 + (size_t)i);
    d->pos += BF_RECORD_SIZE;
    unsigned sel = b0 & 0x1f;
    if (sel < 12 || sel >= 28) {
        o->op = BF_OP_ALLOC;
        o->arg[0] = pick_size(c, b[0], b[1]);
        o->arg[1] = pick_align(b[2]);
        o->arg[2] = pick_place(c, b[3], b[4], o->arg[1]);
        o->arg[3] = pick_place(c, b[5], b[6], o->arg[1]);
    } else if (sel < 16) {
        o->op = BF_OP_ALLOC_NODE;
        o->arg[0] = (b0 >> 5) & 3;
        o->arg[1] = pick_size(c, b[0], b[1]);
        o->arg[2] = pick_align(b[2]);
        o->arg[3] = pick_place(c, b[3], b[4], o->arg[2]);
        o->arg[4] = pick_place(c, b[5], b[6], o->arg[2]);
    } else if (sel < 26) {
        o->op = sel < 22 ? BF_OP_FREE : BF_OP_RESERVE;
        pick_range(c, b, &o->arg[0], &o->arg[1]);
    } else if (sel == 26) {
        o->op = BF_OP_FREE_ALL;
        o->arg[0] = b[0] % (c->nnodes + 1);
    } else {
        if ((b[2] & 6) == 6) {
            /* A node run (format 4): 2..65 nodes, or with bit 6 of byte 4
             * as many as fill the table and one more, which must be
             * refused (contract §2: BF_MAX_NODES).  A full table is the
             * edge of every loop over nodes, and 60 node records would
             * fill most of an input. */
            unsigned have = c->nnodes < BF_MAX_NODES ? (unsigned)c->nnodes : BF_MAX_NODES;
            d->run_left = (b[3] & 0x40) ? BF_MAX_NODES + 1u - have : 2u + (b[3] & 63u);
            d->run_bytes[0] = b[0];
            d->run_bytes[1] = b[1];
            d->run_first = 1;
            run_node(d, c, o);
            return 1;
        }
        o->op = BF_OP_NODE;
        pick_node(c, b[0], b[1], UINT64_MAX, &o->arg[0], &o->arg[1]);
        if ((b[2] & 1) && o->arg[1] - o->arg[0] <= BF_DECODE_MEM_PAGES)
            o->flags = BF_CALL_MEM;
    }
    return 1;
}

int bf_decoder_next(bf_decoder *d, const bf_dctx *c, bf_call *o)
{
    memset(o, 0, sizeof *o);
    if (d->emitted >= BF_DECODE_MAX_RAW || !next_call(d, c, o))
        return 0;
    d->emitted++;
    return 1;
}

/* Only the counts: node[] and recent[] entries are written before they are
 * read (each below its count). */
void bf_dctx_reset(bf_dctx *c)
{
    c->nnodes = 0;
    c->nrecent = c->recent_head = 0;
    c->last_addr = 0;
}

void bf_dctx_update(bf_dctx *c, const bf_call *call, bf_result r)
{
    if (r.err != BF_OK)
        return;
    switch (call->op) {
    case BF_OP_NODE:
        if (c->nnodes < BF_MAX_NODES) {
            c->node[c->nnodes].start = call->arg[0];
            c->node[c->nnodes].end = call->arg[1];
            c->node[c->nnodes].live = 1;
            c->nnodes++;
        }
        break;
    case BF_OP_ALLOC:
    case BF_OP_ALLOC_NODE: {
        uint64_t size = call->arg[call->op == BF_OP_ALLOC_NODE];
        c->recent[c->recent_head].addr = r.value;
        c->recent[c->recent_head].size = size;
        c->recent_head = (c->recent_head + 1) % BF_RECENT;
        if (c->nrecent < BF_RECENT)
            c->nrecent++;
        c->last_addr = r.value + size;
        break;
    }
    case BF_OP_FREE_ALL:
        if (call->arg[0] < c->nnodes)
            c->node[call->arg[0]].live = 0;
        break;
    }
}

size_t bf_encode_calls(const bf_call *calls, size_t n, uint8_t *out, size_t cap)
{
    size_t len = 0;
#define PUT(b)                                                                                    \
    do {                                                                                          \
        if (len < cap)                                                                            \
            out[len] = (uint8_t)(b);                                                              \
        len++;                                                                                    \
    } while (0)
    PUT(BF_HEADER_RAW);
    for (size_t i = 0; i < n; i++) {
        unsigned k;
        for (k = 0; k < 6; k++)
            if (raw_ops[k] == calls[i].op)
                break;
        if (k == 6)
            continue; /* queries are not part of fuzz inputs */
        PUT(BF_RECORD_RAW | k | ((calls[i].flags & BF_CALL_MEM) ? 8 : 0));
        for (unsigned a = 0; a < raw_nargs[k]; a++)
            for (int byte = 0; byte < 8; byte++)
                PUT(calls[i].arg[a] >> (8 * byte));
    }
#undef PUT
    return len;
}
