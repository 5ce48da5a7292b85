# bootfuzz - differential fuzzing harness for boot-time page allocators.
#
#   make          build the tool (build/bootfuzz) and the unit tests
#   make test     build and run every test; last line "N passed, N failed"
#   make asan     the same tool built with clang, AddressSanitizer and UBSan
#   make bench    benchmarks (fixed seeds; ratios measured side by side)
#   make clean
#
# Layout (docs/architecture.md): ref/ (the reference model), impl/ (the
# allocators under test), fuzz/ in four layers, each using only those
# before it: fuzz/lang (trace text, byte format, reading inputs),
# fuzz/core (backend registry, sessions, lockstep runner, checker,
# minimizer, suppressions; may use ref/), fuzz/engines (the fuzz target
# and the engine drivers), fuzz/tool (the bootfuzz command); tests/,
# bench/, docs/.

ifeq ($(origin CC),default)
CC := gcc
endif
BUILD ?= build
# make splits words on spaces: a build directory whose path holds one would
# break every rule (a BACKEND path may hold spaces; see below)
ifneq ($(words $(BUILD)),1)
$(error BUILD='$(BUILD)': make cannot use a build directory whose path holds a space (or an empty one); choose another BUILD)
endif
OPT ?= -O2
WARN := -Wall -Wextra -Werror
# Link-time optimisation lets the harness's per-call steps (decoder,
# sessions, checker, runner: separate files) inline into each other: about
# 7% off the checked cost in make bench-harness.  The engine builds turn it
# off (LTO=): their coverage instrumentation is meant to run per file.
LTO ?= -flto=auto
CFLAGS ?= $(OPT) -g
# The include path is the layering (docs/architecture.md): a file sees
# the headers of its own layer and of those below it, so an include that
# runs back up (the checker reaching into the tool, the decoder into the
# runner, an allocator into the harness) does not compile.  Tests and
# benchmarks see every layer.
INC_lang := -Ifuzz/lang
INC_core := $(INC_lang) -Ifuzz/core -Iref
INC_engines := $(INC_lang) -Ifuzz/core -Ifuzz/engines
INC_tool := $(INC_lang) -Ifuzz/core -Ifuzz/tool
INC_all := $(INC_core) -Ifuzz/engines -Ifuzz/tool -Iimpl -Iimpl/fast
INC = $(INC_all)
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE $(WARN) -Iinclude $(INC) $(CFLAGS) $(LTO) $(EXTRA_CFLAGS)
LDLIBS ?= -lm

