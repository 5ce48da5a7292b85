#!/bin/sh
# tests/sh/campaign_triage.sh BUILD_DIR - triage never drops or hides.
# A work directory with one artifact of every kind the engines write:
# libFuzzer crash-/timeout-/oom-, AFL++ crashes/ and hangs/, findings and
# inputs that run clean.  Checks: every artifact in exactly one group of the
# right kind (finding by signature, timeout, oom, not-reproducible), finding
# groups with their reproducers, the others kept in WORK/triage/KIND/; a
# second run adds nothing; the report has a section per kind and names only
# files that exist; a failed minimization is an error (exit 4) in triage and
# report; hundreds of artifacts take seconds (one replay process, not three
# sanitizer processes per artifact).  Also the campaign's target check.
# Prints "ok - NAME" / "not ok - NAME".
# the build directory tests/run was given: the campaigns build and use it
BUILD=${1:-build}
export BUILD
T=$(mktemp -d) || exit 2
. tests/sh/lib/counting.sh # counting_wrapper
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
W="$T/work dir"
C="$T/crash es"
# AFL++ moves a killed session's crashes/ and hangs/ aside (crashes.<date>/)
# when it resumes: what is there is as much a finding as what is in crashes/
OLD=crashes.2026-11-30-13:51:40
OLDH=hangs.2026-11-30-13:51:40
mkdir -p "$W/artifacts" "$W/afl/main/crashes" "$W/afl/main/hangs" "$W/afl/main/$OLD" \
    "$W/afl/main/$OLDH" "$W/corpus"
set -- corpus/2614/*
clean1=$1 clean2=$2 clean3=$3 clean4=$4 clean5=$5
f_readpast=$(ls crashes/2614/oops-2614-oops-read-of-bit-n-past-node_bootmem_map/originals/* | head -n 1)
f_lastoff=$(ls crashes/2614/mismatch-free-last_offset-2614/originals/* | head -n 1)
f_null=$(ls crashes/2614/oops-2614-oops-null-node_bootmem_map/originals/* | head -n 1)
h() { sha1sum "$1" | cut -d' ' -f1; }
cp "$f_lastoff" "$W/artifacts/crash-$(h "$f_lastoff")"
cp "$clean1" "$W/artifacts/timeout-$(h "$clean1")"
cp "$clean2" "$W/artifacts/oom-$(h "$clean2")"
cp "$clean3" "$W/artifacts/crash-$(h "$clean3")"
cp "$f_null" "$W/afl/main/crashes/id:000000,sig:06,src:000000,time:1,execs:1,op:havoc,rep:1"
cp "$clean4" "$W/afl/main/hangs/id:000000,src:000001,time:2,execs:2,op:havoc,rep:1"
cp "$f_readpast" "$W/afl/main/$OLD/id:000000,sig:06,src:000000,time:1,execs:1,op:havoc,rep:1"
cp "$clean5" "$W/afl/main/$OLDH/id:000000,src:000002,time:3,execs:3,op:havoc,rep:1"
# the kind each artifact must land in
{
    printf '%s finding mismatch-free-last_offset-2614\n' "$(h "$f_lastoff")"
    printf '%s finding oops-2614-oops-null-node_bootmem_map\n' "$(h "$f_null")"
    printf '%s timeout timeout\n' "$(h "$clean1")"
    printf '%s oom oom\n' "$(h "$clean2")"
    printf '%s not-reproducible not-reproducible\n' "$(h "$clean3")"
    printf '%s timeout timeout\n' "$(h "$clean4")"
    printf '%s finding oops-2614-oops-read-of-bit-n-past-node_bootmem_map\n' "$(h "$f_readpast")"
    printf '%s timeout timeout\n' "$(h "$clean5")"
} | sort >"$T/want"

CRASHES="$C" sh scripts/triage "$W" 2614 >"$T/out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && echo "ok - triage of eight artifacts of every kind (AFL++ ones moved aside on a resume too): exit 0" || {
    echo "not ok - triage of eight artifacts of every kind (AFL++ ones moved aside on a resume too): exit $rc"
    sed 's/^/    /' "$T/out"
}
awk -F'\t' '{ print $1, $3, $2 }' "$W/triage.tsv" | sort >"$T/got"
if cmp -s "$T/want" "$T/got"; then echo "ok - every artifact is in exactly one group of its kind"; else
    echo "not ok - the groups are not those expected (want / got):"
    diff "$T/want" "$T/got" | sed 's/^/    /'
fi
bad=0
for g in mismatch-free-last_offset-2614 oops-2614-oops-null-node_bootmem_map; do
    d="$C/2614/$g"
    [ -s "$d/minimized" ] && [ -s "$d/minimized.trace" ] && [ -s "$d/signature" ] && [ -s "$d/meta" ] || bad=$((bad + 1))
    [ "$(ls "$d/originals" 2>/dev/null | wc -l)" -eq 1 ] || bad=$((bad + 1))
    got=$("$BUILD/bootfuzz" replay --target 2614 --options "$(cat "$d/options" 2>/dev/null)" "$d/minimized" 2>/dev/null |
        head -n 1 | sed 's/^[^:]*: bootfuzz: //')
    [ -n "$got" ] && [ "$got" = "$(cat "$d/signature" 2>/dev/null)" ] || bad=$((bad + 1))
done
[ "$bad" -eq 0 ] && echo "ok - both finding groups hold their original and a minimized reproducer with its signature" ||
    echo "not ok - the finding groups are incomplete ($bad problems)"
# meta records where the minimized reproducer is kept, not the temporary
# file the minimizer wrote (gone when triage ends)
bad=0
for g in mismatch-free-last_offset-2614 oops-2614-oops-null-node_bootmem_map; do
    d="$C/2614/$g"
    grep '^minimizer: ' "$d/meta" 2>/dev/null | grep -qF "wrote $d/minimized and $d/minimized.trace" || bad=$((bad + 1))
    grep -q '/triage\.[0-9]*/' "$d/meta" 2>/dev/null && bad=$((bad + 1))
