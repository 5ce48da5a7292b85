/*
 * bootfuzz.c - the command-line tool: one entry per subcommand.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backends.h"
#include "cli.h"

static const char usage[] =
    "usage: bootfuzz COMMAND [ARGS]\n"
    "\n"
    "bootfuzz checks boot-time page allocators against the bootmem contract\n"
    "(docs/contract.md). Call sequences are written in the trace language\n"
    "(docs/trace.md).\n"
    "\n"
    "commands:\n"
    "  run [--backend NAME] [--option NAME=VALUE]... [--invariants|--exact]\n"
    "      [--annotate] [-v] FILE|DIR...\n"
    "      Run traces against a backend (default: ref) and check every expectation.\n"
    "      Each line whose result differs is reported as 'file:line: call: expected X,\n"
    "      got Y'. A trace without expectations is printed back with the results\n"
    "      filled in (--annotate does that for any trace). A directory runs every\n"
    "      *.trace below it. --option sets a backend switch (e.g. the 2.6.14 port's\n"
    "      bug switches: --option A=0). --invariants (the default for a backend\n"
    "      without BF_PROMISES_EXACT) ignores the expectations and checks the\n"
    "      invariants of contract section 4 after every call, the reference\n"
    "      judging each request, as the fuzzers do; --exact checks expectations\n"
    "      on any backend.\n"
    "      Exit status: 0 all expectations met, 1 a mismatch, 2 malformed input\n"
    "      (reported as file:line:column: what is wrong) or bad usage.\n"
    "  print FILE\n"
    "      Show a fuzz input (bytes) as a trace: every call it decodes to, with the\n"
    "      reference's answers as expectations.\n"
    "  encode TRACE [-o FILE]\n"
    "      Turn a trace back into fuzz input bytes (to stdout, or FILE). Queries are\n"
    "      left out; at most 80 calls. print -> encode -> print gives the same trace.\n"
    "  replay [--target NAME] [--options NAME=V,...] [--check exact|invariants]\n"
    "         [--invariants] [--suppressions FILE] [--leak-before DIR] [-v]\n"
    "         [--check-determinism] [--precise] FILE|DIR...\n"
    "      Run fuzz inputs through a target (default fast; any backend of\n"
    "      'bootfuzz list') the way the fuzzers do, without aborting: prints\n"
    "      'file: signature' for each finding (-v: the whole report).\n"
    "      --check-determinism runs everything again in reverse order in the same\n"
    "      process and requires identical results. --precise reads all state\n"
    "      after every call (the fuzzers do so only to replay a finding;\n"
    "      docs/harness.md). --check (or BOOTFUZZ_CHECK) overrides how the\n"
    "      backend is checked (default: its BF_PROMISES_EXACT flag); --invariants\n"
    "      is --check invariants. --suppressions (or BOOTFUZZ_SUPPRESSIONS) names\n"
    "      known findings to count but not report. A finding that a fresh\n"
    "      instance of the backend does not give is RESET-LEAK: its reset() let\n"
    "      an earlier input's state through; --leak-before DIR writes that\n"
    "      earlier input to DIR/NAME.before (docs/bring-your-allocator.md).\n"
    "      Exit status: 0 no finding, 1 a finding (or a result that changed), 2 bad\n"
    "      usage or unreadable input.\n"
    "  minimize [--target NAME] [--options NAME=V,...] [--check MODE] [-o OUT] FILE\n"
    "      Shrink a failing input at the level of calls: remove calls (delta\n"
    "      debugging), simplify each argument, tidy; a candidate is kept only if it\n"
    "      fails with the same signature. Writes OUT (default FILE.min, bytes) and\n"
    "      OUT.trace (the report: a runnable trace with both sides' answers).\n"
    "  list [--names]\n"
    "      List the backends linked into this tool (each is also a fuzz target of\n"
    "      the same name) and how each is checked: exact (every answer and all\n"
    "      state compared with the reference), invariants (contract section 4,\n"
    "      the reference judging each request), judge (the reference itself).\n"
    "      --names: the names alone, one a line.\n"
    "  help, --help, -h\n"
    "      This text.\n";

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("bootfuzz: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n(bootfuzz --help lists the commands)\n", stderr);
    return 2;
}

int cmd_list(int argc, char **argv)
{
    int names = argc == 1 && !strcmp(argv[0], "--names");
    if (argc && !names)
        return cli_usage_error("list: takes no arguments but --names");
    for (const bf_backend *const *b = bf_backends(); *b; b++) {
        if (names)
            printf("%s\n", (*b)->name);
        else
            printf("%-10s %-10s %s\n", (*b)->name,
                   !strcmp((*b)->name, "ref")           ? "judge"
                   : ((*b)->flags & BF_PROMISES_EXACT) ? "exact"
                                                       : "invariants",
                   (*b)->description ? (*b)->description : "");
    }
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(int, char **);
} commands[] = {
    {"run", cmd_run},
    {"list", cmd_list},
    {"print", cmd_print},
    {"encode", cmd_encode},
    {"replay", cmd_replay},
    {"minimize", cmd_minimize},
};

int main(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("no command given");
    const char *c = argv[1];
    if (!strcmp(c, "help") || !strcmp(c, "--help") || !strcmp(c, "-h")) {
        fputs(usage, stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(c, commands[i].name))
            return commands[i].fn(argc - 2, argv + 2);
    return cli_usage_error("unknown command '%s'", c);
}
