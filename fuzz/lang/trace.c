/*
 * trace.c - parser of the trace language (docs/trace.md).
 *
 * Every error names the file, line and column of what is wrong: the trace is
 * what people read and edit when they minimize a crash, so a typo must point
 * at itself.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "files.h"
#include "trace.h"

int bf_parse_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    if (len == 0)
        return -1;
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (len - 2 > 16)
            return -1;
        for (i = 2; i < len; i++) {
            char c = s[i];
            int d = (c >= '0' && c <= '9')   ? c - '0'
                    : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                             : -1;
            if (d < 0)
                return -1;
            v = v << 4 | (uint64_t)d;
        }
        *out = v;
        return 0;
    }
    int shift = 0;
    switch (s[len - 1]) {
    case 'K': shift = 10; break;
    case 'M': shift = 20; break;
    case 'G': shift = 30; break;
    case 'T': shift = 40; break;
    }
    if (shift)
        len--;
    if (len == 0)
        return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (shift && v > (UINT64_MAX >> shift))
        return -1;
    *out = v << shift;
    return 0;
}

/* ---- tokenizer over one line ---- */

typedef struct lexer {
    const char *path;
    int lineno;
    const char *s; /* the line */
    size_t len, pos;
    char *err;
    size_t errcap;
} lexer;

typedef struct tok {
    const char *p;
    size_t len;
    int col; /* 1-based */
} tok;

static int fail(lexer *lx, int col, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(lx->err, lx->errcap, "%s:%d:%d: %s", lx->path, lx->lineno, col, msg);
    return -1;
}

static void skip_space(lexer *lx)
{
    while (lx->pos < lx->len && (lx->s[lx->pos] == ' ' || lx->s[lx->pos] == '\t' ||
                                 lx->s[lx->pos] == '\r'))
        lx->pos++;
}

/* At the end of the statement: end of line or a comment. */
static int at_end(lexer *lx)
{
    skip_space(lx);
    return lx->pos >= lx->len || lx->s[lx->pos] == '#';
}

/* Next word; '=' '!' and '@' at the start of a word stand alone
 * ('@' takes the backend name with it). */
static tok next(lexer *lx)
{
    skip_space(lx);
    tok t = {lx->s + lx->pos, 0, (int)lx->pos + 1};
    if (lx->pos >= lx->len)
        return t;
    char c = lx->s[lx->pos];
    if (c == '=' || c == '!') {
        lx->pos++;
        t.len = 1;
        return t;
    }
    while (lx->pos < lx->len && lx->s[lx->pos] != ' ' && lx->s[lx->pos] != '\t' &&
           lx->s[lx->pos] != '\r')
        lx->pos++;
    t.len = (size_t)(lx->s + lx->pos - t.p);
    return t;
}

static int tok_is(tok t, const char *w) { return strlen(w) == t.len && memcmp(t.p, w, t.len) == 0; }

static int number(lexer *lx, tok t, const char *what, uint64_t *out)
{
    if (t.len == 0)
        return fail(lx, t.col, "missing %s", what);
    if (bf_parse_u64(t.p, t.len, out) != 0)
        return fail(lx, t.col, "bad number for %s: '%.*s' (decimal, 0x hex or K/M/G/T suffix, "
                               "at most 2^64-1)",
                    what, (int)t.len, t.p);
    return 0;
}

static const char *const opt_names[3] = {"align", "goal", "limit"};

/* alloc / alloc_node optional arguments: positional, then keywords. */
static int parse_alloc_opts(lexer *lx, uint64_t *opt)
{
    int seen[3] = {0, 0, 0}, positional = 0;
    while (!at_end(lx)) {
        size_t save = lx->pos;
        tok t = next(lx);
        if (t.p[0] == '=' || t.p[0] == '!' || t.p[0] == '@') {
            lx->pos = save;
            return 0;
        }
        const char *eq = memchr(t.p, '=', t.len);
        if (!eq) {
            if (positional >= 3 || seen[positional])
                return fail(lx, t.col, "too many arguments (alloc takes SIZE [align goal limit])");
            if (number(lx, t, opt_names[positional], &opt[positional]))
                return -1;
            seen[positional++] = 1;
            continue;
        }
        size_t klen = (size_t)(eq - t.p);
        int k;
        for (k = 0; k < 3; k++)
            if (strlen(opt_names[k]) == klen && memcmp(t.p, opt_names[k], klen) == 0)
                break;
        if (k == 3)
            return fail(lx, t.col, "unknown argument '%.*s' (expected align=, goal= or limit=)",
                        (int)klen, t.p);
        if (seen[k])
            return fail(lx, t.col, "%s given twice", opt_names[k]);
        tok v = {eq + 1, t.len - klen - 1, t.col + (int)klen + 1};
        if (number(lx, v, opt_names[k], &opt[k]))
            return -1;
        seen[k] = 1;
        positional = 3; /* no positional after a keyword */
    }
    return 0;
}

