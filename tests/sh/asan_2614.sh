#!/bin/sh
# tests/sh/asan_2614.sh - bug A's variant on a node of a multiple of 64
# pages makes 2.6.14 read the word just past its bitmap: built with ASan
# that read is a real heap-buffer-overflow that ASan reports (and the plain
# build answers a deterministic "oops" outcome instead).
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
TRACE=tests/traces/bugs2614/bug_A_read_past_map_64_pages.trace
if ! make -s libfuzzer >"$T/build" 2>&1; then
    echo "not ok - the ASan build (make libfuzzer)"
    tail -n 20 "$T/build"
    exit 0
fi
build/libfuzzer/bootfuzz run --backend 2614 "$TRACE" >"$T/asan" 2>&1
status=$?
if [ "$status" -ne 0 ] && grep -q 'ERROR: AddressSanitizer: heap-buffer-overflow' "$T/asan" &&
    grep -q 'in test_bit .*impl/bootmem2614.c' "$T/asan"; then
    echo "ok - ASan reports 2.6.14 reading past its map (bug A, 64-page node)"
else
    echo "not ok - ASan did not report bug A's read past the map (exit $status)"
    head -n 20 "$T/asan"
fi
build/libfuzzer/bootfuzz run --backend 2614fixed "$TRACE" >"$T/fixed" 2>&1
if [ $? -eq 0 ]; then
    echo "ok - with bug A switched off the same trace runs clean under ASan"
else
    echo "not ok - 2614fixed fails $TRACE under ASan"
    head -n 20 "$T/fixed"
fi
