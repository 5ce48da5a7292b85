#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script.
#
# How the builder runs it: the Dockerfile copies this file to $SRC/build.sh
# and the checkout to $SRC/bootfuzz; `compile` then runs
# `bash -eux $SRC/build.sh` with the working directory $SRC (or the
# Dockerfile's WORKDIR), never from inside .clusterfuzzlite/.  So the
# checkout is looked for, not derived from this file's own path alone.
#
# The builder sets CC, CXX, CFLAGS, CXXFLAGS (optimisation, sanitizer and,
# for libFuzzer, -fsanitize=fuzzer-no-link or, for the coverage build,
# -fprofile-instr-generate -fcoverage-mapping), LIB_FUZZING_ENGINE
# (-fsanitize=fuzzer, or the path of the AFL++ driver library), SANITIZER,
# FUZZING_ENGINE, SRC, OUT and WORK.  Run by hand from a checkout it falls
# back to clang, libFuzzer and ./out.
#
# Produces, for each target T shipped to CI:
#   $OUT/bootfuzz_T                     the fuzzer (fuzz/engines/target.c, unchanged, BF_TARGET=T)
#   $OUT/bootfuzz_T_seed_corpus.zip     its seed corpus, flat
#   $OUT/bootfuzz_T.dict                fuzz/lang/bootfuzz.dict
#   $OUT/bootfuzz_T.options             libFuzzer options (max_len, dict)
#
# The targets shipped are the ones that must be clean, so that any finding
# in CI is a regression: fast and fast_small (the same code with a small
# summary geometry, so small nodes reach every level), ref, and 2614fixed
# (the 2.6.14 port with every bug switch off, compared exactly with the
# reference).  The port with
# its bugs on (target 2614) crashes within seconds by design, and .options
# files cannot set BOOTFUZZ_OPTIONS or BOOTFUZZ_SUPPRESSIONS, so it stays a
# local demonstration (make fuzz TARGET=2614).
set -eu

TARGETS="fast fast_small ref 2614fixed"

# The checkout: BOOTFUZZ_SRC if given; else $SRC/bootfuzz (where the
# Dockerfile copies it: the builder's own place comes first, so a tree that
# merely looks like a checkout above $SRC is never built instead); else the
# checkout this script sits in (.clusterfuzzlite/build.sh run by hand or by
# tests); else the working directory.
is_checkout() { [ -f "$1/fuzz/engines/target.c" ] && [ -d "$1/ref" ] && [ -d "$1/impl" ]; }
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${BOOTFUZZ_SRC:-}" ]; then
    top=$BOOTFUZZ_SRC
elif [ -n "${SRC:-}" ] && is_checkout "$SRC/bootfuzz"; then
    top=$SRC/bootfuzz
elif is_checkout "$here"; then
    top=$here
else
    top=$(pwd)
fi
if ! is_checkout "$top"; then
    echo "build.sh: no bootfuzz checkout found (tried ${BOOTFUZZ_SRC:+BOOTFUZZ_SRC=$BOOTFUZZ_SRC, }${SRC:+$SRC/bootfuzz, }$here, $(pwd))" >&2
    exit 1
fi
caller=$(pwd)
cd "$top"

