#!/bin/sh
# tests/sh/mutants.sh BUILD_DIR - mutation testing (scripts/mutants), fast:
# chosen mutants of fast (impl/fast/), 2 s of fuzzing each, no unit tests.
#   - the list of mutants is deterministic, the same from a copy of the
#     file in a directory whose name holds a space, and has every operator;
#     the list of a part (impl/fast/bits.h, included by fast.c) holds its
#     own lines only, and a mutant of it is built through fast.c;
#   - a dropped merge cancel (the canary's bug, always) is killed, by the
#     tests and by the fuzzer, with its signature; a mutant that does not
#     compile (-Werror) is "stillborn"; dropping a call of a macro that
#     expands to nothing is "equivalent" (same object code);
#   - a second run on the same OUT refuses (exit 3); the run killed with
#     kill -9 mid-mutant leaves the original file byte-identical, and the
#     next run finishes the job (exit 0: no survivor);
#   - OUT's path holds a space.
# The mutants build their own base (in OUT); BUILD_DIR is not used.
# Prints "ok - NAME" / "not ok - NAME".
T=$(mktemp -d) || exit 2
W=$T # tests/sh/lib/procs.sh: every process of ours works below it
. tests/sh/lib/procs.sh
trap cleanup EXIT
trap 'exit 130' INT TERM
O="$T/out dir"
F=impl/fast/fast.c
P=impl/fast/bits.h    # parts of fast.c's unit
H=impl/fast/summaries.h
sums() { cat impl/fast/* | cksum; }
sum0=$(sums)
git0=$(git status --porcelain -- impl/fast 2>/dev/null)

check() { # check NAME CONDITION...
    name=$1
    shift
    if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fi
}
untouched() { [ "$(sums)" = "$sum0" ] && [ "$(git status --porcelain -- impl/fast 2>/dev/null)" = "$git0" ]; }

# --- the list
sh scripts/mutants --list "$F" >"$T/l1" 2>"$T/l1.err"
sh scripts/mutants --list "$F" >"$T/l2" 2>&1
mkdir -p "$T/a dir"
cp impl/fast/* "$T/a dir/" # the unit and its parts
sh scripts/mutants --list "$T/a dir/fast.c" >"$T/l3" 2>&1
check "the mutant list is deterministic ($(wc -l <"$T/l1") mutants of $F, twice the same)" \
    sh -c '[ "$(wc -l <"$1")" -gt 200 ] && cmp -s "$1" "$2"' _ "$T/l1" "$T/l2"
check "the same list from a copy in a directory whose name holds a space" cmp -s "$T/l1" "$T/l3"
check "every operator has mutants (ror aor const neg drop)" sh -c 'for o in ror aor const neg drop; do
    cut -f3 "$1" | grep -qx "$o" || exit 1; done' _ "$T/l1"
check "no mutant in a comment, a string, a preprocessor line or code the compiler does not see" \
    sh -c '! grep -q "BF_FAST_CANARY\|cancel = cancel && cnt > 1\|#define\|verify_or_die" "$1"' _ "$T/l1"

sh scripts/mutants --list "$P" >"$T/lp" 2>&1
sh scripts/mutants --list "$H" >"$T/lh" 2>&1
check "a part's list ($P: $(wc -l <"$T/lp") mutants) holds its own functions only, none of fast.c's" \
    sh -c '[ "$(wc -l <"$1")" -gt 100 ] && cut -f4 "$1" | grep -qx bits_reserve &&
        ! cut -f4 "$1" | grep -qx "f_free\|f_reserve\|merge_or_not\|flush"' _ "$T/lp"

# nothing to mutate is an error, not an empty list: a header without code,
# a directory (each says which)
sh scripts/mutants --list impl/fast/geometry.h >"$T/lg" 2>&1
rg=$?
sh scripts/mutants --list impl/fast >"$T/ld" 2>&1
rd=$?
check "--list of a file without code, or of a directory, exits 2 and says why (exit $rg, $rd)" \
    sh -c '[ "$1" -eq 2 ] && [ "$2" -eq 2 ] && grep -q "no mutant in impl/fast/geometry.h" "$3" &&
        grep -q "impl/fast: a directory" "$4"' _ "$rg" "$rd" "$T/lg" "$T/ld"

# a mutant's messages name files as the user knows them: not the mutant's
# copy of the tree, and a user's backend where the user keeps it
got=$(printf '%s\n' "/o/7/src/user-backend/mine.c:213:9: error: x" "ASan /o/7/src/impl/fast/bits.h:5 in f" |
    awk -f scripts/lib/shown_paths.awk -v p=/o/7/src/ -v u="/home/me/my alloc")
check "a mutant's messages name the user's own file, and the tree's files without the copy's path" \
    [ "$got" = "/home/me/my alloc/mine.c:213:9: error: x
ASan impl/fast/bits.h:5 in f" ]

pick() { awk -F'\t' "$1"' { print $1; exit }' "${2:-$T/l1}"; }
kill=$(pick '$4 == "f_free" && $5 == "drop n->last_offset = 0;"')
still=$(pick '$4 == "bits_any_free" && $7 ~ /w\[ja\] \| ma & mb/' "$T/lp")
equiv=$(pick '$4 == "f_free" && $3 == "drop" && $5 ~ /VERIFY/')
if [ -z "$kill" ] || [ -z "$still" ] || [ -z "$equiv" ]; then
    echo "not ok - the chosen mutants are in the list (kill '$kill', stillborn '$still', equivalent '$equiv')"
    exit 0
fi
run() { env OUT="$O" MUTANT_IDS="$kill $equiv" FUZZ_SECS=2 SEED=1 JOBS=1 MUTANT_UNITS=none sh scripts/mutants "$F"; }

# --- a run, a second one on the same OUT, kill -9
env OUT="$O" MUTANT_IDS="$kill $equiv" FUZZ_SECS=2 SEED=1 JOBS=1 MUTANT_UNITS=none \
    sh scripts/mutants "$F" >"$T/a" 2>&1 &
a=$!
i=0
while [ "$i" -lt 600 ] && [ ! -d "$O/$kill/src" ] && kill -0 "$a" 2>/dev/null; do
    sleep 0.2
    i=$((i + 1))
done
run >"$T/b" 2>&1
rc=$?
check "a second run on the same OUT refuses (exit $rc, 3 wanted)" \
    sh -c '[ "$1" -eq 3 ] && grep -q "is in use by another run (pid $2, " "$3"' _ "$rc" "$a" "$T/b"
kill -9 "$a" 2>/dev/null
check "killed with kill -9 while a mutant builds ($([ -d "$O/$kill/src" ] && echo it did || echo 'it had not started'))" \
    sh -c '! kill -0 "$1" 2>/dev/null' _ "$a"
check "the original $F is byte-identical after kill -9" untouched
# the killed run's last mutant finishes on its own and frees OUT
flock -w 120 "$O/.lock" true
check "the original $F is byte-identical once its last mutant is done" untouched

# --- the next run finishes the job
run >"$T/c" 2>&1
rc=$?
row() { awk -F'\t' -v id="$1" '$1 == id' "$O/results.tsv"; }
check "the run ends with exit 0 (no survivor) and a kill matrix (exit $rc)" \
    sh -c '[ "$1" -eq 0 ] && grep -q "^| id | line | function | operator |" "$2" && grep -q "^- killed by either: 1 of 1; survivors: 0" "$2"' \
    _ "$rc" "$T/c"
check "mutant $kill (drop n->last_offset = 0 in f_free) is killed by the tests and by fuzzing, with its signature" \
    sh -c 'printf "%s\n" "$1" | awk -F"\t" '\''$6 == "killed" && $7 ~ /^killed: / && $8 == "killed" && $9 + 0 <= 2.9 && $11 ~ /^MISMATCH .*last_offset fast/ { f = 1 } END { exit !f }'\''' \
    _ "$(row "$kill")"
check "mutant $equiv (a dropped VERIFY, which expands to nothing) is equivalent: same object code" \
    sh -c 'printf "%s\n" "$1" | awk -F"\t" '\''$6 == "equivalent" { f = 1 } END { exit !f }'\''' _ "$(row "$equiv")"
check "the original $F is byte-identical at the end" untouched
check "each mutant left its diff, and no copy of the tree" \
    sh -c 'for i in $2; do [ -s "$1/$i/mutant.diff" ] && [ ! -e "$1/$i/src" ] || exit 1; done' _ "$O" "$kill $equiv"

# --- a part: its mutant is compiled through fast.c (a compile error there
# shows it was), in the same OUT (the base is reused; ids are the part's)
env OUT="$O" MUTANT_IDS="$still" FUZZ_SECS=2 SEED=1 JOBS=1 MUTANT_UNITS=none sh scripts/mutants "$P" >"$T/p" 2>&1
check "mutant $still of $P ((w[ja] | ma & mb): -Werror) is stillborn, with the compiler's error in $P" \
    sh -c 'printf "%s\n" "$1" | awk -F"\t" '\''$6 == "stillborn" && $11 ~ /bits\.h.*parentheses/ { f = 1 } END { exit !f }'\''' \
    _ "$(row "$still")"
check "the base build was reused for the part (same tree)" grep -q "reusing the build" "$T/p"

# --- a mutant that hangs (a dropped step of a loop) is killed by a test that
# runs out of time, and the matrix says so, whatever the stage; a result
# holds only under the settings it was made with (here the time box)
hang=$(pick '$4 == "mark_range" && $5 == "drop mark_dirty(n, ++bi);"' "$T/lh")
F=$H
for tmo in 3 4; do
    env OUT="$O" MUTANT_IDS="$hang" MUTANT_TEST_TIMEOUT=$tmo FUZZ_SECS=2 SEED=1 JOBS=1 MUTANT_UNITS=none \
        sh scripts/mutants "$F" >"$T/h$tmo" 2>&1
done
check "mutant $hang (an endless loop) is killed by a test's timeout, and the matrix says so" \
    sh -c 'printf "%s\n" "$1" | awk -F"\t" '\''$6 == "killed" && $7 ~ /\(timeout, 4s\)$/ { f = 1 } END { exit !f }'\''' \
    _ "$(row "$hang")"
check "a result made under another time box is not reused" \
    sh -c 'grep -q "timeout, 3s" "$1" && ! grep -q "earlier result" "$2"' _ "$T/h3" "$T/h4"
