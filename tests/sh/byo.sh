#!/bin/sh
# tests/sh/byo.sh BUILD_DIR - bring your own allocator, the way a user does
# (docs/bring-your-allocator.md): the example backend, copied to a folder
# outside the repository whose path holds a space, is built into every tool
# and engine with make BACKEND=..., checked against the shipped traces and
# corpora, fuzzed by a campaign, gated; a copy with a reset() that leaks
# state gets the RESET-LEAK message; and the project's files are unchanged.
# Builds go to a temporary BUILD, so the project's own build/ is untouched.
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
D="$T/my backend"
mkdir -p "$D" "$T/leaky copy"
cp examples/kbitmap/kbitmap.c "$D/" || exit 2
B="$T/build"
before=$(git status --porcelain 2>/dev/null)

check() { # check NAME CONDITION...
    name=$1
    shift
    if "$@"; then echo "ok - $name"; else
        echo "not ok - $name"
        [ -f "$T/out" ] && tail -n 15 "$T/out" | sed 's/^/#   /'
    fi
}
run() { "$@" >"$T/out" 2>&1; STATUS=$?; }
status_is() { [ "$STATUS" -eq "$1" ]; }
out_has() { grep -q -- "$1" "$T/out"; }

# --- one file, no edit: it registers itself
run make -s BUILD="$B" BACKEND="$D/kbitmap.c" all
check "make BACKEND='<path with a space>/kbitmap.c' builds" status_is 0
run "$B/bootfuzz" list
check "the backend is listed, checked by the invariants (no BF_PROMISES_EXACT)" out_has '^kbitmap  *invariants'
check "every fuzz target of the registry is built, kbitmap's too" test -x "$B/fuzz/replay-kbitmap"

# --- a BUILD path with a space: make says so and stops, before any rule
run make -s BUILD="$T/a build" BACKEND="$D/kbitmap.c" all
check "make BUILD='<path with a space>' refuses with a clear message" \
    sh -c '[ "$1" -ne 0 ] && grep -q "make cannot use a build directory whose path holds a space" "$2" && [ ! -e "$3" ]' \
    _ "$STATUS" "$T/out" "$T/a build"

# --- a file the backend includes (.inc, .h) is a dependency: a change to
# it rebuilds the backend (a stale binary would replay an old finding)
mkdir -p "$T/inc dir"
{ echo '#include "tag.inc"'; cat "$D/kbitmap.c"; } >"$T/inc dir/kbitmap.c"
echo 'static const char bf_tag[] __attribute__((used)) = "bf-tag-one";' >"$T/inc dir/tag.inc"
cp -Rp "$B" "$T/bi"
run make -s BUILD="$T/bi" BACKEND="$T/inc dir" "$T/bi/bootfuzz"
check "a backend directory with an .inc file builds" sh -c '[ "$1" -eq 0 ] && grep -qa bf-tag-one "$2"' _ "$STATUS" "$T/bi/bootfuzz"
sleep 1 # (a newer mtime than the object's, on any file system)
echo 'static const char bf_tag[] __attribute__((used)) = "bf-tag-two";' >"$T/inc dir/tag.inc"
run make -s BUILD="$T/bi" BACKEND="$T/inc dir" "$T/bi/bootfuzz"
check "a change to the .inc file it includes rebuilds the backend" \
    sh -c '[ "$1" -eq 0 ] && grep -qa bf-tag-two "$2"' _ "$STATUS" "$T/bi/bootfuzz"
rm -rf "$T/bi"

# --- no false findings on what the project ships
run "$B/bootfuzz" replay --target kbitmap --check-determinism corpus/fast corpus/ref corpus/2614
check "the shipped corpora replay on it with no finding, deterministically" out_has ' 0 findings, deterministic'
run "$B/bootfuzz" run --backend kbitmap tests/traces/contract
check "the contract traces run invariants-only on it: every call checked, 0 findings" \
    sh -c '[ "$1" -eq 0 ] && grep -q "[0-9]* files on kbitmap (invariants), [0-9]* checks, 0 findings" "$2"' _ "$STATUS" "$T/out"

# --- a flaw the invariants see (a block left unzeroed) fails `run` whether
# or not the trace states expectations: an invariants-only backend's answers
# are judged by the invariants also when the trace only asks for them
mkdir -p "$T/unzeroed"
sed 's|^\( *\)memset(phys_to_virt(\*addr), 0, size);|\1(void)0; /* planted: not zeroed */|' \
    "$D/kbitmap.c" >"$T/unzeroed/kbitmap.c"
cp -Rp "$B" "$T/bu"
run make -s BUILD="$T/bu" BACKEND="$T/unzeroed/kbitmap.c" "$T/bu/bootfuzz"
printf 'node 0 16 mem\nfree 0 0x10000\nalloc 100\nfree 0x0 100\nalloc 100\n' >"$T/u.trace"
printf 'node 0 16 mem = 0\nfree 0 0x10000 = 16\nalloc 100 = 0x0\nfree 0x0 100 = 1\nalloc 100 = 0x0\n' >"$T/ue.trace"
"$T/bu/bootfuzz" run --backend kbitmap "$T/u.trace" >"$T/u.out" 2>&1
u=$?
"$T/bu/bootfuzz" run --backend kbitmap "$T/ue.trace" >"$T/ue.out" 2>&1
ue=$?
check "an unzeroed block fails run with and without expectations in the trace (exit $u and $ue)" \
    sh -c '! cmp -s "$1" "$2" && [ "$3" -eq 1 ] && [ "$4" -eq 1 ] && grep -q "INVARIANT zeroed alloc kbitmap" "$5" &&
           grep -q "INVARIANT zeroed alloc kbitmap" "$6"' _ "$D/kbitmap.c" "$T/unzeroed/kbitmap.c" "$u" "$ue" "$T/u.out" "$T/ue.out"
