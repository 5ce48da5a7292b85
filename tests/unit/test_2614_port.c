/*
 * test_2614_port.c - what the traces cannot show about the 2.6.14 port: the
 * bug switches, the BUG/oops outcomes with their condition and line, map
 * reuse across resets (padding bits included), and a node of 2^32 pages.
 * Prints "ok - NAME" / "not ok - NAME" per check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootfuzz/backend.h"

extern const bf_backend bf_backend_2614;
extern const bf_backend bf_backend_2614fixed;

#include "tap.h"

static int is_ok(bf_result r, uint64_t v) { return r.err == BF_OK && r.value == v; }

static int is_bug(bf_result r, const char *cond_part, int line)
{
    return r.err == BF_BUG && r.bug_cond && strstr(r.bug_cond, cond_part) && r.bug_line == line;
}

static void test_options(void)
{
    const bf_backend *be = &bf_backend_2614;
    void *s = be->create();
    int good = 1;
    for (const char *l = "ACDEFGHJKLMNOP"; *l; l++) {
        char n[2] = {*l, 0};
        good &= be->set_option(s, n, 0) == 0 && be->set_option(s, n, 1) == 0;
    }
    check(good, "set_option knows A C D E F G H J K L M N O P");
    check(be->set_option(s, "a", 0) == 0, "set_option takes a lower-case letter");
    check(be->set_option(s, "B", 1) == -1 && be->set_option(s, "I", 1) == -1 &&
              be->set_option(s, "Q", 1) == -1 && be->set_option(s, "AB", 1) == -1 &&
              be->set_option(s, "", 1) == -1 && be->set_option(s, "A", 2) == -1,
          "set_option refuses unknown names and values other than 0 and 1");
    be->destroy(s);
    check((bf_backend_2614.flags & BF_PROMISES_EXACT) &&
              (bf_backend_2614fixed.flags & BF_PROMISES_EXACT) &&
              (bf_backend_2614.flags & BF_LINES_ARE_SEED),
          "2614 and 2614fixed both promise the exact contract (2614's bugs break that promise), "
          "and their BUG lines are seed lines");
}

/* Switching a bug on at run time on 2614fixed gives 2.6.14's answer, and
 * switching it off on 2614 the contract's; the switches survive reset. */
static void test_switch_e(void)
{
    const bf_backend *be = &bf_backend_2614fixed;
    void *s = be->create();
    be->add_node(s, 1, 17, NULL);
    be->free(s, 0x1000, 0x10000);
    check(is_ok(be->alloc(s, 4096, 8192, 0, 0), 0x2000), "2614fixed: E off, 0x2000");
    be->reset(s);
    be->set_option(s, "E", 1);
    be->add_node(s, 1, 17, NULL);
    be->free(s, 0x1000, 0x10000);
    check(is_ok(be->alloc(s, 4096, 8192, 0, 0), 0x3000), "2614fixed with E=1: 0x3000");
    be->reset(s);
    be->add_node(s, 1, 17, NULL);
    be->free(s, 0x1000, 0x10000);
    check(is_ok(be->alloc(s, 4096, 8192, 0, 0), 0x3000), "the E switch survives reset");
    be->destroy(s);
}

