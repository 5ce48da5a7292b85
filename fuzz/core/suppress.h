/*
 * suppress.h - known findings a campaign should look past.
 *
 * A suppressions file holds one signature pattern per line, as sanitizer
 * suppression files do: '*' (any run of characters) and '?' (any one) are
 * wild, every other character is itself, brackets included (a signature
 * pasted as printed matches itself), matched against the whole signature
 * without its "bootfuzz: " prefix, e.g.
 *
 *     # bug A of the 2.6.14 port: known, keep looking for others
 *     OOPS 2614 "oops: read of bit N past node_bootmem_map"
 *     MISMATCH reserve/free 2614 misses EINVAL [wraps]
 *     MISMATCH free last_success *
 *
 * Blank lines and lines starting with '#' are skipped; leading and trailing
 * blanks are trimmed.  An input whose finding matches ends quietly: no
 * report, no abort, no artifact; it is counted, and the counts are printed
 * when the program exits.  Engines read the file named by the environment
 * variable BOOTFUZZ_SUPPRESSIONS; `bootfuzz replay/minimize --suppressions
 * FILE` read it too.
 */
#ifndef BOOTFUZZ_SUPPRESS_H
#define BOOTFUZZ_SUPPRESS_H

#include <stdio.h>

typedef struct bf_supp bf_supp;

/* Loads path; NULL with "path: what is wrong" in err on failure (unreadable
 * file, or a file with no pattern at all: surely not what was meant). */
bf_supp *bf_supp_load(const char *path, char *err, size_t cap);
void bf_supp_free(bf_supp *s);

/* The pattern matching signature ("bootfuzz: " prefix optional), counted as
 * a hit; NULL if none matches.  s may be NULL (no suppressions). */
const char *bf_supp_match(bf_supp *s, const char *signature);

/* Total hits so far. */
unsigned long bf_supp_hits(const bf_supp *s);

/* "bootfuzz: N inputs ended on suppressed findings" and a line per pattern
 * hit, to out; nothing when there were no hits. */
void bf_supp_print(const bf_supp *s, FILE *out);

#endif
