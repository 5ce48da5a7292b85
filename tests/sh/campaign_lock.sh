#!/bin/sh
# tests/sh/campaign_lock.sh BUILD_DIR - one campaign per work directory.
#   - a second campaign on a directory in use refuses (exit 3, names the
#     first one's pid); the first runs on and ends with its corpus whole;
#   - a campaign killed with kill -9 (its watchdog then stops its engines):
#     the next one waits for that cleanup and runs;
#   - a campaign killed together with its watchdog: the orphaned libFuzzer
#     is stopped by the next campaign before it starts its own engines, so
#     two engines never share the directory and its log.
# Prints "ok - NAME" / "not ok - NAME".
# the build directory tests/run was given: the campaigns build and use it
BUILD=${1:-build}
export BUILD
T=$(mktemp -d) || exit 2
W="$T/work dir"
C="$T/crashes"
. tests/sh/lib/procs.sh # procs_of, cleanup
trap cleanup EXIT
trap 'exit 130' INT TERM
campaign() { env CRASHES="$C" WORK="$W" TARGET=2614 ENGINE=libfuzzer JOBS=1 STATUS_EVERY=1 "$@" sh scripts/campaign; }
# campaign_bg OUT ARGS...: in the background; $! is the campaign itself (env execs it)
campaign_bg() {
    _o=$1
    shift
    env CRASHES="$C" WORK="$W" TARGET=2614 ENGINE=libfuzzer JOBS=1 STATUS_EVERY=1 "$@" sh scripts/campaign >"$_o" 2>&1 &
}
wait_for_status() { # wait_for_status FILE: until the campaign prints a status line
    i=0
    while [ "$i" -lt 100 ] && ! grep -q ' elapsed ' "$1" 2>/dev/null; do sleep 0.2; i=$((i + 1)); done
}
engine_pid() { # the registered libFuzzer's pid
    cut -d' ' -f1 "$W/run/engine.libfuzzer" 2>/dev/null
}

# --- two campaigns at once
campaign_bg "$T/a" DURATION=6s
a=$!
wait_for_status "$T/a"
campaign DURATION=2s >"$T/b" 2>&1
rc=$?
if [ "$rc" -eq 3 ] && grep -q "in use by another campaign (pid $a" "$T/b"; then
    echo "ok - a second campaign on the same directory refuses (exit 3) and names the first"
else
    echo "not ok - a second campaign on the same directory: exit $rc"
    sed 's/^/    /' "$T/b" | tail -n 5
fi
CRASHES="$C" sh scripts/triage "$W" 2614 >"$T/t" 2>&1
rc=$?
if [ "$rc" -eq 3 ] && grep -q 'in use by a campaign' "$T/t"; then
    echo "ok - triage run by hand on a directory in use refuses (exit 3)"
else
    echo "not ok - triage run by hand on a directory in use: exit $rc"
fi
wait "$a"
rc=$?
n=$(ls "$W/corpus" 2>/dev/null | wc -l)
if [ "$rc" -eq 0 ] || [ "$rc" -eq 4 ]; then
    if [ "$n" -gt 0 ] && grep -q "^| corpus | $n inputs |" "$W/report.md" && ! grep -q 'cannot stat' "$T/a"; then
        echo "ok - the first campaign ends normally, its corpus whole ($n inputs)"
    else echo "not ok - the first campaign's corpus or report is wrong ($n inputs)"; fi
else
    echo "not ok - the first campaign failed (exit $rc)"
    tail -n 5 "$T/a" | sed 's/^/    /'
fi

# --- Ctrl-C: SIGINT to the campaign's process group (as a terminal sends
# it); the campaign stops its engine (by signal: libFuzzer says so in its
# log) and ends normally, in seconds.  (A command this script starts with &
# would start with SIGINT ignored, unlike one started at a terminal: env
# gives it back its default.)
setsid env --default-signal=INT CRASHES="$C" WORK="$W" TARGET=2614 ENGINE=libfuzzer JOBS=1 STATUS_EVERY=1 DURATION=60s \
    sh scripts/campaign >"$T/g" 2>&1 &
g=$!
wait_for_status "$T/g"
before=$(grep -a -c 'run interrupted' "$W/logs/libfuzzer.log")
kill -INT -"$g"
i=0
while [ "$i" -lt 150 ] && kill -0 "$g" 2>/dev/null; do sleep 0.2; i=$((i + 1)); done
if kill -0 "$g" 2>/dev/null; then
    echo "not ok - Ctrl-C: the campaign is still running 30 s later"
    kill -9 "$g"