done
[ "$bad" -eq 0 ] && echo "ok - meta names the stored minimized reproducer, not a temporary path" || {
    echo "not ok - meta's minimizer line names a temporary path ($bad problems):"
    grep -h '^minimizer: ' "$C"/2614/*/meta | sed 's/^/    /'
}
kept=0
for k in timeout oom not-reproducible; do kept=$((kept + $(ls "$W/triage/$k" 2>/dev/null | wc -l))); done
[ "$kept" -eq 5 ] && echo "ok - timeouts, OOMs and the unreproducible crash are kept in WORK/triage/KIND/" ||
    echo "not ok - $kept of 5 non-finding artifacts kept"
ls "$C/2614" | grep -q -v -e '^mismatch-free-last_offset-2614$' -e '^oops-2614-oops-null-node_bootmem_map$' \
    -e '^oops-2614-oops-read-of-bit-n-past-node_bootmem_map$' &&
    echo "not ok - a non-finding group was stored with the findings: $(ls "$C/2614" | tr '\n' ' ')" ||
    echo "ok - only findings are stored in CRASHES/TARGET/"
cp "$W/triage.tsv" "$T/tsv1"
# a user minimizes findings where they lie: `bootfuzz minimize FILE` writes
# FILE.min and FILE.min.trace beside the engines' artifacts; those are not
# new artifacts (an editor's backup neither)
"$BUILD/bootfuzz" minimize --target 2614 "$W/artifacts/crash-$(h "$f_lastoff")" >/dev/null 2>&1
"$BUILD/bootfuzz" minimize --target 2614 "$W/afl/main/crashes/id:000000,sig:06,src:000000,time:1,execs:1,op:havoc,rep:1" >/dev/null 2>&1
cp "$f_lastoff" "$W/artifacts/crash-$(h "$f_lastoff")~"
CRASHES="$C" sh scripts/triage "$W" 2614 >"$T/out2" 2>&1
if [ -f "$W/artifacts/crash-$(h "$f_lastoff").min.trace" ] && grep -q '^triage: 0 new artifacts' "$T/out2" &&
    cmp -s "$T/tsv1" "$W/triage.tsv"; then
    echo "ok - a second triage adds nothing (FILE.min, FILE.min.trace of bootfuzz minimize and FILE~ beside the artifacts are not artifacts)"
else
    echo "not ok - a second triage changed the record (files beside the artifacts taken as artifacts?)"
    sed 's/^/    /' "$T/out2"
fi

# the report
printf '{"time":%d,"session":1,"elapsed":5,"fuzz_time":5,"execs":10,"session_execs":10,"exec_per_sec":2,"cov":100,"afl_cov":null,"afl_edges":null,"corpus":0,"findings":6}\n' \
    "$(date +%s)" >"$W/stats.jsonl"
CRASHES="$C" sh scripts/report "$W" 2614 both >"$T/rout" 2>&1
rc=$?
R="$W/report.md"
if [ "$rc" -eq 0 ] && grep -q '^## Timeouts' "$R" && grep -q '^## Out of memory' "$R" &&
    grep -q '^## Not reproducible' "$R" && [ "$(grep -c '^| `MISMATCH\|^| `OOPS' "$R")" -eq 3 ] &&
    ! grep -q 'no finding on replay` |' "$R"; then
    echo "ok - the report lists findings by signature and a section per other kind"
else
    echo "not ok - the report's sections are wrong (exit $rc)"
    sed 's/^/    /' "$R" | head -40
fi
missing=0
# (paths may hold spaces: one a line)
grep -o '`[^`]*minimized.trace`' "$R" | tr -d '`' >"$T/named"
grep -o '`triage/[^`]*`' "$R" | tr -d '`' | sed "s|^|$W/|" >>"$T/named"
while IFS= read -r f; do [ -e "$f" ] || missing=$((missing + 1)); done <"$T/named"
[ "$missing" -eq 0 ] && echo "ok - every file the report names exists" || echo "not ok - the report names $missing missing files"

# a minimizer that fails: an error in triage's exit status and output, and in the report
W2="$T/work2"
mkdir -p "$W2/artifacts"
cp "$f_lastoff" "$W2/artifacts/crash-$(h "$f_lastoff")"
CRASHES="$T/c2" MINIMIZER=false sh scripts/triage "$W2" 2614 >"$T/out3" 2>&1
rc=$?
cp "$W/stats.jsonl" "$W2/stats.jsonl"
CRASHES="$T/c2" sh scripts/report "$W2" 2614 libfuzzer >"$T/rout3" 2>&1
rrc=$?
if [ "$rc" -eq 4 ] && grep -q 'ERROR: group mismatch-free-last_offset-2614 .*minimizer failed' "$T/out3" &&
    [ "$rrc" -eq 4 ] && grep -q 'ERROR: missing' "$W2/report.md" && ! grep -q 'minimized.trace`' "$W2/report.md"; then
    echo "ok - a failed minimization is an error: triage exit 4, report exit 4, no link to a missing file"
else
    echo "not ok - a failed minimization: triage exit $rc, report exit $rrc"
    sed 's/^/    /' "$T/out3"
fi

# cost: 300 artifacts (a finding with different tails) cost a few runs, not
# runs per artifact (three sanitizer replays each, as triage once did, took
# about 10 s)
W3="$T/work3"
mkdir -p "$W3/artifacts"
i=0
while [ "$i" -lt 300 ]; do
    f="$W3/artifacts/x"
    { cat "$f_null"; printf '%08d' "$i"; } >"$f"
    mv "$f" "$W3/artifacts/crash-$(h "$f")"
    i=$((i + 1))
done
# counted, not timed: the runs of the tool and of the sanitizer replay
# driver (wrapped), at most one batch replay, REPRO - 1 = 2 more of the
# group's representative, one minimization and the tool's --help probe
case $BUILD in /*) bd=$BUILD ;; *) bd=$(pwd)/$BUILD ;; esac
for w in "bootfuzz:$bd/bootfuzz" "asan:$bd/libfuzzer/fuzz/replay-2614"; do
    counting_wrapper "$T/${w%%:*} counted" "${w#*:}" "$T/runs3" "${w%%:*}"
done
: >"$T/runs3"
asan_w=""
[ -x "$bd/libfuzzer/fuzz/replay-2614" ] && asan_w="$T/asan counted"
t0=$(date +%s%N)
CRASHES="$T/c3" BOOTFUZZ_TOOL="$T/bootfuzz counted" BOOTFUZZ_ASAN_REPLAY="$asan_w" \
    sh scripts/triage "$W3" 2614 >"$T/out4" 2>&1
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
n=$(wc -l <"$W3/triage.tsv")
runs=$(wc -l <"$T/runs3")
if [ "$n" -eq 300 ] && [ "$runs" -le 5 ] && { [ "$rc" -eq 0 ] || [ "$rc" -eq 4 ]; }; then
    echo "ok - 300 artifacts of one finding triaged with $runs runs of the tool and the sanitizer driver (at most 5; ${ms} ms)"
else
    echo "not ok - 300 artifacts of one finding: $n triaged with $runs runs of the tool and the sanitizer driver, at most 5 wanted (exit $rc): $(cut -d" " -f1,2 "$T/runs3" | sed "s|^asan .*|asan|" | sort | uniq -c | tr '\n' ' ')"
    tail -n 5 "$T/out4" | sed 's/^/    /'
fi

# the campaign checks its target against the tool's list, after the build
env WORK="$T/w4" TARGET=nosuchtarget DURATION=1s JOBS=1 sh scripts/campaign >"$T/out5" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "unknown target 'nosuchtarget'; valid: .*2614" "$T/out5"; then
    echo "ok - an unknown target is refused, naming the valid ones"
else
    echo "not ok - an unknown target: exit $rc"
    sed 's/^/    /' "$T/out5" | tail -n 3
fi

# a target without a corpus of its own starts from every shipped corpus, and says so first
new=""
for n in $("$BUILD/bootfuzz" list --names 2>/dev/null); do
    [ -d "corpus/$n" ] || { new=$n; break; }
done
if [ -n "$new" ]; then
    env WORK="$T/w5" CRASHES="$T/c5" TARGET="$new" DURATION=2s JOBS=1 STATUS_EVERY=1 sh scripts/campaign >"$T/out6" 2>&1
    rc=$?
    all=$(for d in corpus/*/; do [ "$d" = corpus/traces/ ] || ls "$d"; done | sort -u | wc -l)
    if head -n 1 "$T/out6" | grep -q "no corpus/$new: seeded from every shipped corpus:.* $all inputs" &&
        { [ "$rc" -eq 0 ] || [ "$rc" -eq 4 ]; }; then
        echo "ok - a new target ($new) is seeded from every shipped corpus ($all inputs) and says so first"
    else
        echo "not ok - a new target ($new): exit $rc"
        head -n 3 "$T/out6" | sed 's/^/    /'
    fi
