/*
 * cmd_args.c - the argument parser every bootfuzz subcommand uses, backend
 * options (NAME=VALUE lists) and reading inputs: the conventions of cli.h,
 * kept in one place so that every command behaves alike.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backends.h"
#include "cli.h"
#include "files.h"
#include "session.h"
#include "trace.h"

static void verror(const char *fmt, va_list ap)
{
    fputs("bootfuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(fmt, ap);
    va_end(ap);
    fputs("(bootfuzz --help lists the commands; bootfuzz help COMMAND shows one)\n", stderr);
    return 2;
}

int cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(fmt, ap);
    va_end(ap);
    return 2;
}

void cli_args_init(cli_args *a, const char *cmd, const cli_opt *opts, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    a->opts = opts;
    a->argc = argc;
    a->argv = argv;
}

static int bad(cli_args *a, const char *fmt, const char *x, const char *y)
{
    fprintf(stderr, "bootfuzz: %s: ", a->cmd);
    fprintf(stderr, fmt, x, y);
    fprintf(stderr, "\n(bootfuzz help %s lists its options)\n", a->cmd);
    return CLI_BAD;
}

int cli_next(cli_args *a, const char **value)
{
    *value = NULL;
    if (a->i >= a->argc)
        return CLI_DONE;
    char *w = a->argv[a->i++];
    if (a->operands_only || w[0] != '-' || !w[1]) { /* "-" is stdin: an operand */
        *value = w;
        return CLI_OPERAND;
    }
    if (!strcmp(w, "--")) {
        a->operands_only = 1;
        return cli_next(a, value);
    }
    if (!strcmp(w, "--help") || !strcmp(w, "-h"))
        return CLI_HELP;
    const cli_opt *o = NULL;
    const char *inline_value = NULL;
    if (w[1] == '-') { /* --name, --name=value */
        const char *name = w + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (const cli_opt *p = a->opts; p && p->name; p++)
            if (strlen(p->name) == len && !strncmp(p->name, name, len))
                o = p;
        if (!o)
            return bad(a, "unknown option '%s' (a file of that name: give it after '--', or as ./%s)",
                       w, w);
        if (eq) {
            if (!o->arg)
                return bad(a, "option '--%s' takes no value (given '%s')", o->name, w);
            inline_value = eq + 1;
        }
    } else { /* -x, -xVALUE */
        for (const cli_opt *p = a->opts; p && p->name; p++)
            if (p->short_name && p->short_name == w[1])
                o = p;
        if (!o || (!o->arg && w[2]))
            return bad(a, "unknown option '%s' (a file of that name: give it after '--', or as ./%s)",
                       w, w);
        if (w[2])
            inline_value = w + 2;
    }
    if (o->arg && !inline_value) {
        if (a->i >= a->argc)
            return bad(a, "option '%s' needs a value: %s", w, o->arg);
        inline_value = a->argv[a->i++];
    }
    *value = inline_value;
    return o->id;
}

int cli_finish(cli_args *a, int r)
{
    if (r == CLI_HELP)
        return cli_help(a->cmd);
    if (r == CLI_BAD)
        return 2;
    /* an option the command's table has but its code does not handle */
    return cli_usage_error("%s: internal error: option %d not handled", a->cmd, r);
}

/* ---- backend options ---- */

int cli_options_add(cli_options *o, const char *cmd, const char *source, const char *list)
{
    const char *p = list;
    for (;;) {
        p += strspn(p, ", \t\n\r");
        if (!*p)
            return 0;
        size_t len = strcspn(p, ", \t\n\r");
        const char *eq = memchr(p, '=', len);
        size_t nlen = eq ? (size_t)(eq - p) : len;
        uint64_t v;
        if (!eq)
            return cli_usage_error("%s: %s '%.*s': no value; give NAME=VALUE (e.g. %.*s=1)", cmd,
                                   source, (int)len, p, (int)len, p);
        if (!nlen || nlen >= sizeof o->name[0])
            return cli_usage_error("%s: %s '%.*s': give NAME=VALUE, NAME of 1 to %zu characters",
                                   cmd, source, (int)len, p, sizeof o->name[0] - 1);
        if (bf_parse_u64(eq + 1, len - nlen - 1, &v) != 0)
            return cli_usage_error("%s: %s '%.*s': the value '%.*s' is not a number (1, 0x10, 4K)",
                                   cmd, source, (int)len, p, (int)(len - nlen - 1), eq + 1);
        int k = 0;
        while (k < o->n && (strlen(o->name[k]) != nlen || strncmp(o->name[k], p, nlen)))
            k++;
        if (k == CLI_MAX_OPTIONS)
            return cli_usage_error("%s: %s: more than %d options", cmd, source, CLI_MAX_OPTIONS);
        if (k == o->n) {
            memcpy(o->name[k], p, nlen);
            o->name[k][nlen] = 0;
            o->n++;
        }
        o->value[k] = v;
        p += len;
    }
}

