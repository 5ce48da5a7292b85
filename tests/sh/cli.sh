#!/bin/sh
# tests/sh/cli.sh BUILD_DIR - behaviour of the bootfuzz command line.
# Prints "ok - NAME" / "not ok - NAME" per check (counted by tests/run).

BUILD=${1:-build}
BF="$BUILD/bootfuzz"
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
D="$T/dir with space"
mkdir -p "$D"

check() { # check NAME CONDITION...
    name=$1
    shift
    if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fi
}
status_is() { [ "$STATUS" -eq "$1" ]; }
out_has() { grep -q -- "$1" "$T/out"; }
out_is() { [ "$(cat "$T/out")" = "$1" ]; }
run() { "$@" >"$T/out" 2>&1; STATUS=$?; }

# --- a malformed trace: file:line:column, exit 2
printf 'node 0 16 = 0\nfree 0 0x10000 = 16\nalloc 4096 allign=8192\n' >"$D/bad.trace"
run "$BF" run "$D/bad.trace"
check "malformed trace exits 2" status_is 2
check "malformed trace names file:line:column" out_has "$D/bad.trace:3:12: unknown argument 'allign'"

printf 'node 0 16\nalloc 0x1ffffffffffffffff\n' >"$D/big.trace"
run "$BF" run "$D/big.trace"
check "number over 2^64-1 is an error at its column" out_has "big.trace:2:7: bad number"
check "number over 2^64-1 exits 2" status_is 2

printf 'node 0 16 = 0\nalloc 4096 ! ENOSPC\n' >"$D/err.trace"
run "$BF" run "$D/err.trace"
check "unknown error name is reported at its column" out_has "err.trace:2:14: unknown error 'ENOSPC'"

printf 'frob 1 2\n' >"$D/op.trace"
run "$BF" run "$D/op.trace"
check "unknown statement is reported at column 1" out_has "op.trace:1:1: unknown statement 'frob'"

printf 'node 0 16\n%%format 9\n' >"$D/fmt.trace"
run "$BF" run "$D/fmt.trace"
check "a newer %format is refused" out_has "fmt.trace:2:9: format 9 is not known"

printf 'node 0 16 = 0\nnode 0\n' >"$D/short.trace"
run "$BF" run "$D/short.trace"
check "a missing argument is named" out_has "short.trace:2:7: node: missing END_PFN"

run "$BF" run "$D/missing.trace"
check "a missing file exits 2" status_is 2

# --- a wrong expectation: exit 1, names the line, expected and got
cat >"$D/wrong.trace" <<'EOF'
# the first fit on a fresh node is page 0
node 0 16            = 0
free 0 0x10000       = 16
alloc 4096           = 0x1000
alloc 4096           = 0x1000
EOF
run "$BF" run "$D/wrong.trace"
check "wrong expectation exits 1" status_is 1
check "wrong expectation names file:line, expected and got" \
    out_has "wrong.trace:4: alloc 4096: expected = 0x1000, got = 0x0"
check "a met expectation is not reported" sh -c "! grep -q 'wrong.trace:5' '$T/out'"

# --- numbers compare by value; per-backend expectations override
cat >"$D/values.trace" <<'EOF'
node 0 16            = 0x0
free 0 64K           = 0x10
alloc 4K align=8K    = 0   @nosuch = 0x9999
state 0              = last_pos=0 last_offset=0
EOF
run "$BF" run "$D/values.trace"
check "hex, K suffix and partial state expectations are met" status_is 0
printf 'node 0 16 = 0 @ref = 7\n' >"$D/over.trace"
run "$BF" run "$D/over.trace"
check "an @ref expectation replaces the plain one on ref" status_is 1

