/*
 * bootfuzz/linux.h - a Linux-style environment for kernel-style allocator code.
 *
 * Code written against the kernel's bootmem types (bit operations, BUG(),
 * BUG_ON(), panic(), phys_to_virt(), PFN_UP, ALIGN, min/max, u64...) compiles
 * against this header as it is, and a short wrapper turns it into a
 * bf_backend (docs/bring-your-allocator.md; examples/kbitmap/ is one).
 * Compile as GNU C (the default BACKEND_CFLAGS do): typeof is used.
 *
 * Outcomes: the kernel gives up with BUG()/BUG_ON() or panic(); here they
 * leave the call and become its bf_result:
 *   BUG(), BUG_ON(cond)  ->  BF_BUG, bug_cond "BUG_ON(cond)", bug_line the
 *                            line of *your* file (reports say "line N")
 *   panic(...)           ->  BF_ENOMEM (the kernel's boot-time "Out of memory")
 * A wrapper enters every kernel-style call with BF_LINUX_CALL:
 *
 *     static bf_result my_alloc(void *sys, uint64_t size, ...)
 *     {
 *         my_sys *s = sys;
 *         BF_LINUX_CALL(&s->env);            // BUG/panic come back here
 *         void *p = __alloc_bootmem_core(...);
 *         return bf_ok(virt_to_phys(p));
 *     }
 *
 * Memory: phys_to_virt(a) points into the node's backing memory (the `mem`
 * the harness gave add_node; record it with bf_linux_map), so the kernel's
 * memset(phys_to_virt(addr), 0, size) zeroes exactly what the contract says
 * and the harness checks it.  A node the harness gave no memory has none:
 * phys_to_virt answers NULL there and this header's memset() does nothing
 * for a NULL pointer (nothing to zero; the kernel would have real RAM).
 *
 * Single-threaded, as boot is.  Nothing here allocates.
 */
#ifndef BOOTFUZZ_LINUX_H
#define BOOTFUZZ_LINUX_H

#include <limits.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bootfuzz/backend.h"

/* ---- types and page arithmetic ------------------------------------------ */
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#ifndef PAGE_SHIFT
#define PAGE_SHIFT BF_PAGE_SHIFT
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#endif
#define BITS_PER_LONG ((int)(sizeof(long) * CHAR_BIT))
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
/* as in the kernel: these wrap on overflow (contract section 1 does not) */
#define PFN_UP(x) (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
#define PFN_PHYS(x) ((u64)(x) << PAGE_SHIFT)
#define ALIGN(x, a) (((x) + ((typeof(x))(a) - 1)) & ~((typeof(x))(a) - 1))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __init
#define __initdata

/* ---- outcomes: BUG, BUG_ON, panic ---------------------------------------- */
typedef struct bf_linux_env {
    jmp_buf jump;
    bf_result outcome;            /* what BUG()/panic() made of the call */
    struct bf_linux_mem *mem;     /* the system's backing memory map, or NULL */
} bf_linux_env;

/* The call under way (set by BF_LINUX_CALL); defined by the harness. */
extern bf_linux_env *bf_linux_current;

/* Leave the call under way with this outcome (no return). */
_Noreturn void bf_linux_leave(bf_result outcome);

#define BF_LINUX_CALL(env)                                                                         \
    do {                                                                                           \
        bf_linux_current = (env);                                                                  \
        if (setjmp(bf_linux_current->jump))                                                        \
            return bf_linux_current->outcome;                                                      \
    } while (0)

#define BUG() bf_linux_leave(bf_bug("BUG()", __LINE__))
#define BUG_ON(cond)                                                                               \
    do {                                                                                           \
        if (unlikely(cond))                                                                        \
            bf_linux_leave(bf_bug("BUG_ON(" #cond ")", __LINE__));                                 \
    } while (0)
#define panic(...) bf_linux_leave(bf_fail(BF_ENOMEM))
#define printk(...) ((void)0)

/* ---- memory: phys_to_virt onto backing memory ---------------------------- */
/* One system's nodes with backing memory.  Embed one in your system, point
 * your bf_linux_env's .mem at it, and record each node in add_node. */
typedef struct bf_linux_mem {
    struct {
        u64 start, end; /* byte range [start, end) */
        u8 *mem;
    } node[BF_MAX_NODES];
    int n;
} bf_linux_mem;

/* Records node [start_pfn, end_pfn) with its memory (NULL: none). */
static inline void bf_linux_map(bf_linux_mem *m, u64 start_pfn, u64 end_pfn, u8 *mem)
{
    if (m->n < BF_MAX_NODES) {
        m->node[m->n].start = start_pfn << PAGE_SHIFT;
        m->node[m->n].end = end_pfn << PAGE_SHIFT;
        m->node[m->n].mem = mem;
        m->n++;
    }
}
static inline void bf_linux_unmap_all(bf_linux_mem *m) { m->n = 0; }

static inline void *phys_to_virt(u64 addr)
{
    bf_linux_mem *m = bf_linux_current ? bf_linux_current->mem : NULL;
    for (int i = 0; m && i < m->n; i++)
        if (m->node[i].start <= addr && addr < m->node[i].end)
            return m->node[i].mem ? m->node[i].mem + (addr - m->node[i].start) : NULL;
    return NULL;
}
#define __va(x) phys_to_virt((u64)(x))

/* memset that does nothing on NULL: a node without backing memory */
static inline void *bf_linux_memset(void *p, int c, size_t n)
{
    return p ? memset(p, c, n) : p;
}
#define memset(p, c, n) bf_linux_memset((p), (c), (n))

/* ---- bit operations (non-atomic, on unsigned long arrays) ----------------- */
static inline void __set_bit(unsigned long nr, unsigned long *map)
{
    map[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}
static inline void __clear_bit(unsigned long nr, unsigned long *map)
{
    map[nr / BITS_PER_LONG] &= ~(1UL << (nr % BITS_PER_LONG));
}
static inline int test_bit(unsigned long nr, const unsigned long *map)
{
    return (int)(map[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG) & 1);
}
static inline int __test_and_set_bit(unsigned long nr, unsigned long *map)
{
    int old = test_bit(nr, map);
    __set_bit(nr, map);
    return old;
}
static inline int __test_and_clear_bit(unsigned long nr, unsigned long *map)
{
    int old = test_bit(nr, map);
    __clear_bit(nr, map);
    return old;
}
#define set_bit __set_bit
#define clear_bit __clear_bit
#define test_and_set_bit __test_and_set_bit
#define test_and_clear_bit __test_and_clear_bit

/* The first bit at or after `off` that is 0 (find_next_zero_bit) or 1
 * (find_next_bit), or `size` if none. */
static inline unsigned long bf_linux_find_next(const unsigned long *map, unsigned long size,
                                               unsigned long off, unsigned long invert)
{
    while (off < size) {
        unsigned long w = map[off / BITS_PER_LONG] ^ invert;
        w &= ~0UL << (off % BITS_PER_LONG);
        if (w) {
            unsigned long bit = off / BITS_PER_LONG * BITS_PER_LONG + (unsigned long)__builtin_ctzl(w);
            return bit < size ? bit : size;
        }
        off = (off / BITS_PER_LONG + 1) * BITS_PER_LONG;
    }
    return size;
}
static inline unsigned long find_next_zero_bit(const unsigned long *map, unsigned long size,
                                               unsigned long off)
{
    return bf_linux_find_next(map, size, off, ~0UL);
}
static inline unsigned long find_next_bit(const unsigned long *map, unsigned long size,
                                          unsigned long off)
{
    return bf_linux_find_next(map, size, off, 0);
}

#endif
