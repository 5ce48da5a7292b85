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
printf '{"time":%d,"session":1,"elapsed":5,"fuzz_time":5,"execs":10,"session_execs":10,"exec_per_sec":2,"cov":100,"afl_cov":null,"afl_edges":null,"corpus":0,"findings":1}\n' \
    "$(date +%s)" >"$W/stats.jsonl"
CRASHES="$C" sh scripts/report "$W" 2614 libfuzzer >/dev/null 2>&1
if [ "$trc" -eq 0 ] && ! grep -q ERROR "$T/tri" && grep -qF "| \`$SIG_L\` | 1 |" "$W/report.md" &&
    ! grep -q 'old words' "$W/report.md"; then
    echo "ok - resign: a work directory that knew the group by its old name still finds it (.moved), and its report shows the signature it has now"
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

# killed (SIGKILL) at each of its steps, then run again: the same store as
# an uninterrupted run, every rename recorded, nothing left aside
scenario() { # scenario DIR: the stale store of the first case
    mkdir -p "$1/2614"
    cp -R "$L" "$1/2614/old-name-of-last-offset"
    resigned_as "$1/2614/old-name-of-last-offset" "MISMATCH free last_offset 2614 (old words)"
    cp -R "$J" "$1/2614/old-below"
    cp -R "$J" "$1/2614/old-free-below-nodes"
    for g in old-below old-free-below-nodes; do resigned_as "$1/2614/$g" "MISMATCH free 2614=OK ref=EINVAL"; done
    cp -R "$N" "$1/2614/zz-old-n"
    resigned_as "$1/2614/zz-old-n" "MISMATCH free 2614=OK ref=EINVAL (N)"
}
# the store as a list: every path with its file's hash (what must match)
shape() { (cd "$1" && find . -path ./2614/.moved -prune -o -type f -print | sort | xargs -d '\n' sha1sum); }
scenario "$T/whole"
BUILD=$BUILD sh scripts/resign "$T/whole" 2614 >/dev/null 2>&1
bad=""
for step in resign-signed resign-aside resign-recorded resign-placed; do
    K="$T/killed-$step"
    scenario "$K"
    BOOTFUZZ_CRASH_AT=$step BUILD=$BUILD sh scripts/resign "$K" 2614 >/dev/null 2>&1
    killed=$?
    BUILD=$BUILD sh scripts/resign "$K" 2614 >"$T/again" 2>&1
    moved_ok=yes
    for old in old-name-of-last-offset old-below old-free-below-nodes zz-old-n; do
        # every old name leads to a group (.moved followed), or is one still
        [ -d "$K/2614/$old" ] && continue
        new=$(awk -F'\t' -v n="$old" '$1 == n { m = $2 } END { print m }' "$K/2614/.moved" 2>/dev/null)
        [ -n "$new" ] && [ -d "$K/2614/$new" ] || moved_ok=no
    done
    if [ "$killed" -ne 137 ] || [ "$(shape "$K")" != "$(shape "$T/whole")" ] || [ "$moved_ok" = no ] ||
        ls -a "$K/2614" | grep -q '^\.resign\.'; then
        bad="$bad $step(exit $killed, moved $moved_ok)"
    fi
done
if [ -z "$bad" ]; then
    echo "ok - resign killed at each step (signed, aside, recorded, placed), then run again: the store of an uninterrupted run, every old name leads to its group"
else
    echo "not ok - resign killed and run again differs from an uninterrupted run at:$bad"
fi
