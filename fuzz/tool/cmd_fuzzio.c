/*
 * cmd_fuzzio.c - fuzz inputs and traces, one into the other:
 *   bootfuzz print FILE      bytes -> trace (with the reference's answers)
 *   bootfuzz encode TRACE    trace -> bytes (raw records; print gives it back)
 * (bootfuzz replay, which runs inputs through a target: cmd_replay.c)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends.h"
#include "cli.h"
#include "lockstep.h"
#include "trace.h"

/* Decode and run on the reference alone (no checks): the input's calls. */
static void print_input(const uint8_t *data, size_t size, FILE *out)
{
    bf_session s;
    if (bf_session_init(&s, bf_backend_find("ref")) != 0)
        abort();
    bf_session_reset(&s);
    bf_dctx ctx;
    bf_decoder d;
    bf_dctx_reset(&ctx);
    bf_decoder_init(&d, data, size);
    fprintf(out, "# bootfuzz input, byte format %d\n%%format %d\n", BF_FORMAT_VERSION,
            BF_TRACE_FORMAT);
    bf_call c;
    char text[256], call[256], res[300];
    while (bf_decoder_next(&d, &ctx, &c)) {
        bf_result r = bf_session_exec(&s, &c, text, sizeof text);
        int n = (int)bf_call_format(&c, call, sizeof call);
        bf_result_format(r, text, res, sizeof res);
        fprintf(out, "%s%*s %s\n", call, n < 39 ? 39 - n : 0, "", res);
        bf_dctx_update(&ctx, &c, r);
    }
    bf_session_destroy(&s);
}

/* The one operand of print and encode (and minimize), with -o FILE where
 * the command takes it.  0, or what the command returns (help, errors). */
static int one_operand(const char *cmd, const char *what, int argc, char **argv,
                       const cli_opt *opts, const char **in, const char **out)
{
    cli_args a;
    cli_args_init(&a, cmd, opts, argc, argv);
    const char *v;
    int r;
    *in = NULL;
    while ((r = cli_next(&a, &v)) != CLI_DONE) {
        if (r == CLI_OPERAND && !*in)
            *in = v;
        else if (r == CLI_OPERAND)
            return cli_usage_error("%s: takes one %s; '%s' is a second one", cmd, what, v);
        else if (r == CLI_O_OUTPUT && out)
            *out = v;
        else
            return cli_finish(&a, r);
    }
    if (!*in)
        return cli_usage_error("%s: no %s given", cmd, what);
    return 0;
}

static const cli_opt no_opts[] = {{0}};
static const cli_opt output_opts[] = {CLI_OPT_OUTPUT, {0}};

int cmd_print(int argc, char **argv)
{
    const char *in;
    int rc = one_operand("print", "FILE (a fuzz input)", argc, argv, no_opts, &in, NULL);
    if (rc || !in)
        return rc;
    uint8_t *data;
    size_t len;
    if (cli_read_input("print", in, &data, &len) != 0)
        return 2;
    print_input(data, len, stdout);
    free(data);
    return 0;
}

int cmd_encode(int argc, char **argv)
{
    const char *in, *out_path = NULL;
    int rc = one_operand("encode", "TRACE", argc, argv, output_opts, &in, &out_path);
    if (rc || !in)
        return rc;
    /* read a line at a time: a fuzz input holds at most 80 calls, and a
     * longer trace is refused at its 81st, whatever its length */
    bf_trace_reader rd;
    const bf_tline *l;
    char err[512];
    if (bf_trace_open(&rd, in, err, sizeof err) != 0)
        return cli_error("encode: %s", err);
    static bf_call calls[BF_DECODE_MAX_RAW];
    size_t n = 0;
    int more;
    while ((more = bf_trace_next(&rd, &l, err, sizeof err)) > 0) {
        if (l->kind != BF_LINE_STMT || bf_op_get(l->call.op)->is_query)
            continue;
        if (n == BF_DECODE_MAX_RAW) {
            int at = l->lineno;
            bf_trace_close(&rd);
            return cli_error("encode: %s:%d:1: a fuzz input holds at most %d calls", in, at,
                             BF_DECODE_MAX_RAW);
        }
        if (l->call.op == BF_OP_NODE && (l->call.flags & BF_CALL_MEM) &&
            l->call.arg[1] - l->call.arg[0] > BF_DECODE_MEM_PAGES) {
            int at = l->lineno;
            bf_trace_close(&rd);
            return cli_error("encode: %s:%d:1: a fuzz input gives backing memory only to nodes "
                             "of at most %d pages",
                             in, at, BF_DECODE_MEM_PAGES);
        }
        calls[n++] = l->call;
    }
    bf_trace_close(&rd);
    if (more < 0)
        return cli_error("encode: %s", err);
    /* no calls is an input too: the one the decoder reads as no calls, so
     * print -> encode -> print is the identity for every input
     * (tests/sh/corpus.sh); unlike run, there is something to write */
    size_t need = bf_encode_calls(calls, n, NULL, 0);
    uint8_t *bytes = malloc(need);
    if (!bytes)
        abort();
    bf_encode_calls(calls, n, bytes, need);
    /* -o FILE: written beside, then renamed into place (never half a file) */
    char tmp[4200];
    if (out_path)
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out_path, (long)getpid());
    FILE *f = out_path ? fopen(tmp, "wb") : stdout;
    int ok = f && fwrite(bytes, 1, need, f) == need;
    if (f && out_path)
        ok &= fclose(f) == 0;
    else if (f)
        ok &= fflush(f) == 0;
    if (!ok || (out_path && rename(tmp, out_path) != 0)) {
        rc = cli_error("encode: %s: cannot write: %s", out_path ? out_path : "stdout",
                       strerror(errno));
        if (out_path)
            remove(tmp);
        free(bytes);
        return rc;
    }
    free(bytes);
    return 0;
}