else
    echo "ok - # every target has a corpus of its own: no new-target check"
fi

# a finding that comes only after an earlier input (a backend whose reset()
# leaks state: RESET-LEAK): its own kind, kept with that earlier input as a
# pair that replays to the finding, not a "flaky" or failed-minimization group.
# The leaky backend: the example kbitmap without the line of its reset() that
# makes a kept map all reserved again; only the tool is built, in $T.
if [ -f examples/kbitmap/kbitmap.c ]; then
    mkdir -p "$T/leaky" "$T/lb"
    sed '/back to all reserved/d' examples/kbitmap/kbitmap.c >"$T/leaky/kbitmap.c"
    cp -Rp "$BUILD/obj" "$T/lb/" 2>/dev/null
    if ! cmp -s examples/kbitmap/kbitmap.c "$T/leaky/kbitmap.c" &&
        make -s BUILD="$T/lb" BACKEND="$T/leaky/kbitmap.c" "$T/lb/bootfuzz" "$T/lb/fuzz/replay-kbitmap" >"$T/mk" 2>&1 &&
        "$T/lb/bootfuzz" --help 2>&1 | grep -q -- --leak-before; then
        W6="$T/work6"
        mkdir -p "$W6/artifacts"
        printf 'node 0 16\nfree 0 0x10000\n' >"$T/p.trace" # leaves every page of slot 0 free
        printf 'node 0 16\nalloc 4096\n' >"$T/x.trace"     # a new node in that slot
        # (engine-style names, 40 hex digits, that sort the earlier input first)
        "$T/lb/bootfuzz" encode "$T/p.trace" -o "$W6/artifacts/crash-0000000000000000000000000000000000000000"
        "$T/lb/bootfuzz" encode "$T/x.trace" -o "$W6/artifacts/crash-1111111111111111111111111111111111111111"
        BUILD="$T/lb" CRASHES="$T/c6" sh scripts/triage "$W6" kbitmap >"$T/out7" 2>&1
        rc=$?
        hx=$(h "$W6/artifacts/crash-1111111111111111111111111111111111111111")
        g=$(awk -F'\t' -v h="$hx" '$1 == h && $3 == "reset-leak" { print $2 }' "$W6/triage.tsv")
        d="$W6/triage/reset-leak/$g/$hx"
        if [ "$rc" -eq 0 ] && [ -n "$g" ] && [ -f "$d/0-before" ] && [ -f "$d/1-input" ] &&
            "$T/lb/bootfuzz" replay --target kbitmap "$d" 2>/dev/null | grep -q ': bootfuzz: RESET-LEAK kbitmap: '; then
            echo "ok - a RESET-LEAK finding is its own kind, kept with its earlier input; the pair replays to it"
        else
            echo "not ok - RESET-LEAK: triage exit $rc, group '$g'"
            sed 's/^/    /' "$T/out7"
        fi
        # an engine's process keeps the pair it saw (BOOTFUZZ_LEAK_DIR): the
        # fuzz target's own code, run by the replay driver as by libFuzzer
        mkdir -p "$T/leaks"
        BOOTFUZZ_LEAK_DIR="$T/leaks" "$T/lb/fuzz/replay-kbitmap" "$W6/artifacts/crash-0000000000000000000000000000000000000000" \
            "$W6/artifacts/crash-1111111111111111111111111111111111111111" >/dev/null 2>&1
        pd=$(ls -d "$T/leaks"/pair.* 2>/dev/null | head -n 1)
        if [ -n "$pd" ] && cmp -s "$pd/0-before" "$W6/artifacts/crash-0000000000000000000000000000000000000000" &&
            cmp -s "$pd/1-input" "$W6/artifacts/crash-1111111111111111111111111111111111111111" &&
            [ -z "$(ls -A "$T/leaks" | grep -v '^pair\.')" ]; then
            echo "ok - the fuzz target keeps a RESET-LEAK's pair in BOOTFUZZ_LEAK_DIR (earlier input, failing input), whole"
        else
            echo "not ok - the fuzz target keeps a RESET-LEAK's pair in BOOTFUZZ_LEAK_DIR ($(ls -A "$T/leaks" | tr '\n' ' '))"
        fi
        # the engine kept only the failing input (fork mode, AFL++): alone it
        # runs clean, and no earlier artifact sorts before it.  Triage finds
        # the earlier input in the pair the engine kept, or, with no pair,
        # among WORK's corpus: a RESET-LEAK kept with it, never "not
        # reproducible"
        for how in pair corpus; do
            W8="$T/work8-$how"
            mkdir -p "$W8/artifacts"
            cp "$W6/artifacts/crash-1111111111111111111111111111111111111111" "$W8/artifacts/crash-$hx"
            if [ "$how" = pair ]; then
                mkdir -p "$W8/leaks" && cp -R "$pd" "$W8/leaks/"
                printf 'node 0 16\n' >"$T/n.trace" # does not leak: a decoy in the corpus
                mkdir -p "$W8/corpus" && "$T/lb/bootfuzz" encode "$T/n.trace" -o "$W8/corpus/n"
            else
                mkdir -p "$W8/corpus"
                "$T/lb/bootfuzz" encode "$T/n.trace" -o "$W8/corpus/a"
                cp "$W6/artifacts/crash-0000000000000000000000000000000000000000" "$W8/corpus/b"
            fi
            BUILD="$T/lb" CRASHES="$T/c8-$how" sh scripts/triage "$W8" kbitmap >"$T/out8" 2>&1
            rc=$?
            g=$(awk -F'\t' -v h="$hx" '$1 == h && $3 == "reset-leak" { print $2 }' "$W8/triage.tsv")
            d="$W8/triage/reset-leak/$g/$hx"
            if [ "$rc" -eq 0 ] && [ -n "$g" ] && cmp -s "$d/0-before" "$W6/artifacts/crash-0000000000000000000000000000000000000000" &&
                "$T/lb/bootfuzz" replay --target kbitmap "$d" 2>/dev/null | grep -q ': bootfuzz: RESET-LEAK kbitmap: ' &&
                ! grep -q 'not-reproducible' "$W8/triage.tsv"; then
                echo "ok - an engine's RESET-LEAK artifact alone is filed as RESET-LEAK with its earlier input (from the $how)"
            else
                echo "not ok - an engine's RESET-LEAK artifact alone (the earlier input in the $how): exit $rc, group '$g'"
                sed 's/^/    /' "$T/out8"
                cut -f2-4 "$W8/triage.tsv" | sed 's/^/    /'
            fi
        done
        cp "$W/stats.jsonl" "$W6/stats.jsonl"
        CRASHES="$T/c6" sh scripts/report "$W6" kbitmap libfuzzer >/dev/null 2>&1
        rrc=$?
        if [ "$rrc" -eq 0 ] && grep -q '^## Findings after an earlier input (RESET-LEAK' "$W6/report.md" &&
            grep -q "RESET-LEAK kbitmap: INVARIANT" "$W6/report.md" && ! grep -qi flaky "$W6/report.md"; then
            echo "ok - the report shows the RESET-LEAK with its pair, not as flaky"
        else
            echo "not ok - the report's RESET-LEAK section (exit $rrc)"
        fi
    else
        echo "ok - # no leaky backend built here (examples/kbitmap changed, or no --leak-before): RESET-LEAK checks skipped"
    fi
