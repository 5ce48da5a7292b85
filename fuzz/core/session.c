/*
 * session.c - run calls and queries on one backend instance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

int bf_session_init(bf_session *s, const bf_backend *be)
{
    memset(s, 0, sizeof *s);
    s->be = be;
    s->sys = be->create();
    return s->sys ? 0 : -1;
}

void bf_session_reset(bf_session *s)
{
    s->be->reset(s->sys);
    memset(s->node, 0, (size_t)s->nnodes * sizeof s->node[0]); /* the rest is clear */
    s->nnodes = 0;
    s->stopped = 0;
}

void bf_session_destroy(bf_session *s)
{
    if (s->sys)
        s->be->destroy(s->sys);
    for (int i = 0; i < BF_MAX_NODES; i++)
        free(s->membuf[i]);
    memset(s, 0, sizeof *s);
}

/* Backing memory for node slot i, reused across resets and filled with
 * BF_MEM_FILL; only the bytes that may have changed since the checker last
 * looked at them are filled again. */
static uint8_t *node_mem(bf_session *s, uint64_t i, uint64_t pages)
{
    size_t bytes = (size_t)pages * BF_PAGE_SIZE;
    if (s->memcap[i] < bytes) {
        free(s->membuf[i]);
        s->membuf[i] = malloc(bytes);
        if (!s->membuf[i])
            abort();
        s->memcap[i] = bytes;
        s->memfill[i] = 0;
    }
    size_t fill = s->memfill[i] < bytes ? s->memfill[i] : bytes;
    size_t lo = s->memdirty_lo[i] < fill ? s->memdirty_lo[i] : fill;
    size_t hi = s->memdirty_hi[i] < fill ? s->memdirty_hi[i] : fill;
    if (lo < hi)
        memset(s->membuf[i] + lo, BF_MEM_FILL, hi - lo);
    memset(s->membuf[i] + fill, BF_MEM_FILL, bytes - fill); /* what was there before boot */
    s->memfill[i] = 0; /* the backend may write anywhere now */
    s->memdirty_lo[i] = s->memdirty_hi[i] = 0;
    return s->membuf[i];
}

void bf_session_mem_seen(bf_session *s, uint64_t i, size_t lo, size_t hi)
{
    if (i >= s->nnodes || !s->node[i].mem)
        return;
    s->memfill[i] = (size_t)(s->node[i].end_pfn - s->node[i].start_pfn) * BF_PAGE_SIZE;
    s->memdirty_lo[i] = lo;
    s->memdirty_hi[i] = hi;
}

/* The backing bytes [addr, addr+size) if they lie in one backed node. */
static uint8_t *mem_range(bf_session *s, uint64_t addr, uint64_t size)
{
    if (size == 0 || size > UINT64_MAX - addr)
        return NULL;
    for (uint64_t i = 0; i < s->nnodes; i++) {
        bf_session_node *n = &s->node[i];
        uint64_t lo = n->start_pfn << BF_PAGE_SHIFT, hi = n->end_pfn << BF_PAGE_SHIFT;
        if (n->mem && lo <= addr && addr + size <= hi)
            return n->mem + (addr - lo);
    }
    return NULL;
}