static int parse_call(lexer *lx, bf_call *c)
{
    tok t = next(lx);
    int op;
    for (op = 0; op < BF_OP_COUNT; op++)
        if (tok_is(t, bf_op_get(op)->name))
            break;
    if (op == BF_OP_COUNT)
        return fail(lx, t.col, "unknown statement '%.*s' (expected node, reserve, free, alloc, "
                               "alloc_node, free_all, reserved, state, map, fill or nonzero)",
                    (int)t.len, t.p);
    memset(c, 0, sizeof *c);
    c->op = (uint8_t)op;
    static const char *const argname[BF_OP_COUNT][3] = {
        [BF_OP_NODE] = {"START_PFN", "END_PFN"},
        [BF_OP_RESERVE] = {"ADDR", "SIZE"},
        [BF_OP_FREE] = {"ADDR", "SIZE"},
        [BF_OP_ALLOC] = {"SIZE"},
        [BF_OP_ALLOC_NODE] = {"NID", "SIZE"},
        [BF_OP_FREE_ALL] = {"NID"},
        [BF_OP_RESERVED] = {"PFN"},
        [BF_OP_STATE] = {"NID"},
        [BF_OP_MAP] = {"NID"},
        [BF_OP_FILL] = {"ADDR", "SIZE", "BYTE"},
        [BF_OP_NONZERO] = {"ADDR", "SIZE"},
    };
    const bf_op_info *info = bf_op_get(op);
    for (int i = 0; i < info->nargs; i++) {
        tok a = next(lx);
        if (a.len == 0 || a.p[0] == '#' || a.p[0] == '=' || a.p[0] == '!' || a.p[0] == '@')
            return fail(lx, a.col, "%s: missing %s", info->name, argname[op][i]);
        if (number(lx, a, argname[op][i], &c->arg[i]))
            return -1;
    }
    if (op == BF_OP_FILL && c->arg[2] > 255)
        return fail(lx, 1, "fill: BYTE must be 0..255");
    if (info->nopt)
        return parse_alloc_opts(lx, &c->arg[info->nargs]);
    if (op == BF_OP_NODE && !at_end(lx)) {
        size_t save = lx->pos;
        tok m = next(lx);
        if (tok_is(m, "mem")) {
            c->flags |= BF_CALL_MEM;
            if (c->arg[0] < c->arg[1] && c->arg[1] - c->arg[0] > BF_MEM_MAX_PAGES)
                return fail(lx, m.col, "node: backing memory is limited to %d pages",
                            BF_MEM_MAX_PAGES);
        }
        else
            lx->pos = save;
    }
    if (op == BF_OP_MAP && !at_end(lx)) {
        size_t save = lx->pos;
        tok a = next(lx);
        if (a.p[0] == '=' || a.p[0] == '!' || a.p[0] == '@') {
            lx->pos = save;
        } else {
            if (number(lx, a, "FIRST", &c->arg[1]))
                return -1;
            tok b = next(lx);
            if (number(lx, b, "COUNT", &c->arg[2]))
                return -1;
            if (c->arg[2] == 0 || c->arg[2] > BF_MAP_MAX)
                return fail(lx, b.col, "map: COUNT must be 1..%d", BF_MAP_MAX);
            c->flags |= BF_CALL_RANGE;
        }
    }
    return 0;
}

static const char *const state_keys[3] = {"last_success", "last_pos", "last_offset"};

