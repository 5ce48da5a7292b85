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
ALL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE $(WARN) -Iinclude -Ifuzz -Iimpl -Iref $(CFLAGS) $(LTO) \
              $(EXTRA_CFLAGS)
LDLIBS ?= -lm

# Sources: everything in ref/ and impl/, and fuzz/ minus program entry points.
FUZZ_MAINS := fuzz/bootfuzz.c $(wildcard fuzz/cmd_*.c) fuzz/target.c $(wildcard fuzz/engine_*.c)
LIB_SRCS := $(sort $(wildcard ref/*.c) $(wildcard impl/*.c) \
              $(filter-out $(FUZZ_MAINS),$(wildcard fuzz/*.c)))
CLI_SRCS := fuzz/bootfuzz.c $(wildcard fuzz/cmd_*.c)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRCS := $(sort $(wildcard bench/*.c))

LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

# A user's own backend, out of tree: BACKEND=path/to/my_alloc.c (or a
# directory: every *.c directly in it).  Nothing in bootfuzz is edited: the
# file registers itself (BF_REGISTER_BACKEND) and becomes a backend of
# every tool and a fuzz target of every engine.  scripts/backend-sources
# links the directory into $(BUILD)/user/src (so a path with spaces works
# with make) and names the files.  User code gets its own flags, not the
# project's -Werror set: BACKEND_CFLAGS (default: $(OPT) -g, gnu11).
BACKEND_CFLAGS ?= $(OPT) -g
ifneq ($(strip $(BACKEND)),)
USER_SRCS := $(shell sh scripts/backend-sources "$(BUILD)" "$(BACKEND)")
ifeq ($(strip $(USER_SRCS)),)
$(error BACKEND=$(BACKEND): no backend source there (see the message above))
endif
endif
USER_OBJS := $(USER_SRCS:$(BUILD)/user/src/%.c=$(BUILD)/obj/user/%.o)

# The backends linked in are the registry's (bootfuzz list --names), so the
# link steps depend on which BACKEND was given: this file changes with it.
BACKEND_SET := $(BUILD)/backend-set
$(shell mkdir -p "$(BUILD)" && echo "$(BACKEND)" | cmp -s - "$(BACKEND_SET)" 2>/dev/null || \
  echo "$(BACKEND)" >"$(BACKEND_SET)")

.PHONY: all replays test asan bench bench-bugs bench-harness bench-triage mutants clean fuzzers libfuzzer afl fuzz \
        gate coverage canary
# Fuzz targets: one per registered backend, named as it is.  Only a built
# tool can say which backends registered, so the per-target binaries are
# made by a second make that is told them (TARGETS=...).
TOOL := $(BUILD)/bootfuzz
TARGETS ?=
REPLAY_BINS := $(TARGETS:%=$(BUILD)/fuzz/replay-%)
all: $(TOOL) $(UNIT_BINS)
	@names=$$($(TOOL) list --names) || { echo "make: the backend registry refused a backend (above)" >&2; exit 2; }; \
	  $(MAKE) --no-print-directory replays TARGETS="$$names"
replays: $(REPLAY_BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# The fuzz target of backend NAME: fuzz/target.c with BF_TARGET="NAME".
$(BUILD)/obj/fuzz/target-%.o: fuzz/target.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DBF_TARGET='"$*"' -MMD -MP -c $< -o $@

# compiled from the real path (resolved through the link), so compiler
# errors and sanitizer reports name the user's own file; its dependencies
# are every header beside it (a .d file would hold the real path, which may
# have spaces make cannot read)
$(BUILD)/obj/user/%.o: $(BUILD)/user/src/%.c $(wildcard $(BUILD)/user/src/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_DEFAULT_SOURCE -Iinclude -I$(BUILD)/user/src $(BACKEND_CFLAGS) $(COV) \
	  $(EXTRA_CFLAGS) -c "$$(readlink -f $<)" -o $@

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
LIB := $(LIB_OBJS) $(USER_OBJS)
.SECONDARY:

$(TOOL): $(CLI_OBJS) $(LIB) $(BACKEND_SET)
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJS) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB) $(BACKEND_SET)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Fuzz targets: one entry point per target (fuzz/target.c), linked
# unchanged into every engine.  The plain replay driver needs no engine.
$(BUILD)/fuzz/replay-%: $(BUILD)/obj/fuzz/target-%.o $(BUILD)/obj/fuzz/engine_replay.o $(LIB) \
                        $(BACKEND_SET)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

# The engine builds below need the names of the targets: the plain tool
# of this BUILD says them (and is built first); a backend the registry
# refuses (a name taken, a function left NULL) stops the build.
NAMES = $$($(TOOL) list --names) || { echo "make: the backend registry refused a backend (above)" >&2; exit 2; }

# The engine builds live below $(BUILD) (build/libfuzzer, build/afl, ...
# by default), so BUILD=/elsewhere keeps a whole second set apart (the
# bring-your-own-allocator test builds its backend there).
# libFuzzer with ASan+UBSan (clang 14): build/libfuzzer/fuzz/libfuzzer-TARGET
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
$(BUILD)/fuzz/libfuzzer-%: $(BUILD)/obj/fuzz/target-%.o $(LIB) $(BACKEND_SET)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $(filter %.o,$^) $(LDLIBS)
libfuzzer: $(TOOL)
	@echo "make: building the libFuzzer targets (clang, ASan+UBSan) in $(BUILD)/libfuzzer"
	@t=$(NAMES); $(MAKE) --no-print-directory BUILD=$(BUILD)/libfuzzer CC=clang OPT=-O2 LTO= \
	  COV=-fsanitize=fuzzer-no-link EXTRA_CFLAGS="$(SAN)" \
	  $$(for n in $$t; do echo $(BUILD)/libfuzzer/fuzz/libfuzzer-$$n $(BUILD)/libfuzzer/fuzz/replay-$$n; done) \
	  $(BUILD)/libfuzzer/bootfuzz

# The canary: the same sanitizer/libFuzzer build with a bug planted in the
# fast allocator (-DBF_FAST_CANARY); the gate must be red on it.
canary: $(TOOL)
	@t=$(NAMES); $(MAKE) --no-print-directory BUILD=$(BUILD)/canary CC=clang OPT=-O2 LTO= \
	  COV=-fsanitize=fuzzer-no-link EXTRA_CFLAGS="-DBF_FAST_CANARY $(SAN)" \
	  $$(for n in $$t; do echo $(BUILD)/canary/fuzz/libfuzzer-$$n $(BUILD)/canary/fuzz/replay-$$n; done) \
	  $(BUILD)/canary/bootfuzz

# AFL++ (afl-clang-fast, persistent mode, shared-memory input) and the
# CMPLOG twin: build/afl/fuzz/afl-TARGET, build/afl-cmplog/fuzz/afl-TARGET
AFL_CC ?= afl-clang-fast
$(BUILD)/fuzz/afl-%: $(BUILD)/obj/fuzz/target-%.o $(BUILD)/obj/fuzz/engine_afl.o $(LIB) $(BACKEND_SET)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)
afl: $(TOOL)
	@echo "make: building the AFL++ targets (afl-clang-fast, and the CMPLOG twin)"
	@t=$(NAMES); $(MAKE) --no-print-directory BUILD=$(BUILD)/afl CC=$(AFL_CC) OPT=-O2 LTO= \
	  $$(for n in $$t; do echo $(BUILD)/afl/fuzz/afl-$$n; done) && \
	AFL_LLVM_CMPLOG=1 $(MAKE) --no-print-directory BUILD=$(BUILD)/afl-cmplog CC=$(AFL_CC) OPT=-O2 LTO= \
	  $$(for n in $$t; do echo $(BUILD)/afl-cmplog/fuzz/afl-$$n; done)

fuzzers: all libfuzzer

# The test suite: trace files against every backend, unit tests, and the
# runner's own self-test.  tests/run prints "N passed, N failed" last.
test: all
	sh tests/run "$(BUILD)"

# Sanitizer build of the tool and unit tests, in its own directory.
asan:
	$(MAKE) BUILD=$(BUILD)/asan CC=clang OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" all

$(BUILD)/bench: $(BENCH_SRCS) $(wildcard bench/*.h) $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $(BENCH_SRCS) $(LIB) $(LDLIBS)

bench: $(BUILD)/bench
	$(BUILD)/bench

# The 2.6.14 port with every bug switched off (for throughput figures: its
# bugs would be findings).
BUGS_OFF := A=0,C=0,D=0,E=0,F=0,G=0,H=0,J=0,K=0,L=0,M=0,N=0,O=0,P=0

# Throughput of the harness: checked runs vs the bare calls, in one run,
# without sanitizers and with ASan+UBSan.
BENCH_TARGETS ?= fast 2614 ref
$(BUILD)/bench-harness: bench/harness/bench_harness.c $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)
bench-harness: $(BUILD)/bench-harness
	$(MAKE) -s BUILD=$(BUILD)/asan CC=clang OPT=-O1 EXTRA_CFLAGS="$(SAN)" $(BUILD)/asan/bench-harness
	@echo "== without sanitizers ($(CC) $(OPT))"
	@for t in $(BENCH_TARGETS); do BOOTFUZZ_OPTIONS=$$( [ $$t = 2614 ] && echo $(BUGS_OFF) ) \
	  $(BUILD)/bench-harness $$t || exit 1; done
	@echo "== with ASan+UBSan (clang -O1)"
	@for t in $(BENCH_TARGETS); do BOOTFUZZ_OPTIONS=$$( [ $$t = 2614 ] && echo $(BUGS_OFF) ) \
	  $(BUILD)/asan/bench-harness $$t || exit 1; done

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

# Mutation testing (docs/mutants.md): mutants of a backend's source, each built,
# run through its tests and fuzzed from an empty corpus; prints the kill matrix.
# make mutants [MUTANT_FILE=impl/fast.c | BACKEND=path] [TARGET=name] [MUTANTS_MAX=n]
#   [MUTANT_IDS="..."] [FUZZ_SECS=60] [SEED=1] [JOBS=1] [OUT=work/mutants/<name>]
mutants:
	sh scripts/mutants "$(or $(MUTANT_FILE),$(BACKEND),impl/fast.c)" $(TARGET)

# Triage's groups against ground truth: the 2614 target fuzzed with its bug
# switches on (and subsets), triaged, each group labelled by the switches
# that, turned off alone, make its reproducer pass (docs/triage-bench.md).
# SECS=60 SEEDS="1 2" CHECKS="exact invariants" JOBS=n OUT=work/bench-triage
bench-triage:
	BUILD="$(BUILD)" sh scripts/bench-triage

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