fi

# a sanitizer finding in the user's own code (UBSan's "runtime error"): the
# plain tool runs it clean, so it must be filed by where it happened
# (file:line, not "undefined-behavior in "), stored with a reproducer for the
# sanitizer build (its minimized bytes and their trace, saying how to run
# them), and not called a failed minimization or a leaking reset().
# The backend: the example with a signed overflow planted on a path every
# allocation of 4 pages or more takes; built like the leaky one, in $T.
if [ -f examples/kbitmap/kbitmap.c ]; then
    mkdir -p "$T/ubsrc" "$T/ub/libfuzzer"
    sed 's|^\( *\)u64 step = align > PAGE_SIZE.*|&\n\1{ volatile int planted = (int)npages; planted = planted + 0x7ffffffc; (void)planted; }|' \
        examples/kbitmap/kbitmap.c >"$T/ubsrc/kbitmap.c"
    line=$(grep -n 'planted = planted' "$T/ubsrc/kbitmap.c" | cut -d: -f1)
    cp -Rp "$BUILD/obj" "$T/ub/" 2>/dev/null
    cp -Rp "$BUILD/libfuzzer/obj" "$T/ub/libfuzzer/" 2>/dev/null
    if [ -n "$line" ] && make -s BUILD="$T/ub" BACKEND="$T/ubsrc/kbitmap.c" libfuzzer >"$T/mk2" 2>&1 &&
        [ -x "$T/ub/libfuzzer/fuzz/replay-kbitmap" ]; then
        W7="$T/work7 ub"
        mkdir -p "$W7/artifacts"
        printf 'node 0 64\nfree 0 0x40000\nreserve 0x30000 4096\nalloc 16384\nalloc 4096\n' >"$T/ub.trace"
        "$T/ub/bootfuzz" encode "$T/ub.trace" -o "$T/ub.bin"
        cp "$T/ub.bin" "$W7/artifacts/crash-$(h "$T/ub.bin")"
        BUILD="$T/ub" CRASHES="$T/c7" sh scripts/triage "$W7" kbitmap >"$T/out8" 2>&1
        rc=$?
        want="SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior kbitmap.c:$line"
        g=$(awk -F'\t' '$3 == "finding" { print $2 }' "$W7/triage.tsv")
        d="$T/c7/kbitmap/$g"
        if [ "$rc" -eq 0 ] && [ -n "$g" ] && [ "$(cut -f5 "$W7/triage.tsv")" = "$want" ] &&
            [ "$(cat "$d/signature" 2>/dev/null)" = "$want" ] && ! grep -qi -e error -e "reset()" -e "leaks" -e "does not fail" "$T/out8"; then
            echo "ok - a UBSan finding in the user's code is filed by its place ($want), not as an error or a reset() leak"
        else
            echo "not ok - a UBSan finding: triage exit $rc, group '$g', signature '$(cut -f5 "$W7/triage.tsv")' (want '$want')"
            sed 's/^/    /' "$T/out8"
        fi
        got=$("$T/ub/libfuzzer/fuzz/replay-kbitmap" "$d/minimized" 2>&1 | grep -c "kbitmap.c:$line:[0-9]*: runtime error: signed integer overflow")
        if [ -s "$d/minimized" ] && [ "$got" -ge 1 ] && [ "$(wc -c <"$d/minimized")" -le "$(wc -c <"$T/ub.bin")" ] &&
            head -n 1 "$d/minimized.trace" | grep -qxF "# bootfuzz: $want" &&
            grep -qF "replay-kbitmap' '$d/minimized'" "$d/minimized.trace" && grep -q '^alloc ' "$d/minimized.trace" &&
            grep -q '^minimizer: ' "$d/meta" && ! grep -q -e FAILED -e '/triage\.[0-9]*/' "$d/meta"; then
            echo "ok - its reproducer replays to the runtime error on the sanitizer build; its trace says how ($(grep '^minimizer: ' "$d/meta"))"
        else
            echo "not ok - the UBSan group's reproducer (replay-kbitmap gives the error: $got):"
            cat "$d/minimized.trace" "$d/meta" 2>&1 | sed 's/^/    /'
        fi
        cp "$W/stats.jsonl" "$W7/stats.jsonl"
        BUILD="$T/ub" CRASHES="$T/c7" sh scripts/report "$W7" kbitmap libfuzzer >/dev/null 2>&1
        rrc=$?
        if [ "$rrc" -eq 0 ] && grep -qF "| \`$want\` | 1 |" "$W7/report.md" && ! grep -q ERROR "$W7/report.md"; then
            echo "ok - the report lists it as a finding with its reproducer"
        else
            echo "not ok - the report of the UBSan finding (exit $rrc)"
            sed -n '/^## Findings/,$p' "$W7/report.md" | sed 's/^/    /'
        fi
    else
        echo "not ok - the example with a planted UB does not build (line '$line'):"
        tail -n 5 "$T/mk2" | sed 's/^/    /'
    fi
