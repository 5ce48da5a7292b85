#!/bin/sh
# tests/sh/ossfuzz.sh [BUILD] - .clusterfuzzlite/build.sh run exactly the way
# OSS-Fuzz's / ClusterFuzzLite's builder runs it, and the builder's own build
# check, written here in the project's code.
#
# The builder (infra/base-images/base-builder: compile, compile_libfuzzer,
# compile_afl) copies the checkout to $SRC/bootfuzz and the script to
# $SRC/build.sh, and runs `bash -eux $SRC/build.sh` from $SRC with CC, CXX,
# CFLAGS, CXXFLAGS, LIB_FUZZING_ENGINE, SANITIZER, FUZZING_ENGINE, SRC, OUT
# and WORK set, and nothing else of ours.  This test does the same in a
# temporary directory whose path holds a space (quoting bugs show), with a
# clean environment (env -i: no CFLAGS of the caller's leak in), for:
#   address   + libFuzzer     undefined + libFuzzer     coverage + libFuzzer
#   address   + AFL++       undefined + AFL++
#   (AFL++: Debian's afl-clang-fast and its libAFLDriver.a, which compile_afl
#   copies to the path LIB_FUZZING_ENGINE names)
# Then, for each build, what the builder's bad-build check looks for:
#   - exactly the fuzzers that must be clean are shipped (fast, fast_small,
#     ref, 2614fixed; never the buggy port 2614): ClusterFuzz takes every
#     executable in OUT that holds LLVMFuzzerTestOneInput as a fuzzer;
#   - each fuzzer's seed corpus zip, dictionary and options file are at
#     $OUT/NAME_seed_corpus.zip, $OUT/NAME.dict, $OUT/NAME.options, and the
#     options file names a dictionary that is there;
#   - each fuzzer is instrumented for the sanitizer (calls into the ASan /
#     UBSan runtime inside the project's own bf_* functions, none of the
#     other one; profile counters in the coverage build) and for the engine
#     (libFuzzer's edge counters; AFL++'s shared-memory map, afl-showmap
#     edges, and afl-fuzz getting to "All set and ready to roll");
#   - each fuzzer runs its seed corpus with its options, as ClusterFuzz
#     does, without a crash, a leak, a timeout or running out of memory;
#     the coverage build writes a profile that llvm-cov maps to our sources;
#   - each shipped fuzzer fuzzes for a few seconds and finds nothing.
#
# Red on the old script: run this file from a copy of the checkout whose
# .clusterfuzzlite/build.sh is the old one (docs/workflows.md,
# "Scaling out").
#
# Budget: five builds of ~15-30 s each and a few seconds of running each
# fuzzer; about two minutes on 2 cores.  Builds are serial on purpose.

ROOT=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
# The space is deliberate: $SRC, $OUT and $WORK with a space catch every
# unquoted path in build.sh.
T=$(mktemp -d "${TMPDIR:-/tmp}/bootfuzz ossfuzz.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
# A signal (or a closed pipe: `... | head`) still cleans up, through the EXIT trap.
trap 'exit 1' HUP INT TERM PIPE

ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; }
# show FILE: the tail of a log, indented, for a failure
show() { tail -n "${2:-15}" "$1" | sed 's/^/    /'; }

for tool in clang clang++ unzip objdump; do
    if ! command -v "$tool" >/dev/null; then
        bad "$tool is needed to simulate the OSS-Fuzz builder"
        exit 0
    fi
done

# --- the builder's $SRC ---------------------------------------------------
# The Dockerfile's `COPY . $SRC/bootfuzz`: the checkout's files as they are
# now (tracked and new, not ignored ones such as build/).
mkdir -p "$T/src/bootfuzz" "$T/work" "$T/lib"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$ROOT" && git ls-files -z -co --exclude-standard |
        tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
        (cd "$T/src/bootfuzz" && tar xf -)
else
    cp -R "$ROOT/." "$T/src/bootfuzz/"
    rm -rf "$T/src/bootfuzz/build" "$T/src/bootfuzz/work"
