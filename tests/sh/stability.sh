#!/bin/sh
# tests/sh/stability.sh - an input's coverage does not depend on the input
# run before it, on any fuzz target (AFL++'s "stability"; issue 15).
#
# build/libfuzzer/fuzz/stability-TARGET (fuzz/engines/engine_stability.c) runs the
# shipped corpus and the grown one of bench/ in three orders in one process
# and compares each input's edges (the libFuzzer build's counters, bucketed
# as the engines bucket them) between the orders.  Any edge that differs is
# state an earlier input left behind (a cache, a dirty mark, a buffer's
# size) steering the next one: the engines would see noise, not coverage.
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
BUILD=${1:-build}
# the 2.6.14 port's bugs are findings on these inputs: switched off
BUGS_OFF=A=0,C=0,D=0,E=0,F=0,G=0,H=0,J=0,K=0,L=0,M=0,N=0,O=0,P=0
if ! make -s libfuzzer >"$T/build" 2>&1; then
    echo "not ok - the libFuzzer build (make libfuzzer)"
    tail -n 20 "$T/build"
    exit 0
fi
for t in $("$BUILD/bootfuzz" list --names); do
    bin=build/libfuzzer/fuzz/stability-$t
    seeds=corpus/$t
    [ -d "$seeds" ] || seeds=corpus/fast
    opts=""
    case $t in 2614) opts=$BUGS_OFF ;; esac
    BOOTFUZZ_OPTIONS="$opts" "$bin" "$seeds" bench/corpus-grown >"$T/out" 2>"$T/err"
    status=$?
    if [ "$status" -eq 0 ] && grep -q '^stability 100.00% (0 of [0-9]* edges vary' "$T/out"; then
        echo "ok - $t: every input's edges are the same whatever ran before it ($(tail -n 1 "$T/out"))"
    else
        echo "not ok - $t: an input's edges depend on the input before it (exit $status)"
        head -n 12 "$T/out"
        tail -n 5 "$T/err"
    fi
done
