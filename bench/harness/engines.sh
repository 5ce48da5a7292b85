#!/bin/sh
# bench/harness/engines.sh [BASE_REV] - what users get: real engine runs.
#
# Each target is fuzzed for SECS seconds by libFuzzer (one worker, the
# campaign's flags: -dict, -max_len=600) and by AFL++ (persistent mode, one
# instance, -x, -G 600), plain and with ASan+UBSan, starting from the seed
# corpus (corpus/TARGET) and from the stored grown corpus (bench/corpus-grown:
# inputs libFuzzer grew on fast, which cost far more per execution than the
# seeds).  Prints exec/s per run and, for AFL++, its stability.
#
# With BASE_REV (make bench-harness BASE=d306a8d), that revision is built
# from `git archive` in build/bench-engines/base and every run is made on
# both builds, one right after the other (the order alternates), so a change
# is judged by the ratio of two runs made a few seconds apart on the same
# loaded machine; "head/base" is that ratio.
#
# Environment: SECS (default 10), TARGETS (default "fast 2614 ref"),
# ENGINES ("libfuzzer afl"), SANS ("plain asan"), CORPORA ("seeds grown").
# The 2.6.14 port runs with its bugs off (they would be findings).
# Exit status: 0, or 1 when a build or a run failed.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECS=${SECS:-10}
TARGETS=${TARGETS:-fast 2614 ref}
ENGINES=${ENGINES:-libfuzzer afl}
SANS=${SANS:-plain asan}
CORPORA=${CORPORA:-seeds grown}
BASE=${1:-}
BUGS_OFF=A=0,C=0,D=0,E=0,F=0,G=0,H=0,J=0,K=0,L=0,M=0,N=0,O=0,P=0
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
WORK=$ROOT/build/bench-engines
unset MAKEFLAGS MFLAGS MAKELEVEL
case $SECS in '' | *[!0-9]*) echo "engines.sh: SECS must be a number of seconds" >&2; exit 2 ;; esac
mkdir -p "$WORK" || exit 1
rc=0

# build_side DIR: the four engine builds of the tree in DIR.  A tree whose
# Makefile has the libfuzzer-plain and afl-asan targets builds them; an
# older one gets the same builds from its pattern rules (what its own
# `make libfuzzer` and `make afl` did, with and without the sanitizers).
build_side() {
    (
        cd "$1" || exit 1
        make -s all >/dev/null || exit 1
        if grep -q '^libfuzzer-plain:' Makefile; then
            make -s libfuzzer libfuzzer-plain afl afl-asan >/dev/null 2>&1
            exit
        fi
        lf="" pl="" af="" aa=""
        for t in $TARGETS; do
            lf="$lf build/libfuzzer/fuzz/libfuzzer-$t"
            pl="$pl build/libfuzzer-plain/fuzz/libfuzzer-$t"
            af="$af build/afl/fuzz/afl-$t"
            aa="$aa build/afl-asan/fuzz/afl-$t"
        done
        make -s libfuzzer >/dev/null 2>&1 &&
            make -s BUILD=build/libfuzzer-plain CC=clang OPT=-O2 LTO= COV=-fsanitize=fuzzer-no-link \
                $pl >/dev/null 2>&1 &&
            make -s BUILD=build/afl CC=afl-clang-fast OPT=-O2 LTO= $af >/dev/null 2>&1 &&
            make -s BUILD=build/afl-asan CC=afl-clang-fast OPT=-O2 LTO= EXTRA_CFLAGS="$SAN" \
                $aa >/dev/null 2>&1
    )
}

SIDES="head"
if [ -n "$BASE" ]; then
    rev=$(git -C "$ROOT" rev-parse --verify --quiet "$BASE^{commit}") ||
        { echo "engines.sh: BASE=$BASE is not a commit" >&2; exit 2; }
    if [ "$(cat "$WORK/base.rev" 2>/dev/null)" != "$rev" ]; then
        rm -rf "$WORK/base" && mkdir -p "$WORK/base" &&
            git -C "$ROOT" archive "$rev" | tar -x -C "$WORK/base" &&
            echo "$rev" >"$WORK/base.rev.tmp" && mv -f "$WORK/base.rev.tmp" "$WORK/base.rev" ||
            { echo "engines.sh: could not unpack $BASE" >&2; exit 1; }
    fi
    SIDES="head base"
