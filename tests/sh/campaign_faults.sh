#!/bin/sh
# tests/sh/campaign_faults.sh BUILD_DIR - a campaign is crash-safe at every
# step.  For each step the campaign names (BOOTFUZZ_CRASH_AT=STEP makes it
# SIGKILL itself there, no trap, no cleanup), on one work directory with a
# space in its path, TARGET=2614 (findings within a second):
#   - kill it at STEP;
#   - no process of the campaign is left (engines, fork jobs, watchdog);
#   - the next run recovers: its corpus holds every input that any complete
#     copy held at the kill (corpus, corpus.old, corpus.merged);
# and at the end, after a clean resume: no artifact lost (every one ever
# seen is in triage.tsv), every finding group has its reproducer, the report
# counts every session and sums their executions, links only files that
# exist, and nothing was left outside the work directory.
# Prints "ok - NAME" / "not ok - NAME".
# the build directory tests/run was given: the campaigns build and use it
BUILD=${1:-build}
export BUILD
T=$(mktemp -d) || exit 2
W="$T/work dir"
C="$T/crashes"
LOG="$T/log"
. tests/sh/lib/procs.sh # procs_of, cleanup
trap cleanup EXIT
trap 'exit 130' INT TERM

# gone_within SECS: wait until no such process is left
gone_within() {
    i=0
    while [ "$i" -lt $(($1 * 5)) ]; do
        [ -z "$(procs_of)" ] && return 0
        sleep 0.2
        i=$((i + 1))
    done
    return 1
}
inputs_now() { # names of every input of every complete copy of the corpus
    for d in corpus corpus.old corpus.merged; do
        [ -d "$W/$d" ] && ls "$W/$d"
    done | sort -u
}
campaign() { # campaign ARGS...: environment assignments, then runs it
    env CRASHES="$C" WORK="$W" TARGET=2614 ENGINE=libfuzzer JOBS=1 STATUS_EVERY=1 "$@" sh scripts/campaign
}
ls /tmp >"$T/tmp-before" 2>/dev/null

STEPS="lock recover seed start fuzz stop import merge merged swap swapped writeback triage-replayed triage-stored triage report done"
# every step the scripts name is in the list (a new step is not forgotten)
named=$(grep -ho 'crash_point [a-z-]*' scripts/campaign scripts/triage | cut -d' ' -f2 | sort -u)
unlisted=$(for s in $named; do case " $STEPS " in *" $s "*) ;; *) echo "$s" ;; esac; done)
[ -z "$unlisted" ] && echo "ok - the test kills at every one of the $(echo "$named" | wc -l) steps the scripts name" ||
    echo "not ok - steps the scripts name that this test does not kill at: $unlisted"
