# scripts/lib/mutate.awk - the mutation operators of scripts/mutants.
#
#   awk -f mutate.awk -v mode=list  [-v active=FILE] [-v funcs=ERE] [-v skip=ERE] SRC.c
#   awk -f mutate.awk -v mode=apply -v want=ID SRC.c   > MUTANT.c
#
# Every mutant of SRC.c gets an id, in order of line, then column (a dropped
# statement last on its line); the ids depend on the text of SRC.c alone, so the same file
# always gives the same list (filters only hide mutants, they do not
# renumber them).  `list` prints one line per mutant, tab-separated:
#     id line col op function state change original mutated
# state is "run", "inactive" (the line is not compiled: the preprocessor
# output, file `active`, lists the compiled lines; e.g. #ifdef BF_FAST_CANARY)
# or "filtered" (its function does not match `funcs`, or matches `skip`).
# `apply` prints SRC.c with mutant `want` applied (nothing else changes).
#
# Operators (each only inside a function body; never in comments, string or
# character literals, preprocessor lines, or the declared part of a
# declaration, i.e. before the first "=" of a line like "uint64_t x = ..."):
#   ror   relational boundary: <  <=, >  >=, and back; == !=
#   aor   arithmetic: binary + -, << >>, binary & |, and += -=, <<= >>=, &= |=
#   const off by one: an integer literal n <= maxconst (64) becomes n+1 and n-1
#   neg   negated condition: if (C) / while (C) -> if (!(C)) / while (!(C)),
#         when C closes on the same line
#   drop  a simple statement (an assignment, ++/--, or a call) that is a whole
#         line is replaced by "{ }" (an empty statement that stays one
#         statement, so an unbraced if/for body keeps its meaning)
# Tabs in `list` output are turned into spaces (fields are tab-separated).

BEGIN {
    if (maxconst == "")
        maxconst = 64
    maxconst += 0
    if (active != "") {
        useact = 1
        while ((getline l < active) > 0)
            act[l + 0] = 1
        close(active)
    }
    incom = 0      # inside a /* */ comment
    inmacro = 0    # a preprocessor line continues (backslash)
    depth = 0      # brace depth
    infunc = 0     # the outermost open brace is a function body
    lastsig = ";"  # last significant character at depth 0
    pdepth = 0     # parenthesis depth at depth 0 (a function's header)
    cand = ""      # name before the header's first "(" at depth 0
    func = ""      # the function we are in
    prevend = ";"  # last character of the previous code line
    prevelse = 0   # the previous code line ends with "else"
    id = 0
    nkw = split("if else while for do return goto break continue switch case default sizeof typedef", kwl, " ")
    for (i = 1; i <= nkw; i++)
        kw[kwl[i]] = 1
}

# ---------------------------------------------------------------- lexing

# s with comments as spaces and string/character literals as "_" (an
# operand), the same length, so columns are the original's
function mask(s,    out, i, n, c, c2, q) {
    out = ""
    n = length(s)
    i = 1
    while (i <= n) {
        c = substr(s, i, 1)
        if (incom) {
            if (c == "*" && substr(s, i + 1, 1) == "/") {
                out = out "  "
                i += 2
                incom = 0
                continue
            }
            out = out " "
            i++
            continue
        }
        c2 = substr(s, i, 2)
        if (c2 == "/*") {
            incom = 1
            out = out "  "
            i += 2
            continue
        }
        if (c2 == "//") {
            while (i <= n) {
                out = out " "
                i++
            }
            break
        }
        if (c == "\"" || c == "'") {
            q = c
            out = out "_"
            i++
            while (i <= n) {
                c = substr(s, i, 1)
                if (c == "\\") {
                    out = out "__"
                    i += 2
                    continue
                }
                out = out "_"
                i++
                if (c == q)
                    break
            }
            continue
        }
        out = out c
        i++
    }
    # a backslash escape at the very end may overshoot by one
    return substr(out, 1, n)
}

function isid(c) { return c ~ /[A-Za-z0-9_]/ }
function isidstart(c) { return c ~ /[A-Za-z_]/ }
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
function notabs(s) { gsub(/\t/, " ", s); return s }