fi
for side in $SIDES; do
    dir=$ROOT
    [ "$side" = base ] && dir=$WORK/base
    echo "engines: building $side ($dir)"
    build_side "$dir" || { echo "engines.sh: the $side build failed" >&2; exit 1; }
done

# run SIDE ENGINE SAN TARGET CORPUS: one run; prints "EXECS_PER_SEC STABILITY"
# (STABILITY "-" for libFuzzer), or "fail -"
run() {
    dir=$ROOT
    [ "$1" = base ] && dir=$WORK/base
    out=$WORK/run.$$
    rm -rf "$out" && mkdir -p "$out/new" || return 1
    seeds=$ROOT/corpus/$4
    [ -d "$seeds" ] || seeds=$ROOT/corpus/fast
    [ "$5" = grown ] && seeds=$ROOT/bench/corpus-grown
    opts=""
    [ "$4" = 2614 ] && opts=$BUGS_OFF
    if [ "$2" = libfuzzer ]; then
        bin=$dir/build/libfuzzer/fuzz/libfuzzer-$4
        [ "$3" = plain ] && bin=$dir/build/libfuzzer-plain/fuzz/libfuzzer-$4
        (cd "$out" && BOOTFUZZ_OPTIONS="$opts" timeout $((SECS + 120)) "$bin" -seed=1 \
            -max_total_time="$SECS" -dict="$ROOT/fuzz/lang/bootfuzz.dict" -max_len=600 \
            -print_final_stats=1 -rss_limit_mb=4096 new "$seeds" >log 2>&1)
        e=$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\)$/\1/p' "$out/log")
        s=-
    else
        bin=$dir/build/afl/fuzz/afl-$4
        [ "$3" = asan ] && bin=$dir/build/afl-asan/fuzz/afl-$4
        (cd "$out" && BOOTFUZZ_OPTIONS="$opts" AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
            AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CRASHES=1 \
            timeout $((SECS + 120)) afl-fuzz -i "$seeds" -o afl -V "$SECS" -m none -s 1 \
            -x "$ROOT/fuzz/lang/bootfuzz.dict" -G 600 -- "$bin" >log 2>&1)
        st=$out/afl/default/fuzzer_stats
        e=$(sed -n 's/^execs_per_sec *: *\([0-9]*\).*/\1/p' "$st" 2>/dev/null)
        s=$(sed -n 's/^stability *: *\([0-9.]*%\).*/\1/p' "$st" 2>/dev/null)
    fi
    if [ -z "$e" ]; then
        cp "$out/log" "$WORK/failed-$1-$2-$3-$4-$5.log" 2>/dev/null
        echo "fail -"
    else
        echo "$e ${s:--}"
    fi
    rm -rf "$out"
}

printf '%-9s %-5s %-6s %-5s %10s %8s' engine san target input "exec/s" stab
[ -n "$BASE" ] && printf ' %10s %8s %9s' "base" "base" "head/base"
printf '\n'
n=0
for engine in $ENGINES; do
    for san in $SANS; do
        for t in $TARGETS; do
            for c in $CORPORA; do
                n=$((n + 1))
                if [ -n "$BASE" ] && [ $((n % 2)) -eq 0 ]; then
                    set -- $(run base "$engine" "$san" "$t" "$c") $(run head "$engine" "$san" "$t" "$c")
                    be=$1 bs=$2 he=$3 hs=$4
                elif [ -n "$BASE" ]; then
                    set -- $(run head "$engine" "$san" "$t" "$c") $(run base "$engine" "$san" "$t" "$c")
                    he=$1 hs=$2 be=$3 bs=$4
                else
                    set -- $(run head "$engine" "$san" "$t" "$c")
                    he=$1 hs=$2
                fi
                [ "$he" = fail ] && rc=1
                printf '%-9s %-5s %-6s %-5s %10s %8s' "$engine" "$san" "$t" "$c" "$he" "$hs"
                if [ -n "$BASE" ]; then
                    [ "$be" = fail ] && rc=1
                    ratio=-
                    case $he$be in *fail* | *-*) ;; *)
                        [ "$be" -gt 0 ] && ratio=$(awk -v h="$he" -v b="$be" 'BEGIN { printf "%.2fx", h / b }') ;;
                    esac
                    printf ' %10s %8s %9s' "$be" "$bs" "$ratio"
                fi
                printf '\n'
            done
        done
    done
done
[ "$rc" -eq 0 ] || echo "engines.sh: a run failed; its log is in $WORK/failed-*.log" >&2
exit "$rc"
