#!/bin/sh
# tests/sh/campaign.sh - the main job end to end, on the 2614 target (which
# finds bugs within seconds): a campaign killed with kill -9 (its whole
# process group) loses no finding and leaves no engine running; run again it
# resumes, triages everything into signature groups with minimized traces,
# keeps up (triage's runs of the tool grow with the groups, not the
# artifacts), and writes the
# report with its plots and JSON stats.
# the build directory tests/run was given: the campaigns build and use it
BUILD=${1:-build}
export BUILD
T=$(mktemp -d) || exit 2
W="$T/work dir"   # a path with a space
C="$T/crashes"
. tests/sh/lib/procs.sh # procs_of, cleanup
. tests/sh/lib/counting.sh # counting_wrapper
trap cleanup EXIT
trap 'exit 130' INT TERM
CRASHES="$C" WORK="$W" TARGET=2614 DURATION=60s JOBS=1 STATUS_EVERY=1 \
    setsid sh scripts/campaign >"$T/run1" 2>&1 &
pid=$!
i=0
while [ $i -lt 60 ] && [ "$(ls "$W/artifacts" 2>/dev/null | wc -l)" -lt 3 ]; do sleep 1; i=$((i + 1)); done
# the campaign's whole process group; the engines and the watchdog have
# sessions of their own, and the watchdog must stop the engines
# (dash's kill takes no "--": kill -9 -PGID)
kill -9 -"$pid"
i=0
while [ $i -lt 50 ] && [ -n "$(procs_of)" ]; do sleep 0.2; i=$((i + 1)); done
if [ -z "$(procs_of)" ]; then echo "ok - kill -9 of the campaign leaves no engine running ($((i / 5)) s)"; else
    echo "not ok - processes left 10 s after kill -9 of the campaign: $(procs_of | tr '\n' ' ')"; fi
n1=$(ls "$W/artifacts" | wc -l)
if [ "$n1" -ge 3 ] && grep -q '^campaign: target 2614, engine libfuzzer' "$T/run1"; then
    echo "ok - the campaign had $n1 findings when killed with -9"
else
    echo "not ok - the first campaign found nothing to kill it over ($n1 artifacts)"
    tail -n 5 "$T/run1"
fi
ls "$W/artifacts" >"$T/before"
# triage's tool, wrapped to count the runs triage makes of it (by command)
case $BUILD in /*) tool=$BUILD/bootfuzz ;; *) tool=$(pwd)/$BUILD/bootfuzz ;; esac
counting_wrapper "$T/count tool" "$tool" "$T/tool runs" bootfuzz
CRASHES="$C" WORK="$W" TARGET=2614 DURATION=3s JOBS=1 STATUS_EVERY=1 BOOTFUZZ_TOOL="$T/count tool" \
    sh scripts/campaign >"$T/run2" 2>&1
if grep -q 'resumed: yes' "$T/run2" && grep -q '2614 libfuzzer: .*elapsed.*findings' "$T/run2"; then
    echo "ok - run again, it resumes and prints status lines"; else
    echo "not ok - the second run did not resume"; fi
lost=0
while IFS= read -r a; do
    h=$(sha1sum "$W/artifacts/$a" 2>/dev/null | cut -d' ' -f1)
    grep -q "^$h	" "$W/triage.tsv" 2>/dev/null || lost=$((lost + 1))
done <"$T/before"
if [ "$lost" -eq 0 ]; then echo "ok - every finding of the killed run was triaged after the resume"; else
    echo "not ok - $lost findings of the killed run were not triaged"; fi
groups=$(ls "$C/2614" 2>/dev/null | wc -l)
mins=$(ls "$C"/2614/*/minimized.trace 2>/dev/null | wc -l)
if [ "$groups" -ge 1 ] && [ "$mins" -ge 1 ]; then
    echo "ok - triage stored $groups signature groups, $mins with a minimized trace"
else
    echo "not ok - triage stored no groups ($groups) or minimized traces ($mins)"
fi
# triage keeps up: its work grows with the finding groups, not with the
# artifacts (a target finds several a second).  Counted, not timed (a timed
# test fails on a loaded machine and passes a slow design on a fast one):
# one `bootfuzz replay` for all crash artifacts, one for each artifact of
# another kind (timeout, oom: one by one, with a time limit), REPRO - 1 = 2
# more runs of each group's representative, one minimization per group.
reps=$(grep -cx "bootfuzz replay" "$T/tool runs")
mins=$(grep -cx "bootfuzz minimize" "$T/tool runs")
others=$(ls "$W/artifacts" | grep -vc '^crash-')
tsecs=$(sed -n 's/^triage: .* in \([0-9]*\.[0-9]*\)s:.*/\1/p' "$T/run2")
if [ "$groups" -ge 1 ] && [ "$reps" -le $((1 + 2 * groups + others)) ] && [ "$mins" -le "$groups" ]; then
    echo "ok - triage of $(wc -l <"$W/triage.tsv") artifacts in $groups groups ran the tool $reps times to replay and $mins to minimize (at most $((1 + 2 * groups + others)) and $groups; ${tsecs}s)"
else
    echo "not ok - triage of $(wc -l <"$W/triage.tsv") artifacts in $groups groups ran the tool $reps times to replay (at most $((1 + 2 * groups + others))) and $mins to minimize (at most $groups)"
fi
# coverage is in edges: never above what the final corpus reaches, measured
# here on its own (libFuzzer's fork-mode `cov:` counts features after its
# first merge: 2550 -> 5663 on a binary of 2648 PCs)
truth=$("$BUILD/libfuzzer/fuzz/libfuzzer-2614" -runs=0 -max_len=600 "$W/corpus" 2>&1 | grep -a -m1 'INITED cov:' |
    sed 's/.*INITED cov: \([0-9]*\).*/\1/')
top=$(grep -o '"cov":[0-9]*' "$W/stats.jsonl" | cut -d: -f2 | sort -n | tail -n 1)
rep=$(sed -n 's/^| coverage (edges, measured on the libFuzzer build) | \([0-9]*\) |$/\1/p' "$W/report.md")
if [ -n "$truth" ] && [ -n "$top" ] && [ "$top" -le $((truth + truth / 20)) ] && [ -n "$rep" ] &&
    [ "$rep" -ge $((truth - truth / 20)) ] && [ "$rep" -le $((truth + truth / 20)) ]; then
    echo "ok - coverage is in edges: the report says $rep, the final corpus reaches $truth, no status line above $top"
else
    echo "not ok - coverage is not in edges: report '$rep', highest status '$top', the final corpus reaches '$truth'"
fi
if [ -s "$W/report.md" ] && [ -s "$W/coverage.png" ] && grep -q '## Findings by signature' "$W/report.md" &&
    [ "$(grep -c '^{"time":' "$W/stats.jsonl")" -ge 2 ]; then
    echo "ok - report.md with plots and stats.jsonl are written"
else
    echo "not ok - the report, plots or stats are missing"
fi