/* Check the value words of "= ..." for this kind of statement. */
static int check_value(lexer *lx, const bf_call *c, tok *w, int nw)
{
    if (nw == 0)
        return fail(lx, (int)lx->pos + 1, "'=' needs a value");
    if (c->op == BF_OP_STATE) {
        for (int i = 0; i < nw; i++) {
            const char *eq = memchr(w[i].p, '=', w[i].len);
            size_t klen = eq ? (size_t)(eq - w[i].p) : 0;
            int k;
            for (k = 0; eq && k < 3; k++)
                if (strlen(state_keys[k]) == klen && !memcmp(w[i].p, state_keys[k], klen))
                    break;
            uint64_t v;
            if (!eq || k == 3)
                return fail(lx, w[i].col,
                            "state: expected last_success=N, last_pos=N or last_offset=N");
            if (bf_parse_u64(eq + 1, w[i].len - klen - 1, &v))
                return fail(lx, w[i].col + (int)klen + 1, "bad number for %s", state_keys[k]);
        }
        return 0;
    }
    if (nw != 1)
        return fail(lx, w[1].col, "one value expected after '='");
    if (c->op == BF_OP_MAP) {
        for (size_t i = 0; i < w[0].len; i++)
            if (w[0].p[i] != '#' && w[0].p[i] != '.')
                return fail(lx, w[0].col + (int)i, "map: only '#' (reserved) and '.' (free)");
        return 0;
    }
    uint64_t v;
    return number(lx, w[0], "the expected value", &v);
}

static char *dup_words(tok *w, int nw)
{
    size_t n = 0;
    for (int i = 0; i < nw; i++)
        n += w[i].len + 1;
    char *s = malloc(n + 1), *p = s;
    if (!s)
        abort();
    for (int i = 0; i < nw; i++) {
        if (i)
            *p++ = ' ';
        memcpy(p, w[i].p, w[i].len);
        p += w[i].len;
    }
    *p = 0;
    return s;
}

static int parse_expectations(lexer *lx, bf_tline *l)
{
    while (!at_end(lx)) {
        tok t = next(lx);
        char backend[BF_BACKEND_NAME_MAX] = "";
        if (t.p[0] == '@') {
            if (t.len < 2 || t.len - 1 >= BF_BACKEND_NAME_MAX)
                return fail(lx, t.col, "'@' needs a backend name (at most %d characters)",
                            BF_BACKEND_NAME_MAX - 1);
            memcpy(backend, t.p + 1, t.len - 1);
            t = next(lx);
        }
        for (int i = 0; i < l->nexp; i++)
            if (!strcmp(l->exp[i].backend, backend))
                return fail(lx, t.col, backend[0] ? "second expectation for backend %s"
                                                  : "second expectation%s",
                            backend);
        if (l->nexp == BF_MAX_EXPECT)
            return fail(lx, t.col, "too many expectations on one line");
        bf_expect *e = &l->exp[l->nexp];
        memset(e, 0, sizeof *e);
        memcpy(e->backend, backend, sizeof backend);
        if (tok_is(t, "!")) {
            tok n = next(lx);
            if (bf_err_parse(n.p, n.len, &e->err) != 0 || e->err == BF_OK)
                return fail(lx, n.col, "unknown error '%.*s' (expected ENOMEM, EINVAL, "
                                       "ENOTRESERVED or BUG)",
                            (int)n.len, n.p);
            e->is_err = 1;
        } else if (tok_is(t, "=")) {
            tok w[4];
            int nw = 0;
            for (;;) {
                skip_space(lx);
                if (lx->pos >= lx->len)
                    break;
                char c = lx->s[lx->pos];
                /* '#' starts a comment, except for a map picture made of # and . */
                int map_word = l->call.op == BF_OP_MAP && nw == 0 &&
                               (c == '#' || c == '.') &&
                               (lx->pos + 1 >= lx->len || lx->s[lx->pos + 1] == '#' ||
                                lx->s[lx->pos + 1] == '.');
                if ((c == '#' && !map_word) || c == '@' || c == '!' || c == '=')
                    break;
                if (nw == 4)
                    return fail(lx, (int)lx->pos + 1, "too many value words");
                w[nw++] = next(lx);
            }
            if (check_value(lx, &l->call, w, nw))
                return -1;
            e->text = dup_words(w, nw);
        } else {
            return fail(lx, t.col, "expected '= VALUE', '! ERROR', '@BACKEND' or a comment, "
                                   "found '%.*s'",
                        (int)t.len, t.p);
        }
        l->nexp++;
    }
    return 0;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d)
        abort();
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