# --- a trace without expectations is printed back annotated
printf '# picture\nnode 0 16\nfree 0 0x10000\nalloc 100 align=0\nfree 0x5000 4096\n' >"$D/bare.trace"
run "$BF" run "$D/bare.trace"
check "annotating exits 0" status_is 0
check "annotation keeps comments" out_has "^# picture$"
check "annotation fills in values" out_has "^alloc 100  *= 0x0$"
check "annotation fills in errors" out_has "^free 0x5000 4096  *! ENOTRESERVED$"
"$BF" run "$D/bare.trace" >"$T/annotated.trace" 2>/dev/null
run "$BF" run "$T/annotated.trace"
check "an annotated trace passes as its own expectations" status_is 0

# --- directories run every *.trace, in name order
cp "$D/values.trace" "$D/wrong.trace" "$T/"
mkdir -p "$T/d"
cp "$D/values.trace" "$T/d/a.trace"
cp "$D/wrong.trace" "$T/d/b.trace"
run "$BF" run "$T/d"
check "a directory is run file by file" out_has "d/b.trace:4:"
check "a directory with a mismatch exits 1" status_is 1

# --- usage
run "$BF" --help
for c in run print encode replay minimize list help; do
    check "--help documents $c" out_has "^  $c"
done
run "$BF" run --backend nosuch "$D/values.trace"
check "unknown backend exits 2" status_is 2
run "$BF" frobnicate
check "unknown command exits 2" status_is 2
run "$BF" list
check "list shows the reference as the judge" out_has "^ref  *judge"
check "list shows fast as exact (its BF_PROMISES_EXACT flag)" out_has "^fast  *exact"
run "$BF" list --names
check "list --names prints every registered backend, one a line" \
    sh -c 'printf "ref\n2614\n2614fixed\nfast\nfast_small\n" | cmp -s - "$1"' _ "$T/out"
run "$BF" list --frob
check "list refuses an unknown flag (exit 2)" status_is 2

