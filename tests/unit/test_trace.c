/*
 * test_trace.c - the trace language: numbers, the printer/parser round trip,
 * expectation matching.  Prints "ok - NAME" / "not ok - NAME" per check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#include "tap.h"

static int num_is(const char *s, uint64_t want)
{
    uint64_t v;
    return bf_parse_u64(s, strlen(s), &v) == 0 && v == want;
}

static int num_bad(const char *s)
{
    uint64_t v;
    return bf_parse_u64(s, strlen(s), &v) != 0;
}

#define rnd tap_rand

/* Interesting 64-bit values: edges more often than not. */
static uint64_t rnd_value(void)
{
    switch (rnd() % 6) {
    case 0: return rnd();
    case 1: return rnd() % 20;
    case 2: return (uint64_t)1 << (rnd() % 64);
    case 3: return ((uint64_t)1 << (rnd() % 64)) - 1;
    case 4: return UINT64_MAX - rnd() % 4;
    default: return rnd() % 100000;
    }
}

static int parse_one(const char *text, bf_trace *t)
{
    char err[256];
    return bf_trace_parse("t", text, strlen(text), t, err, sizeof err);
}

int main(void)
{
    check(num_is("0", 0) && num_is("4096", 4096) && num_is("0x1000", 4096) &&
              num_is("0XfF", 255),
          "decimal and hex numbers");
    check(num_is("4K", 4096) && num_is("2M", 0x200000) && num_is("1G", 1ull << 30) &&
              num_is("1T", 1ull << 40),
          "binary suffixes");
    check(num_is("18446744073709551615", UINT64_MAX) && num_is("0xffffffffffffffff", UINT64_MAX),
          "2^64-1 is the largest number");
    check(num_bad("18446744073709551616") && num_bad("0x10000000000000000") &&
              num_bad("16777216T"),
          "numbers over 2^64-1 are refused");
    check(num_bad("") && num_bad("0x") && num_bad("12a") && num_bad("-1") && num_bad("K") &&
              num_bad("0x1K"),
          "malformed numbers are refused");

    /* print -> parse -> print is the identity, for every op */
    int roundtrip_ok = 1;
    for (int i = 0; i < 20000 && roundtrip_ok; i++) {
        bf_call c;
        memset(&c, 0, sizeof c);
        c.op = (uint8_t)(rnd() % BF_OP_COUNT);
        for (int k = 0; k < BF_CALL_MAX_ARGS; k++)
            c.arg[k] = rnd_value();
        const bf_op_info *info = bf_op_get(c.op);
        int used = info->nargs + info->nopt;
        if (c.op == BF_OP_MAP && rnd() % 2) {
            c.flags = BF_CALL_RANGE;
            c.arg[2] = 1 + rnd() % BF_MAP_MAX;
            used = 3;
        }
        if (c.op == BF_OP_FILL)
            c.arg[2] &= 0xff;
        if (c.op == BF_OP_NODE && rnd() % 2) {
            c.flags = BF_CALL_MEM;
            c.arg[1] = c.arg[0] + rnd() % BF_MEM_MAX_PAGES + 1;
        }
        for (int k = used; k < BF_CALL_MAX_ARGS; k++)
            c.arg[k] = 0;
        char text[256], again[256];
        bf_call_format(&c, text, sizeof text);
        bf_trace t;
        if (parse_one(text, &t) != 0 || t.n != 1 || t.line[0].kind != BF_LINE_STMT ||
            memcmp(&t.line[0].call, &c, sizeof c) != 0) {
            printf("# round trip failed for: %s\n", text);
            roundtrip_ok = 0;
        } else {
            bf_call_format(&t.line[0].call, again, sizeof again);
            roundtrip_ok = !strcmp(text, again);
        }
        if (t.n)
            bf_trace_free(&t);
    }
    check(roundtrip_ok, "format -> parse -> format is the identity for 20000 random calls");

    bf_trace t;
    check(parse_one("alloc 4096 8192 0x1000 0x7fff", &t) == 0 && t.line[0].call.arg[1] == 8192 &&
              t.line[0].call.arg[2] == 0x1000 && t.line[0].call.arg[3] == 0x7fff,
          "positional alloc arguments are align, goal, limit");
    bf_trace_free(&t);
    check(parse_one("alloc 4096 limit=1 align=2 goal=3", &t) == 0 && t.line[0].call.arg[1] == 2 &&
              t.line[0].call.arg[2] == 3 && t.line[0].call.arg[3] == 1,
          "keyword alloc arguments in any order");
    bf_trace_free(&t);
    check(parse_one("alloc 4096 align=2 align=2", &t) != 0, "a keyword given twice is refused");
    check(parse_one("node 0 16 = 0 = 1", &t) != 0, "two plain expectations are refused");
    check(parse_one("node 0 20000 mem", &t) != 0, "backing memory over the limit is refused");

    check(parse_one("map 0 = #..# # a comment", &t) == 0 && !strcmp(t.line[0].exp[0].text, "#..#") &&
              t.line[0].comment && !strcmp(t.line[0].comment, "# a comment"),
          "a map picture is a value, a later # starts the comment");
    bf_trace_free(&t);

    check(parse_one("alloc 1 = 4096 @2614 ! BUG @fast = 0x2000", &t) == 0 &&
              !strcmp(bf_tline_expect_for(&t.line[0], "ref")->text, "4096") &&
              bf_tline_expect_for(&t.line[0], "2614")->is_err &&
              bf_tline_expect_for(&t.line[0], "2614")->err == BF_BUG &&
              !strcmp(bf_tline_expect_for(&t.line[0], "fast")->text, "0x2000"),
          "per-backend expectations are chosen by name");
    const bf_expect *e = bf_tline_expect_for(&t.line[0], "ref");
    check(bf_expect_matches(e, BF_OK, "0x1000") && !bf_expect_matches(e, BF_OK, "0x1001") &&
              !bf_expect_matches(e, BF_ENOMEM, ""),
          "values compare by number, errors never match a value");
    bf_trace_free(&t);

    check(parse_one("state 0 = last_pos=3", &t) == 0, "a partial state expectation parses");
    e = &t.line[0].exp[0];
    check(bf_expect_matches(e, BF_OK, "last_success=0x0 last_pos=0x3 last_offset=7") &&
              !bf_expect_matches(e, BF_OK, "last_success=0x0 last_pos=4 last_offset=7"),
          "a partial state expectation checks only its keys");
    bf_trace_free(&t);
    check(parse_one("state 0 = last_pos=3 bogus=1", &t) != 0, "unknown state keys are refused");

    return failures != 0;
}
