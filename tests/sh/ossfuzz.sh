#!/bin/sh
# tests/sh/ossfuzz.sh - the OSS-Fuzz/ClusterFuzzLite build script, run with
# the variables the builder sets (libFuzzer + ASan), produces every target,
# its seed corpus, dictionary and options, and each fuzzer runs its seeds.
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
if ! command -v clang >/dev/null; then echo "not ok - clang is needed for the OSS-Fuzz build"; exit 0; fi
if CC=clang CXX=clang CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link" \
    CXXFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link" \
    LIB_FUZZING_ENGINE="-fsanitize=fuzzer" OUT="$T/out" SRC="$(pwd)" sh .clusterfuzzlite/build.sh >"$T/log" 2>&1; then
    echo "ok - .clusterfuzzlite/build.sh builds with the builder's CC, CFLAGS, LIB_FUZZING_ENGINE, OUT"
else
    echo "not ok - .clusterfuzzlite/build.sh failed"
    tail -n 20 "$T/log"
    exit 0
fi
for t in fast 2614 ref; do
    for f in "bootfuzz_$t" "bootfuzz_${t}_seed_corpus.zip" "bootfuzz_$t.dict" "bootfuzz_$t.options"; do
        [ -s "$T/out/$f" ] || echo "not ok - $f is missing from OUT"
    done
    mkdir -p "$T/seeds-$t"
    unzip -q -o "$T/out/bootfuzz_${t}_seed_corpus.zip" -d "$T/seeds-$t"
    n=$(ls "$T/seeds-$t" | wc -l)
    if (cd "$T/out" && ./"bootfuzz_$t" -runs=0 -dict="bootfuzz_$t.dict" "$T/seeds-$t" >"$T/run.log" 2>&1) &&
        [ "$n" -gt 0 ]; then
        echo "ok - bootfuzz_$t runs its $n seeds from the zip with its dictionary"
    else
        echo "not ok - bootfuzz_$t does not run its seed corpus"
        tail -n 10 "$T/run.log"
    fi
done
