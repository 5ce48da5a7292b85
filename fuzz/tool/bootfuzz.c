/*
 * bootfuzz.c - the command-line tool: one entry per subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "backends.h"
#include "cli.h"

/* Each command's help: its synopsis line, then the text indented by six.
 * `bootfuzz --help` shows them all; `bootfuzz help CMD` and `CMD --help`
 * show one. */
static const char common_opts[] =
    "      -t, --target NAME (also -b, --backend): the backend (bootfuzz list).\n"
    "      --option NAME=VALUE[,NAME=VALUE...] (also --options): a backend switch,\n"
    "      e.g. the 2.6.14 port's bug switches (--option A=0,C=1); may be given\n"
    "      more than once; replaces BOOTFUZZ_OPTIONS. The `options` files of\n"
    "      crashes/GROUP/ hold the same list: --option \"$(cat options)\".\n"
    "      --check exact|invariants|auto (or BOOTFUZZ_CHECK), --invariants,\n"
    "      --exact: how the backend is checked (auto: by its BF_PROMISES_EXACT\n"
    "      flag: exact compares every answer and all state with the reference;\n"
    "      invariants checks contract section 4, the reference judging).\n";

static const struct command {
    const char *name;
    int (*fn)(int, char **);
    const char *synopsis, *text;
    int common; /* takes the backend options above */
} commands[] = {
    {"run", cmd_run,
     "run [-t NAME] [--option NAME=VALUE]... [--check MODE] [--annotate] [-v] FILE|DIR...",
     "      Run traces against a backend (default: ref) and check every expectation.\n"
     "      Each line whose result differs is reported as 'file:line: call: expected X,\n"
     "      got Y'. A trace without expectations is printed back with the results\n"
     "      filled in (-a, --annotate does that for any trace). A directory runs\n"
     "      every *.trace below it. A trace is read a line at a time: its length\n"
     "      does not matter. --invariants (the default for a backend without\n"
     "      BF_PROMISES_EXACT) ignores the expectations and checks the invariants of\n"
     "      contract section 4 after every call, the reference judging each request,\n"
     "      as the fuzzers do; --exact checks expectations on any backend.\n"
     "      Exit status: 0 all expectations met, 1 a mismatch, 2 malformed input\n"
     "      (reported as file:line:column: what is wrong), bad usage, or nothing to\n"
     "      run (a trace without calls, a directory without *.trace).\n",
     1},
    {"print", cmd_print, "print FILE",
     "      Show a fuzz input (bytes) as a trace: every call it decodes to, with the\n"
     "      reference's answers as expectations.\n",
     0},
    {"encode", cmd_encode, "encode [-o FILE] TRACE",
     "      Turn a trace back into fuzz input bytes (to stdout, or -o, --output FILE).\n"
     "      Queries are left out; at most 80 calls. print -> encode -> print gives the\n"
     "      same trace.\n",
     0},
    {"replay", cmd_replay,
     "replay [-t NAME] [--option NAME=VALUE]... [--check MODE] [-v]\n"
     "         [--suppressions FILE] [--leak-before DIR] [--check-determinism]\n"
     "         [--precise] FILE|DIR...",
     "      Run fuzz inputs through a target (default fast; any backend of\n"
     "      'bootfuzz list') the way the fuzzers do, without aborting: prints\n"
     "      'file: signature' for each finding (-v, --verbose: the whole report).\n"
     "      --check-determinism runs everything again in reverse order in the same\n"
     "      process and requires identical results. --precise reads all state\n"
     "      after every call (the fuzzers do so only to replay a finding;\n"
     "      docs/harness.md). --suppressions (or BOOTFUZZ_SUPPRESSIONS) names\n"
     "      known findings to count but not report. A finding that a fresh\n"
     "      instance of the backend does not give is RESET-LEAK: its reset() let\n"
     "      an earlier input's state through; --leak-before DIR writes that\n"
     "      earlier input to DIR/NAME.before (docs/bring-your-allocator.md).\n"
     "      Exit status: 0 no finding, 1 a finding (or a result that changed), 2 bad\n"
     "      usage, unreadable input, or nothing to run (a directory without files).\n",
     1},
    {"minimize", cmd_minimize,
     "minimize [-t NAME] [--option NAME=VALUE]... [--check MODE] [-o OUT] FILE",
     "      Shrink a failing input at the level of calls: remove calls (delta\n"
     "      debugging), simplify each argument, tidy; a candidate is kept only if it\n"
     "      fails with the same signature. Writes OUT (-o, --output; default\n"
     "      FILE.min, bytes) and OUT.trace (the report: a runnable trace with both\n"
     "      sides' answers). Target default: fast. Exit status: 0 written, 1 the\n"
     "      input does not fail (nothing to minimize), 2 bad usage or input.\n",
     1},
    {"list", cmd_list, "list [--names]",
     "      List the backends linked into this tool (each is also a fuzz target of\n"
     "      the same name) and how each is checked: exact (every answer and all\n"
     "      state compared with the reference), invariants (contract section 4,\n"
     "      the reference judging each request), judge (the reference itself).\n"
     "      --names: the names alone, one a line.\n",
     0},
    {"help", NULL, "help [COMMAND]",
     "      This text, or one command's (as COMMAND --help, -h does).\n", 0},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const char conventions[] =
    "Every command: options and operands in any order; -- ends the options\n"
    "(bootfuzz print -- -file); --name=value or --name value; -h, --help.\n"
    "Errors go to stderr as 'bootfuzz: COMMAND: what is wrong'. Exit status 2\n"
    "for bad usage, unreadable or malformed input, and for nothing to do.\n"
    "docs/cli.md has the details.\n";

static void show(const struct command *c, FILE *f)
{
    fprintf(f, "  %s\n%s", c->synopsis, c->text);
    if (c->common)
        fputs(common_opts, f);
}

int cli_help(const char *cmd)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(commands[i].name, cmd)) {
            printf("usage: bootfuzz %s\n\n%s", commands[i].synopsis, commands[i].text);
            if (commands[i].common)
                fputs(common_opts, stdout);
            printf("\n%s", conventions);
            return 0;
        }
    return cli_usage_error("help: unknown command '%s'", cmd);
}