# Sources: everything in ref/, impl/ and its folders, fuzz/lang and
# fuzz/core; the engines' and the tool's files that are not program entry
# points.
FUZZ_MAINS := fuzz/engines/target.c $(wildcard fuzz/engines/engine_*.c)
LIB_SRCS := $(sort $(wildcard ref/*.c) $(wildcard impl/*.c) $(wildcard impl/*/*.c) \
              $(wildcard fuzz/lang/*.c) $(wildcard fuzz/core/*.c) \
              $(filter-out $(FUZZ_MAINS),$(wildcard fuzz/engines/*.c)))
CLI_SRCS := $(wildcard fuzz/tool/*.c)
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
        libfuzzer-plain afl-asan \
        gate coverage canary canary-build
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
$(BUILD)/obj/fuzz/lang/%.o: INC = $(INC_lang)
$(BUILD)/obj/fuzz/core/%.o: INC = $(INC_core)
$(BUILD)/obj/fuzz/engines/%.o: INC = $(INC_engines)
$(BUILD)/obj/fuzz/tool/%.o: INC = $(INC_tool)
$(BUILD)/obj/ref/%.o $(BUILD)/obj/impl/%.o: INC =

# The fuzz target of backend NAME: fuzz/engines/target.c with BF_TARGET="NAME".
$(BUILD)/obj/fuzz/engines/target-%.o: fuzz/engines/target.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DBF_TARGET='"$*"' -MMD -MP -c $< -o $@

# compiled from the real path (resolved through the link), so compiler
# errors and sanitizer reports name the user's own file; its dependencies
# are every source beside it, headers, .inc and .c files (one may include
# another), since a .d file would hold the real path, which may have spaces
# make cannot read
USER_DEPS = $(wildcard $(BUILD)/user/src/*.h $(BUILD)/user/src/*.inc $(BUILD)/user/src/*.c)
$(BUILD)/obj/user/%.o: $(BUILD)/user/src/%.c $(USER_DEPS)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_DEFAULT_SOURCE -Iinclude -I$(BUILD)/user/src $(BACKEND_CFLAGS) \
	  $(COV_FLAGS) $(EXTRA_CFLAGS) -c "$$(readlink -f $<)" -o $@

# Coverage instrumentation for the fuzzing engines (COV, set by the
# libfuzzer/canary builds; COV_CC, the compiler that instruments, set by the
# AFL++ builds) goes only where it guides the search: the allocators under
# test and the decoder.  The harness's own loops (checker, runner, sessions)
# and the reference judging a backend would only slow every execution down
# and, keeping buffers and caches from one input to the next, make an
# input's edges depend on the input before it (AFL++ "stability").  The
# reference is instrumented only in the ref target, where it is the backend
# under test: ref-sut.o, the same source (the link rules pick it).  In every
# instrumented object the functions of fuzz/engines/coverage-ignore.txt get nothing
# either: the queries only the checker asks (read_bits, node_info, ...),
# whose per-word compares were the largest single cost of a libFuzzer run.
COV_IGNORE := fuzz/engines/coverage-ignore.txt
# (quoted: the checkout's path, or a COV_IGNORE given, may hold a space)
COV_IGNORE_ABS = $(if $(filter /%,$(COV_IGNORE)),$(COV_IGNORE),$(CURDIR)/$(COV_IGNORE))
COV_FLAGS := $(COV) $(if $(COV),-fsanitize-coverage-ignorelist='$(COV_IGNORE)')
$(BUILD)/obj/impl/%.o: ALL_CFLAGS += $(COV_FLAGS)
$(BUILD)/obj/impl/%.o $(BUILD)/obj/user/%.o: override CC := $(or $(COV_CC),$(CC))
$(BUILD)/obj/fuzz/lang/decode.o $(BUILD)/obj/ref/ref-sut.o: ALL_CFLAGS += $(COV_FLAGS)
# (the reference as it always was under test: edge counters, no comparison
# tracing; its compares are the contract's plain ones, nothing to solve)
$(BUILD)/obj/ref/ref-sut.o: ALL_CFLAGS += $(if $(COV),-fno-sanitize-coverage=trace-cmp)
$(BUILD)/obj/fuzz/lang/decode.o $(BUILD)/obj/ref/ref-sut.o $(BUILD)/obj/fuzz/engines/engine_afl.o: override CC := $(or $(COV_CC),$(CC))
$(BUILD)/obj/ref/ref-sut.o: ref/ref.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@
# The objects of target NAME's engine binary ($(call engine_objs,NAME,$^)):
# ref-sut.o in place of ref.o for the ref target, ref.o for every other.
engine_objs = $(filter-out $(BUILD)/obj/ref/$(if $(filter ref,$1),ref,ref-sut).o,$(filter %.o,$2))

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

# Fuzz targets: one entry point per target (fuzz/engines/target.c), linked
# unchanged into every engine.  The plain replay driver needs no engine.
$(BUILD)/fuzz/replay-%: $(BUILD)/obj/fuzz/engines/target-%.o $(BUILD)/obj/fuzz/engines/engine_replay.o $(LIB) \
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
$(BUILD)/fuzz/libfuzzer-%: $(BUILD)/obj/fuzz/engines/target-%.o $(BUILD)/obj/ref/ref-sut.o $(LIB) $(BACKEND_SET)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $(call engine_objs,$*,$^) $(LDLIBS)
# The same objects with the stability driver (fuzz/engines/engine_stability.c): does
# an input's coverage depend on the one before it?  build/libfuzzer/fuzz/stability-TARGET
$(BUILD)/fuzz/stability-%: $(BUILD)/obj/fuzz/engines/target-%.o $(BUILD)/obj/fuzz/engines/engine_stability.o \
                           $(BUILD)/obj/ref/ref-sut.o $(LIB) $(BACKEND_SET)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(call engine_objs,$*,$^) $(LDLIBS)
libfuzzer: $(TOOL)
	@echo "make: building the libFuzzer targets (clang, ASan+UBSan) in $(BUILD)/libfuzzer"
	@t=$(NAMES); $(MAKE) --no-print-directory BUILD=$(BUILD)/libfuzzer CC=clang OPT=-O2 LTO= \
	  COV=-fsanitize=fuzzer-no-link EXTRA_CFLAGS="$(SAN)" \
	  $$(for n in $$t; do echo $(BUILD)/libfuzzer/fuzz/libfuzzer-$$n $(BUILD)/libfuzzer/fuzz/replay-$$n \
	    $(BUILD)/libfuzzer/fuzz/stability-$$n; done) \
	  $(BUILD)/libfuzzer/bootfuzz

# libFuzzer without sanitizers (make bench-harness compares both):
# build/libfuzzer-plain/fuzz/libfuzzer-TARGET
libfuzzer-plain: $(TOOL)
	@t=$(NAMES); $(MAKE) --no-print-directory BUILD=$(BUILD)/libfuzzer-plain CC=clang OPT=-O2 LTO= \
	  COV=-fsanitize=fuzzer-no-link $$(for n in $$t; do echo $(BUILD)/libfuzzer-plain/fuzz/libfuzzer-$$n; done)

# The canary: the same sanitizer/libFuzzer build with a bug planted in the
# fast allocator (-DBF_FAST_CANARY).  make canary builds it and runs the
# canary test: the gate (scripts/gate, CANARY_SECONDS of fuzzing) on that
# build must turn red, naming the planted bug and with its reproducer; a
# gate that cannot fail would be worse than none.  canary-build only builds.
CANARY_SECONDS ?= 10
CANARY_LOG = $(BUILD)/canary/gate.log
canary: canary-build
	@echo "make canary: the gate on $(BUILD)/canary, fast with a planted bug ($(CANARY_SECONDS) s of fuzzing); it must turn red"
	@LFDIR="$(BUILD)/canary" GATE_SKIP_BUILD=1 GATE_SECONDS="$(CANARY_SECONDS)" sh scripts/gate \
	  >"$(CANARY_LOG)" 2>&1; st=$$?; \
	if [ $$st -ne 0 ] && tail -n 1 "$(CANARY_LOG)" | grep -q '^[0-9]* passed, [1-9][0-9]* failed$$' && \
	  grep -q '^FAIL - (b) corpus/fast' "$(CANARY_LOG)" && grep -q 'MISMATCH free last_offset fast' "$(CANARY_LOG)"; then \
	  echo "make canary: ok - the gate is red on the canary ($$(tail -n 1 "$(CANARY_LOG)")), with the reproducer of the planted bug ($(CANARY_LOG))"; \
	else \
	  echo "make canary: FAIL - the gate did not turn red on the canary (exit $$st; $(CANARY_LOG)):" >&2; \
	  tail -n 30 "$(CANARY_LOG)" >&2; exit 1; \
	fi
canary-build: $(TOOL)
	@t=$(NAMES); $(MAKE) --no-print-directory BUILD=$(BUILD)/canary CC=clang OPT=-O2 LTO= \
	  COV=-fsanitize=fuzzer-no-link EXTRA_CFLAGS="-DBF_FAST_CANARY $(SAN)" \
	  $$(for n in $$t; do echo $(BUILD)/canary/fuzz/libfuzzer-$$n $(BUILD)/canary/fuzz/replay-$$n; done) \
	  $(BUILD)/canary/bootfuzz

# AFL++ (persistent mode, shared-memory input) and the CMPLOG twin:
# build/afl/fuzz/afl-TARGET, build/afl-cmplog/fuzz/afl-TARGET.  Only the
# objects libFuzzer instruments are compiled by afl-clang-fast (COV_CC, with
# the same functions left out: AFL_LLVM_DENYLIST), the rest by clang; the
# link is afl-clang-fast's (its runtime).
AFL_CC ?= afl-clang-fast
AFL_ENV := AFL_QUIET=1 AFL_LLVM_DENYLIST='$(COV_IGNORE_ABS)'
$(BUILD)/fuzz/afl-%: $(BUILD)/obj/fuzz/engines/target-%.o $(BUILD)/obj/fuzz/engines/engine_afl.o $(BUILD)/obj/ref/ref-sut.o \
                     $(LIB) $(BACKEND_SET)
	@mkdir -p $(dir $@)
	$(or $(COV_CC),$(CC)) $(ALL_CFLAGS) -o $@ $(call engine_objs,$*,$^) $(LDLIBS)
afl: $(TOOL)
	@echo "make: building the AFL++ targets (afl-clang-fast, and the CMPLOG twin)"
	@t=$(NAMES); $(AFL_ENV) $(MAKE) --no-print-directory BUILD=$(BUILD)/afl CC=clang COV_CC=$(AFL_CC) \
	  OPT=-O2 LTO= $$(for n in $$t; do echo $(BUILD)/afl/fuzz/afl-$$n; done) && \
	$(AFL_ENV) AFL_LLVM_CMPLOG=1 $(MAKE) --no-print-directory BUILD=$(BUILD)/afl-cmplog CC=clang \
	  COV_CC=$(AFL_CC) OPT=-O2 LTO= $$(for n in $$t; do echo $(BUILD)/afl-cmplog/fuzz/afl-$$n; done)

# AFL++ with ASan+UBSan (make bench-harness): build/afl-asan/fuzz/afl-TARGET
afl-asan: $(TOOL)
	@t=$(NAMES); $(AFL_ENV) $(MAKE) --no-print-directory BUILD=$(BUILD)/afl-asan CC=clang COV_CC=$(AFL_CC) \
	  OPT=-O2 LTO= EXTRA_CFLAGS="$(SAN)" $$(for n in $$t; do echo $(BUILD)/afl-asan/fuzz/afl-$$n; done)

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

# Throughput of the harness (docs/harness.md, "Benchmarks"): checked runs vs
# the bare calls, in one run, without sanitizers and with ASan+UBSan (clang
# -O2, as the engine builds), on generated inputs, the seed corpus and the
# grown corpus (bench/corpus-grown); then real engine runs of each target
# (bench/harness/engines.sh: libFuzzer and AFL++, SECS seconds each), on
# BASE=<rev>'s build too when given, side by side.
#   make bench-harness [BASE=rev] [SECS=10] [BENCH_TARGETS="fast 2614 ref"]
#     [ENGINES="libfuzzer afl"] [SANS="plain asan"] [CORPORA="seeds grown"]
BENCH_TARGETS ?= fast 2614 ref
$(BUILD)/bench-harness: bench/harness/bench_harness.c $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)
bench-harness: $(BUILD)/bench-harness
	$(MAKE) -s BUILD=$(BUILD)/bench-asan CC=clang OPT=-O2 LTO= EXTRA_CFLAGS="$(SAN)" \
	  $(BUILD)/bench-asan/bench-harness
	@for b in $(BUILD) $(BUILD)/bench-asan; do \
	  [ $$b = $(BUILD) ] && echo "== without sanitizers ($(CC) $(OPT))" || echo "== with ASan+UBSan (clang -O2)"; \
	  for t in $(BENCH_TARGETS); do s=corpus/$$t; [ -d $$s ] || s=corpus/fast; \
	    for c in "" $$s bench/corpus-grown; do BOOTFUZZ_OPTIONS=$$( [ $$t = 2614 ] && echo $(BUGS_OFF) ) \
	      $$b/bench-harness $$t $$c || exit 1; done; done; done
	@echo "== engines, $(or $(SECS),10) s per run$(if $(BASE), side by side with $(BASE))"
	@SECS="$(SECS)" TARGETS="$(BENCH_TARGETS)" ENGINES="$(ENGINES)" SANS="$(SANS)" CORPORA="$(CORPORA)" \
	  sh bench/harness/engines.sh $(BASE)

# The main job: a fuzz campaign.  make fuzz [TARGET=fast] [ENGINE=libfuzzer|afl|both]
# [DURATION=10m] [JOBS=n] [WRITEBACK=1]
# The builds come first, with a line per program linked and a count of the
# files compiled (a first build takes about a minute).  The campaign then
# runs as a job of its own (set -m) when make runs in the foreground of a
# terminal (in the background, job control would stop the shell): Ctrl-C reaches
# the campaign alone, which stops the engines, merges, triages, reports and
# exits 0, instead of make dying of the signal ("*** Interrupt").  WRITEBACK=1
# merges the inputs that add coverage into corpus/TARGET (scripts/corpus
# writeback).
FUZZ_ENGINE = $(or $(ENGINE),libfuzzer)
# (compiler lines counted, links named, anything else, errors included, shown)
BUILD_PROGRESS = awk -v p="make fuzz:" '/^make-status / { if (n) printf "%s %d files compiled\n", p, n; exit $$2 } \
  /^(gcc|clang|cc|afl-clang-fast|$(CC)) .* -c / { n++; if (n % 10 == 0) { printf "%s %d files compiled...\n", p, n; fflush() } next } \
  /^(gcc|clang|cc|afl-clang-fast|$(CC)) .* -o / { for (i = 1; i < NF; i++) if ($$i == "-o") print p, "linked", $$(i + 1); fflush(); next } \
  /Nothing to be done|is up to date/ { next } { print; fflush() }'
fuzz:
	@case "$(FUZZ_ENGINE)" in libfuzzer | afl | both) ;; *) \
	  echo "make fuzz: ENGINE=$(FUZZ_ENGINE): no such engine (libfuzzer, afl or both)" >&2; exit 2 ;; esac
	@echo "make fuzz: building $(TOOL) and the $(FUZZ_ENGINE) targets (about a minute the first time)"
	@{ $(MAKE) --no-print-directory all libfuzzer \
	     $(if $(filter libfuzzer,$(FUZZ_ENGINE)),,$(if $(shell command -v $(AFL_CC)),afl)) 2>&1; \
	   echo "make-status $$?"; } | $(BUILD_PROGRESS)
	@TARGET="$(or $(TARGET),fast)" ENGINE="$(FUZZ_ENGINE)" \
	  DURATION="$(or $(DURATION),10m)" JOBS="$(or $(JOBS),$(shell nproc))" \
	  sh -c 'if [ -t 0 ] && [ -t 1 ] && \
	      [ "$$(ps -o tpgid= -p $$$$ | tr -d " ")" = "$$(ps -o pgid= -p $$$$ | tr -d " ")" ]; then \
	    set -m; fi; sh scripts/campaign'

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
# make mutants [MUTANT_FILE="impl/fast/place.h ..." | BACKEND=path] [TARGET=name] [MUTANTS_MAX=n]
#   [MUTANT_IDS="..."] [FUZZ_SECS=60] [SEED=1] [JOBS=1] [OUT=work/mutants/<name>]
# Without a file: every file of fast's unit (impl/fast/fast.c and its
# parts), one after the other, each with its own results and matrix (with
# OUT=dir and several files: dir/<file>); the exit status is the worst of
# them (scripts/mutants: 1 survivors, 2 errors; make itself then says 2).
MUTANT_FILES = $(or $(MUTANT_FILE),$(BACKEND),impl/fast/fast.c $(filter-out %/fast.h %/geometry.h,$(wildcard impl/fast/*.h)))
mutants:
	@worst=0; n=$(words $(MUTANT_FILES)); for f in $(MUTANT_FILES); do \
	  if [ -n "$$OUT" ] && [ $$n -gt 1 ]; then o="$$OUT/$$(basename "$$f")"; else o="$$OUT"; fi; \
	  OUT="$$o" sh scripts/mutants "$$f" $(TARGET); st=$$?; [ $$st -gt $$worst ] && worst=$$st; done; exit $$worst

# Triage's groups against ground truth: the 2614 target fuzzed with its bug
# switches on (and subsets), triaged, each group labelled by the switches
# that, turned off alone, make its reproducer pass (docs/triage-bench.md).
# SECS=60 SEEDS="1 2" CHECKS="exact invariants" JOBS=n OUT=work/bench-triage
bench-triage:
	BUILD="$(BUILD)" sh scripts/bench-triage

# (the build directory in use: BUILD=/elsewhere cleans that one)
clean:
	rm -rf "$(BUILD)"

# Dependency files are only read: with no rule of their own, make would try
# to remake target-NAME.d with a built-in link rule from target-NAME.d.o.
$(BUILD)/obj/%.d: ;
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
