#!/bin/sh
# tests/sh/asan_2614.sh - bug A's variant on a node of a multiple of 64
# pages makes 2.6.14 read the word just past its bitmap.  The port models
# that read: in the ASan+UBSan build of the tool, as in the plain one, it is
# the port's own finding ("oops: read of bit N past node_bootmem_map"), not
# an ASan abort, so a directory replay reports every input after it too.
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
BUILD=${1:-build}
TRACE=tests/traces/bugs2614/bug_A_read_past_map_64_pages.trace
if ! make -s libfuzzer >"$T/build" 2>&1; then
    echo "not ok - the ASan build (make libfuzzer)"
    tail -n 20 "$T/build"
    exit 0
fi
ASAN=build/libfuzzer/bootfuzz
# the trace expects 2.6.14's answer (@2614 ! BUG, the oops) and the contract's
$ASAN run --backend 2614 "$TRACE" >"$T/asan" 2>&1
status=$?
"$BUILD/bootfuzz" encode "$TRACE" -o "$T/a.bin"
$ASAN replay --target 2614 "$T/a.bin" >>"$T/asan" 2>&1
if [ "$status" -eq 0 ] && ! grep -q 'AddressSanitizer' "$T/asan" &&
    grep -q 'OOPS 2614 "oops: read of bit N past node_bootmem_map"' "$T/asan"; then
    echo "ok - under ASan, 2.6.14's read past its map (bug A, 64-page node) is the port's oops, not an ASan abort"
else
    echo "not ok - under ASan, bug A's read past the map was not the port's oops (exit $status)"
    head -n 20 "$T/asan"
fi
$ASAN run --backend 2614fixed "$TRACE" >"$T/fixed" 2>&1
if [ $? -eq 0 ]; then
    echo "ok - with bug A switched off the same trace runs clean under ASan"
else
    echo "not ok - 2614fixed fails $TRACE under ASan"
    head -n 20 "$T/fixed"
fi
# a directory: bug A's input first, then others; every one is reported
mkdir -p "$T/dir"
"$BUILD/bootfuzz" encode "$TRACE" -o "$T/dir/1-bug-A"
for f in tests/traces/bugs2614/bug_K_alloc_after_free_all.trace tests/traces/bugs2614/bug_E_node_at_pfn_1_misaligned.trace; do
    "$BUILD/bootfuzz" encode "$f" -o "$T/dir/2-$(basename "$f" .trace)"
done
$ASAN replay --target 2614 "$T/dir" >"$T/dir.out" 2>"$T/dir.err"
status=$?
n=$(grep -c ': bootfuzz: ' "$T/dir.out")
if [ "$status" -eq 1 ] && [ "$n" -eq 3 ] && ! grep -q AddressSanitizer "$T/dir.err" &&
    grep -q '3 inputs on target 2614, 3 findings' "$T/dir.err"; then
    echo "ok - the ASan tool replays a directory past bug A's input and reports all 3 findings"
else
    echo "not ok - the ASan tool's directory replay: exit $status, $n findings reported"
    cat "$T/dir.out" "$T/dir.err" | head -n 20
fi
