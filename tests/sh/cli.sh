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