: >"$T/artifacts-seen"
for step in $STEPS; do
    campaign DURATION=2s BOOTFUZZ_CRASH_AT="$step" >"$LOG" 2>&1
    rc=$?
    if [ "$rc" -eq 137 ] && grep -q "BOOTFUZZ_CRASH_AT=$step: SIGKILL" "$LOG"; then
        echo "ok - killed at step '$step'"
    else
        echo "not ok - killed at step '$step': exit $rc"
        tail -n 5 "$LOG" | sed 's/^/    /'
    fi
    if gone_within 10; then
        echo "ok - step '$step': no engine or other campaign process left after the kill"
    else
        echo "not ok - step '$step': processes left after the kill:"
        for p in $(procs_of); do { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | cut -c1-150 | sed 's/^/    /'; echo; done
    fi
    inputs_now >"$T/inputs-before"
    find "$W/artifacts" -type f -exec sha1sum {} + 2>/dev/null | cut -d' ' -f1 >>"$T/artifacts-seen"
    # the next run stops right after recovery and seeding: what it would fuzz from
    campaign DURATION=2s BOOTFUZZ_CRASH_AT=seed >"$LOG" 2>&1
    ls "$W/corpus" 2>/dev/null | sort >"$T/inputs-after"
    lost=$(comm -23 "$T/inputs-before" "$T/inputs-after" | wc -l)
    if [ "$lost" -eq 0 ] && [ -s "$T/inputs-after" ]; then
        echo "ok - step '$step': the resume starts from all $(wc -l <"$T/inputs-before") inputs of the killed run"
    else
        echo "not ok - step '$step': the resume lost $lost of $(wc -l <"$T/inputs-before") corpus inputs"
        tail -n 5 "$LOG" | sed 's/^/    /'
    fi
done

# a clean resume to the end
campaign DURATION=2s >"$LOG" 2>&1
rc=$?
# exit 4: a group without its reproducer (the minimizer failed), checked below
if { [ "$rc" -eq 0 ] || [ "$rc" -eq 4 ]; } && grep -q 'resumed: yes' "$LOG"; then echo "ok - a clean resume after all that finishes (exit $rc)"; else
    echo "not ok - the clean resume failed (exit $rc)"
    tail -n 8 "$LOG" | sed 's/^/    /'
fi
gone_within 5 && echo "ok - nothing of the campaign runs after it ends" || echo "not ok - processes left after a clean end"
find "$W/artifacts" -type f -exec sha1sum {} + 2>/dev/null | cut -d' ' -f1 >>"$T/artifacts-seen"
sort -u "$T/artifacts-seen" >"$T/a"
cut -f1 "$W/triage.tsv" 2>/dev/null | sort -u >"$T/b"
lost=$(comm -23 "$T/a" "$T/b" | wc -l)
if [ "$lost" -eq 0 ] && [ -s "$T/a" ]; then echo "ok - all $(wc -l <"$T/a") artifacts of every killed run are triaged"; else
    echo "not ok - $lost of $(wc -l <"$T/a") artifacts are missing from triage.tsv"; fi
if [ "$(cut -f1 "$W/triage.tsv" | sort | uniq -d | wc -l)" -eq 0 ]; then echo "ok - no artifact is in two groups"; else
    echo "not ok - some artifacts are recorded twice in triage.tsv"; fi
# a group without its reproducer must be an error everywhere: in the
# campaign's exit status, on its output and in the report
nomin=0 hidden=0
for g in $(awk -F'\t' '$3 == "finding" { print $2 }' "$W/triage.tsv" | sort -u); do
    [ -s "$C/2614/$g/minimized" ] && [ -s "$C/2614/$g/minimized.trace" ] && [ -s "$C/2614/$g/signature" ] && continue
    nomin=$((nomin + 1))
    echo "# $g: $(grep '^minimizer:' "$C/2614/$g/meta" 2>/dev/null)"
    grep -q "ERROR: $C/2614/$g has no minimized reproducer" "$LOG" && grep -F "$C/2614/$g/meta" "$W/report.md" | grep -q 'ERROR: missing' ||
        hidden=$((hidden + 1))
done
if [ "$nomin" -eq 0 ]; then echo "ok - every finding group has its minimized reproducer"
elif [ "$hidden" -eq 0 ] && [ "$rc" -eq 4 ]; then
    echo "ok - the $nomin finding groups without a reproducer are errors on the output, in the report and in the exit status"
else echo "not ok - $hidden of $nomin finding groups without a reproducer are not reported as errors (exit $rc)"; fi

# the report: sessions and executions are the sums of what stats.jsonl holds
R="$W/report.md"
sessions=$(grep -o '"session":[0-9]*' "$W/stats.jsonl" | sort -u | wc -l)
execs=$(awk '/^\{.*\}$/ { match($0, /"session":[0-9]+/); s = substr($0, RSTART + 10, RLENGTH - 10)
    match($0, /"session_execs":[0-9]+/); x[s] = substr($0, RSTART + 16, RLENGTH - 16) }
    END { for (s in x) t += x[s]; print t }' "$W/stats.jsonl")
if grep -q "^| sessions | $sessions " "$R" && grep -q "^| executions (sum over sessions) | $execs |" "$R"; then
    echo "ok - the report counts $sessions sessions and their $execs executions"
else
    echo "not ok - the report's sessions/executions are not those of stats.jsonl ($sessions, $execs)"
    grep -E '^\| (sessions|executions)' "$R" | sed 's/^/    /'
fi
# the plots break their lines between sessions: a blank line in the data
gaps=$(grep -c '^$' "$W/stats.dat")
if [ "$gaps" -eq $((sessions - 1)) ]; then echo "ok - the plot data breaks its lines between the $sessions sessions"; else
    echo "not ok - the plot data has $gaps breaks for $sessions sessions"; fi
missing=0
# (paths may hold spaces: one a line)
grep -o '`[^`]*minimized.trace`' "$R" | tr -d '`' >"$T/named"
grep -o '`triage/[^`]*`' "$R" | tr -d '`' | sed "s|^|$W/|" >>"$T/named"
while IFS= read -r f; do [ -e "$f" ] || missing=$((missing + 1)); done <"$T/named"
[ "$missing" -eq 0 ] && echo "ok - every file the report names exists" || echo "not ok - the report names $missing files that do not exist"
ls "$W/corpus.old" "$W/corpus.merged" "$W/corpus.merging" "$W/tmp" "$W/run" >/dev/null 2>&1 &&
    echo "not ok - leftovers in the work directory after a clean end" || echo "ok - no leftovers in the work directory after a clean end"
ls /tmp >"$T/tmp-after" 2>/dev/null
new=$(comm -13 "$T/tmp-before" "$T/tmp-after" | grep -E '^(libFuzzerTemp|bootfuzz-work-)' | wc -l)
[ "$new" -eq 0 ] && echo "ok - nothing left in /tmp (no libFuzzer fork dir, no link)" || echo "not ok - $new leftovers in /tmp"