static int parse_line(lexer *lx, int *format, bf_tline *l)
{
    skip_space(lx);
    if (lx->pos >= lx->len) {
        l->kind = BF_LINE_BLANK;
        return 0;
    }
    char c = lx->s[lx->pos];
    if (c == '#') {
        l->kind = BF_LINE_COMMENT;
        return 0;
    }
    if (c == '%') {
        l->kind = BF_LINE_DIRECTIVE;
        tok d = next(lx);
        if (!tok_is(d, "%format"))
            return fail(lx, d.col, "unknown directive '%.*s' (only %%format)", (int)d.len, d.p);
        tok n = next(lx);
        uint64_t v;
        if (number(lx, n, "the format version", &v))
            return -1;
        if (v < 1 || v > BF_TRACE_FORMAT)
            return fail(lx, n.col, "format %llu is not known to this bootfuzz (it reads 1..%d)",
                        (unsigned long long)v, BF_TRACE_FORMAT);
        *format = (int)v;
        if (!at_end(lx))
            return fail(lx, (int)lx->pos + 1, "unexpected text after %%format");
        return 0;
    }
    l->kind = BF_LINE_STMT;
    if (parse_call(lx, &l->call) || parse_expectations(lx, l))
        return -1;
    skip_space(lx);
    if (lx->pos < lx->len)
        l->comment = dup_n(lx->s + lx->pos, lx->len - lx->pos);
    return 0;
}

static void tline_free(bf_tline *l)
{
    free(l->raw);
    free(l->comment);
    for (int k = 0; k < l->nexp; k++)
        free(l->exp[k].text);
    memset(l, 0, sizeof *l);
}

/* One line (`len` bytes, no newline) into *l (which owns copies). */
static int parse_text_line(const char *path, int lineno, const char *text, size_t len,
                           int *format, bf_tline *l, char *err, size_t errcap)
{
    memset(l, 0, sizeof *l);
    l->lineno = lineno;
    const char *nul = memchr(text, 0, len);
    if (nul) {
        snprintf(err, errcap, "%s:%d:%d: NUL byte in a trace (is this a binary input? "
                              "use bootfuzz print)",
                 path, lineno, (int)(nul - text) + 1);
        return -1;
    }
    l->raw = dup_n(text, len);
    lexer lx = {path, lineno, l->raw, len, 0, err, errcap};
    if (parse_line(&lx, format, l) != 0) {
        tline_free(l);
        return -1;
    }
    return 0;
}

int bf_trace_parse(const char *path, const char *text, size_t len, bf_trace *out, char *err,
                   size_t errcap)
{
    memset(out, 0, sizeof *out);
    out->format = BF_TRACE_FORMAT;
    size_t pos = 0;
    int lineno = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        lineno++;
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 64;
            out->line = realloc(out->line, out->cap * sizeof *out->line);
            if (!out->line)
                abort();
        }
        if (parse_text_line(path, lineno, text + pos, end - pos, &out->format,
                            &out->line[out->n], err, errcap) != 0) {
            bf_trace_free(out);
            return -1;
        }
        out->n++;
        pos = nl ? end + 1 : len;
    }
    return 0;
}