# value of an integer literal (decimal or hex, suffix stripped), -1 if none
function litval(t,    v, i, d, h) {
    sub(/[uUlL]+$/, "", t)
    if (t ~ /^0[xX][0-9a-fA-F]+$/) {
        h = "0123456789abcdef"
        v = 0
        t = tolower(substr(t, 3))
        if (length(t) > 12)
            return -1
        for (i = 1; i <= length(t); i++)
            v = v * 16 + index(h, substr(t, i, 1)) - 1
        return v
    }
    if (t ~ /^(0|[1-9][0-9]*)$/ && length(t) <= 12)
        return t + 0
    return -1 # octal, floating, too long
}

# the literal t with value v, in t's base and with t's suffix
function litwith(t, v,    suf, hx) {
    suf = t
    sub(/^[0-9a-fA-FxX]+/, "", suf)
    if (t ~ /^0[xX]/) {
        hx = sprintf("%x", v)
        if (substr(t, 3) ~ /[A-F]/)
            hx = toupper(hx)
        return substr(t, 1, 2) hx suf
    }
    return v suf
}

# ------------------------------------------------------------- mutants

# one mutant: replace len characters at col by rep
function emit(op, col, len, rep, change,    mutated) {
    id++
    mutated = substr(line, 1, col - 1) rep substr(line, col + len)
    if (mode == "apply") {
        if (id == want + 0)
            outline = mutated
        return
    }
    state = "run"
    if (useact && !(NR in act))
        state = "inactive"
    else if ((funcs != "" && func !~ funcs) || (skip != "" && func ~ skip))
        state = "filtered"
    printf "%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", id, NR, col, op, func, state, notabs(change),
        notabs(trim(line)), notabs(trim(mutated))
}

