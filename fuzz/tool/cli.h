/*
 * cli.h - shared pieces of the bootfuzz command-line tool: one argument
 * parser for every subcommand (docs/cli.md has the conventions it keeps).
 *
 * Conventions (those of git-style tools):
 *   - options and operands may come in any order; "--" ends the options
 *     (everything after it is an operand, even "-x"); "-" alone is an
 *     operand (standard input);
 *   - a long option's value is the next argument or follows '='
 *     (--target fast, --target=fast); a short one's the next argument or
 *     the rest of the word (-o FILE, -oFILE);
 *   - -h and --help print the command's help on stdout and exit 0, as
 *     `bootfuzz help COMMAND` does;
 *   - every error goes to stderr as "bootfuzz: COMMAND: what is wrong",
 *     naming the argument; exit status 2 for bad usage, unreadable or
 *     malformed input, and for nothing to do (no input found).
 */
#ifndef BOOTFUZZ_CLI_H
#define BOOTFUZZ_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "bootfuzz/backend.h"

/* Prints "bootfuzz: <message>" and a hint to --help; returns 2. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "bootfuzz: <message>" (no hint); returns 2. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the help of `cmd` on stdout; returns 0 (2 for an unknown cmd). */
int cli_help(const char *cmd);

/* ---- the argument parser ---- */

/* One option a command takes.  `arg` names its value in messages ("NAME",
 * "FILE"); NULL for a flag.  `id` (> 0) is what cli_next returns for it. */
typedef struct cli_opt {
    const char *name; /* long name without "--" */
    char short_name;  /* 0: none */
    const char *arg;
    int id;
} cli_opt;

/* The options every command that runs a backend takes, and their ids
 * (a command lists those it takes in its own table, 0-terminated). */
enum {
    CLI_O_TARGET = 1, /* -t, --target NAME (also -b, --backend) */
    CLI_O_OPTION,     /* --option NAME=VALUE[,...] (also --options), repeatable */
    CLI_O_CHECK,      /* --check exact|invariants|auto */
    CLI_O_INVARIANTS, /* --invariants = --check invariants */
    CLI_O_EXACT,      /* --exact = --check exact */
    CLI_O_VERBOSE,    /* -v, --verbose */
    CLI_O_OUTPUT,     /* -o, --output FILE */
    CLI_O_FIRST_OWN   /* a command's own options are numbered from here */
};
#define CLI_OPTS_TARGET                                                                    \
    {"target", 't', "NAME", CLI_O_TARGET}, {"backend", 'b', "NAME", CLI_O_TARGET},          \
        {"option", 0, "NAME=VALUE[,...]", CLI_O_OPTION},                                    \
        {"options", 0, "NAME=VALUE[,...]", CLI_O_OPTION},                                   \
        {"check", 0, "exact|invariants|auto", CLI_O_CHECK},                                 \
        {"invariants", 0, NULL, CLI_O_INVARIANTS}, {"exact", 0, NULL, CLI_O_EXACT}
#define CLI_OPT_VERBOSE {"verbose", 'v', NULL, CLI_O_VERBOSE}
#define CLI_OPT_OUTPUT {"output", 'o', "FILE", CLI_O_OUTPUT}

enum { CLI_OPERAND = 0, CLI_DONE = -1, CLI_BAD = -2, CLI_HELP = -3 };

typedef struct cli_args {
    const char *cmd; /* for messages: "run" */
    const cli_opt *opts;
    int argc, i;
    char **argv;
    int operands_only; /* after "--" */
} cli_args;

void cli_args_init(cli_args *a, const char *cmd, const cli_opt *opts, int argc, char **argv);
/* The next argument: an option's id (its value, if it takes one, in
 * *value), CLI_OPERAND (the operand in *value), CLI_DONE, CLI_HELP (-h,
 * --help), or CLI_BAD (the message is printed: unknown option, missing
 * value, value given to a flag). */
int cli_next(cli_args *a, const char **value);
/* What a command returns for a cli_next result it does not handle itself:
 * CLI_HELP prints the help (0), CLI_BAD gives 2. */
int cli_finish(cli_args *a, int r);

/* ---- backend options: NAME=VALUE, the same syntax everywhere ----
 * A list is NAME=VALUE words separated by commas (or white space): the form
 * of --option, of BOOTFUZZ_OPTIONS and of the `options` files that triage
 * stores beside each crash group (crashes/GROUP/options).  --option may be
 * given more than once; a later NAME replaces an earlier one.  VALUE is a
 * number of the trace language (docs/trace.md: 1, 0x10, 4K). */
#define CLI_MAX_OPTIONS 32
typedef struct cli_options {
    char name[CLI_MAX_OPTIONS][32];
    uint64_t value[CLI_MAX_OPTIONS];
    int n;
    int given; /* an --option was on the command line (it replaces BOOTFUZZ_OPTIONS) */
} cli_options;

/* Adds the options of `list` (from `source`, for messages: "--option",
 * "BOOTFUZZ_OPTIONS").  0, or 2 with the message printed. */
int cli_options_add(cli_options *o, const char *cmd, const char *source, const char *list);
/* Checks every option against a fresh instance of `be`: an unknown NAME and
 * a VALUE the backend refuses are told apart (by trying 0 and 1).  0, or 2
 * with the message printed. */
int cli_options_check(const cli_options *o, const char *cmd, const bf_backend *be);
/* "A=0,C=1": the canonical list (decimal values), as bf_runner_new reads it. */
void cli_options_format(const cli_options *o, char *buf, size_t cap);

/* The settings of the commands that run a backend (run, replay, minimize):
 * CLI_O_TARGET .. CLI_O_EXACT, with their environment defaults
 * (BOOTFUZZ_OPTIONS, BOOTFUZZ_CHECK).  0 if `id` was one of them and was
 * taken, 2 on a bad value (message printed), 1 if `id` is not one. */
typedef struct cli_backend_args {
    const bf_backend *be;
    cli_options options;
    const char *check; /* "exact", "invariants", "auto" or NULL (auto) */
} cli_backend_args;
void cli_backend_args_init(cli_backend_args *b, const char *default_target);
int cli_backend_arg(cli_backend_args *b, const char *cmd, int id, const char *value);
/* After the command line: BOOTFUZZ_OPTIONS if no --option was given, and
 * every option checked against the backend.  0 or 2 (message printed). */
int cli_backend_args_done(cli_backend_args *b, const char *cmd);

/* ---- inputs ---- */

/* Reads a whole input file for `cmd` ("-" = stdin); a directory, a missing
 * or unreadable file is reported as "bootfuzz: CMD: PATH: why".  0 or 2. */
int cli_read_input(const char *cmd, const char *path, uint8_t **data, size_t *len);

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_print(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_minimize(int argc, char **argv);

#endif
