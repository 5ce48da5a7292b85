#!/bin/sh
# tests/sh/campaign.sh - the main job end to end, on the 2614 target (which
# finds bugs within seconds): a campaign killed with kill -9 loses no finding;
# run again it resumes, triages everything into signature groups with
# minimized traces, and writes the report with its plots and JSON stats.
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
W="$T/work dir"   # a path with a space
C="$T/crashes"
CRASHES="$C" WORK="$W" TARGET=2614 DURATION=60s JOBS=1 STATUS_EVERY=1 \
    setsid sh scripts/campaign >"$T/run1" 2>&1 &
pid=$!
i=0
while [ $i -lt 60 ] && [ "$(ls "$W/artifacts" 2>/dev/null | wc -l)" -lt 3 ]; do sleep 1; i=$((i + 1)); done
kill -9 -- -"$pid" 2>/dev/null || kill -9 "$pid"
pkill -9 -f "libfuzzer-2614.*$T" 2>/dev/null
sleep 1
n1=$(ls "$W/artifacts" | wc -l)
if [ "$n1" -ge 3 ] && grep -q '^campaign: target 2614, engine libfuzzer' "$T/run1"; then
    echo "ok - the campaign had $n1 findings when killed with -9"
else
    echo "not ok - the first campaign found nothing to kill it over ($n1 artifacts)"
    tail -n 5 "$T/run1"
fi
ls "$W/artifacts" >"$T/before"
CRASHES="$C" WORK="$W" TARGET=2614 DURATION=3s JOBS=1 STATUS_EVERY=1 sh scripts/campaign >"$T/run2" 2>&1
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
if [ -s "$W/report.md" ] && [ -s "$W/coverage.png" ] && grep -q '## Findings by signature' "$W/report.md" &&
    [ "$(grep -c '^{"time":' "$W/stats.jsonl")" -ge 2 ]; then
    echo "ok - report.md with plots and stats.jsonl are written"
else
    echo "not ok - the report, plots or stats are missing"
fi
