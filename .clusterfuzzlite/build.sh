#!/bin/sh
# OSS-Fuzz / ClusterFuzzLite build script.  The builder sets CC, CFLAGS
# (sanitizer and coverage flags), CXX/CXXFLAGS, LIB_FUZZING_ENGINE (e.g.
# -fsanitize=fuzzer, or an AFL++ driver library) and OUT; SRC holds the
# checkout.  Produces, for each target T in fast, 2614, ref:
#   $OUT/bootfuzz_T                     the fuzzer (fuzz/target.c, unchanged, BF_TARGET=T)
#   $OUT/bootfuzz_T_seed_corpus.zip     corpus/T
#   $OUT/bootfuzz_T.dict                fuzz/bootfuzz.dict
#   $OUT/bootfuzz_T.options             libFuzzer options (max_len, dict)
set -eu
cd "$(dirname "$0")/.."
: "${CC:=clang}" "${CFLAGS:=}" "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}" "${OUT:=out}"
LINK=${CXX:-$CC}
LINKFLAGS=${CXXFLAGS:-$CFLAGS}
mkdir -p "$OUT"
OBJ=$(mktemp -d)
trap 'rm -rf "$OBJ"' EXIT
objs=""
for src in ref/*.c impl/*.c fuzz/*.c; do
    case $src in fuzz/bootfuzz.c | fuzz/cmd_*.c | fuzz/target.c | fuzz/engine_*.c) continue ;; esac
    o="$OBJ/$(echo "$src" | tr '/' '_').o"
    # Comparison tracing pays only where input values decide branches: the
    # allocators and the decoder.  In the reference's page loops and the
    # harness's checks it costs a third of the time and guides nothing.
    extra=""
    case "$CFLAGS:$src" in
    *fuzzer-no-link*:ref/* | *fuzzer-no-link*:fuzz/*) [ "$src" = fuzz/decode.c ] || extra=-fno-sanitize-coverage=trace-cmp ;;
    esac
    # shellcheck disable=SC2086
    $CC $CFLAGS $extra -std=c11 -D_DEFAULT_SOURCE -Iinclude -Ifuzz -Iimpl -Iref -c "$src" -o "$o"
    objs="$objs $o"
done
for t in fast 2614 ref; do
    # shellcheck disable=SC2086
    $CC $CFLAGS -std=c11 -D_DEFAULT_SOURCE -Iinclude -Ifuzz -DBF_TARGET="\"$t\"" -c fuzz/target.c \
        -o "$OBJ/target_$t.o"
    # shellcheck disable=SC2086
    $LINK $LINKFLAGS "$OBJ/target_$t.o" $objs $LIB_FUZZING_ENGINE -lm -o "$OUT/bootfuzz_$t"
    cp fuzz/bootfuzz.dict "$OUT/bootfuzz_$t.dict"
    printf '[libfuzzer]\nmax_len = 600\ndict = bootfuzz_%s.dict\n' "$t" >"$OUT/bootfuzz_$t.options"
    rm -f "$OUT/bootfuzz_${t}_seed_corpus.zip"
    if [ -d "corpus/$t" ]; then
        if command -v zip >/dev/null; then
            zip -q -j "$OUT/bootfuzz_${t}_seed_corpus.zip" corpus/"$t"/*
        else
            python3 -c 'import sys, zipfile, os
z = zipfile.ZipFile(sys.argv[1], "w")
for f in sys.argv[2:]: z.write(f, os.path.basename(f))' "$OUT/bootfuzz_${t}_seed_corpus.zip" corpus/"$t"/*
        fi
    fi
done
