#!/bin/sh
# tests/sh/crashes.sh BUILD_DIR - every stored finding is a regression test.
#   crashes/2614/*: the 2.6.14 port's bugs; each minimized reproducer must
#     still fail, with the options it was found with, and with exactly its
#     stored signature (the harness has not gone blind);
#   crashes/<other>/*: bugs found and fixed; each must now run clean.
# And each minimized.trace is a test as it stands: `bootfuzz run` takes it
# (the signature is a comment), it fails on the buggy backend at the failing
# call (or the state query right after it), and passes on the reference and
# on the port with every bug switched off.
# Prints "ok - NAME" / "not ok - NAME".
BUILD=${1:-build}
BF="$BUILD/bootfuzz"
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
n=0
for d in crashes/*/*/; do
    d=${d%/}
    n=$((n + 1))
    t=$(basename "$(dirname "$d")")
    if [ ! -f "$d/minimized" ] || [ ! -f "$d/minimized.trace" ]; then
        echo "not ok - $d has no minimized reproducer (minimized, minimized.trace)"
        continue
    fi
    opts=$(cat "$d/options" 2>/dev/null)
    got=$("$BF" replay --target "$t" --options "$opts" "$d/minimized" 2>/dev/null | head -n 1 |
        sed 's/^.*: bootfuzz: //')
    if [ "$t" = 2614 ]; then
        want=$(cat "$d/signature")
        if [ "$got" = "$want" ]; then echo "ok - $d reproduces: $want"; else
            echo "not ok - $d: expected '$want', got '${got:-no finding}'"
        fi
    else
        if [ -z "$got" ]; then echo "ok - $d stays fixed"; else echo "not ok - $d is back: $got"; fi
        continue
    fi
    # the stored trace is the report of the stored bytes, its signature a comment
    "$BF" replay --target "$t" --options "$opts" -v "$d/minimized" 2>/dev/null | tail -n +3 >"$T/report"
    if [ "$(head -n 1 "$d/minimized.trace")" = "# bootfuzz: $want" ] &&
        tail -n +2 "$d/minimized.trace" | cmp -s - "$T/report"; then
        echo "ok - $d/minimized.trace is the report of $d/minimized"
    else
        echo "not ok - $d/minimized.trace is not the report of $d/minimized"
    fi
    # ... and a test: it fails on the port at the finding, passes without the bug
    "$BF" run --backend "$t" --options "$opts" "$d/minimized.trace" >"$T/run" 2>&1
    status=$?
    line=$(sed -n '1s/^[^:]*:\([0-9]*\): .*/\1/p' "$T/run")
    at=$(sed -n "${line:-0}p" "$d/minimized.trace" 2>/dev/null)
    case $at in
    *"<-- finding"* | *"<-- the state differs"*) where=yes ;;
    *) where=no ;;
    esac
    if [ "$status" -eq 1 ] && [ "$where" = yes ]; then
        echo "ok - bootfuzz run fails $d/minimized.trace at its failing call (line $line)"
    else
        echo "not ok - bootfuzz run $d/minimized.trace: exit $status, first mismatch at line ${line:-none}"
        head -n 3 "$T/run" | sed 's/^/#   /'
    fi
    if "$BF" run --backend ref "$d/minimized.trace" >/dev/null 2>&1 &&
        "$BF" run --backend 2614fixed "$d/minimized.trace" >/dev/null 2>&1; then
        echo "ok - $d/minimized.trace passes on ref and on 2614fixed"
    else
        echo "not ok - $d/minimized.trace fails on ref or 2614fixed"
    fi
done
[ "$n" -gt 0 ] || echo "not ok - no stored reproducers under crashes/"