else
    wait "$g"
    rc=$?
    after=$(grep -a -c 'run interrupted' "$W/logs/libfuzzer.log")
    if { [ "$rc" -eq 0 ] || [ "$rc" -eq 4 ]; } && grep -q '^campaign: report in' "$T/g" && [ "$after" -gt "$before" ]; then
        echo "ok - Ctrl-C: the campaign stops its engine by signal and ends normally in $((i / 5)) s"
    else
        echo "not ok - Ctrl-C: exit $rc, engine interrupted: $before -> $after"
        tail -n 4 "$T/g" | sed 's/^/    /'
    fi
fi

# --- kill -9 of the campaign alone: its watchdog stops the engine, by signal
campaign_bg "$T/c" DURATION=30s
c=$!
wait_for_status "$T/c"
e=$(engine_pid)
before=$(grep -a -c 'run interrupted' "$W/logs/libfuzzer.log")
kill -9 "$c"
wait "$c" 2>/dev/null
i=0
while [ "$i" -lt 50 ] && kill -0 "$e" 2>/dev/null; do sleep 0.2; i=$((i + 1)); done
after=$(grep -a -c 'run interrupted' "$W/logs/libfuzzer.log")
if ! kill -0 "$e" 2>/dev/null && [ "$after" -gt "$before" ]; then
    echo "ok - kill -9 of the campaign: its watchdog stopped the engine by signal in $((i / 5)) s"
else
    echo "not ok - kill -9 of the campaign: engine $e $(kill -0 "$e" 2>/dev/null && echo 'still runs' || echo 'ended, but not by a signal')"
fi
# what the killed session's engine did to its end (after the campaign's last
# status line): its last count in the log
final=$(grep -a -E '^#[0-9]+: ' "$W/logs/libfuzzer.log" | tail -n 1 | sed 's/^#\([0-9]*\).*/\1/')
killed=$(tail -n 1 "$W/stats.jsonl" | sed 's/.*"session":\([0-9]*\).*/\1/')
campaign DURATION=2s >"$T/d" 2>&1
rc=$?
if { [ "$rc" -eq 0 ] || [ "$rc" -eq 4 ]; } && grep -q 'resumed: yes' "$T/d" && [ -n "$e" ] && ! kill -0 "$e" 2>/dev/null; then
    echo "ok - after kill -9 of a campaign, the next one runs (its engine $e was stopped)"
else
    echo "not ok - after kill -9 of a campaign, the next one: exit $rc, old engine '$e' $(kill -0 "$e" 2>/dev/null && echo alive)"
    tail -n 5 "$T/d" | sed 's/^/    /'
fi
rec=$(grep "^{\"time\":[0-9]*,\"session\":$killed," "$W/stats.jsonl" | tail -n 1 | sed 's/.*"session_execs":\([0-9]*\).*/\1/')
if [ -n "$final" ] && [ "${rec:-0}" -ge "$final" ]; then
    echo "ok - the killed session's record counts its engine's executions to the end ($rec >= $final)"
else
    echo "not ok - the killed session $killed records $rec executions, its engine did $final"
fi

# --- kill -9 of the campaign and its watchdog: the orphan engine keeps
# fuzzing until the next campaign stops it
campaign_bg "$T/e" DURATION=30s
c=$!
wait_for_status "$T/e"
e=$(engine_pid)
wd=""
for p in $(procs_of); do
    { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -q 'scripts/lib/watchdog' && wd="$wd $p"
done
# shellcheck disable=SC2086 # a list of pids
kill -9 "$c" $wd
wait "$c" 2>/dev/null
sleep 1
if [ -n "$e" ] && kill -0 "$e" 2>/dev/null; then orphan=yes; else orphan=no; fi
size=$(wc -c <"$W/logs/libfuzzer.log")
campaign DURATION=3s >"$T/f" 2>&1
rc=$?
# the log written after the new session started must come from one engine
# only: every "INFO: -fork" banner after that point is the new engine's
starts=$(tail -c +"$((size + 1))" "$W/logs/libfuzzer.log" | grep -c 'fuzzing in separate process')
if [ "$orphan" = yes ] && ! kill -0 "$e" 2>/dev/null && [ "$starts" -le 1 ] &&
    { [ "$rc" -eq 0 ] || [ "$rc" -eq 4 ]; }; then
    echo "ok - an engine orphaned with its watchdog is stopped by the next campaign before it starts"
else
    echo "not ok - orphaned engine: was alive: $orphan, alive now: $(kill -0 "$e" 2>/dev/null && echo yes || echo no), engine starts in the log since: $starts, exit $rc"
fi
i=0
while [ "$i" -lt 25 ] && [ -n "$(procs_of)" ]; do sleep 0.2; i=$((i + 1)); done
[ -z "$(procs_of)" ] && echo "ok - nothing of these campaigns runs after they end" || echo "not ok - processes left after the campaigns"