{
    line = $0
    outline = line
    code = mask(line)
    n = length(code)

    # preprocessor lines (and their continuations) are never mutated
    if (inmacro || code ~ /^[ \t]*#/) {
        inmacro = (line ~ /\\[ \t]*$/)
        if (mode == "apply")
            print outline
        next
    }

    # pass 1: braces; body[i] = 1 when column i lies in a function body
    for (i = 1; i <= n; i++) {
        c = substr(code, i, 1)
        body[i] = (depth >= 1 && infunc)
        if (c == "{") {
            if (depth == 0) {
                infunc = (lastsig == ")")
                if (infunc)
                    func = cand
                body[i] = 0
            }
            depth++
        } else if (c == "}") {
            if (depth > 0)
                depth--
            if (depth == 0) {
                infunc = 0
                lastsig = "}"
                cand = ""
                pdepth = 0
            }
        } else if (depth == 0 && c !~ /[ \t]/) {
            if (c == ";") {
                cand = ""
                pdepth = 0
            } else if (c == "(") {
                if (pdepth == 0 && match(substr(code, 1, i - 1), /[A-Za-z_][A-Za-z0-9_]*[ \t]*$/))
                    cand = trim(substr(code, RSTART, RLENGTH))
                pdepth++
            } else if (c == ")") {
                pdepth--
            }
            lastsig = c
        }
    }

    t = trim(code)
    if (t == "") {
        if (mode == "apply")
            print outline
        next
    }
    start = (prevend ~ /[;{}):]/ || prevelse)

    # a declaration: the part before its first "=" (all of it without one)
    # is not mutated
    from = 1
    decl = 0
    if (start && match(t, /^((const|static|volatile|register|unsigned|signed|struct|union|enum)[ \t]+)*[A-Za-z_][A-Za-z0-9_]*[ \t*]+[A-Za-z_][A-Za-z0-9_]*[ \t]*(=|;|,|\[)/)) {
        w1 = t
        sub(/[^A-Za-z0-9_].*/, "", w1)
        if (!(w1 in kw)) {
            decl = 1
            from = n + 1
            pd = 0
            for (i = 1; i <= n; i++) {
                c = substr(code, i, 1)
                if (c == "(" || c == "[")
                    pd++
                else if (c == ")" || c == "]")
                    pd--
                else if (c == "=" && pd == 0 && substr(code, i + 1, 1) != "=") {
                    from = i + 1
                    break
                }
            }
        }
    }

    # pass 2: tokens, in column order
    prevop = 1 # the last token was an operator (a following - & + is unary)
    i = 1
    while (i <= n) {
        c = substr(code, i, 1)
        if (c ~ /[ \t]/) {
            i++
            continue
        }
        ok = (i >= from && body[i])
        if (isidstart(c)) {
            j = i
            while (j <= n && isid(substr(code, j, 1)))
                j++
            word = substr(code, i, j - i)
            if (ok && (word == "if" || word == "while")) {
                # the condition's parentheses, on this line
                k = j
                while (k <= n && substr(code, k, 1) ~ /[ \t]/)
                    k++
                if (substr(code, k, 1) == "(") {
                    pd = 0
                    for (m = k; m <= n; m++) {
                        c2 = substr(code, m, 1)
                        if (c2 == "(")
                            pd++
                        else if (c2 == ")" && --pd == 0)
                            break
                    }
                    if (m <= n && body[m])
                        emit("neg", k, m - k + 1, "(!" substr(line, k, m - k + 1) ")",
                             "negate " word " " trim(substr(line, k, m - k + 1)))
                }
            }
            prevop = (word in kw)
            i = j
            continue
        }
        if (c ~ /[0-9]/) {
            j = i
            while (j <= n && substr(code, j, 1) ~ /[0-9A-Za-z_.]/)
                j++
            tok = substr(code, i, j - i)
            v = litval(tok)
            if (ok && v >= 0 && v <= maxconst) {
                emit("const", i, j - i, litwith(tok, v + 1), tok " -> " litwith(tok, v + 1))
                if (v > 0)
                    emit("const", i, j - i, litwith(tok, v - 1), tok " -> " litwith(tok, v - 1))
            }
            prevop = 0
            i = j
            continue
        }
        # operators: the longest first
        op3 = substr(code, i, 3)
        op2 = substr(code, i, 2)
        if (op3 == "<<=" || op3 == ">>=") {
            if (ok)
                emit("aor", i, 3, (op3 == "<<=") ? ">>=" : "<<=", op3 " -> " ((op3 == "<<=") ? ">>=" : "<<="))
            prevop = 1
            i += 3
            continue
        }
        if (op2 ~ /^(->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||\+=|-=|\*=|\/=|%=|&=|\|=|\^=)$/) {
            rep = ""
            kind = "aor"
            if (op2 == "<<") rep = ">>"
            else if (op2 == ">>") rep = "<<"
            else if (op2 == "+=") rep = "-="
            else if (op2 == "-=") rep = "+="
            else if (op2 == "&=") rep = "|="
            else if (op2 == "|=") rep = "&="
            else {
                kind = "ror"
                if (op2 == "<=") rep = "<"
                else if (op2 == ">=") rep = ">"
                else if (op2 == "==") rep = "!="
                else if (op2 == "!=") rep = "=="
            }
            if (ok && rep != "")
                emit(kind, i, 2, rep, op2 " -> " rep)
            if (op2 == "++" || op2 == "--")
                prevop = prevop # postfix keeps an operand, prefix an operator
            else
                prevop = 1
            i += 2
            continue
        }
        if (c == "<" || c == ">") {
            if (ok)
                emit("ror", i, 1, c "=", c " -> " c "=")
            prevop = 1
        } else if (c == "+" || c == "-") {
            if (ok && !prevop)
                emit("aor", i, 1, (c == "+") ? "-" : "+", c " -> " ((c == "+") ? "-" : "+"))
            prevop = 1
        } else if (c == "&" || c == "|") {
            if (ok && !prevop)
                emit("aor", i, 1, (c == "&") ? "|" : "&", c " -> " ((c == "&") ? "|" : "&"))
            prevop = 1
        } else if (c == ")" || c == "]" || c == "_") {
            prevop = 0
        } else {
            prevop = 1
        }
        i++
    }

    # a whole-line simple statement, dropped
    s0 = match(code, /[^ \t]/)
    if (start && !decl && body[s0] && t ~ /;$/ && index(t, ";") == length(t)) {
        w1 = t
        sub(/[^A-Za-z0-9_].*/, "", w1)
        if (!(w1 in kw) && t ~ /^[*(]*[A-Za-z_]/ &&
            (t ~ /(^|[^=!<>])=($|[^=])/ || t ~ /\+\+|--/ || t ~ /^[A-Za-z_][A-Za-z0-9_]*[ \t]*\(.*\)[ \t]*;$/)) {
            e0 = s0 + index(substr(code, s0), ";") - 1
            emit("drop", s0, e0 - s0 + 1, "{ }", "drop " trim(substr(line, s0, e0 - s0 + 1)))
        }
    }

    prevend = substr(t, length(t), 1)
    prevelse = (t ~ /(^|[^A-Za-z0-9_])else$/)
    if (mode == "apply")
        print outline
}
