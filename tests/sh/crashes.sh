#!/bin/sh
# tests/sh/crashes.sh BUILD_DIR - every stored finding is a regression test.
#   crashes/2614/*: the 2.6.14 port's bugs; each minimized reproducer must
#     still fail, with the options it was found with, and with exactly its
#     stored signature (the harness has not gone blind);
#   crashes/fast/*, crashes/ref/*: bugs found and fixed; each must now run
#     clean.
# Prints "ok - NAME" / "not ok - NAME".
BUILD=${1:-build}
BF="$BUILD/bootfuzz"
n=0
for d in crashes/*/*/; do
    d=${d%/}
    [ -f "$d/minimized" ] || continue
    n=$((n + 1))
    t=$(basename "$(dirname "$d")")
    opts=$(cat "$d/options" 2>/dev/null)
    got=$("$BF" replay --target "$t" --options "$opts" "$d/minimized" 2>/dev/null | head -n 1 |
        sed 's/^[^:]*: bootfuzz: //')
    if [ "$t" = 2614 ]; then
        want=$(cat "$d/signature")
        if [ "$got" = "$want" ]; then echo "ok - $d reproduces: $want"; else
            echo "not ok - $d: expected '$want', got '${got:-no finding}'"
        fi
    else
        if [ -z "$got" ]; then echo "ok - $d stays fixed"; else echo "not ok - $d is back: $got"; fi
    fi
    # the stored trace is the report of the stored bytes
    if "$BF" replay --target "$t" --options "$opts" -v "$d/minimized" 2>/dev/null | tail -n +2 |
        cmp -s - "$d/minimized.trace" || [ "$t" != 2614 ]; then
        echo "ok - $d/minimized.trace is the report of $d/minimized"
    else
        echo "not ok - $d/minimized.trace is not the report of $d/minimized"
    fi
done
[ "$n" -gt 0 ] || echo "not ok - no stored reproducers under crashes/"
