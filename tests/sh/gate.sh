#!/bin/sh
# tests/sh/gate.sh - the merge gate is green on the tree as it is and red on
# the canary (the fast allocator with a planted bug, make canary): a gate
# that cannot fail would be worse than none.  Short fuzz runs (5 s) here;
# `make gate` itself runs 120 s.
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
if ! make -s libfuzzer >"$T/build" 2>&1 || ! make -s canary-build >>"$T/build" 2>&1; then
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
# make canary is the canary test: the gate on the canary build, red with
# the planted bug's reproducer, or make canary fails
make -s canary CANARY_SECONDS=5 >"$T/red" 2>&1
status=$?
if [ "$status" -eq 0 ] && grep -q '^make canary: ok - the gate is red on the canary' "$T/red" &&
    grep -q '^FAIL - (b) corpus/fast' build/canary/gate.log && grep -q 'MISMATCH free last_offset fast' build/canary/gate.log; then
    echo "ok - make canary: the gate is red on the canary, with the reproducer"
else
    echo "not ok - make canary did not see the gate turn red on the canary (exit $status)"
    tail -n 30 "$T/red"
fi

# the gate cannot be fooled: a build that fails ends it red before any
# check runs on older binaries (a fresh BUILD with a compiler that fails)
CC=false BUILD="$T/broken" GATE_SECONDS=1 sh scripts/gate >"$T/broken.out" 2>&1
status=$?
if [ "$status" -ne 0 ] && grep -q '^FAIL - (a) the build failed; no other check runs' "$T/broken.out" &&
    ! grep -q '^ok - (b)\|^FAIL - (b)\|(c)\|(d)' "$T/broken.out" &&
    tail -n 1 "$T/broken.out" | grep -q '^0 passed, 1 failed$'; then
    echo "ok - a failed build ends the gate red, and no check runs on old binaries"
else
    echo "not ok - the gate went on after a failed build (exit $status)"
    tail -n 10 "$T/broken.out"
fi
# ... and a group whose files are missing, or a 2.6.14 difference with no
# reproducer left, is a blind spot: red
cp -R crashes "$T/crashes"
rm "$T/crashes/2614/oops-2614-oops-null-node_bootmem_map/minimized"
CRASHES="$T/crashes" GATE_SKIP_BUILD=1 GATE_SECONDS=1 GATE_TARGETS=fast sh scripts/gate >"$T/blind" 2>&1
status=$?
if [ "$status" -ne 0 ] && grep -q '^FAIL - (c) .*oops-null-node_bootmem_map lacks: minimized' "$T/blind" &&
    grep -q '^FAIL - (c) no stored reproducer of 2.6.14 difference K ' "$T/blind"; then
    echo "ok - the gate is red when a 2.6.14 group lacks its files and bug K has no reproducer"
else
    echo "not ok - the gate missed a group without files / a bug without reproducer (exit $status)"
    grep -v '^ok' "$T/blind" | tail -n 10
fi
