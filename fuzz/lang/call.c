/*
 * call.c - names of ops and errors, and the canonical text of a call.
 *
 * The canonical form is what `bootfuzz print` shows and what reproducers are
 * stored as, so it must be stable: byte addresses in hex, counts and page
 * numbers in decimal (hex once they are large), optional alloc arguments as
 * keywords, zeros left out.
 */
#include <stdio.h>
#include <string.h>

#include "call.h"

const bf_op_info bf_op_table[BF_OP_COUNT] = {
    [BF_OP_NODE] = {"node", 2, 0, 0},
    [BF_OP_RESERVE] = {"reserve", 2, 0, 0},
    [BF_OP_FREE] = {"free", 2, 0, 0},
    [BF_OP_ALLOC] = {"alloc", 1, 3, 0},
    [BF_OP_ALLOC_NODE] = {"alloc_node", 2, 3, 0},
    [BF_OP_FREE_ALL] = {"free_all", 1, 0, 0},
    [BF_OP_RESERVED] = {"reserved", 1, 0, 1},
    [BF_OP_STATE] = {"state", 1, 0, 1},
    [BF_OP_MAP] = {"map", 1, 0, 1},
    [BF_OP_FILL] = {"fill", 3, 0, 1},
    [BF_OP_NONZERO] = {"nonzero", 2, 0, 1},
};


static const char *const err_names[BF_ERR_COUNT] = {
    [BF_OK] = "OK",
    [BF_ENOMEM] = "ENOMEM",
    [BF_EINVAL] = "EINVAL",
    [BF_ENOTRESERVED] = "ENOTRESERVED",
    [BF_BUG] = "BUG",
};

const char *bf_err_name(bf_err e)
{
    return ((unsigned)e < BF_ERR_COUNT) ? err_names[e] : "?";
}

int bf_err_parse(const char *s, size_t len, bf_err *out)
{
    for (int e = 0; e < BF_ERR_COUNT; e++) {
        if (strlen(err_names[e]) == len && memcmp(err_names[e], s, len) == 0) {
            *out = (bf_err)e;
            return 0;
        }
    }
    return -1;
}

/* A count or page number: decimal while it reads well, hex beyond 2^20. */
static int fmt_count(char *b, size_t cap, uint64_t v)
{
    return v < (1u << 20) ? snprintf(b, cap, "%llu", (unsigned long long)v)
                          : snprintf(b, cap, "0x%llx", (unsigned long long)v);
}

static int fmt_addr(char *b, size_t cap, uint64_t v)
{
    return snprintf(b, cap, "0x%llx", (unsigned long long)v);
}

typedef struct out {
    char *buf;
    size_t cap, len;
} out;

static void put(out *o, const char *s)
{
    size_t n = strlen(s);
    if (o->len < o->cap) {
        size_t room = o->cap - o->len - 1;
        memcpy(o->buf + o->len, s, n < room ? n : room);
        o->buf[o->len + (n < room ? n : room)] = 0;
    }
    o->len += n;
}

static void put_num(out *o, const char *key, uint64_t v, int addr)
{
    char t[48], n[32];
    if (addr)
        fmt_addr(n, sizeof n, v);
    else
        fmt_count(n, sizeof n, v);
    snprintf(t, sizeof t, " %s%s%s", key ? key : "", key ? "=" : "", n);
    put(o, t);
}

size_t bf_call_format(const bf_call *c, char *buf, size_t cap)
{
    out o = {buf, cap, 0};
    if (cap)
        buf[0] = 0;
    const bf_op_info *info = bf_op_get(c->op);
    if (!info) {
        put(&o, "?");
        return o.len;
    }
    put(&o, info->name);
    const uint64_t *a = c->arg;
    switch (c->op) {
    case BF_OP_NODE:
        put_num(&o, NULL, a[0], 0);
        put_num(&o, NULL, a[1], 0);
        if (c->flags & BF_CALL_MEM)
            put(&o, " mem");
        break;
    case BF_OP_RESERVE:
    case BF_OP_FREE:
    case BF_OP_NONZERO:
        put_num(&o, NULL, a[0], 1);
        put_num(&o, NULL, a[1], 0);
        break;
    case BF_OP_FILL:
        put_num(&o, NULL, a[0], 1);
        put_num(&o, NULL, a[1], 0);
        put_num(&o, NULL, a[2], 0);
        break;
    case BF_OP_ALLOC:
    case BF_OP_ALLOC_NODE: {
        int k = c->op == BF_OP_ALLOC_NODE;
        if (k)
            put_num(&o, NULL, a[0], 0);
        put_num(&o, NULL, a[k], 0);
        if (a[k + 1])
            put_num(&o, "align", a[k + 1], 0);
        if (a[k + 2])
            put_num(&o, "goal", a[k + 2], 1);
        if (a[k + 3])
            put_num(&o, "limit", a[k + 3], 1);
        break;
    }
    case BF_OP_FREE_ALL:
    case BF_OP_RESERVED:
    case BF_OP_STATE:
        put_num(&o, NULL, a[0], 0);
        break;
    case BF_OP_MAP:
        put_num(&o, NULL, a[0], 0);
        if (c->flags & BF_CALL_RANGE) {
            put_num(&o, NULL, a[1], 0);
            put_num(&o, NULL, a[2], 0);
        }
        break;
    }
    return o.len;
}