int bf_trace_load(const char *path, bf_trace *out, char *err, size_t errcap)
{
    uint8_t *buf;
    size_t len;
    if (bf_read_file(path, &buf, &len) != 0) {
        snprintf(err, errcap, "%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    int r = bf_trace_parse(path, (const char *)buf, len, out, err, errcap);
    free(buf);
    return r;
}

void bf_trace_free(bf_trace *t)
{
    for (size_t i = 0; i < t->n; i++)
        tline_free(&t->line[i]);
    free(t->line);
    memset(t, 0, sizeof *t);
}

/* ---- reading a trace line by line ---- */

int bf_trace_open(bf_trace_reader *r, const char *path, char *err, size_t errcap)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->format = BF_TRACE_FORMAT;
    if (!strcmp(path, "-")) {
        /* standard input is copied aside once, so that it can be read twice */
        uint8_t *buf;
        size_t len;
        if (bf_read_file(path, &buf, &len) != 0) {
            snprintf(err, errcap, "%s: cannot read: %s", path, strerror(errno));
            return -1;
        }
        r->f = tmpfile();
        if (!r->f || fwrite(buf, 1, len, r->f) != len || fseek(r->f, 0, SEEK_SET) != 0) {
            snprintf(err, errcap, "%s: cannot keep a copy of standard input: %s", path,
                     strerror(errno));
            free(buf);
            if (r->f)
                fclose(r->f);
            return -1;
        }
        free(buf);
        return 0;
    }
    struct stat sb;
    r->f = fopen(path, "r");
    if (r->f && fstat(fileno(r->f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(r->f);
        r->f = NULL;
        errno = EISDIR;
    }
    if (!r->f) {
        snprintf(err, errcap, "%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int bf_trace_next(bf_trace_reader *r, const bf_tline **out, char *err, size_t errcap)
{
    tline_free(&r->line);
    errno = 0;
    ssize_t n = getline(&r->buf, &r->cap, r->f);
    if (n < 0) {
        if (ferror(r->f)) {
            snprintf(err, errcap, "%s:%d: cannot read: %s", r->path, r->lineno + 1,
                     strerror(errno ? errno : EIO));
            return -1;
        }
        return 0;
    }
    if (n > 0 && r->buf[n - 1] == '\n')
        n--;
    if (parse_text_line(r->path, ++r->lineno, r->buf, (size_t)n, &r->format, &r->line, err,
                        errcap) != 0)
        return -1;
    *out = &r->line;
    return 1;
}

int bf_trace_rewind(bf_trace_reader *r)
{
    tline_free(&r->line);
    r->lineno = 0;
    r->format = BF_TRACE_FORMAT;
    clearerr(r->f);
    return fseek(r->f, 0, SEEK_SET);
}

void bf_trace_close(bf_trace_reader *r)
{
    tline_free(&r->line);
    free(r->buf);
    if (r->f)
        fclose(r->f);
    memset(r, 0, sizeof *r);
}

const bf_expect *bf_tline_expect_for(const bf_tline *l, const char *backend)
{
    const bf_expect *dflt = NULL;
    for (int i = 0; i < l->nexp; i++) {
        if (!strcmp(l->exp[i].backend, backend))
            return &l->exp[i];
        if (!l->exp[i].backend[0])
            dflt = &l->exp[i];
    }
    return dflt;
}

int bf_trace_has_expectations(const bf_trace *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->line[i].nexp)
            return 1;
    return 0;
}

/* Split off the next space-separated word of s (advances *s). */
static size_t word(const char **s, const char **start)
{
    while (**s == ' ')
        (*s)++;
    *start = *s;
    while (**s && **s != ' ')
        (*s)++;
    return (size_t)(*s - *start);
}

static int word_eq(const char *a, size_t al, const char *b, size_t bl)
{
    uint64_t x, y;
    if (!bf_parse_u64(a, al, &x) && !bf_parse_u64(b, bl, &y))
        return x == y;
    return al == bl && !memcmp(a, b, al);
}

/* Find key=value in `got` and compare the value numerically. */
static int keyed_match(const char *got, const char *w, size_t wl)
{
    const char *eq = memchr(w, '=', wl);
    size_t kl = (size_t)(eq - w);
    const char *s = got, *g;
    size_t gl;
    while ((gl = word(&s, &g)) > 0) {
        const char *geq = memchr(g, '=', gl);
        if (geq && (size_t)(geq - g) == kl && !memcmp(g, w, kl))
            return word_eq(eq + 1, wl - kl - 1, geq + 1, gl - kl - 1);
    }
    return 0;
}

int bf_expect_matches(const bf_expect *exp, bf_err got_err, const char *got_text)
{
    if (exp->is_err)
        return got_err == exp->err;
    if (got_err != BF_OK)
        return 0;
    const char *e = exp->text, *g = got_text, *ew, *gw;
    size_t el, gl;
    int keyed = strchr(exp->text, '=') != NULL;
    if (keyed) { /* state: every given key must match; others unchecked */
        while ((el = word(&e, &ew)) > 0)
            if (!keyed_match(got_text, ew, el))
                return 0;
        return 1;
    }
    for (;;) {
        el = word(&e, &ew);
        gl = word(&g, &gw);
        if (el == 0 || gl == 0)
            return el == gl;
        if (!word_eq(ew, el, gw, gl))
            return 0;
    }
}

void bf_expect_format(const bf_expect *e, char *buf, size_t cap)
{
    if (e->is_err)
        snprintf(buf, cap, "! %s", bf_err_name(e->err));
    else
        snprintf(buf, cap, "= %s", e->text);
}