fi

# a replay that dies on one artifact of a batch (a backend that crashes the
# plain tool): the batch is replayed one by one, and the others keep their
# findings (the batch's exit status was once read after a shift: 0, and the
# whole batch went to not-reproducible)
FB="$T/fake build"
mkdir -p "$FB"
case $BUILD in /*) RB=$BUILD ;; *) RB="$(pwd)/$BUILD" ;; esac
cat >"$FB/bootfuzz" <<FAKE
#!/bin/sh
# the real tool, except that any run naming an artifact crash-b00b* dies by SIGSEGV
for a in "\$@"; do case \$a in *crash-b00b*) kill -SEGV \$\$ ;; esac; done
exec "$RB/bootfuzz" "\$@"
FAKE
chmod +x "$FB/bootfuzz"
W8="$T/work8"
mkdir -p "$W8/artifacts"
cp "$f_lastoff" "$W8/artifacts/crash-$(h "$f_lastoff")"
cp "$f_null" "$W8/artifacts/crash-b00b000000000000000000000000000000000000"
BUILD="$FB" CRASHES="$T/c8" MINIMIZER="$RB/bootfuzz" sh scripts/triage "$W8" 2614 >"$T/out8" 2>&1
rc8=$?
if [ "$rc8" -eq 0 ] && grep -q 'the batch replay stopped' "$T/out8" &&
    awk -F'\t' '$3 == "finding" && $5 ~ /^CRASH 2614 SIGSEGV /' "$W8/triage.tsv" | grep -q . &&
    cmp -s "$T/c8/2614/"crash-2614-sigsegv-*/minimized "$W8/artifacts/crash-b00b000000000000000000000000000000000000" &&
    awk -F'\t' -v h="$(h "$f_lastoff")" '$1 == h && $3 == "finding" && $5 == "MISMATCH free last_offset 2614"' "$W8/triage.tsv" | grep -q . &&
    [ -s "$T/c8/2614/mismatch-free-last_offset-2614/minimized" ] &&
    ! grep -q 'not-reproducible' "$W8/triage.tsv"; then
    echo "ok - a replay that dies on one artifact: the batch is replayed one by one, no finding lost, the crash kept by its signal with the artifact as its reproducer (exit 0)"
