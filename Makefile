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
CFLAGS ?= $(OPT) -g
ALL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE $(WARN) -Iinclude -Ifuzz -Iimpl $(CFLAGS) $(EXTRA_CFLAGS)
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

.PHONY: all test asan bench clean
all: $(BUILD)/bootfuzz $(UNIT_BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libbootfuzz.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/bootfuzz: $(CLI_OBJS) $(BUILD)/libbootfuzz.a
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJS) $(BUILD)/libbootfuzz.a $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libbootfuzz.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libbootfuzz.a $(LDLIBS)

# The test suite: trace files against every backend, unit tests, and the
# runner's own self-test.  tests/run prints "N passed, N failed" last.
test: all
	sh tests/run "$(BUILD)"

# Sanitizer build of the tool and unit tests, in its own directory.
asan:
	$(MAKE) BUILD=build/asan CC=clang OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" all

$(BUILD)/bench: $(BENCH_SRCS) $(BUILD)/libbootfuzz.a
	$(CC) $(ALL_CFLAGS) -o $@ $(BENCH_SRCS) $(BUILD)/libbootfuzz.a $(LDLIBS)

bench: $(BUILD)/bench
	$(BUILD)/bench

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
