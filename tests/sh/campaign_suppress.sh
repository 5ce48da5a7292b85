#!/bin/sh
# tests/sh/campaign_suppress.sh BUILD_DIR - a campaign whose suppressions
# hide every finding must not look like a clean one.  The 2614 target with
# only bug A on, and bug A's two faces suppressed (as tests/sh/suppress.sh
# does for one engine): every finding is suppressed.  The engines add their
# counts to WORK/suppressed.log (BOOTFUZZ_STATS); the status line,
# stats.jsonl ("suppressed": N) and report.md (with the suppressions file's
# path, also when the report is made again without the campaign's
# environment) show the total.  Prints "ok - NAME" / "not ok - NAME".
BUILD=${1:-build}
export BUILD
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
ONLY_A=A=1,C=0,D=0,E=0,F=0,G=0,H=0,J=0,K=0,L=0,M=0,N=0,O=0,P=0
S="$T/known bugs.supp" # a path with a space
printf '# bug A of the 2.6.14 port: known\nOOPS 2614 "oops: read of bit N past *\nBUG 2614 "start >= eidx" *\n' >"$S"
W="$T/work dir"
env BOOTFUZZ_OPTIONS=$ONLY_A BOOTFUZZ_SUPPRESSIONS="$S" CRASHES="$T/c" WORK="$W" TARGET=2614 DURATION=3s JOBS=1 \
    STATUS_EVERY=1 sh scripts/campaign >"$T/out" 2>&1
rc=$?
total=$(awk '$1 == "suppressed" { n += $2 } END { printf "%d", n }' "$W/suppressed.log" 2>/dev/null)
last=$(grep '^\[' "$T/out" | tail -n 1)
# (the last status line may come before the engines' final counts: it shows
# a part of the total; the line after the stop shows the total)
shown=$(echo "$last" | sed -n 's/.*findings 0  suppressed \([0-9]*\)$/\1/p')
if [ "$rc" -eq 0 ] && [ "${total:-0}" -gt 0 ] && [ "${shown:-0}" -gt 0 ] && [ "$shown" -le "$total" ] &&
    grep -q "^campaign: $total inputs ended on a suppressed finding" "$T/out"; then
    echo "ok - every finding suppressed: the status line shows findings 0 and suppressed $shown, the end $total (the engines' counts added up)"
else
    echo "not ok - the status line does not show the suppressed total (exit $rc, WORK/suppressed.log total '${total}')"
    sed 's/^/    /' "$T/out" | tail -n 8
fi
if tail -n 1 "$W/stats.jsonl" | grep -q "\"findings\":0,\"suppressed\":$total}"; then
    echo "ok - stats.jsonl records \"suppressed\":$total"
else
    echo "not ok - stats.jsonl's last line: $(tail -n 1 "$W/stats.jsonl")"
fi
report_ok() { # the report says how many were suppressed, by which file, and not "None." alone
    grep -qF "inputs that ended on a suppressed finding: $total (suppressions: \`$S\`)" "$W/report.md" &&
        ! grep -qx 'None.' "$W/report.md"
}
if report_ok; then echo "ok - report.md: inputs that ended on a suppressed finding: $total, with the suppressions file"; else
    echo "not ok - report.md does not show the suppressed findings:"
    sed -n '/^## Findings/,$p' "$W/report.md" | sed 's/^/    /'
fi
# made again later, without the campaign's environment: the file is on record
env -u BOOTFUZZ_SUPPRESSIONS CRASHES="$T/c" sh scripts/report "$W" 2614 libfuzzer >/dev/null 2>&1
if report_ok; then echo "ok - a report made again without BOOTFUZZ_SUPPRESSIONS still names the file (sessions.jsonl)"; else
    echo "not ok - a report made again loses the suppressions"; fi

# without suppressions: nothing counted, nothing claimed
W2="$T/work2"
env -u BOOTFUZZ_SUPPRESSIONS CRASHES="$T/c2" WORK="$W2" TARGET=2614fixed DURATION=2s JOBS=1 STATUS_EVERY=1 \
    sh scripts/campaign >"$T/out2" 2>&1
if [ ! -e "$W2/suppressed.log" ] && ! grep -q 'suppressed [0-9]' "$T/out2" &&
    tail -n 1 "$W2/stats.jsonl" | grep -q '"suppressed":null}' && ! grep -q 'suppressed finding' "$W2/report.md"; then
    echo "ok - without suppressions: no count, \"suppressed\":null, nothing in the report"
else
    echo "not ok - a campaign without suppressions shows a suppressed count"
    tail -n 3 "$T/out2" | sed 's/^/    /'
fi