else
    echo "not ok - a replay that dies on one artifact took the batch's findings with it (exit $rc8)"
    sed 's/^/    /' "$T/out8"
    sed 's/^/    /' "$W8/triage.tsv"
fi

# a tool that dies at exit (a backend whose destroy() crashes) after it
# printed its findings: they are the findings
cat >"$FB/bootfuzz" <<FAKE
#!/bin/sh
"$RB/bootfuzz" "\$@"
rc=\$?
case \$1 in replay) kill -ABRT \$\$ ;; esac
exit \$rc
FAKE
W9="$T/work9"
mkdir -p "$W9/artifacts"
cp "$f_lastoff" "$W9/artifacts/crash-$(h "$f_lastoff")"
BUILD="$FB" CRASHES="$T/c9" MINIMIZER="$RB/bootfuzz" sh scripts/triage "$W9" 2614 >"$T/out9" 2>&1
if awk -F'\t' '$3 == "finding" && $5 == "MISMATCH free last_offset 2614"' "$W9/triage.tsv" | grep -q . &&
    ! grep -q 'CRASH\|not-reproducible' "$W9/triage.tsv"; then
    echo "ok - a replay that dies at exit after printing its finding: the finding is kept"
else
    echo "not ok - a replay that dies at exit lost the finding it printed"
    sed 's/^/    /' "$T/out9" "$W9/triage.tsv"
fi
