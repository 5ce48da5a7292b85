# bootfuzz - differential fuzzing harness for boot-time page allocators.
#
#   make          build the tool (build/bootfuzz) and the unit tests
#   make test     build and run every test; last line "N passed, N failed"
#   make asan     the same tool built with clang, AddressSanitizer and UBSan
#   make bench    benchmarks (fixed seeds; ratios measured side by side)
#   make clean
#
# Layout: ref/ (reference model), impl/ (allocators under test), fuzz/
# (trace language, runners, the bootfuzz tool), tests/, bench/, docs/.

ifeq ($(origin CC),default)
CC := gcc
endif
BUILD ?= build
OPT ?= -O2
WARN := -Wall -Wextra -Werror
# Link-time optimisation lets the harness's per-call steps (decoder,
# sessions, checker, runner: separate files) inline into each other: about
# 7% off the checked cost in make bench-harness.  The engine builds turn it
# off (LTO=): their coverage instrumentation is meant to run per file.
LTO ?= -flto=auto
CFLAGS ?= $(OPT) -g
ALL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE $(WARN) -Iinclude -Ifuzz -Iimpl $(CFLAGS) $(LTO) $(EXTRA_CFLAGS)
LDLIBS ?= -lm

# Sources: everything in ref/ and impl/, and fuzz/ minus program entry points.
FUZZ_MAINS := fuzz/bootfuzz.c $(wildcard fuzz/cmd_*.c) $(wildcard fuzz/target_*.c) \
              $(wildcard fuzz/engine_*.c)