fi
# The Dockerfile's `COPY .clusterfuzzlite/build.sh $SRC/build.sh`.
cp "$ROOT/.clusterfuzzlite/build.sh" "$T/src/build.sh"
# shellcheck disable=SC2016 # a literal $SRC
if grep -q 'COPY \.clusterfuzzlite/build\.sh \$SRC/build\.sh' "$ROOT/.clusterfuzzlite/Dockerfile" &&
    grep -q 'COPY \. \$SRC/bootfuzz' "$ROOT/.clusterfuzzlite/Dockerfile"; then
    ok "Dockerfile puts the checkout in \$SRC/bootfuzz and build.sh in \$SRC, as this test does"
else
    bad "Dockerfile does not copy the checkout to \$SRC/bootfuzz and build.sh to \$SRC/build.sh"
fi

# --- the builder's flags (base-clang / base-builder Dockerfiles, compile) --
BASE="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
SAN_ADDRESS="-fsanitize=address -fsanitize-address-use-after-scope"
UB=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unsigned-integer-overflow,unreachable,vla-bound,vptr
UB_NORECOVER=$(echo "$UB" | sed 's/,unsigned-integer-overflow//')
SAN_UNDEFINED="-fsanitize=$UB -fno-sanitize-recover=$UB_NORECOVER"
COV_LIBFUZZER="-fsanitize=fuzzer-no-link"
COV_COVERAGE="-fprofile-instr-generate -fcoverage-mapping -pthread -Wl,--no-as-needed -Wl,-ldl -Wl,-lm -Wno-unused-command-line-argument"
# compile sets CXXFLAGS="$CFLAGS -stdlib=libc++"; the base image has libc++.
# Where libc++'s development files are missing that link cannot work for
# any project, so the flag is modelled only where it links.
CXX_EXTRA=""
if echo 'int main(void){return 0;}' | clang++ -stdlib=libc++ -x c++ - -o "$T/cxxprobe" >/dev/null 2>&1; then
    CXX_EXTRA="-stdlib=libc++"
else
    echo "# CXXFLAGS without -stdlib=libc++: libc++ development files are not installed"
fi
# The runtime options the base-runner image sets.
ASAN_RUN="alloc_dealloc_mismatch=0:allocator_may_return_null=1:check_malloc_usable_size=0:detect_leaks=1:detect_stack_use_after_return=1:handle_abort=1:handle_segv=1:symbolize=1:dedup_token_length=3"
UBSAN_RUN="print_stacktrace=1:print_summary=1:halt_on_error=1:silence_unsigned_overflow=1"

FUZZERS="bootfuzz_fast bootfuzz_fast_small bootfuzz_ref bootfuzz_2614fixed"

# build SANITIZER ENGINE: run build.sh as compile does; OUT is $T/out-S-E
build() {
    san=$1 eng=$2
    out="$T/out-$san-$eng"
    rm -rf "$out"
    mkdir -p "$out"
    # compile copies llvm-symbolizer into OUT first (and compile_afl the
    # afl-* tools): build.sh must leave them and ship no other fuzzers.
    command -v llvm-symbolizer >/dev/null && cp "$(command -v llvm-symbolizer)" "$out/"
    case $san in
    address) sanflags=$SAN_ADDRESS ;;
    undefined) sanflags=$SAN_UNDEFINED ;;
    *) sanflags="" ;; # coverage: no sanitizer
    esac
    case $eng in
    libfuzzer)
        cc=clang cxx=clang++ lfe=-fsanitize=fuzzer
        if [ "$san" = coverage ]; then covflags=$COV_COVERAGE; else covflags=$COV_LIBFUZZER; fi
        ;;
    afl)
        # compile_afl: CC/CXX are afl-clang-fast(++), the driver library is
        # copied to the path in LIB_FUZZING_ENGINE, no -fsanitize=fuzzer-no-link
        cc=afl-clang-fast cxx=afl-clang-fast++ lfe="$T/lib/libFuzzingEngine.a"
        cp /usr/lib/afl/libAFLDriver.a "$lfe"
        for a in afl-fuzz afl-showmap afl-tmin; do
            command -v "$a" >/dev/null && cp "$(command -v "$a")" "$out/"
        done
        covflags=""
        ;;
    esac
    cflags="$BASE $sanflags $covflags"
    # shellcheck disable=SC2086
    (cd "$T/src" && env -i PATH="$PATH" HOME="$T/work" LANG=C \
        SRC="$T/src" OUT="$out" WORK="$T/work" \
        CC="$cc" CXX="$cxx" CFLAGS="$cflags" CXXFLAGS="$cflags $CXX_EXTRA" \
        LIB_FUZZING_ENGINE="$lfe" SANITIZER="$san" FUZZING_ENGINE="$eng" \
        FUZZING_LANGUAGE=c ARCHITECTURE=x86_64 \
        AFL_QUIET=1 ASAN_OPTIONS="detect_leaks=0:symbolize=0:detect_odr_violation=0:abort_on_error=1" \
        bash -eux "$T/src/build.sh") >"$T/build-$san-$eng.log" 2>&1
}