# SANITIZER and FUZZING_ENGINE need no reading here: what they change
# arrives in CC, CFLAGS and LIB_FUZZING_ENGINE.
: "${CC:=clang}" "${CFLAGS:=}" "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"
# A relative OUT (by hand: OUT=out) means relative to where the caller was,
# but we are in the checkout now; the builder's OUT is absolute.
OUT=${OUT:-out}
case $OUT in /*) ;; *) OUT=$caller/$OUT ;; esac
# Link with the C++ driver, as OSS-Fuzz asks: the AFL++ driver library and
# libFuzzer need the C++ runtime, and CXXFLAGS carries the builder's
# -stdlib choice.
LINK=${CXX:-$CC}
LINKFLAGS=${CXXFLAGS:-$CFLAGS}
mkdir -p "$OUT"
# Objects go to $WORK when the builder gives one (it is the scratch space
# it provides), else to a temporary directory.
scratch=${WORK:-${TMPDIR:-/tmp}}
mkdir -p "$scratch"
OBJ=$(mktemp -d "$scratch/bootfuzz-obj.XXXXXX")
trap 'rm -rf "$OBJ"' EXIT

# The objects are collected in "$@": $WORK (and so each object's path) may
# hold spaces.
set --
# (the Makefile's LIB_SRCS: the tool's files and the engine drivers are
# programs of their own; each layer's include path is the Makefile's too)
for src in ref/*.c impl/*.c impl/*/*.c fuzz/lang/*.c fuzz/core/*.c fuzz/engines/*.c; do
    [ -f "$src" ] || continue # a pattern that matched nothing
    case $src in fuzz/engines/target.c | fuzz/engines/engine_*.c) continue ;; esac
    case $src in
    fuzz/lang/*) inc="-Ifuzz/lang" ;;
    fuzz/core/*) inc="-Ifuzz/lang -Ifuzz/core -Iref" ;;
    fuzz/engines/*) inc="-Ifuzz/lang -Ifuzz/core -Ifuzz/engines" ;;
    *) inc="" ;;
    esac
    o="$OBJ/$(echo "$src" | tr '/' '_').o"
    # Comparison tracing pays only where input values decide branches: the
    # allocators and the decoder.  In the reference's page loops and the
    # harness's checks it costs a third of the time and guides nothing.
    extra=""
    case "$CFLAGS:$src" in
    *fuzzer-no-link*:ref/* | *fuzzer-no-link*:fuzz/*) [ "$src" = fuzz/lang/decode.c ] || extra=-fno-sanitize-coverage=trace-cmp ;;
    esac
    # shellcheck disable=SC2086 # CFLAGS is a list of flags
    $CC $CFLAGS $extra -std=c11 -D_DEFAULT_SOURCE -Iinclude $inc -c "$src" -o "$o"
    set -- "$@" "$o"
done

# zip_flat ZIP FILE...: a flat zip of the files, with zip if the image has it, else python3.
zip_flat() {
    zipf=$1
    shift
    rm -f "$zipf"
    if command -v zip >/dev/null; then
        zip -q -j "$zipf" "$@"
    else
        python3 -c 'import sys, zipfile, os
z = zipfile.ZipFile(sys.argv[1], "w")
for f in sys.argv[2:]: z.write(f, os.path.basename(f))' "$zipf" "$@"
    fi
}

# LIB_FUZZING_ENGINE is flags (-fsanitize=fuzzer) or one library's path
# (AFL++: the builder's libFuzzingEngine.a); a path is kept whole.
if [ -f "$LIB_FUZZING_ENGINE" ]; then
    set -- "$@" "$LIB_FUZZING_ENGINE"
    engine=""
else
    engine=$LIB_FUZZING_ENGINE
fi

for t in $TARGETS; do
    # shellcheck disable=SC2086
    $CC $CFLAGS -std=c11 -D_DEFAULT_SOURCE -Iinclude -Ifuzz/lang -Ifuzz/core -Ifuzz/engines -DBF_TARGET="\"$t\"" -c fuzz/engines/target.c \
        -o "$OBJ/target_$t.o"
    # shellcheck disable=SC2086
    $LINK $LINKFLAGS "$OBJ/target_$t.o" "$@" $engine -lm -o "$OUT/bootfuzz_$t"
    cp fuzz/lang/bootfuzz.dict "$OUT/bootfuzz_$t.dict"
    printf '[libfuzzer]\nmax_len = 600\ndict = bootfuzz_%s.dict\n' "$t" >"$OUT/bootfuzz_$t.options"
    # Seeds: corpus/T; 2614fixed runs the port's code, so it starts from
    # the port's corpus (those inputs must pass once every bug is off), and
    # fast_small from fast's.
    # A directory counts only if it holds a seed (an empty corpus/2614fixed
    # made zip fail and the whole build with it).
    has_seeds() { [ -d "$1" ] && [ -n "$(ls "$1")" ]; }
    seeds=corpus/$t
    has_seeds "$seeds" || [ "$t" != 2614fixed ] || seeds=corpus/2614
    has_seeds "$seeds" || [ "$t" != fast_small ] || seeds=corpus/fast
    rm -f "$OUT/bootfuzz_${t}_seed_corpus.zip"
    if has_seeds "$seeds"; then
        zip_flat "$OUT/bootfuzz_${t}_seed_corpus.zip" "$seeds"/*
    fi
done