static void test_oops(void)
{
    const bf_backend *be = &bf_backend_2614;
    void *s = be->create();
    bf_result r;

    /* in every build, ASan's included: the port's modelled bug is its own
     * finding, never a real read past the map */
    be->add_node(s, 0, 64, NULL);
    be->free(s, 0, 0x10000);
    r = be->alloc(s, 0x20000, 4096, 0, 0);
    check(is_bug(r, "oops: read of bit 64 past node_bootmem_map", 85),
          "bug A on a 64-page node: oops reading bit 64, seed line 85");
    be->reset(s);

    be->add_node(s, 0, 16, NULL);
    be->free(s, 0, 0x10000);
    be->reserve(s, 0, 0x7000);
    r = be->alloc(s, 4096, 4096, 0, 0x7fff);
    check(is_bug(r, "start >= eidx", 107), "bug A with a limit: BUG_ON(start >= eidx), seed 107");
    be->reset(s);

    /* bug A with a large alignment: ALIGN(eidx, incr) lands far past the map */
    be->add_node(s, 0, 16, NULL);
    be->free(s, 0x1000, 0x1000);
    r = be->alloc(s, 8192, (uint64_t)1 << 24, 0, 0);
    check(is_bug(r, "oops: read of bit 4096 past", 85),
          "bug A, align 16M: oops reading bit 4096, far past the map, seed 85");
    be->reset(s);

    be->add_node(s, 16, 32, NULL);
    be->free(s, 0x10000, 0x10000);
    r = be->reserve(s, 0x1000, 0x1000);
    check(is_bug(r, "oops: write of bit 4503599627370481 past node_bootmem_map", 1009),
          "bug J: wild write reported, companion line 1009");
    be->reset(s);

    be->add_node(s, 0, 16, NULL);
    be->add_node(s, 16, 32, NULL);
    be->free(s, 0x10000, 0x10000);
    check(is_ok(be->free_all(s, 0), 0), "free_all of node 0: no free page");
    r = be->alloc(s, 4096, 0, 0, 0);
    check(is_bug(r, "oops: NULL node_bootmem_map", 83), "bug K: oops on the NULL map, seed 83");
    be->reset(s);

    /* bug K with a limit that turns the retired node away before the map is
     * read: nothing dereferences it, node 1 answers */
    be->add_node(s, 16, 32, NULL);
    be->add_node(s, 0, 16, NULL);
    be->free(s, 0, 0x10000);
    be->free_all(s, 0);
    check(is_ok(be->alloc(s, 4096, 4096, 0, 0x10000), 0),
          "bug K: a retired node seed 47 turns away is harmless");
    be->reset(s);

    be->add_node(s, 0, 16, NULL);
    be->free(s, 0, 0x10000);
    r = be->alloc(s, UINT64_MAX, 4096, 0, 0);
    check(is_bug(r, "oops: memset(ret, 0, size)", 146), "bug O: oops in memset, seed 146");
    be->reset(s);

    /* bug M: reserve whose end rounds past 2^64 on a node above pfn 0: end
     * wraps to 0, eidx does not: the loop sets every bit to the map's end and
     * then writes past it */
    be->add_node(s, 16, 32, NULL);
    be->free(s, 0x10000, 0x10000);
    r = be->reserve(s, 0x18000, UINT64_MAX - 0x18000 - 10);
    check(is_bug(r, "oops: write of bit 64 past", 1009),
          "bug M: rounding past 2^64 walks off the map, companion line 1009");
    check(be->page_reserved(s, 24) == 1 && be->page_reserved(s, 23) == 0,
          "bug M: the bits before the oops were set (half done)");
    be->reset(s);

    /* L off: the same invalid requests answer the contract's errors */
    be->set_option(s, "L", 0);
    be->add_node(s, 0, 16, NULL);
    be->free(s, 0x8000, 0x8000);
    r = be->free(s, 0x4000, 0x8000);
    check(r.err == BF_ENOTRESERVED && be->page_reserved(s, 4) == 1,
          "L off: free over a free page is ENOTRESERVED and changes nothing");
    check(be->reserve(s, 0, 0).err == BF_EINVAL && be->alloc(s, 0, 0, 0, 0).err == BF_EINVAL &&
              be->alloc(s, 1, 3, 0, 0).err == BF_EINVAL,
          "L off: size 0 and align 3 are EINVAL");
    be->destroy(s);
}

/* Words a node cleared are set back to ones by reset: the padding bits of a
 * later, smaller node in the same slot read as reserved again. */
static void test_reuse(void)
{
    const bf_backend *be = &bf_backend_2614;
    void *s = be->create();
    be->add_node(s, 0, 64, NULL);
    be->free(s, 0, 0x40000);
    be->reset(s);
    be->add_node(s, 0, 10, NULL);
    int all = 1;
    for (uint64_t p = 0; p < 10; p++)
        all &= be->page_reserved(s, p) == 1;
    check(all, "after reset a new node starts all reserved");
    be->free(s, 0, 0x1000);
    /* no 2-page run: the scan ends at eidx = 10, and with bug A test_bit(10)
     * reads a padding bit, which must be set as init_bootmem_core set it */
    check(be->alloc(s, 8192, 0, 0, 0).err == BF_ENOMEM, "padding bits read reserved after reuse");
    be->reset(s);
    be->add_node(s, 0, 200, NULL); /* bigger than any before: a new buffer */
    all = 1;
    for (uint64_t p = 0; p < 200; p++)
        all &= be->page_reserved(s, p) == 1;
    check(all, "a grown node slot starts all reserved");
    be->destroy(s);
}

/* A node of 2^32 pages (a 512 MiB map). */
static void test_huge(const bf_backend *be)
{
    void *s = be->create();
    /* 2^32 is a multiple of 64: with bug A the failed scan below would read
     * the word past the map (an oops, or an ASan report) */
    be->set_option(s, "A", 0);
    uint64_t n = (uint64_t)1 << 32;
    char name[128];
    bf_result r = be->add_node(s, 0, n, NULL);
    snprintf(name, sizeof name, "%s: a node of 2^32 pages", be->name);
    check(is_ok(r, 0), name);
    r = be->free(s, (n - 100) << 12, 100 << 12);
    int good = is_ok(r, 100);
    r = be->alloc(s, 50 << 12, 4096, 0, 0);
    good &= is_ok(r, (n - 100) << 12);
    r = be->alloc(s, 60 << 12, 4096, 0, 0);
    good &= r.err == BF_ENOMEM;
    r = be->reserve(s, 0, n << 12);
    good &= is_ok(r, 50);
    r = be->free(s, 0, 0x10000);
    good &= is_ok(r, 16);
    r = be->free_all(s, 0);
    good &= is_ok(r, 16);
    snprintf(name, sizeof name, "%s: scan, reserve and free_all over 2^32 pages", be->name);
    check(good, name);
    be->destroy(s);
}

int main(void)
{
    test_options();
    test_switch_e();
    test_oops();
    test_reuse();
    test_huge(&bf_backend_2614fixed);
    test_huge(&bf_backend_2614);
    return failures ? 1 : 0;
}
