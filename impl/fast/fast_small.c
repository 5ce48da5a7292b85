/*
 * impl/fast/fast_small.c - the backend fast_small: impl/fast/fast.c itself, built with
 * the smallest summary geometry worth having (128 pages, two words, per
 * block; four children per parent; fast uses 512 and 16).
 *
 * Why: the nodes a fuzzer makes are small (16 to a few hundred pages), so in
 * `fast` they are one block and its summary levels, level boundaries and the
 * walk between them are reached only by large nodes, rarely.  Here the same
 * nodes span several blocks and levels.  The geometry must change no
 * answer: fast_small is an exact backend, so every trace test and its own
 * fuzz target hold it to the reference call by call.
 */
#define FAST_BLK_SHIFT 7u
#define FAST_FAN_SHIFT 2u
#define FAST_LINEAR_BLOCKS 0u /* every search walks the summaries */
#define FAST_NAME "fast_small"
#define FAST_NOTE " (fast with 128-page blocks and fan-out 4: small nodes reach every summary level)"
/* its own names for what impl/fast/fast.c defines globally */
#define bf_backend_fast bf_backend_fast_small
#define bf_fast_verify bf_fast_small_verify
#include "fast.c"
