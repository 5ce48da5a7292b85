#!/bin/sh
# tests/sh/campaign_engines.sh BUILD_DIR - every engine really runs, in a
# work directory with spaces in its path, and the campaign fails loudly
# when an engine it was asked for stops at start.
#   ENGINE=libfuzzer, afl, both (AFL++ only if installed): the campaign ends
#   normally (exit 4, a group without reproducer, is triage's business);
#   each engine asked for wrote its own figures (libFuzzer's status lines,
#   AFL++'s fuzzer_stats with executions); with ENGINE=afl (70 s: AFL++
#   writes its first figures after a minute) they reach stats.jsonl while it
#   runs; the exec/s of the status lines is not always 0;
#   ENGINE=afl with an afl-fuzz that dies at once: non-zero exit, an ERROR
#   naming the engine.
# Prints "ok - NAME" / "not ok - NAME".
# the build directory tests/run was given: the campaigns build and use it
BUILD=${1:-build}
export BUILD
T=$(mktemp -d) || exit 2
C="$T/crashes"
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

engines=libfuzzer
if command -v afl-fuzz >/dev/null; then engines="libfuzzer afl both"; else
    echo "ok - # AFL++ is not installed: libFuzzer only"; fi
for e in $engines; do
    W="$T/work $e dir"
    jobs=1 secs=12
    [ "$e" = both ] && jobs=2
    # AFL++ writes its first figures after a minute: long enough to see them live
    [ "$e" = afl ] && secs=70
    env CRASHES="$C" WORK="$W" TARGET=2614 ENGINE="$e" JOBS="$jobs" DURATION="$secs" STATUS_EVERY=2 \
        sh scripts/campaign >"$T/$e.out" 2>&1
    rc=$?
    if { [ "$rc" -eq 0 ] || [ "$rc" -eq 4 ]; } && ! grep -q 'ERROR: engine' "$T/$e.out"; then
        echo "ok - ENGINE=$e in a path with spaces: the campaign ends normally (exit $rc)"
    else
        echo "not ok - ENGINE=$e in a path with spaces: exit $rc"
        tail -n 8 "$T/$e.out" | sed 's/^/    /'
    fi
    if [ "$e" != afl ]; then
        if grep -a -q '^#[0-9]*: cov:' "$W/logs/libfuzzer.log" 2>/dev/null; then
            echo "ok - ENGINE=$e: libFuzzer ran"
        else
            echo "not ok - ENGINE=$e: libFuzzer did not run"
            tail -n 5 "$W/logs/libfuzzer.log" 2>/dev/null | sed 's/^/    /'
        fi
    fi
    if [ "$e" != libfuzzer ]; then
        ex=$(awk '$1 == "execs_done" { print $3 }' "$W/afl/main/fuzzer_stats" 2>/dev/null)
        if [ "${ex:-0}" -gt 0 ] && ! grep -q 'PROGRAM ABORT' "$W"/logs/afl-*.log; then
            echo "ok - ENGINE=$e: AFL++ ran ($ex executions in its fuzzer_stats)"
        else
            echo "not ok - ENGINE=$e: AFL++ did not run"
            tail -n 5 "$W"/logs/afl-0.log 2>/dev/null | sed 's/^/    /'
        fi
        # its figures while it ran, not only at the end (the last line is
        # written after the engines stopped)
        if [ "$e" = afl ]; then
            # distinct figures before the end: its start, then updates
            live=$(sed '$d' "$W/stats.jsonl" | grep -o '"afl_execs":[1-9][0-9]*' | sort -u | wc -l)
            if [ "$live" -ge 2 ]; then echo "ok - ENGINE=$e: AFL++'s executions change $live times in the status lines while it runs"; else
                echo "not ok - ENGINE=$e: AFL++'s executions change only $live times in the status lines while it runs"; fi
        fi
    fi
    if grep -q '"exec_per_sec":[1-9]' "$W/stats.jsonl"; then echo "ok - ENGINE=$e: exec/s is measured"; else
        echo "not ok - ENGINE=$e: exec/s is 0 on every status line"; fi
done

# an engine that dies at start: a fake afl-fuzz first in PATH
if command -v afl-fuzz >/dev/null; then
    mkdir -p "$T/bin"
    printf '#!/bin/sh\necho "[-] PROGRAM ABORT : planted failure (test)"\nexit 1\n' >"$T/bin/afl-fuzz"
    chmod +x "$T/bin/afl-fuzz"
    W="$T/work dies"
    env PATH="$T/bin:$PATH" CRASHES="$C" WORK="$W" TARGET=2614 ENGINE=both JOBS=2 DURATION=4s STATUS_EVERY=1 \
        sh scripts/campaign >"$T/dies.out" 2>&1
    rc=$?
    if [ "$rc" -ne 0 ] && grep -q 'ERROR: engine afl-0 stopped' "$T/dies.out" &&
        grep -q 'planted failure' "$T/dies.out"; then
        echo "ok - an engine that dies at start: exit $rc and an ERROR naming it, with its log"
    else
        echo "not ok - an engine that dies at start: exit $rc"
        tail -n 8 "$T/dies.out" | sed 's/^/    /'
    fi
fi
