/*
 * cli.h - shared pieces of the bootfuzz command-line tool.
 */
#ifndef BOOTFUZZ_CLI_H
#define BOOTFUZZ_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Prints "bootfuzz: <message>" and a hint to --help; returns 2. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_print(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_minimize(int argc, char **argv);

#endif
