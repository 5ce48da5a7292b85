#!/bin/sh
# tests/sh/suppress.sh BUILD_DIR - known findings can be suppressed: an input
# that hits one ends quietly (counted, no report, no abort, no artifact) and
# the fuzzer keeps looking; everything else is still reported.
BUILD=${1:-build}
BF="$BUILD/bootfuzz"
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
check() { # check NAME CONDITION...
    name=$1
    shift
    if "$@"; then echo "ok - $name"; else
        echo "not ok - $name"
        tail -n 10 "$T/out" 2>/dev/null | sed 's/^/#   /'
    fi
}
A=crashes/2614/oops-2614-oops-read-of-bit-n-past-node_bootmem_map
K=crashes/2614/oops-2614-oops-null-node_bootmem_map
ALL_ON=A=1,C=1,D=1,E=1,F=1,G=1,H=1,J=1,K=1,L=1,M=1,N=1,O=1,P=1
ONLY_A=A=1,C=0,D=0,E=0,F=0,G=0,H=0,J=0,K=0,L=0,M=0,N=0,O=0,P=0
# bug A's two faces (docs/bugs2614.md), from alloc and alloc_node alike
printf '# bug A of the 2.6.14 port: known\n\n  OOPS 2614 "oops: read of bit N past *\nBUG 2614 "start >= eidx" *\n' >"$T/supp"
mkdir -p "$T/dir"
cp "$A/minimized" "$T/dir/a"
cp "$K/minimized" "$T/dir/k"

"$BF" replay --target 2614 --options "$ALL_ON" --suppressions "$T/supp" "$T/dir" >"$T/out" 2>&1
status=$?
check "replay --suppressions: bug A's input ends quietly, counted; bug K's is still reported" \
    sh -c '[ "$1" -eq 1 ] && ! grep -q "/a: bootfuzz:" "$2" && grep -q "/k: bootfuzz: OOPS" "$2" &&
           grep -q "bootfuzz: 1 inputs ended on suppressed findings" "$2"' _ "$status" "$T/out"
BOOTFUZZ_SUPPRESSIONS="$T/supp" "$BF" replay --target 2614 --options "$ALL_ON" "$T/dir/a" >"$T/out" 2>&1
check "BOOTFUZZ_SUPPRESSIONS does the same" [ $? -eq 0 ]
: >"$T/empty"
"$BF" replay --target 2614 --suppressions "$T/empty" "$T/dir/a" >"$T/out" 2>&1
check "a suppressions file with no pattern is an error (exit 2), not 'suppress nothing'" \
    sh -c '[ "$1" -eq 2 ] && grep -q "no pattern" "$2"' _ $? "$T/out"
"$BF" replay --target 2614 --suppressions "$T/nosuch" "$T/dir/a" >"$T/out" 2>&1
check "a missing suppressions file is an error (exit 2)" [ $? -eq 2 ]

# the engine: bug A alone on, suppressed, 20000 runs from an empty corpus go
# by with no crash and the count printed; unsuppressed it crashes at once
R="$BUILD/fuzz/replay-2614"
if make -s libfuzzer >"$T/build" 2>&1; then
    LF=build/libfuzzer/fuzz/libfuzzer-2614
    mkdir -p "$T/c1" "$T/c2" "$T/art"
    BOOTFUZZ_OPTIONS=$ONLY_A BOOTFUZZ_SUPPRESSIONS="$T/supp" BOOTFUZZ_STATS="$T/stats" "$LF" \
        -runs=20000 -seed=1 -artifact_prefix="$T/art/" "$T/c1" >"$T/out" 2>&1
    status=$?
    n=$(sed -n 's/^bootfuzz: \([0-9]*\) inputs ended on suppressed findings$/\1/p' "$T/out")
    check "libFuzzer with bug A suppressed: 20000 runs, no crash, no artifact, ${n:-0} suppressed inputs counted" \
        sh -c '[ "$1" -eq 0 ] && [ "${2:-0}" -gt 0 ] && [ -z "$(ls "$3")" ]' _ "$status" "$n" "$T/art"
    check "... and the count goes to BOOTFUZZ_STATS for the campaign to add up" \
        grep -qx "suppressed $n" "$T/stats"
    BOOTFUZZ_OPTIONS=$ONLY_A "$LF" -runs=20000 -seed=1 -artifact_prefix="$T/art/" "$T/c2" >"$T/out" 2>&1
    check "... and without the suppression the same run stops on bug A (one of its faces)" \
        sh -c '[ "$1" -ne 0 ] && grep -qE "^bootfuzz: (OOPS 2614 \"oops: read of bit|BUG 2614 \"start >= eidx)" "$2"' _ $? "$T/out"
else
    echo "not ok - make libfuzzer"
fi
[ -x "$R" ] || echo "not ok - $R is missing"

# every stored signature, pasted as printed (brackets and all), suppresses
# its own group's reproducer and no other
for d in crashes/2614/*/; do
    d=${d%/}
    cat "$d/signature" >"$T/one.supp"
    "$BF" replay --target 2614 --options "$(cat "$d/options")" --suppressions "$T/one.supp" \
        "$d/minimized" >"$T/one.out" 2>&1
    [ $? -eq 0 ] || echo "$d" >>"$T/not-suppressed"
done
cat crashes/2614/*/signature | head -n 1 >"$T/first.supp"
others=0
for d in crashes/2614/*/; do
    d=${d%/}
    [ "$(cat "$d/signature")" = "$(cat "$T/first.supp")" ] && continue
    "$BF" replay --target 2614 --options "$(cat "$d/options")" --suppressions "$T/first.supp" \
        "$d/minimized" >/dev/null 2>&1 && others=$((others + 1))
done
check "a signature pasted as printed suppresses its own group ($(ls -d crashes/2614/*/ | wc -l) groups) and no other" \
    sh -c '[ ! -s "$1" ] && [ "$2" -eq 0 ]' _ "$T/not-suppressed" "$others"
