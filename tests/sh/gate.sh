#!/bin/sh
# tests/sh/gate.sh - the merge gate is green on the tree as it is and red on
# the canary (the fast allocator with a planted bug, make canary): a gate
# that cannot fail would be worse than none.  Short fuzz runs (5 s) here;
# `make gate` itself runs 120 s.
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
if ! make -s libfuzzer >"$T/build" 2>&1 || ! make -s canary >>"$T/build" 2>&1; then
    echo "not ok - the libFuzzer and canary builds"
    tail -n 20 "$T/build"
    exit 0
fi
GATE_SKIP_BUILD=1 GATE_SECONDS=5 sh scripts/gate >"$T/green" 2>&1
status=$?
if [ "$status" -eq 0 ] && tail -n 1 "$T/green" | grep -q '^[0-9]* passed, 0 failed$'; then
    echo "ok - the gate is green on the tree: $(tail -n 1 "$T/green")"
else
    echo "not ok - the gate is red on the tree (exit $status)"
    grep -v '^ok' "$T/green" | head -n 30
fi
LFDIR=build/canary GATE_SKIP_BUILD=1 GATE_SECONDS=5 sh scripts/gate >"$T/red" 2>&1
status=$?
if [ "$status" -ne 0 ] && tail -n 1 "$T/red" | grep -q '^[0-9]* passed, [1-9][0-9]* failed$' &&
    grep -q '^FAIL - (b) corpus/fast' "$T/red" && grep -q 'MISMATCH free last_offset fast' "$T/red"; then
    echo "ok - the gate is red on the canary: $(tail -n 1 "$T/red"), with the reproducer"
else
    echo "not ok - the gate did not turn red on the canary (exit $status)"
    tail -n 30 "$T/red"
fi