static int cmd_help(int argc, char **argv)
{
    static const cli_opt none[] = {{0}};
    cli_args a;
    cli_args_init(&a, "help", none, argc, argv);
    const char *v, *cmd = NULL;
    int r;
    while ((r = cli_next(&a, &v)) != CLI_DONE) {
        if (r == CLI_OPERAND && !cmd)
            cmd = v;
        else if (r == CLI_OPERAND)
            return cli_usage_error("help: takes one COMMAND; '%s' is a second one", v);
        else
            return cli_finish(&a, r); /* help --help: help's own help */
    }
    if (cmd)
        return cli_help(cmd);
    fputs("usage: bootfuzz COMMAND [ARGS]\n"
          "\n"
          "bootfuzz checks boot-time page allocators against the bootmem contract\n"
          "(docs/contract.md). Call sequences are written in the trace language\n"
          "(docs/trace.md).\n"
          "\n"
          "commands:\n",
          stdout);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (commands[i].common && (i == 0 || !commands[i - 1].common)) {
            show(&commands[i], stdout);
            continue;
        }
        fprintf(stdout, "  %s\n%s", commands[i].synopsis, commands[i].text);
        if (commands[i].common)
            fputs("      (-t, --option, --check: as for run)\n", stdout);
    }
    printf("\n%s", conventions);
    return 0;
}

int cmd_list(int argc, char **argv)
{
    static const cli_opt opts[] = {{"names", 0, NULL, 1}, {0}};
    cli_args a;
    cli_args_init(&a, "list", opts, argc, argv);
    const char *v;
    int names = 0, r;
    while ((r = cli_next(&a, &v)) != CLI_DONE) {
        if (r == 1)
            names = 1;
        else if (r == CLI_OPERAND)
            return cli_usage_error("list: takes no operand ('%s')", v);
        else
            return cli_finish(&a, r);
    }
    for (const bf_backend *const *b = bf_backends(); *b; b++) {
        if (names)
            printf("%s\n", (*b)->name);
        else
            printf("%-10s %-10s %s\n", (*b)->name,
                   !strcmp((*b)->name, "ref")           ? "judge"
                   : ((*b)->flags & BF_PROMISES_EXACT) ? "exact"
                                                       : "invariants",
                   (*b)->description ? (*b)->description : "");
        if (!names && (*b)->options)
            printf("%-21s options: %s\n", "", (*b)->options);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("no command given");
    const char *c = argv[1];
    if (!strcmp(c, "--help") || !strcmp(c, "-h"))
        return cmd_help(0, NULL);
    if (!strcmp(c, "help"))
        return cmd_help(argc - 2, argv + 2);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (commands[i].fn && !strcmp(c, commands[i].name))
            return commands[i].fn(argc - 2, argv + 2);
    return cli_usage_error("unknown command '%s'", c);
}
