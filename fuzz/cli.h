/*
 * cli.h - shared pieces of the bootfuzz command-line tool.
 */
#ifndef BOOTFUZZ_CLI_H
#define BOOTFUZZ_CLI_H

/* Prints "bootfuzz: <message>" and a hint to --help; returns 2. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);

#endif
