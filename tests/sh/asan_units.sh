#!/bin/sh
# tests/sh/asan_units.sh BUILD_DIR - unit tests whose point is memory safety
# run again in the ASan+UBSan build (make asan): the minimizer's property test
# (500 failing inputs: a stack overrun once hid there) and the registry of 20
# extra backends (a fixed list of 8 once overran).  Their "ok - " lines are
# passed on with an "asan: " prefix; a sanitizer report is a failure.
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
BUILD=${1:-build}
if ! make -s BUILD="$BUILD" asan >"$T/build" 2>&1; then
    echo "not ok - the ASan+UBSan build (make asan)"
    tail -n 20 "$T/build"
    exit 0
fi
for t in test_minimize test_registry; do
    bin="$BUILD/asan/tests/$t"
    "$bin" >"$T/out" 2>"$T/err"
    status=$?
    sed 's/^\(not \)\{0,1\}ok - /&asan: /' "$T/out" | grep -E '^(not )?ok - '
    if [ "$status" -ne 0 ] || grep -q 'Sanitizer' "$T/err"; then
        echo "not ok - asan: $t exits $status under ASan+UBSan"
        grep -m3 -E 'ERROR|SUMMARY|runtime error' "$T/err"
    fi
done