# --- minimize: same signature, no more calls; a clean input is refused
orig=$(ls crashes/2614/mismatch-free-last_offset-2614/originals/* 2>/dev/null | head -n 1)
if [ -n "$orig" ]; then
    opts=$(cat crashes/2614/mismatch-free-last_offset-2614/options)
    run "$BF" minimize --target 2614 --options "$opts" -o "$T/min" "$orig"
    check "minimize exits 0 on a failing input" status_is 0
    check "minimize writes the bytes and the trace" test -s "$T/min" -a -s "$T/min.trace"
    check "the minimized input keeps the signature" \
        sh -c "head -n 1 '$T/min.trace' | grep -qx '# bootfuzz: MISMATCH free last_offset 2614'"
    run "$BF" run --backend 2614 --options "$opts" "$T/min.trace"
    check "the minimized trace runs as it is and fails on the port (exit 1)" status_is 1
    run "$BF" run --backend 2614fixed "$T/min.trace"
    check "... and passes on the port without its bugs" status_is 0
    n0=$("$BF" print "$orig" | grep -c -v -E '^#|^%')
    n1=$("$BF" print "$T/min" | grep -c -v -E '^#|^%')
    check "the minimized input has no more calls ($n0 -> $n1)" test "$n1" -le "$n0"
fi
printf 'node 0 16\nfree 0 0x10000\nalloc 4096\n' >"$T/clean.trace"
"$BF" encode "$T/clean.trace" -o "$T/clean.bin"

# --- replay --precise: every node read after every call; the same verdicts
run "$BF" replay --precise --target fast corpus/fast
check "replay --precise: the fast corpus is clean (exit 0)" status_is 0
check "replay --precise says what it ran" out_has "inputs on target fast, 0 findings"
run "$BF" replay --precise --target 2614 crashes/2614/invariant-align-alloc-2614-align-gt-page-off-align-node/minimized
check "replay --precise: a reproducer is still a finding (exit 1)" status_is 1
check "replay --precise: with its signature" out_has "INVARIANT align alloc 2614"

# --- encode: fuzz inputs give backing memory to small nodes only
printf 'node 0 16 mem\nnode 16 48 mem\n' >"$D/bigmem.trace"
run "$BF" encode "$D/bigmem.trace" -o "$T/bigmem.bin"
check "encode rejects a 32-page node with memory (exit 2)" status_is 2
check "encode says where and why" out_has "bigmem.trace:2:1: a fuzz input gives backing memory only to nodes of at most 16 pages"
run "$BF" minimize --target fast "$T/clean.bin"
check "minimize refuses an input that does not fail (exit 1)" status_is 1
check "minimize says why" out_has "does not fail on target fast"

# ===== the conventions every command keeps (docs/cli.md): one test each.
# A test is one "ok"/"not ok" line; it holds for every command it applies to.
CMDS="run print encode replay minimize list"
BFA="$(cd "$(dirname "$BF")" && pwd)/$(basename "$BF")" # (for the tests that cd)
G=crashes/2614/mismatch-free-last_offset-2614
C="$T/conv"
mkdir -p "$C/empty dir" "$C/one"
printf 'node 0 16 = 0\nfree 0 0x10000 = 16\nalloc 4096 = 0x0\n' >"$C/-x.trace"
"$BF" encode -- "$C/-x.trace" >"$C/-x.bin" 2>/dev/null
cp "$C/-x.bin" "$C/one/a"
: >"$C/empty.trace"
why=""
fail() { why="$why; $*"; }
verdict() { # verdict NAME: ok if nothing failed since the last verdict
    if [ -z "$why" ]; then echo "ok - $1"; else echo "not ok - $1 (${why#; })"; fi
    why=""
}
# operand_for CMD: an input the command reads (a trace or fuzz-input bytes)
operand_for() { case $1 in run | encode) echo "-x.trace" ;; *) echo "-x.bin" ;; esac; }

# 1. help: CMD --help, CMD -h and help CMD print the command's usage, exit 0
for c in $CMDS help; do
    for form in "$c --help" "$c -h" "help $c"; do
        # shellcheck disable=SC2086
        "$BF" $form >"$T/out" 2>&1
        s=$?
        [ "$s" -eq 0 ] || fail "$form: exit $s"
        head -n 1 "$T/out" | grep -q "^usage: bootfuzz $c" || fail "$form: no usage line"
    done
    cmp -s "$T/out" "$("$BF" "$c" --help >"$T/out2" 2>&1; echo "$T/out2")" || fail "help $c differs from $c --help"
done
"$BF" help nosuch >"$T/out" 2>&1 && fail "help nosuch: exit 0"
verdict "every command: CMD --help, CMD -h and bootfuzz help CMD show its usage (exit 0)"

# 2. -- ends the options everywhere: an operand that starts with '-' is read
#    after it, and refused as an unknown option (exit 2) without it
for c in run print encode replay minimize; do
    f=$(operand_for "$c")
    (cd "$C" && "$BFA" "$c" "$f" >"$T/out" 2>&1)
    s=$?
    [ "$s" -eq 2 ] && grep -q "^bootfuzz: $c: unknown option '$f'" "$T/out" || fail "$c $f: exit $s, not the unknown option"
    (cd "$C" && "$BFA" "$c" -- "$f" >"$T/out" 2>&1)
    s=$?
    case $c in minimize) want=1 ;; *) want=0 ;; esac # (a clean input: nothing to minimize)
    [ "$s" -eq "$want" ] || fail "$c -- $f: exit $s, want $want: $(head -n 1 "$T/out")"
done
verdict "every command: -- ends the options (CMD -- -x reads the file -x; CMD -x is an unknown option)"

# 3. options and operands in any order; --name=value is --name value
"$BF" replay "$C/one" --target=2614 --option="$(cat "$G/options")" >"$T/out" 2>&1 || fail "replay DIR --target=2614: exit $?"
grep -q "on target 2614" "$T/out" || fail "replay: --target=2614 after the operand was not taken"
"$BF" encode "$C/-x.trace" --output="$C/o1" && "$BF" encode -o "$C/o2" "$C/-x.trace" && cmp -s "$C/o1" "$C/o2" ||
    fail "encode: -o FILE before, --output=FILE after the operand differ"
"$BF" run "$C/-x.trace" -t 2614 --option A=0 >/dev/null 2>&1 || fail "run TRACE -t 2614: exit $?"
verdict "every command: options before or after operands, --name=value or --name value"

# 4. the same option names in every command that runs a backend
for c in run replay minimize; do
    f="$C/$(operand_for "$c")"
    for o in -t --target -b --backend; do
        "$BF" "$c" "$o" nosuch "$f" >"$T/out" 2>&1
        s=$?
        [ "$s" -eq 2 ] && grep -q "^bootfuzz: $c: unknown backend 'nosuch'" "$T/out" || fail "$c $o: exit $s"
    done
    for o in --option --options; do
        "$BF" "$c" -t 2614 "$o" Z=1 "$f" >"$T/out" 2>&1
        grep -q "^bootfuzz: $c: backend 2614 has no option 'Z' (its options: A C D E F G H J K L M N O P" "$T/out" ||
            fail "$c $o: not taken, or without the backend's own list of options"
    done
    "$BF" "$c" --check bogus "$f" >"$T/out" 2>&1
    grep -q "^bootfuzz: $c: --check 'bogus'" "$T/out" || fail "$c --check: not taken"
    for o in --invariants --exact -v; do
        [ "$c$o" = minimize-v ] && continue
        "$BF" "$c" "$o" -t nosuch "$f" >"$T/out" 2>&1
        grep -q "unknown backend 'nosuch'" "$T/out" || fail "$c $o: not an option of $c"
    done
done
verdict "run, replay, minimize: the same option names (-t/--target/--backend, --option(s), --check, --invariants, --exact)"

# 5. one value syntax, on the command line, in BOOTFUZZ_OPTIONS and in the
#    stored options files: a comma list, or --option repeated; NAME=VALUE only
if [ -d "$G" ]; then
    opts=$(cat "$G/options")
    repeated=$(echo "$opts" | tr ',' '\n' | sed 's/^/--option /' | tr '\n' ' ')
    "$BF" run -t 2614 --option "$opts" "$G/minimized.trace" >"$T/a" 2>&1
    sa=$?
    # shellcheck disable=SC2086
    "$BF" run -t 2614 $repeated "$G/minimized.trace" >"$T/b" 2>&1
    sb=$?
    [ "$sa" -eq 1 ] && [ "$sb" -eq 1 ] && cmp -s "$T/a" "$T/b" || fail "run: --option LIST ($sa) and repeated --option ($sb) differ"
    "$BF" replay -t 2614 --option "$opts" "$G/minimized" >"$T/a" 2>/dev/null
    # shellcheck disable=SC2086
    "$BF" replay -t 2614 $repeated "$G/minimized" >"$T/b" 2>/dev/null
    BOOTFUZZ_OPTIONS="$opts" "$BF" replay -t 2614 "$G/minimized" >"$T/c" 2>/dev/null
    grep -q "MISMATCH" "$T/a" && cmp -s "$T/a" "$T/b" && cmp -s "$T/a" "$T/c" ||
        fail "replay: --option LIST, repeated --option and BOOTFUZZ_OPTIONS differ"
    # every switch in the list counts: all off, the port passes (its one bug, H, is last but 6)
    off=$(echo "$opts" | sed 's/=1/=0/g')
    for c in run replay; do
        f="$G/minimized$( [ "$c" = run ] && echo .trace)"
        "$BF" "$c" -t 2614 --option "$off" "$f" >/dev/null 2>&1 || fail "$c --option ALL-OFF-LIST: exit $?"
        # shellcheck disable=SC2046
        "$BF" "$c" -t 2614 $(echo "$off" | tr ',' '\n' | sed 's/^/--option=/') "$f" >/dev/null 2>&1 ||
            fail "$c --option=X=0 repeated: exit $?"
        BOOTFUZZ_OPTIONS="$off" "$BF" "$c" -t 2614 "$f" >/dev/null 2>&1 || fail "$c BOOTFUZZ_OPTIONS=ALL-OFF: exit $?"
    done
fi
for c in run replay minimize; do
    f="$C/$(operand_for "$c")"
    "$BF" "$c" -t 2614 --option A "$f" >"$T/out" 2>&1
    s=$?
    [ "$s" -eq 2 ] && grep -q "^bootfuzz: $c: --option 'A': no value" "$T/out" || fail "$c --option A: exit $s"
    BOOTFUZZ_OPTIONS=A "$BF" "$c" -t 2614 "$f" >"$T/out" 2>&1
    grep -q "^bootfuzz: $c: BOOTFUZZ_OPTIONS 'A': no value" "$T/out" || fail "$c BOOTFUZZ_OPTIONS=A: taken"
    "$BF" "$c" -t 2614 --option A=2 "$f" >"$T/out" 2>&1
    s=$?
    [ "$s" -eq 2 ] && grep -q "^bootfuzz: $c: backend 2614 refuses the value 2 for option A" "$T/out" ||
        fail "$c --option A=2: exit $s: $(head -n 1 "$T/out")"
    "$BF" "$c" -t 2614 --option A=zero "$f" >"$T/out" 2>&1
    grep -q "the value 'zero' is not a number" "$T/out" || fail "$c --option A=zero"
done
# the fuzz targets read BOOTFUZZ_OPTIONS themselves (fuzz/core/lockstep.c): the
# same syntax, the same errors, and no input runs under options not taken
if [ -x "$BUILD/fuzz/replay-2614" ]; then
    f="$C/$(operand_for replay)"
    for ov in "A:give NAME=VALUE" "A=2:refuses the value 2 for option A" "Z=1:has no option 'Z'" \
        "A=x:the value is not a number"; do
        BOOTFUZZ_OPTIONS=${ov%%:*} "$BUILD/fuzz/replay-2614" "$f" >"$T/out" 2>&1
        s=$?
        [ "$s" -ne 0 ] && grep -q "${ov#*:}" "$T/out" || fail "replay-2614 BOOTFUZZ_OPTIONS=${ov%%:*}: exit $s: $(grep bootfuzz "$T/out" | head -n 1)"
    done
fi
verdict "every command: one option syntax (NAME=VALUE lists, repeatable; the stored options files; BOOTFUZZ_OPTIONS); bad ones named"

# 6. errors say "bootfuzz: CMD: ARGUMENT: the real problem"
for c in run print encode replay minimize; do
    "$BF" "$c" "$C/nosuch" >"$T/out" 2>&1
    s=$?
    [ "$s" -eq 2 ] && grep -q "^bootfuzz: $c: $C/nosuch: cannot read: No such file or directory" "$T/out" ||
        fail "$c MISSING: exit $s: $(head -n 1 "$T/out")"
done
for c in print encode minimize; do
    "$BF" "$c" "$C/one" >"$T/out" 2>&1
    s=$?
    [ "$s" -eq 2 ] && grep -q "^bootfuzz: $c: $C/one: cannot read: Is a directory" "$T/out" ||
        fail "$c DIR: exit $s: $(head -n 1 "$T/out")"
done
printf 'node 0 16\nalloc 4096 frob\n' >"$C/bad.trace"
for c in run encode; do
    "$BF" "$c" "$C/bad.trace" >"$T/out" 2>&1
    grep -q "^bootfuzz: $c: $C/bad.trace:2:12: bad number" "$T/out" || fail "$c: a malformed trace: $(head -n 1 "$T/out")"
done
for c in $CMDS; do
    "$BF" "$c" --frob >"$T/out" 2>&1
    s=$?
    [ "$s" -eq 2 ] && grep -q "^bootfuzz: $c: unknown option '--frob'" "$T/out" || fail "$c --frob: exit $s"
done
verdict "every command: errors name the command, the argument and the real problem (exit 2)"

# 7. nothing to do is not success: no calls, no files, nothing readable
"$BF" run "$C/empty.trace" >"$T/out" 2>&1
[ $? -eq 2 ] && grep -q "no calls in this trace: nothing to run" "$T/out" || fail "run EMPTY.trace"
printf '# only a comment\n\n' >"$C/comment.trace"
"$BF" run "$C/comment.trace" >/dev/null 2>&1
[ $? -eq 2 ] || fail "run COMMENT-ONLY.trace"
# (encode is not "nothing to do": a trace without calls is the input of no
# calls, which prints back as none: print -> encode -> print stays the
# identity for every input, tests/sh/corpus.sh)
for tr in empty comment; do
    rm -f "$C/enc.bin"
    "$BF" encode -o "$C/enc.bin" "$C/$tr.trace" >"$T/out" 2>&1
    s=$?
    [ "$s" -eq 0 ] && [ -s "$C/enc.bin" ] && [ -z "$("$BF" print "$C/enc.bin" 2>/dev/null | grep -v '^[#%]' | grep .)" ] ||
        fail "encode $tr.trace: exit $s; the input of no calls, printing back as none, wanted"
done
"$BF" run "$C/empty dir" >"$T/out" 2>&1
[ $? -eq 2 ] && grep -q "no \*.trace file in it" "$T/out" || fail "run EMPTY-DIR"
"$BF" replay "$C/empty dir" >"$T/out" 2>&1
[ $? -eq 2 ] && grep -q "no input file in it" "$T/out" || fail "replay EMPTY-DIR"
"$BF" replay "$C/nosuch" >/dev/null 2>&1
[ $? -eq 2 ] || fail "replay MISSING"
ln -s nowhere "$C/one/b-dangling"
"$BF" replay "$C/one" >"$T/out" 2>&1
[ $? -eq 2 ] && grep -q " 1 inputs on target fast" "$T/out" || fail "replay: an unreadable entry is counted as an input or exits 0"
rm -f "$C/one/b-dangling"
verdict "every command: nothing to do (no calls, no files, unreadable input) exits 2, and is not counted as done"

# 8. a trace is read a line at a time: a million lines in little memory, and
#    the mismatch on the last line is still found
{
    printf 'node 0 16 = 0\nfree 0 0x10000 = 16\n'
    yes 'alloc 4096 = 0x0
free 0 4096 = 1' | head -n 1000000
    printf 'alloc 4096 = 0x5000\n'
} >"$C/long.trace"
if [ -x /usr/bin/time ]; then
    # (an ASan build keeps freed memory aside, 256 MB of it by default)
    ASAN_OPTIONS=quarantine_size_mb=4 /usr/bin/time -f '%M' -o "$T/rss" "$BF" run "$C/long.trace" >"$T/out" 2>&1
    s=$?
    rss=$(tail -n 1 "$T/rss")
else
    "$BF" run "$C/long.trace" >"$T/out" 2>&1
    s=$? rss=0
fi
[ "$s" -eq 1 ] && grep -q "long.trace:1000003: alloc 4096: expected = 0x5000, got = 0x0" "$T/out" ||
    fail "the last line's mismatch: exit $s"
# (the whole trace held in memory took 470 MB; one line at a time, 2 MB)
[ "$rss" -lt 65536 ] || fail "a 1,000,003-line trace took ${rss} KB (at most 64 MB)"
printf 'node 0 16\nalloc 4096\n' | "$BF" run - >"$T/out" 2>&1 && grep -q '^alloc 4096  *! ENOMEM' "$T/out" ||
    fail "run - (standard input)"
verdict "run reads a trace a line at a time (1,000,003 lines in ${rss} KB; standard input too)"

# ===== the make side
# 9. WRITEBACK=1 merges: a campaign's corpus joins the seed corpus only for
#    the edges it adds (scripts/corpus writeback: libFuzzer's set-cover merge
#    against the seeds), clean inputs only, each with its trace; a second
#    writeback of the same inputs adds nothing
LFB="$BUILD/libfuzzer/fuzz/libfuzzer-2614"
if [ -x "$LFB" ] || make -s libfuzzer >/dev/null 2>&1; then
    W="$T/wb"
    mkdir -p "$W/corpus/2614" "$W/in"
    for f in $(ls corpus/2614 | head -n 5); do cp "corpus/2614/$f" "$W/corpus/2614/"; done
    cp corpus/2614/* "$W/in/"
    n_in=$(ls "$W/in" | wc -l)
    for d in crashes/2614/*/; do cp "$d/minimized" "$W/in/unclean-$(basename "$d")"; done
    CORPUS="$W/corpus" BUILD="$BUILD" sh scripts/corpus writeback 2614 "$W/in" >"$T/out" 2>&1
    s=$?
    added=$(ls "$W/corpus/2614" | wc -l)
    added=$((added - 5))
    traces=$(ls "$W/corpus/traces/2614" 2>/dev/null | wc -l)
    [ "$s" -eq 0 ] || fail "writeback: exit $s: $(tail -n 3 "$T/out")"
    [ "$added" -gt 0 ] || fail "writeback added nothing"
    # (without the merge, every clean input not yet there would be added)
    [ "$added" -lt $((n_in - 5)) ] || fail "writeback added $added of $((n_in - 5)) new clean inputs: not merged"
    [ "$traces" -eq "$added" ] || fail "writeback: $traces traces for $added entries"
    for f in "$W/corpus/2614"/*; do
        "$BF" replay -t 2614 "$f" >/dev/null 2>&1 || { fail "writeback stored $f, which has a finding"; break; }
    done
    grep -q "$added new entries ($((n_in + $(ls -d crashes/2614/*/ | wc -l))) inputs: $(ls -d crashes/2614/*/ | wc -l) with findings" "$T/out" ||
        fail "writeback's summary: $(tail -n 1 "$T/out")"
    CORPUS="$W/corpus" BUILD="$BUILD" sh scripts/corpus writeback 2614 "$W/in" >"$T/out" 2>&1
    grep -q "^$W/corpus/2614: 0 new entries" "$T/out" || fail "a second writeback: $(tail -n 1 "$T/out")"
    verdict "make fuzz WRITEBACK=1 merges against the seeds ($n_in clean inputs, 5 seeds: $added added)"
    # the same from a checkout whose path holds a space (libFuzzer starts
    # the merge's child through the shell): the engine reached through such
    # a path adds the same; a merge that never succeeds writes nothing and
    # says so (it used to report "0 new entries" and exit 0)
    mkdir -p "$W/a dir" "$W/c2/2614" "$W/c3/2614"
    ln -s "$(cd "$(dirname "$LFB")" && pwd)/$(basename "$LFB")" "$W/a dir/libfuzzer-2614"
    for f in $(ls corpus/2614 | head -n 5); do cp "corpus/2614/$f" "$W/c2/2614/"; cp "corpus/2614/$f" "$W/c3/2614/"; done
    CORPUS="$W/c2" BUILD="$BUILD" LIBFUZZER="$W/a dir/libfuzzer-2614" sh scripts/corpus writeback 2614 "$W/in" \
        >"$T/out" 2>&1
    s=$?
    a2=$(($(ls "$W/c2/2614" | wc -l) - 5))
    [ "$s" -eq 0 ] && [ "$a2" -eq "$added" ] || fail "writeback through an engine path with a space: exit $s, $a2 added ($added wanted)"
    printf '#!/bin/sh\necho "MERGE-OUTER: attempt 1"\n' >"$W/a dir/no-merge"
    chmod +x "$W/a dir/no-merge"
    CORPUS="$W/c3" BUILD="$BUILD" LIBFUZZER="$W/a dir/no-merge" sh scripts/corpus writeback 2614 "$W/in" >"$T/out" 2>&1
    s=$?
    [ "$s" -ne 0 ] && [ "$(ls "$W/c3/2614" | wc -l)" -eq 5 ] && grep -q "merge .* failed" "$T/out" ||
        fail "a merge that did not succeed: exit $s, $(ls "$W/c3/2614" | wc -l) entries (5 wanted): $(tail -n 1 "$T/out")"
    verdict "writeback through an engine path with a space adds the same ($a2); a failed merge writes nothing, exit non-zero"
else
    echo "not ok - make libfuzzer (for the writeback test) failed"
fi

# 9b. make refuses a wrong ENGINE before building anything, and make clean
#     removes the BUILD it is given, not ./build
make -s fuzz ENGINE=bogus BUILD="$T/never" >"$T/out" 2>&1
s=$?
[ "$s" -ne 0 ] && grep -q "ENGINE=bogus: no such engine" "$T/out" && [ ! -e "$T/never/obj" ] &&
    [ ! -e "$T/never/bootfuzz" ] ||
    fail "make fuzz ENGINE=bogus: exit $s, built: $(ls "$T/never" 2>/dev/null | head -n 3 | tr '\n' ' ')"
mkdir -p "$T/cb/obj"
make -s clean BUILD="$T/cb" >/dev/null 2>&1
[ ! -e "$T/cb" ] && [ -x "$BUILD/bootfuzz" ] || fail "make clean BUILD=DIR: DIR $( [ -e "$T/cb" ] && echo kept), $BUILD/bootfuzz $( [ -x "$BUILD/bootfuzz" ] || echo gone)"
verdict "make fuzz ENGINE=bogus is refused before any build; make clean BUILD=DIR cleans DIR only"

# 10. make fuzz: a word before the build, and Ctrl-C (at a terminal) stops
#     the campaign cleanly: exit 0, a summary, no "*** Interrupt" from make.
#     (a pseudo-terminal, as a user's: Ctrl-C is the byte 0x03 typed at it,
#     sent 3 s after the campaign has started)
if command -v python3 >/dev/null 2>&1 && [ -x "$LFB" ]; then
    python3 - "$T/fuzz.out" make fuzz TARGET=fast DURATION=120s JOBS=1 "WORK=$T/fw" "CRASHES=$T/fc" \
        "BUILD=$BUILD" <<'PY'
import os, pty, select, sys, time
out, argv = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
buf, sent_at, started, t0 = b"", None, None, time.time()
while True:
    if started is None and b"campaign: target" in buf:
        started = time.time()
    if started is not None and sent_at is None and time.time() - started > 3:
        os.write(fd, b"\x03")
        sent_at = time.time()
    if time.time() - t0 > 600:
        os.kill(pid, 9)
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            d = os.read(fd, 4096)
        except OSError:
            d = b""
        buf += d
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        break
open(out, "wb").write(buf.replace(b"\r", b"") + b"\nexit %d\n" % os.waitstatus_to_exitcode(st))
PY
    head -n 1 "$T/fuzz.out" | grep -q '^make fuzz: building' || fail "the first line is not what make builds: $(head -n 1 "$T/fuzz.out")"
    grep -q '^exit 0$' "$T/fuzz.out" || fail "make fuzz after Ctrl-C: $(tail -n 1 "$T/fuzz.out")"
    grep -q 'Interrupt' "$T/fuzz.out" && fail "make fuzz after Ctrl-C: $(grep Interrupt "$T/fuzz.out" | head -n 1)"
    grep -q '^campaign: stopped after \([0-9]\|1[0-9]\)s' "$T/fuzz.out" && grep -q '^campaign: report in' "$T/fuzz.out" ||
        fail "make fuzz after Ctrl-C: no summary, or not stopped at once: $(grep 'stopped after' "$T/fuzz.out")"
    verdict "make fuzz: says what it builds; Ctrl-C stops the campaign with its summary and exit 0"
else
    echo "not ok - make fuzz and Ctrl-C: needs python3 (a pseudo-terminal) and the libFuzzer build"
fi