LIB_SRCS := $(sort $(wildcard ref/*.c) $(wildcard impl/*.c) \
              $(filter-out $(FUZZ_MAINS),$(wildcard fuzz/*.c)))
CLI_SRCS := fuzz/bootfuzz.c $(wildcard fuzz/cmd_*.c)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRCS := $(sort $(wildcard bench/*.c))

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test asan bench bench-bugs bench-harness clean fuzzers libfuzzer afl fuzz gate coverage canary
TARGETS := fast 2614 ref
REPLAY_BINS := $(TARGETS:%=$(BUILD)/fuzz/replay-%)
all: $(BUILD)/bootfuzz $(UNIT_BINS) $(REPLAY_BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# Coverage instrumentation for the fuzzing engines (COV, set by the
# libfuzzer/canary builds) goes only where it guides the search: the
# allocators, the reference and the decoder; the harness's own loops
# (checker, runner, sessions) would only slow every execution down.
# The reference gets edge counters but not comparison tracing: its loops
# walk pages one by one, and a traced compare per page made the reference
# the fuzzers' main cost (a third of libFuzzer's time) for no guidance.
$(BUILD)/obj/impl/%.o $(BUILD)/obj/fuzz/decode.o: ALL_CFLAGS += $(COV)
$(BUILD)/obj/ref/%.o: ALL_CFLAGS += $(COV) $(if $(COV),-fno-sanitize-coverage=trace-cmp)

# Objects are linked directly, not from an archive: the backend registry
# refers to allocators weakly, and a weak reference does not pull an
# archive member in.
LIB := $(LIB_OBJS)
.SECONDARY:

$(BUILD)/bootfuzz: $(CLI_OBJS) $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJS) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Fuzz targets: one entry point per target (fuzz/target_*.c), linked
# unchanged into every engine.  The plain replay driver needs no engine.
$(BUILD)/fuzz/replay-%: $(BUILD)/obj/fuzz/target_%.o $(BUILD)/obj/fuzz/engine_replay.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# libFuzzer with ASan+UBSan (clang 14): build/libfuzzer/fuzz/libfuzzer-TARGET
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
$(BUILD)/fuzz/libfuzzer-%: $(BUILD)/obj/fuzz/target_%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
libfuzzer:
	$(MAKE) BUILD=build/libfuzzer CC=clang OPT=-O2 LTO= COV=-fsanitize=fuzzer-no-link \
	  EXTRA_CFLAGS="$(SAN)" \
	  $(TARGETS:%=build/libfuzzer/fuzz/libfuzzer-%) $(TARGETS:%=build/libfuzzer/fuzz/replay-%) \
	  build/libfuzzer/bootfuzz

# The canary: the same sanitizer/libFuzzer build with a bug planted in the
# fast allocator (-DBF_FAST_CANARY); the gate must be red on it.
canary:
	$(MAKE) BUILD=build/canary CC=clang OPT=-O2 LTO= COV=-fsanitize=fuzzer-no-link \
	  EXTRA_CFLAGS="-DBF_FAST_CANARY $(SAN)" \
	  $(TARGETS:%=build/canary/fuzz/libfuzzer-%) $(TARGETS:%=build/canary/fuzz/replay-%) \
	  build/canary/bootfuzz

# AFL++ (afl-clang-fast, persistent mode, shared-memory input) and the
# CMPLOG twin: build/afl/fuzz/afl-TARGET, build/afl-cmplog/fuzz/afl-TARGET
AFL_CC ?= afl-clang-fast
$(BUILD)/fuzz/afl-%: $(BUILD)/obj/fuzz/target_%.o $(BUILD)/obj/fuzz/engine_afl.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)
afl:
	$(MAKE) BUILD=build/afl CC=$(AFL_CC) OPT=-O2 LTO= $(TARGETS:%=build/afl/fuzz/afl-%)
	AFL_LLVM_CMPLOG=1 $(MAKE) BUILD=build/afl-cmplog CC=$(AFL_CC) OPT=-O2 LTO= \
	  $(TARGETS:%=build/afl-cmplog/fuzz/afl-%)

fuzzers: all libfuzzer

# The test suite: trace files against every backend, unit tests, and the
# runner's own self-test.  tests/run prints "N passed, N failed" last.
test: all
	sh tests/run "$(BUILD)"

# Sanitizer build of the tool and unit tests, in its own directory.
asan:
	$(MAKE) BUILD=build/asan CC=clang OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" all

$(BUILD)/bench: $(BENCH_SRCS) $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $(BENCH_SRCS) $(LIB) $(LDLIBS)

bench: $(BUILD)/bench
	$(BUILD)/bench

# The 2.6.14 port with every bug switched off (for throughput figures: its
# bugs would be findings).
BUGS_OFF := A=0,C=0,D=0,E=0,F=0,G=0,H=0,J=0,K=0,L=0,M=0,N=0,O=0,P=0

# Throughput of the harness: checked runs vs the bare calls, in one run,
# without sanitizers and with ASan+UBSan.
$(BUILD)/bench-harness: bench/harness/bench_harness.c $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)
bench-harness: $(BUILD)/bench-harness
	$(MAKE) -s BUILD=build/asan CC=clang OPT=-O1 EXTRA_CFLAGS="$(SAN)" build/asan/bench-harness
	@echo "== without sanitizers ($(CC) $(OPT))"
	@for t in $(TARGETS); do BOOTFUZZ_OPTIONS=$$( [ $$t = 2614 ] && echo $(BUGS_OFF) ) \
	  $(BUILD)/bench-harness $$t || exit 1; done
	@echo "== with ASan+UBSan (clang -O1)"
	@for t in $(TARGETS); do BOOTFUZZ_OPTIONS=$$( [ $$t = 2614 ] && echo $(BUGS_OFF) ) \
	  build/asan/bench-harness $$t || exit 1; done

# The main job: a fuzz campaign.  make fuzz [TARGET=fast] [ENGINE=libfuzzer|afl|both]
# [DURATION=10m] [JOBS=n] [WRITEBACK=1]
fuzz:
	TARGET="$(or $(TARGET),fast)" ENGINE="$(or $(ENGINE),libfuzzer)" \
	  DURATION="$(or $(DURATION),10m)" JOBS="$(or $(JOBS),$(shell nproc))" sh scripts/campaign

# The merge gate: builds, corpus and reproducers replay, a fixed-seed fuzz
# run of the fast target (GATE_SECONDS, default 120).
gate:
	sh scripts/gate

# Line and branch coverage of ref/ and impl/ from replaying corpus/.
coverage:
	sh scripts/coverage

# Time for the harness to find each 2.6.14 bug from an empty corpus.
bench-bugs: libfuzzer
	sh scripts/bench-bugs

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