rm -rf "$T/bu"

# --- a campaign (libFuzzer and AFL++) and the gate, with no edit to bootfuzz
# (the engines' coverage ignore list under a path with a space, as it is in
# a checkout whose path holds one: every engine build must quote it)
cp fuzz/engines/coverage-ignore.txt "$D/coverage ignore.txt"
run make -s fuzz BUILD="$B" BACKEND="$D/kbitmap.c" TARGET=kbitmap DURATION=15s JOBS=2 ENGINE=both \
    WORK="$T/work dir" CRASHES="$T/crashes" STATUS_EVERY=5 COV_IGNORE="$D/coverage ignore.txt"
check "make fuzz BACKEND=... TARGET=kbitmap ENGINE=both runs a campaign and exits 0" status_is 0
check "the campaign seeded the new target from the shipped corpora" \
    sh -c '[ "$(ls "$1" | wc -l)" -gt 100 ]' _ "$T/work dir/corpus"
check "the campaign reports no finding on the correct backend" \
    sh -c '[ -s "$1/report.md" ] && [ -z "$(ls "$2/kbitmap" 2>/dev/null)" ]' _ "$T/work dir" "$T/crashes"
run make -s gate BUILD="$B" BACKEND="$D/kbitmap.c" GATE_TARGETS=kbitmap GATE_SECONDS=5
check "the gate against it is green" sh -c '[ "$1" -eq 0 ] && grep -q "^ok - (d) 5s of fuzzing the kbitmap target" "$2"' \
    _ "$STATUS" "$T/out"

# --- a reset() that leaks state: one clear message, no wrong minimization
sed '/back to all reserved/d' "$D/kbitmap.c" >"$T/leaky copy/kbitmap.c"
cp -Rp "$B" "$T/bl" # the same objects; only the backend's is rebuilt
run make -s BUILD="$T/bl" BACKEND="$T/leaky copy/kbitmap.c" all
check "the leaky copy builds" status_is 0
mkdir -p "$T/in"
printf 'node 0 16\nfree 0 0x10000\n' >"$T/p.trace"   # leaves every page of slot 0 free
printf 'node 0 16\nalloc 4096\n' >"$T/x.trace"       # a new node in that slot
"$T/bl/bootfuzz" encode "$T/p.trace" -o "$T/in/1-p"
"$T/bl/bootfuzz" encode "$T/x.trace" -o "$T/in/2-x"
run "$T/bl/bootfuzz" replay --target kbitmap -v "$T/in"
check "replayed after the input that leaks, the finding says RESET-LEAK and why" \
    sh -c 'grep -q "2-x: bootfuzz: RESET-LEAK kbitmap: INVARIANT new-node-reserved node kbitmap" "$1" &&
           grep -q "reset() does not return it to a clean system" "$1" &&
           grep -q "The input 1 before it leaves the state behind" "$1"' _ "$T/out"
run "$T/bl/bootfuzz" minimize --target kbitmap -o "$T/x.min" "$T/in/2-x"
check "minimize refuses the input that fails only after another, naming RESET-LEAK, and writes nothing" \
    sh -c '[ "$1" -eq 1 ] && grep -q "RESET-LEAK" "$2" && [ ! -e "$3" ]' _ "$STATUS" "$T/out" "$T/x.min"
run make -s fuzz BUILD="$T/bl" BACKEND="$T/leaky copy/kbitmap.c" TARGET=kbitmap DURATION=10s JOBS=1 \
    WORK="$T/leaky work" CRASHES="$T/leaky crashes" STATUS_EVERY=5
check "a campaign on the leaky copy finds it and its log says RESET-LEAK" \
    sh -c 'grep -rqa "RESET-LEAK kbitmap" "$1/logs"' _ "$T/leaky work"
check "triage shows the campaign's RESET-LEAK (not a 'flaky' group)" \
    sh -c 'grep -q "RESET-LEAK" "$1/report.md" && ! grep -qi "flaky" "$1/report.md"' _ "$T/leaky work"
check "every artifact of that campaign is a RESET-LEAK kept with its earlier input, none 'not reproducible'" \
    sh -c 'cd "$1" && [ -s triage.tsv ] && ! cut -f3 triage.tsv | grep -qv "^reset-leak$" &&
           for d in triage/reset-leak/*/*/; do [ -f "$d/0-before" ] && [ -f "$d/1-input" ] || exit 1; done' _ "$T/leaky work"

# --- and nothing of the project changed
after=$(git status --porcelain 2>/dev/null)
check "git status shows no change to the project" [ "$before" = "$after" ]