static int try_option(const bf_backend *be, const char *name, uint64_t v)
{
    bf_session s;
    if (bf_session_init(&s, be) != 0)
        return -1;
    bf_session_reset(&s);
    int r = be->set_option(s.sys, name, v);
    bf_session_destroy(&s);
    return r;
}

int cli_options_check(const cli_options *o, const char *cmd, const bf_backend *be)
{
    for (int k = 0; k < o->n; k++) {
        if (!be->set_option)
            return cli_error("%s: backend %s has no options (given %s=%llu)", cmd, be->name,
                             o->name[k], (unsigned long long)o->value[k]);
        if (try_option(be, o->name[k], o->value[k]) == 0)
            continue;
        /* the backend says only "no": an option that takes 0 or 1 exists,
         * and it is the value that is refused */
        int takes0 = try_option(be, o->name[k], 0) == 0;
        int takes1 = try_option(be, o->name[k], 1) == 0;
        if (takes0 || takes1)
            return cli_error("%s: backend %s refuses the value %llu for option %s (it takes %s)",
                             cmd, be->name, (unsigned long long)o->value[k], o->name[k],
                             takes0 && takes1 ? "0 and 1" : takes0 ? "0" : "1");
        return cli_error("%s: backend %s has no option '%s'%s%s%s", cmd, be->name, o->name[k],
                         be->options ? " (its options: " : "", be->options ? be->options : "",
                         be->options ? ")" : "");
    }
    return 0;
}

void cli_options_format(const cli_options *o, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = 0;
    for (int k = 0; k < o->n && used < cap; k++) {
        int w = snprintf(buf + used, cap - used, "%s%s=%llu", k ? "," : "", o->name[k],
                         (unsigned long long)o->value[k]);
        used += w > 0 ? (size_t)w : 0;
    }
}

void cli_backend_args_init(cli_backend_args *b, const char *default_target)
{
    memset(b, 0, sizeof *b);
    b->be = bf_backend_find(default_target);
    b->check = getenv("BOOTFUZZ_CHECK");
}

int cli_backend_arg(cli_backend_args *b, const char *cmd, int id, const char *value)
{
    switch (id) {
    case CLI_O_TARGET:
        b->be = bf_backend_find(value);
        if (!b->be) {
            char names[512];
            bf_backend_names(names, sizeof names);
            return cli_usage_error("%s: unknown backend '%s' (linked in: %s)", cmd, value, names);
        }
        return 0;
    case CLI_O_OPTION:
        /* the first --option replaces BOOTFUZZ_OPTIONS; --option "" is none */
        b->options.given = 1;
        return cli_options_add(&b->options, cmd, "--option", value);
    case CLI_O_CHECK:
        if (strcmp(value, "exact") && strcmp(value, "invariants") && strcmp(value, "auto"))
            return cli_usage_error("%s: --check '%s': give exact, invariants or auto", cmd, value);
        b->check = value;
        return 0;
    case CLI_O_INVARIANTS:
        b->check = "invariants";
        return 0;
    case CLI_O_EXACT:
        b->check = "exact";
        return 0;
    }
    return 1;
}

int cli_backend_args_done(cli_backend_args *b, const char *cmd)
{
    const char *env = getenv("BOOTFUZZ_OPTIONS");
    if (!b->options.given && env && cli_options_add(&b->options, cmd, "BOOTFUZZ_OPTIONS", env))
        return 2;
    if (b->check && b->check[0] && strcmp(b->check, "exact") && strcmp(b->check, "invariants") &&
        strcmp(b->check, "auto"))
        return cli_usage_error("%s: BOOTFUZZ_CHECK '%s': give exact, invariants or auto", cmd,
                               b->check);
    return cli_options_check(&b->options, cmd, b->be);
}

int cli_read_input(const char *cmd, const char *path, uint8_t **data, size_t *len)
{
    if (bf_read_file(path, data, len) != 0)
        return cli_error("%s: %s: cannot read: %s", cmd, path, strerror(errno));
    return 0;
}
