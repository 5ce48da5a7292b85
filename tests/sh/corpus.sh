#!/bin/sh
# tests/sh/corpus.sh BUILD_DIR - the seed corpora replay clean through the
# plain replay driver, deterministically, and every entry round-trips
# bytes -> trace -> bytes.  Prints "ok - NAME" / "not ok - NAME".

BUILD=${1:-build}
BF="$BUILD/bootfuzz"
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT INT TERM

for t in fast 2614 ref; do
    [ -d "corpus/$t" ] || continue
    if ! "$BF" list | grep -q "^$( [ "$t" = ref ] && echo ref || echo "$t") "; then
        continue
    fi
    n=$(ls "corpus/$t" | wc -l)
    if "$BUILD/fuzz/replay-$t" "corpus/$t" >"$T/log" 2>&1; then
        echo "ok - replay-$t replays corpus/$t ($n inputs) with no finding"
    else
        echo "not ok - replay-$t replays corpus/$t ($n inputs) with no finding"
        grep -v '^replay: corpus' "$T/log" | head -20
    fi
    if "$BF" replay --check-determinism --target "$t" "corpus/$t" >"$T/log" 2>&1; then
        echo "ok - corpus/$t gives the same results twice, in two orders, in one process"
    else
        echo "not ok - corpus/$t gives the same results twice, in two orders, in one process"
        head -20 "$T/log"
    fi
    bad=0
    for f in "corpus/$t"/*; do
        h=$(basename "$f")
        tr="corpus/traces/$t/$h.trace"
        "$BF" print "$f" >"$T/p1" 2>&1 || bad=$((bad + 1))
        if ! cmp -s "$T/p1" "$tr"; then
            echo "# $tr is not what bootfuzz print $f shows"
            bad=$((bad + 1))
            continue
        fi
        "$BF" encode "$T/p1" -o "$T/b2" && "$BF" print "$T/b2" >"$T/p2"
        if ! cmp -s "$T/p1" "$T/p2" || ! cmp -s "$T/b2" "$f"; then
            echo "# $f does not round-trip print -> encode -> print"
            bad=$((bad + 1))
        fi
    done
    if [ "$bad" -eq 0 ]; then
        echo "ok - corpus/$t: every entry is its trace, and print -> encode -> print is the identity"
    else
        echo "not ok - corpus/$t: $bad entries do not round-trip"
    fi
done

# the round trip also holds for inputs that are not raw-encoded: random
# ones, and always the inputs of no calls (the empty file, one byte), which
# random ones reach only now and then
i=0
bad=0
while [ $i -lt 42 ]; do
    case $i in
    40) : >"$T/r" ;;
    41) printf '\314' >"$T/r" ;; # (0xcc: a raw-encoded input of no calls; CI found it)
    *) head -c $((i * 13 + 1)) /dev/urandom >"$T/r" ;;
    esac
    "$BF" print "$T/r" >"$T/p1" && "$BF" encode "$T/p1" -o "$T/b2" && "$BF" print "$T/b2" >"$T/p2"
    cmp -s "$T/p1" "$T/p2" || { bad=$((bad + 1)); cp "$T/r" "/tmp/bootfuzz-roundtrip-fail-$i"; }
    i=$((i + 1))
done
if [ $bad -eq 0 ]; then echo "ok - 40 random inputs and 2 of no calls round-trip print -> encode -> print"; else
    echo "not ok - $bad of 40 random inputs and 2 of no calls do not round-trip (kept in /tmp/bootfuzz-roundtrip-fail-*)"
fi