# calls_in_project BINARY PATTERN: calls matching PATTERN made from the
# project's own functions (bf_*), not from the runtimes linked in
calls_in_project() {
    objdump -d --no-show-raw-insn "$1" 2>/dev/null |
        awk -v pat="$2" '/^[0-9a-f]+ <.*>:$/ { fn = $2 } $0 ~ pat && fn ~ /^<bf_/ { n++ } END { print n + 0 }'
}

# options_args OPTIONSFILE: the [libfuzzer] section as -key=value, as
# ClusterFuzz's run_fuzzer passes it
options_args() {
    awk -F= '/^\[/ { s = ($0 == "[libfuzzer]") ; next }
        s && NF >= 2 { k = $1; v = $2; gsub(/[ \t]/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v); printf "-%s=%s ", k, v }' "$1"
}

# clean_log LOG: no sanitizer, leak, timeout or OOM report in LOG
clean_log() {
    ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY: |out-of-memory|ALARM: working on the last Unit|timeout after' "$1"
}

check_build() {
    san=$1 eng=$2
    out="$T/out-$san-$eng"
    tag="$san/$eng"

    # Which fuzzers ClusterFuzz would take from OUT.
    found=$(for f in "$out"/*; do
        [ -f "$f" ] && [ -x "$f" ] && grep -aq LLVMFuzzerTestOneInput "$f" && basename "$f"
    done | sort | tr '\n' ' ')
    want=$(echo "$FUZZERS" | tr ' ' '\n' | sort | tr '\n' ' ')
    shipped=$found # short_fuzz fuzzes what is shipped, wanted or not
    if [ "$found" = "$want" ]; then
        ok "$tag: OUT ships exactly the fuzzers that must be clean: $found(not bootfuzz_2614)"
    else
        bad "$tag: OUT ships [$found], want [$want]"
    fi

    for fz in $FUZZERS; do
        bin="$out/$fz"
        if [ ! -x "$bin" ]; then
            bad "$tag: $fz was not built"
            continue
        fi

        # Where the builder expects the fuzzer's files.
        opts="$out/$fz.options"
        dict=$(awk -F= '/^dict/ { gsub(/[ \t]/, "", $2); print $2 }' "$opts" 2>/dev/null)
        nseeds=$(unzip -Z1 "$out/${fz}_seed_corpus.zip" 2>/dev/null | grep -vc '/$')
        if [ -s "$out/$fz.dict" ] && grep -qx '\[libfuzzer\]' "$opts" 2>/dev/null &&
            [ "$dict" = "$fz.dict" ] && [ -s "$out/$dict" ] && [ "${nseeds:-0}" -gt 0 ] &&
            ! unzip -Z1 "$out/${fz}_seed_corpus.zip" | grep -q /; then
            ok "$tag: $fz has $fz.options ([libfuzzer], dict = $dict), $fz.dict and a flat ${fz}_seed_corpus.zip of $nseeds seeds"
        else
            bad "$tag: $fz: options/dict/seed corpus not where the builder expects them (dict='$dict', seeds=$nseeds)"
        fi
        seeds="$T/seeds-$san-$eng-$fz"
        rm -rf "$seeds"
        mkdir -p "$seeds"
        unzip -q -o "$out/${fz}_seed_corpus.zip" -d "$seeds"

        # Instrumented for the sanitizer.
        case $san in
        address)
            n=$(calls_in_project "$bin" 'call.*<__asan_')
            u=$(calls_in_project "$bin" 'call.*<__ubsan_handle')
            if [ "$n" -ge 100 ] && [ "$u" -eq 0 ]; then ok "$tag: $fz is built with ASan ($n runtime calls in bf_* functions, no UBSan)"; else
                bad "$tag: $fz is not an ASan build ($n ASan, $u UBSan calls in bf_* functions)"; fi
            ;;
        undefined)
            n=$(calls_in_project "$bin" 'call.*<__ubsan_handle')
            a=$(calls_in_project "$bin" 'call.*<__asan_')
            if [ "$n" -ge 100 ] && [ "$a" -eq 0 ]; then ok "$tag: $fz is built with UBSan ($n handler calls in bf_* functions, no ASan)"; else
                bad "$tag: $fz is not a UBSan build ($n UBSan, $a ASan calls in bf_* functions)"; fi
            ;;
        coverage)
            a=$(calls_in_project "$bin" 'call.*<__(asan|ubsan)_')
            if objdump -h "$bin" | grep -q '__llvm_prf_cnts' && objdump -h "$bin" | grep -q '__llvm_covmap' && [ "$a" -eq 0 ]; then
                ok "$tag: $fz has profile counters and a coverage map, no sanitizer"
            else
                bad "$tag: $fz is not a source-coverage build (counters/covmap missing or $a sanitizer calls)"
            fi
            ;;
        esac

        case $eng in
        libfuzzer)
            # Instrumented for the engine and starts: bad_build_check runs
            # 4 inputs with a fixed seed, no corpus.  (Not the coverage
            # build: it has no edge counters by design, so libFuzzer stops
            # at once on an empty corpus; its seed run below is its start.)
            if [ "$san" != coverage ]; then
                (cd "$out" && env -i PATH="$PATH" ASAN_OPTIONS="$ASAN_RUN" UBSAN_OPTIONS="$UBSAN_RUN" \
                    "./$fz" -seed=1337 -runs=4) >"$T/start.log" 2>&1
                st=$?
                edges=$(sed -n 's/^INFO: Loaded 1 modules *(\([0-9]*\) inline 8-bit counters).*/\1/p' "$T/start.log" | head -n 1)
                if [ "$st" -eq 0 ] && grep -q 'Done 4 runs' "$T/start.log" && [ "${edges:-0}" -ge 100 ]; then
                    ok "$tag: $fz is a libFuzzer target with $edges edge counters and starts (4 runs)"
                else
                    bad "$tag: $fz: libFuzzer start failed or too few edges (exit $st, edges '${edges}')"
                    show "$T/start.log"
                fi
            fi

            # The seed corpus with the options file, as ClusterFuzz runs it
            # (the builder's FUZZER_ARGS: -rss_limit_mb=2560 -timeout=25).
            mkdir -p "$T/prof"
            rm -f "$T/prof/"*.profraw
            # shellcheck disable=SC2046
            (cd "$out" && env -i PATH="$PATH" ASAN_OPTIONS="$ASAN_RUN" UBSAN_OPTIONS="$UBSAN_RUN" \
                LLVM_PROFILE_FILE="$T/prof/$fz.%p.profraw" \
                "./$fz" $(options_args "$opts") -rss_limit_mb=2560 -timeout=25 -runs=0 "$seeds") >"$T/seeds.log" 2>&1
            st=$?
            runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$T/seeds.log")
            if [ "$st" -eq 0 ] && clean_log "$T/seeds.log" && [ "${runs:-0}" -ge "$nseeds" ] &&
                grep -q "^Dictionary: [1-9]" "$T/seeds.log"; then
                ok "$tag: $fz runs its $nseeds seeds with its options and dictionary: no crash, leak, timeout or OOM"
            else
                bad "$tag: $fz on its seed corpus (exit $st, $runs runs of $nseeds)"
                show "$T/seeds.log"
            fi
            ;;
        afl)
            if grep -aq '__AFL_SHM_ID' "$bin" && nm "$bin" 2>/dev/null | grep -q '__afl_area_ptr'; then
                ok "$tag: $fz has AFL++'s shared-memory coverage map"
            else
                bad "$tag: $fz is not built for AFL++"
            fi
            first=$(ls "$seeds" | head -n 1)
            env -i PATH="$PATH" ASAN_OPTIONS="$ASAN_RUN:abort_on_error=1:symbolize=0" \
                UBSAN_OPTIONS="$UBSAN_RUN:abort_on_error=1:symbolize=0" \
                afl-showmap -q -o "$T/map" -- "$bin" <"$seeds/$first" >/dev/null 2>&1
            tuples=$(wc -l <"$T/map" 2>/dev/null || echo 0)
            if [ "$tuples" -ge 100 ]; then ok "$tag: $fz: afl-showmap sees $tuples edges on one seed"; else
                bad "$tag: $fz: afl-showmap sees $tuples edges"; fi
            # The driver runs each file given, one by one: the whole seed
            # corpus, as a reproduction run does.
            (cd "$seeds" && env -i PATH="$PATH" ASAN_OPTIONS="$ASAN_RUN" UBSAN_OPTIONS="$UBSAN_RUN" \
                timeout 120 "$bin" ./*) >"$T/seeds.log" 2>&1
            st=$?
            done_n=$(grep -c '^Execution successful' "$T/seeds.log")
            if [ "$st" -eq 0 ] && clean_log "$T/seeds.log" && [ "$done_n" -eq "$nseeds" ]; then
                ok "$tag: $fz runs its $nseeds seeds under the AFL++ driver: no crash or leak"
            else
                bad "$tag: $fz on its seed corpus under the AFL++ driver (exit $st, $done_n of $nseeds)"
                show "$T/seeds.log"
            fi
            # bad_build_check's engine check: afl-fuzz gets going.  A few
            # seeds and two seconds: calibration, then fuzzing.
            rm -rf "$T/afl-in" "$T/afl-out"
            mkdir -p "$T/afl-in"
            for s in $(ls "$seeds" | head -n 8); do cp "$seeds/$s" "$T/afl-in/"; done
            # afl-fuzz wants abort_on_error=1:symbolize=0, and sets
            # halt_on_error=1 for UBSan unless told otherwise: the runner's
            # silence_unsigned_overflow=1 keeps the wrap-around of unsigned
            # address arithmetic (defined behaviour, only instrumented as a
            # coverage signal) from counting as a crash, as on ClusterFuzz.
            (cd "$out" && env -i PATH="$PATH" HOME="$T/work" AFL_NO_UI=1 AFL_FAST_CAL=1 AFL_SKIP_CPUFREQ=1 \
                ASAN_OPTIONS="$ASAN_RUN:abort_on_error=1:symbolize=0" \
                UBSAN_OPTIONS="$UBSAN_RUN:abort_on_error=1:symbolize=0" \
                AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=30000 \
                timeout -s INT 35 afl-fuzz -i "$T/afl-in" -o "$T/afl-out" -V 2 -x "$fz.dict" -- "./$fz") \
                >"$T/afl.log" 2>&1
            crashes=$(find "$T/afl-out" -path '*/crashes/id:*' -type f 2>/dev/null | wc -l)
            if grep -q 'All set and ready to roll' "$T/afl.log" && [ "$crashes" -eq 0 ]; then
                ok "$tag: afl-fuzz runs $fz with its dictionary (ready to roll, 2 s, no crash)"
            else
                bad "$tag: afl-fuzz does not run $fz cleanly ($crashes crashes)"
                show "$T/afl.log"
            fi
            ;;
        esac

        if [ "$san" = coverage ]; then
            # The coverage build's point: a profile that maps to our sources.
            if command -v llvm-profdata >/dev/null && command -v llvm-cov >/dev/null; then
                if llvm-profdata merge -sparse "$T/prof/"*.profraw -o "$T/prof/$fz.profdata" 2>"$T/cov.log" &&
                    (cd "$T/src/bootfuzz" && llvm-cov report "$bin" -instr-profile="$T/prof/$fz.profdata" \
                        impl ref fuzz) >"$T/cov.txt" 2>>"$T/cov.log"; then
                    total=$(awk '$1 == "TOTAL" { print $10 }' "$T/cov.txt")
                    if [ -n "$total" ] && [ "$total" != "0.00%" ] && grep -q '^impl/\|^ref/' "$T/cov.txt"; then
                        ok "$tag: $fz's seeds give a profile llvm-cov maps to impl/ ref/ fuzz/ (lines $total)"
                    else
                        bad "$tag: $fz's profile covers nothing of our sources"
                        show "$T/cov.txt"
                    fi
                else
                    bad "$tag: $fz: no usable profile from the seed run"
                    show "$T/cov.log"
                fi
            else
                ok "$tag: $fz profile check (skipped: llvm-profdata/llvm-cov not installed)"
            fi
        fi
    done
}

# short_fuzz: every fuzzer shipped in OUT fuzzes a few seconds and finds
# nothing (a PR's check must be green on a clean tree; the buggy port fails
# this in seconds, which is why it is not shipped)
short_fuzz() {
    out="$T/out-address-libfuzzer"
    for fz in $shipped; do
        rm -rf "$T/fz"
        mkdir -p "$T/fz"
        unzip -q -o "$out/${fz}_seed_corpus.zip" -d "$T/fz" 2>/dev/null
        # shellcheck disable=SC2046
        (cd "$out" && env -i PATH="$PATH" ASAN_OPTIONS="$ASAN_RUN" UBSAN_OPTIONS="$UBSAN_RUN" \
            "./$fz" $(options_args "$out/$fz.options") -seed=1 -max_total_time=3 -timeout=25 \
            -rss_limit_mb=2560 -artifact_prefix="$T/fz-" "$T/fz") >"$T/fuzz.log" 2>&1
        st=$?
        execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$T/fuzz.log")
        if [ "$st" -eq 0 ] && clean_log "$T/fuzz.log"; then
            ok "address/libfuzzer: $fz fuzzes 3 s ($execs runs) and finds nothing"
        else
            bad "address/libfuzzer: $fz finds something in 3 s of fuzzing (exit $st)"
            show "$T/fuzz.log" 25
        fi
    done
}

for cfg in address:libfuzzer undefined:libfuzzer coverage:libfuzzer address:afl undefined:afl; do
    san=${cfg%%:*} eng=${cfg#*:}
    if [ "$eng" = afl ] && { ! command -v afl-clang-fast >/dev/null || [ ! -f /usr/lib/afl/libAFLDriver.a ]; }; then
        ok "$san/$eng: build (skipped: afl++ not installed)"
        continue
    fi
    if build "$san" "$eng"; then
        ok "$san/$eng: build.sh builds as the builder runs it (\$SRC/build.sh, bash -eux, cwd \$SRC, paths with a space)"
        check_build "$san" "$eng"
        if [ "$cfg" = address:libfuzzer ]; then short_fuzz; fi
    else
        bad "$san/$eng: build.sh fails as the builder runs it (bash -eux \$SRC/build.sh from \$SRC)"
        grep -v '^+ zip ' "$T/build-$san-$eng.log" | tail -n 8 | sed 's/^/    /'
    fi
done
# Findings are the "not ok" lines; the status says only that the test ran.
exit 0