static bf_result query(bf_session *s, const bf_call *c, char *t, size_t cap)
{
    const uint64_t *a = c->arg;
    bf_node_info ni;
    switch (c->op) {
    case BF_OP_RESERVED: {
        int r = s->be->page_reserved(s->sys, a[0]);
        if (r < 0)
            return bf_fail(BF_EINVAL);
        snprintf(t, cap, "%d", r);
        return bf_ok((uint64_t)r);
    }
    case BF_OP_STATE:
        if (s->be->node_info(s->sys, a[0], &ni) != 0)
            return bf_fail(BF_EINVAL);
        snprintf(t, cap, "last_success=0x%llx last_pos=%llu last_offset=%llu",
                 (unsigned long long)ni.last_success, (unsigned long long)ni.last_pos,
                 (unsigned long long)ni.last_offset);
        return bf_ok(0);
    case BF_OP_MAP: {
        if (s->be->node_info(s->sys, a[0], &ni) != 0 || !ni.live)
            return bf_fail(BF_EINVAL);
        uint64_t first = ni.start_pfn, count = ni.end_pfn - ni.start_pfn;
        if (c->flags & BF_CALL_RANGE) {
            first = a[1];
            count = a[2];
            if (first < ni.start_pfn || first >= ni.end_pfn || count > ni.end_pfn - first)
                return bf_fail(BF_EINVAL);
        }
        if (count > BF_MAP_MAX || count + 1 > cap)
            return bf_fail(BF_EINVAL);
        for (uint64_t i = 0; i < count; i++) {
            int r = s->be->page_reserved(s->sys, first + i);
            t[i] = r < 0 ? '?' : r ? '#' : '.';
        }
        t[count] = 0;
        return bf_ok(count);
    }
    case BF_OP_FILL: {
        uint8_t *m = mem_range(s, a[0], a[1]);
        if (!m)
            return bf_fail(BF_EINVAL);
        memset(m, (int)a[2], (size_t)a[1]);
        snprintf(t, cap, "%llu", (unsigned long long)a[1]);
        return bf_ok(a[1]);
    }
    case BF_OP_NONZERO: {
        const uint8_t *m = mem_range(s, a[0], a[1]);
        if (!m)
            return bf_fail(BF_EINVAL);
        uint64_t nz = 0;
        for (uint64_t i = 0; i < a[1]; i++)
            nz += m[i] != 0;
        snprintf(t, cap, "%llu", (unsigned long long)nz);
        return bf_ok(nz);
    }
    }
    return bf_fail(BF_EINVAL);
}

/* A query whose text no one reads (the fuzzer's, text NULL): its buffer
 * lives here, not in the frame of every call (under ASan a 4 KiB array
 * costs its redzones' setup on each call). */
static __attribute__((noinline)) bf_result query_untold(bf_session *s, const bf_call *c)
{
    char scratch[BF_MAP_MAX + 64];
    return query(s, c, scratch, sizeof scratch);
}

bf_result bf_session_exec(bf_session *s, const bf_call *c, char *text, size_t cap)
{
    if (text) /* the fuzzer does not need the text */
        text[0] = 0;
    const uint64_t *a = c->arg;
    void *y = s->sys;
    const bf_backend *be = s->be;
    bf_result r;
    int addr_result = 0;
    switch (c->op) {
    case BF_OP_NODE: {
        uint8_t *mem = NULL;
        uint64_t slot = s->nnodes;
        if (!s->no_mem && (c->flags & BF_CALL_MEM) && a[0] < a[1] &&
            a[1] - a[0] <= BF_MEM_MAX_PAGES && slot < BF_MAX_NODES)
            mem = node_mem(s, slot, a[1] - a[0]);
        r = be->add_node(y, a[0], a[1], mem);
        if (r.err == BF_OK && slot < BF_MAX_NODES) {
            s->node[slot].start_pfn = a[0];
            s->node[slot].end_pfn = a[1];
            s->node[slot].mem = mem;
            s->nnodes++;
        }
        break;
    }
    case BF_OP_RESERVE: r = be->reserve(y, a[0], a[1]); break;
    case BF_OP_FREE: r = be->free(y, a[0], a[1]); break;
    case BF_OP_ALLOC:
        r = be->alloc(y, a[0], a[1], a[2], a[3]);
        addr_result = 1;
        break;
    case BF_OP_ALLOC_NODE:
        r = be->alloc_node(y, a[0], a[1], a[2], a[3], a[4]);
        addr_result = 1;
        break;
    case BF_OP_FREE_ALL: r = be->free_all(y, a[0]); break;
    default: return text ? query(s, c, text, cap) : query_untold(s, c);
    }
    if (r.err == BF_OK && text)
        snprintf(text, cap, addr_result ? "0x%llx" : "%llu", (unsigned long long)r.value);
    else if (r.err == BF_BUG) {
        if (text)
            snprintf(text, cap, "%s at %s %d", r.bug_cond ? r.bug_cond : "BUG()",
                     (s->be->flags & BF_LINES_ARE_SEED) ? "seed line" : "line", r.bug_line);
        s->stopped = 1;
    }
    return r;
}

void bf_result_format(bf_result r, const char *text, char *buf, size_t cap)
{
    if (r.err == BF_OK)
        snprintf(buf, cap, "= %s", text);
    else
        snprintf(buf, cap, "! %s", bf_err_name(r.err));
}
