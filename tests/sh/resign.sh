#!/bin/sh
# tests/sh/resign.sh - scripts/resign after a change of signatures: a group
# stored under an old signature gets the new one (files and directory); two
# groups that now share a signature become one without losing anything; a
# group whose stale signature is another's new one is not merged with it;
# a work directory whose triage.tsv names a group by its old name still
# finds it; a group whose reproducer no longer fails, or that has none, is
# named and left (exit 1).  Paths with spaces.
BUILD=${1:-build}
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
# the stored group whose signature file says exactly $1
group_of() {
    for d in crashes/2614/*/; do
        [ "$(cat "$d/signature" 2>/dev/null)" = "$1" ] && { printf '%s\n' "${d%/}"; return 0; }
    done
    echo "tests/sh/resign.sh: no stored group signed '$1'" >&2
    return 1
}
SIG_L="MISMATCH free last_offset 2614"
SIG_J="MISMATCH reserve/free 2614 misses EINVAL [outside-nodes]"
SIG_N="MISMATCH reserve/free 2614 misses EINVAL [past-node-end]"
L=$(group_of "$SIG_L") && J=$(group_of "$SIG_J") && N=$(group_of "$SIG_N") || {
    echo "not ok - resign: the stored groups this test starts from are not there"
    exit 0
}
# as an older bootfuzz left them: its own signature, its own names
resigned_as() { # resigned_as DIR SIGNATURE
    printf '%s\n' "$2" >"$1/signature"
    printf '# bootfuzz: %s\n# an older report\n' "$2" >"$1/minimized.trace"
}

C="$T/my crashes"
mkdir -p "$C/2614"
cp -R "$L" "$C/2614/old-name-of-last-offset"
resigned_as "$C/2614/old-name-of-last-offset" "MISMATCH free last_offset 2614 (old words)"
cp -R "$J" "$C/2614/old-below"
cp -R "$J" "$C/2614/old-free-below-nodes"
for g in old-below old-free-below-nodes; do resigned_as "$C/2614/$g" "MISMATCH free 2614=OK ref=EINVAL"; done
echo extra >"$C/2614/old-free-below-nodes/originals/0000000000000000000000000000000000000000"
# a group that no longer fails (its reproducer: a clean input) and one without a reproducer
cp -R "$L" "$C/2614/fixed-since"
"$BUILD/bootfuzz" encode tests/traces/contract/"$(ls tests/traces/contract | head -n 1)" \
    -o "$C/2614/fixed-since/minimized" 2>/dev/null
mkdir -p "$C/2614/cut-short/originals"
cp "$L"/originals/* "$C/2614/cut-short/originals/"
# a work directory that triaged the last_offset group under its old name
W="$T/a work dir"
mkdir -p "$W/artifacts"
h=$(ls "$L/originals" | head -n 1)
cp "$L/originals/$h" "$W/artifacts/crash-$h"
printf '%s\told-name-of-last-offset\tfinding\tstable\tMISMATCH free last_offset 2614 (old words)\t%s\n' \
    "$h" "$W/artifacts/crash-$h" >"$W/triage.tsv"

BUILD=$BUILD sh scripts/resign "$C" 2614 >"$T/out" 2>&1
rc=$?
new_l="$C/2614/mismatch-free-last_offset-2614"
if [ -d "$new_l" ] && [ "$(cat "$new_l/signature")" = "$SIG_L" ] &&
    [ ! -e "$C/2614/old-name-of-last-offset" ] &&
    head -n 1 "$new_l/minimized.trace" | grep -qxF "# bootfuzz: $SIG_L" &&
    "$BUILD/bootfuzz" replay --target 2614 --options "$(cat "$new_l/options")" -v "$new_l/minimized" 2>/dev/null |
    tail -n +3 >"$T/body" && tail -n +2 "$new_l/minimized.trace" | cmp -s - "$T/body"; then
    echo "ok - resign: a stale signature is replaced, the group renamed to it, its trace the tool's report"
else
    echo "not ok - resign: the stale group was not renamed or re-signed"
    sed 's/^/    /' "$T/out"; ls -a "$C/2614" | sed 's/^/    /'
fi
new_j="$C/2614/mismatch-reserve-free-2614-misses-einval-outside-nodes"
if [ -d "$new_j" ] && [ "$(cat "$new_j/signature")" = "$SIG_J" ] &&
    [ "$(ls "$new_j/originals" | wc -l)" -eq "$(($(ls "$J/originals" | wc -l) + 1))" ] &&
    [ -d "$new_j/merged" ] && [ "$(ls "$new_j/merged" | wc -l)" -eq 1 ] &&
    [ ! -e "$C/2614/old-below" ] && [ ! -e "$C/2614/old-free-below-nodes" ] &&
    head -n 1 "$new_j/minimized.trace" | grep -qxF "# bootfuzz: $SIG_J"; then
    echo "ok - resign: two groups that now share a signature become one; every original kept, the other group kept whole in merged/"
else
    echo "not ok - resign: the merge lost or left something"
    sed 's/^/    /' "$T/out"; find "$C/2614" | sed 's/^/    /' | head -n 40
fi
if [ "$rc" -eq 1 ] && [ -d "$C/2614/fixed-since" ] && grep -q 'fixed-since: its reproducer no longer fails' "$T/out" &&
    [ -d "$C/2614/cut-short" ] && grep -q 'cut-short: no minimized reproducer' "$T/out"; then
    echo "ok - resign: groups that no longer fail or have no reproducer are named and left (exit 1)"
else
    echo "not ok - resign: the groups it cannot sign (exit $rc)"
    sed 's/^/    /' "$T/out"
fi
# the old name still leads to the group: triage's check and the report
CRASHES="$C" sh scripts/triage "$W" 2614 >"$T/tri" 2>&1
trc=$?
if [ "$trc" -eq 0 ] && ! grep -q ERROR "$T/tri"; then
    echo "ok - resign: a work directory that knew the group by its old name still finds it (.moved)"
else
    echo "not ok - resign: triage of a work directory after resign (exit $trc)"
    sed 's/^/    /' "$T/tri"
fi

# a group whose stale signature is another group's new one, in the
# directory that name gives: neither is mistaken for the other
C2="$T/crashes two"
mkdir -p "$C2/2614"
cp -R "$N" "$C2/2614/mismatch-reserve-free-2614-misses-einval-outside-nodes"
resigned_as "$C2/2614/mismatch-reserve-free-2614-misses-einval-outside-nodes" "$SIG_J"
cp -R "$J" "$C2/2614/mismatch-free-2614-eq-ok-ref-eq-einval"
resigned_as "$C2/2614/mismatch-free-2614-eq-ok-ref-eq-einval" "MISMATCH free 2614=OK ref=EINVAL"
BUILD=$BUILD sh scripts/resign "$C2" 2614 >"$T/out2" 2>&1
rc=$?
dj="$C2/2614/mismatch-reserve-free-2614-misses-einval-outside-nodes"
dn="$C2/2614/mismatch-reserve-free-2614-misses-einval-past-node-end"
if [ "$rc" -eq 0 ] && [ "$(cat "$dj/signature")" = "$SIG_J" ] && [ "$(cat "$dn/signature")" = "$SIG_N" ] &&
    cmp -s "$dj/minimized" "$J/minimized" && cmp -s "$dn/minimized" "$N/minimized" &&
    [ ! -e "$dj/merged" ] && [ ! -e "$dn/merged" ] && [ "$(ls "$C2/2614" | wc -l)" -eq 2 ]; then
    echo "ok - resign: a stale signature that is another group's new one merges nothing"
else
    echo "not ok - resign: two bugs were taken for one (exit $rc)"
    sed 's/^/    /' "$T/out2"; find "$C2/2614" -maxdepth 2 | sed 's/^/    /'
fi
