#!/bin/sh
# tests/sh/resign.sh - scripts/resign after a change of signatures: a group
# stored under an old signature gets the new one (files and directory), two
# groups that now share a signature become one without losing anything,
# and a group whose reproducer no longer fails is left alone (exit 1).
# Paths with spaces.
BUILD=${1:-build}
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
C="$T/my crashes"
mkdir -p "$C/2614"
L=crashes/2614/mismatch-free-last_offset-2614
O=crashes/2614/mismatch-reserve-free-2614-eq-ok-ref-eq-einval-outside-nodes
cp -R "$L" "$C/2614/old-name-of-last-offset"
cp -R "$O" "$C/2614/old-below"
cp -R "$O" "$C/2614/old-free-below-nodes"
# as an older bootfuzz signed them
for g in old-below old-free-below-nodes; do
    echo "MISMATCH free 2614=OK ref=EINVAL" >"$C/2614/$g/signature"
    sed -i '1s/^.*$/# bootfuzz: MISMATCH free 2614=OK ref=EINVAL/' "$C/2614/$g/minimized.trace"
done
echo "MISMATCH free last_offset 2614 (old words)" >"$C/2614/old-name-of-last-offset/signature"
printf '# bootfuzz: old words\n# an older report\n' >"$C/2614/old-name-of-last-offset/minimized.trace"
# the second copy has an original of its own
echo extra >"$C/2614/old-free-below-nodes/originals/0000000000000000000000000000000000000000"
# and a group that no longer fails: its reproducer replaced by a clean input
cp -R "$L" "$C/2614/fixed-since"
"$BUILD/bootfuzz" encode tests/traces/contract/"$(ls tests/traces/contract | head -n 1)" -o "$C/2614/fixed-since/minimized" 2>/dev/null

BUILD=$BUILD sh scripts/resign "$C" 2614 >"$T/out" 2>&1
rc=$?
new_o="$C/2614/mismatch-reserve-free-2614-eq-ok-ref-eq-einval-outside-nodes"
new_l="$C/2614/mismatch-free-last_offset-2614"
if [ -d "$new_l" ] && [ "$(cat "$new_l/signature")" = "MISMATCH free last_offset 2614" ] &&
    [ ! -e "$C/2614/old-name-of-last-offset" ] &&
    head -n 1 "$new_l/minimized.trace" | grep -qx '# bootfuzz: MISMATCH free last_offset 2614' &&
    "$BUILD/bootfuzz" replay --target 2614 --options "$(cat "$new_l/options")" -v "$new_l/minimized" 2>/dev/null |
    tail -n +3 >"$T/body" && tail -n +2 "$new_l/minimized.trace" | cmp -s - "$T/body"; then
    echo "ok - resign: a stale signature is replaced, the group renamed to it, its trace the tool's report"
else
    echo "not ok - resign: the stale group was not renamed or re-signed"
    sed 's/^/    /' "$T/out"; ls "$C/2614" | sed 's/^/    /'
fi
sig="MISMATCH reserve/free 2614=OK ref=EINVAL [outside-nodes]"
if [ -d "$new_o" ] && [ "$(cat "$new_o/signature")" = "$sig" ] &&
    [ "$(ls "$new_o/originals" | wc -l)" -eq "$(($(ls "$O/originals" | wc -l) + 1))" ] &&
    [ -d "$new_o/merged" ] && [ "$(ls "$new_o/merged" | wc -l)" -eq 1 ] &&
    [ ! -e "$C/2614/old-below" ] && [ ! -e "$C/2614/old-free-below-nodes" ] &&
    head -n 1 "$new_o/minimized.trace" | grep -qxF "# bootfuzz: $sig"; then
    echo "ok - resign: two groups that now share a signature become one; every original kept, the other group kept whole in merged/"
else
    echo "not ok - resign: the merge lost or left something"
    sed 's/^/    /' "$T/out"; find "$C/2614" | sed 's/^/    /' | head -n 40
fi
if [ "$rc" -eq 1 ] && [ -d "$C/2614/fixed-since" ] && grep -q 'fixed-since: its reproducer no longer fails' "$T/out"; then
    echo "ok - resign: a group whose reproducer no longer fails is left alone and said (exit 1)"
else
    echo "not ok - resign: the clean group (exit $rc)"
    sed 's/^/    /' "$T/out"
fi
