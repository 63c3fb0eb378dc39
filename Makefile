# SPDX-License-Identifier: MIT
# mica: build the hypervisor image and ISO, run it, test it, measure it.
# Quiet by default; V=1 shows every command. Everything is built in build/.

BUILD    ?= build
V        ?= 0
Q        := $(if $(filter 1,$(V)),,@)
PLATFORM ?= auto
GUESTS   ?=

# ---------------------------------------------------------------- toolchain
CC       := gcc
LD       := ld
NASM     := nasm
HOSTCC   := clang
PYTHON   := python3

# ---------------------------------------------------------------- kernel flags
KCFLAGS_STD  := -std=c11 -ffreestanding -fno-common -fno-pic -fno-pie \
                -fno-stack-protector -mno-red-zone -mgeneral-regs-only \
                -mcmodel=kernel -fno-asynchronous-unwind-tables -O2 -g
KCFLAGS_WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
                -Wshadow -Wcast-qual -Wpointer-arith -Wvla -Wframe-larger-than=2048
KCFLAGS      := $(KCFLAGS_STD) $(KCFLAGS_WARN) -I. -MMD -MP
KLDFLAGS     := -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments
NASMFLAGS    := -f elf64 -g -F dwarf -I.

# ---------------------------------------------------------------- host flags
HCFLAGS_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
HCFLAGS      := -std=gnu11 -O1 -g $(HCFLAGS_SAN) -Wall -Wextra -Werror \
                -Wshadow -Wvla -Wno-unused-function -I. -MMD -MP
HLDFLAGS     := $(HCFLAGS_SAN)

# ---------------------------------------------------------------- sources
# Pure logic: no asm, no globals, no arch headers. Compiled into the kernel
# and, with sanitizers, into every host test program.
# One line per file, sorted by directory.
PURE_SRCS := \
	vmm/gwalk.c \
	vmm/gwalk_cache.c \
	vmm/gwalk_seg.c \


KERNEL_C   := $(sort $(wildcard boot/*.c arch/x86/*.c mm/*.c ept/*.c vmm/*.c drivers/*.c))
KERNEL_ASM := $(sort $(wildcard boot/*.asm arch/x86/*.asm vmm/*.asm))
KERNEL_OBJS := $(KERNEL_C:%.c=$(BUILD)/k/%.o) $(KERNEL_ASM:%.asm=$(BUILD)/k/%.o)

# Host unit tests: test/unit/test_<name>.c, each linked with all pure objects.
HOST_TESTS := $(sort $(patsubst test/unit/%.c,%,$(wildcard test/unit/test_*.c)))
HOST_PURE_OBJS := $(PURE_SRCS:%.c=$(BUILD)/h/%.o) $(BUILD)/h/test/unit/host_support.o
HOST_TEST_BINS := $(HOST_TESTS:%=$(BUILD)/h/%)

KERNEL := $(BUILD)/mica.elf
ISO    := $(BUILD)/mica.iso

.PHONY: all iso run test test-long test-host bench-host bench fmt lint clean deps
all: $(KERNEL) $(ISO)
iso: $(ISO)

# ---------------------------------------------------------------- kernel
$(BUILD)/k/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.o: %.asm
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) $< -o $@

$(KERNEL): $(KERNEL_OBJS) linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KLDFLAGS) -T linker.ld -o $@ $(KERNEL_OBJS)

$(ISO): $(KERNEL) test/harness/mkiso.sh
	@$(if $(Q),echo "  ISO     $@")
	$(Q)sh test/harness/mkiso.sh $@ $(KERNEL)

# ---------------------------------------------------------------- host tests
$(BUILD)/h/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HCFLAGS) -c $< -o $@

$(BUILD)/h/test_%: $(BUILD)/h/test/unit/test_%.o $(HOST_PURE_OBJS)
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(HOSTCC) $(HLDFLAGS) $^ -o $@ $(HOST_LIBS_test_$*)

# Fuzz harnesses: test/fuzz/fuzz_<name>.c, libFuzzer + ASan/UBSan, linked
# with the pure objects built with coverage instrumentation.
FUZZ_TARGETS := $(sort $(patsubst test/fuzz/%.c,%,$(wildcard test/fuzz/fuzz_*.c)))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
FUZZ_PURE_OBJS := $(PURE_SRCS:%.c=$(BUILD)/f/%.o) $(BUILD)/f/test/unit/host_support.o

$(BUILD)/f/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(HOSTCC) $(HCFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/fuzz/fuzz_%: $(BUILD)/f/test/fuzz/fuzz_%.o $(FUZZ_PURE_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(HOSTCC) $(HLDFLAGS) -fsanitize=fuzzer $^ -o $@ $(HOST_LIBS_fuzz_$*)

# Benchmark programs: test/bench/bench_<name>.c, optimised, no sanitizers,
# linked with the pure objects built the same way.
BENCH_TARGETS := $(sort $(patsubst test/bench/%.c,%,$(wildcard test/bench/bench_*.c)))
BENCH_BINS := $(BENCH_TARGETS:%=$(BUILD)/bench/%)
BENCH_PURE_OBJS := $(PURE_SRCS:%.c=$(BUILD)/b/%.o) $(BUILD)/b/test/unit/host_support.o
BCFLAGS := -std=gnu11 -O2 -g -march=native -Wall -Wextra -Werror -Wshadow -Wvla \
           -Wno-unused-function -I. -MMD -MP

$(BUILD)/b/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BENCHCC $<")
	$(Q)$(HOSTCC) $(BCFLAGS) -c $< -o $@

$(BUILD)/bench/bench_%: $(BUILD)/b/test/bench/bench_%.o $(BENCH_PURE_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BENCHLD $@")
	$(Q)$(HOSTCC) $^ -o $@ $(HOST_LIBS_bench_$*)

# Extra objects for some test programs (the walker's reference model).
$(BUILD)/h/test_gwalk: $(BUILD)/h/test/unit/gwalk_model.o
$(BUILD)/h/test_gwalk_race: $(BUILD)/h/test/unit/gwalk_model.o
$(BUILD)/h/test_gwalk_random: $(BUILD)/h/test/unit/gwalk_model.o
$(BUILD)/h/test_gwalk_seg: $(BUILD)/h/test/unit/gwalk_model.o
$(BUILD)/h/test_gwalk_cache: $(BUILD)/h/test/unit/gwalk_model.o
$(BUILD)/fuzz/fuzz_gwalk: $(BUILD)/f/test/unit/gwalk_model.o

test-host: $(HOST_TEST_BINS) $(FUZZ_BINS)
bench-host: $(BENCH_BINS)

# ---------------------------------------------------------------- front doors
deps:
	$(Q)sh test/harness/deps.sh

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(PYTHON) test/harness/run.py --platform $(PLATFORM) --guests "$(GUESTS)"

test: deps
	$(Q)$(MAKE) --no-print-directory all test-host
	$(Q)$(PYTHON) test/harness/suite.py --build $(BUILD)

test-long: deps
	$(Q)$(MAKE) --no-print-directory all test-host
	$(Q)$(PYTHON) test/harness/suite.py --build $(BUILD) --long

bench: deps
	$(Q)$(MAKE) --no-print-directory all test-host
	$(Q)$(PYTHON) test/harness/bench.py --build $(BUILD)

FMT_SRCS = $(shell git ls-files '*.c' '*.h')
fmt:
	$(Q)clang-format -i $(FMT_SRCS)

lint:
	$(Q)sh test/harness/lint.sh

clean:
	$(Q)rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
