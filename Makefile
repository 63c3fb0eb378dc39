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
# Per-function/data sections and --gc-sections leave out of the image what
# only the host tests call (pure modules carry test-only helpers).
KCFLAGS_STD  := -std=c11 -ffreestanding -fno-common -fno-pic -fno-pie \
                -fno-stack-protector -mno-red-zone -mgeneral-regs-only \
                -mcmodel=kernel -fno-asynchronous-unwind-tables -O2 -g \
                -ffunction-sections -fdata-sections
KCFLAGS_WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
                -Wshadow -Wcast-qual -Wpointer-arith -Wvla -Wframe-larger-than=2048
KCFLAGS      := $(KCFLAGS_STD) $(KCFLAGS_WARN) -I. -MMD -MP
KLDFLAGS     := -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
                --gc-sections
NASMFLAGS    := -f elf64 -g -F dwarf -I. -I$(BUILD)/gen/

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
	boot/cmdline.c \
	boot/mb2_parse.c \
	drivers/fmt.c \
	drivers/pc_devices.c \
	drivers/vlapic.c \
	drivers/vuart.c \
	ept/ept_build.c \
	ept/ept_check.c \
	ept/ept_format.c \
	ept/ept_spp.c \
	mm/frame_alloc.c \
	mm/hpt.c \
	mm/pgtable.c \
	mm/pt_format_x86.c \
	mm/pt_pool.c \
	vmm/elf_load.c \
	vmm/gwalk.c \
	vmm/gwalk_cache.c \
	vmm/gwalk_seg.c \
	vmm/insn_check.c \
	vmm/insn_decode.c \
	vmm/insn_emulate.c \
	vmm/insn_emulate_alu.c \
	vmm/insn_emulate_mov.c \
	vmm/insn_emulate_rmw.c \
	vmm/insn_emulate_sse.c \
	vmm/insn_emulate_string.c \
	vmm/insn_emulate_tables.c \
	vmm/insn_flags.c \
	vmm/insn_format.c \
	vmm/insn_tables.c \
	vmm/insn_tables_evex.c \
	vmm/insn_tables_vex.c \
	vmm/memslot.c \
	vmm/memslot_index.c \
	vmm/mmio_bus.c \
	vmm/mmio_dev.c \
	vmm/vm_config.c \
	vmm/vm_memory.c \



KERNEL_C   := $(filter-out vmm/asm_offsets.c,\
              $(sort $(wildcard boot/*.c arch/x86/*.c mm/*.c ept/*.c vmm/*.c drivers/*.c)))
KERNEL_ASM := $(sort $(wildcard boot/*.asm arch/x86/*.asm vmm/*.asm))
KERNEL_OBJS := $(KERNEL_C:%.c=$(BUILD)/k/%.o) $(KERNEL_ASM:%.asm=$(BUILD)/k/%.o)

# Host unit tests: test/unit/test_<name>.c, each linked with all pure objects.
HOST_TESTS := $(sort $(patsubst test/unit/%.c,%,$(wildcard test/unit/test_*.c)))
HOST_PURE_OBJS := $(PURE_SRCS:%.c=$(BUILD)/h/%.o) $(BUILD)/h/test/unit/host_support.o
HOST_TEST_BINS := $(HOST_TESTS:%=$(BUILD)/h/%)

# Test guests (guests/): 64-bit and 32-bit ELF, and real-mode flat binaries.
GUESTS64 := hello exits triple udstorm loop ring3 probe bench mmio memslots paging mmiobad emu spp hostile hcfuzz
GUESTS32 := mode32 paging32 emu32 hostile32
GUESTS_REAL := real16
GCFLAGS := -std=gnu11 -ffreestanding -fno-common -fno-pic -fno-pie \
           -fno-stack-protector -mno-red-zone -mgeneral-regs-only \
           -fno-asynchronous-unwind-tables -O2 -g -Wall -Wextra -Werror \
           -Wno-unused-function -I. -MMD -MP
GLIB_C   := guests/lib/guest.c guests/lib/fault.c drivers/fmt.c
GLIB64_OBJS := $(patsubst %,$(BUILD)/g64/%.o,$(basename $(GLIB_C) \
               guests/lib/idt64.c guests/lib/user.c guests/lib/crt64.asm \
               guests/lib/isr64.asm))
GLIB32_OBJS := $(patsubst %,$(BUILD)/g32/%.o,$(basename $(GLIB_C) \
               guests/lib/libgcc32.c guests/lib/crt32.asm \
               guests/lib/idt32.c guests/lib/isr32.asm))
# Multiboot1 test kernels: x86-64 code behind a 32-bit entry, converted
# to ELF32 as the kernels they imitate are (guests/mb1/).
GUESTS_MB1 := pcenv
GUEST_BINS := $(GUESTS_MB1:%=$(BUILD)/guests/%.elf) \
              $(GUESTS64:%=$(BUILD)/guests/%.elf) \
              $(GUESTS32:%=$(BUILD)/guests/%.elf) \
              $(GUESTS_REAL:%=$(BUILD)/guests/%.bin)

KERNEL := $(BUILD)/mica.elf
ISO    := $(BUILD)/mica.iso

.PHONY: all guests iso run test test-long test-host bench-host bench fmt lint clean deps
all: $(KERNEL) $(ISO) $(GUEST_BINS)
iso: $(ISO)

# ---------------------------------------------------------------- kernel
# Code off the hottest exit paths is built for size: the loaded image must
# stay under 128 KiB. That is boot, VM set-up, reporting, the MSR/CR/CPUID,
# PIO and exception exits, SPP management, and the EPT table builder,
# whose exit costs docs/performance.md still reports against their goals.
# Exit dispatch, hypercalls, the EPT exits and MMIO emulation keep -O2.
KCOLD := boot/kmain boot/mb2_parse boot/cmdline arch/x86/desc \
         arch/x86/vmx_caps vmm/vmcs_setup vmm/vm_config vmm/elf_load \
         vmm/entry_check vmm/insn_format drivers/fmt vmm/guests \
         vmm/guest_boot mm/frame_alloc mm/mm mm/mm_paging mm/hpt \
         arch/x86/trap vmm/vmx_init mm/pt_format_x86 vmm/vm_spp \
         ept/ept_spp vmm/vm_devices vmm/exit_msr vmm/exit_cr vmm/vm \
         vmm/insn_check vmm/insn_emulate_alu vmm/insn_emulate_sse \
         vmm/insn_emulate_rmw ept/ept_check vmm/memslot drivers/vlapic \
         drivers/pc_devices vmm/gwalk_seg arch/x86/vmx arch/x86/fpu \
         vmm/exit_misc mm/pgtable ept/ept_build mm/pt_pool ept/ept_format \
         arch/x86/msr vmm/exit_cpuid vmm/exit_io drivers/vuart
$(KCOLD:%=$(BUILD)/k/%.o): KCFLAGS += -Os
$(KCOLD:%=$(BUILD)/k/%.o): Makefile

$(BUILD)/k/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

# Structure offsets for NASM, generated from C (vmm/asm_offsets.c).
ASM_OFFSETS := $(BUILD)/gen/asm_offsets.inc
$(ASM_OFFSETS): vmm/asm_offsets.c vmm/vcpu.h arch/x86/vmcs.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$(CC) $(KCFLAGS) -MF $(BUILD)/gen/asm_offsets.d -S $< -o $(@:.inc=.s)
	$(Q)sed -n 's/^.*\.ascii *"->\([A-Za-z0-9_]*\) *\$$\{0,1\}\(-\{0,1\}[0-9]*\)".*$$/\1 equ \2/p' \
		$(@:.inc=.s) > $@

$(BUILD)/k/%.o: %.asm $(ASM_OFFSETS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) $< -o $@

$(KERNEL): $(KERNEL_OBJS) linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KLDFLAGS) -T linker.ld -o $@ $(KERNEL_OBJS)

$(ISO): $(KERNEL) test/harness/mkiso.sh
	@$(if $(Q),echo "  ISO     $@")
	$(Q)sh test/harness/mkiso.sh $@ $(KERNEL)

# ---------------------------------------------------------------- guests
$(BUILD)/g64/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GCC64   $<")
	$(Q)$(CC) -m64 $(GCFLAGS) -c $< -o $@

$(BUILD)/g64/%.o: %.asm
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GNASM64 $<")
	$(Q)$(NASM) -f elf64 $< -o $@

$(BUILD)/g32/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GCC32   $<")
	$(Q)$(CC) -m32 -march=i686 $(GCFLAGS) -c $< -o $@

$(BUILD)/g32/%.o: %.asm
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GNASM32 $<")
	$(Q)$(NASM) -f elf32 $< -o $@

$(GUESTS64:%=$(BUILD)/guests/%.elf): $(BUILD)/guests/%.elf: \
		$(BUILD)/g64/guests/%.o $(GLIB64_OBJS) guests/guest64.ld
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GLD64   $@")
	$(Q)$(LD) -nostdlib -z noexecstack --no-warn-rwx-segments \
		-T guests/guest64.ld -o $@ \
		$(filter %.o,$^)

$(GUESTS32:%=$(BUILD)/guests/%.elf): $(BUILD)/guests/%.elf: \
		$(BUILD)/g32/guests/%.o $(GLIB32_OBJS) guests/guest64.ld
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GLD32   $@")
	$(Q)$(LD) -m elf_i386 -nostdlib -z noexecstack --no-warn-rwx-segments \
		-T guests/guest64.ld \
		-o $@ $(filter %.o,$^)

$(GUESTS_MB1:%=$(BUILD)/guests/%.elf): $(BUILD)/guests/%.elf: \
		$(BUILD)/g64/guests/mb1/%.o $(BUILD)/g64/guests/mb1/crt_mb1.o \
		$(GLIB64_OBJS) guests/mb1/mb1.ld
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GLDMB1  $@")
	$(Q)$(LD) -nostdlib -z noexecstack --no-warn-rwx-segments \
		-T guests/mb1/mb1.ld -o $@.64 \
		$(filter-out %/crt64.o,$(filter %.o,$^))
	$(Q)objcopy -O elf32-i386 $@.64 $@

$(BUILD)/guests/%.bin: guests/%.asm
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GNASM16 $<")
	$(Q)$(NASM) -f bin $< -o $@

guests: $(GUEST_BINS)

# ---------------------------------------------------------------- host tests
$(BUILD)/h/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HCFLAGS) -c $< -o $@

$(BUILD)/h/test_%: $(BUILD)/h/test/unit/test_%.o $(HOST_PURE_OBJS)
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(HOSTCC) $(HLDFLAGS) $^ -o $@ $(HOST_LIBS_test_$*)

# Decoder differential test and benchmark use Zydis as the oracle.
HOST_LIBS_test_decode_zydis := -lZydis
HOST_LIBS_bench_decode := -lZydis

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

# Poison tests: test/unit/test_poison_<name>.c run the same work twice, the
# stack and registers below it painted 0x00 and then 0xFF
# (test/unit/poison.h), and fail when the difference shows. They and the
# pure objects they link are built in $(BUILD)/p/ without ASan (its redzones
# and fake stacks would move locals off the painted stack) and with locals
# left uninitialised whatever the compiler's default; UBSan stays. The
# programs are host tests like the others: $(BUILD)/h/test_poison_<name>.
PCFLAGS := -std=gnu11 -O1 -g -fsanitize=undefined -fno-sanitize-recover=undefined \
           -ftrivial-auto-var-init=uninitialized -fno-omit-frame-pointer \
           -Wall -Wextra -Werror -Wshadow -Wvla -Wno-unused-function -I. -MMD -MP
POISON_PURE_OBJS := $(PURE_SRCS:%.c=$(BUILD)/p/%.o) $(BUILD)/p/test/unit/host_support.o

$(BUILD)/p/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  POISCC  $<")
	$(Q)$(HOSTCC) $(PCFLAGS) -c $< -o $@

$(BUILD)/h/test_poison_%: $(BUILD)/p/test/unit/test_poison_%.o $(POISON_PURE_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  POISLD  $@")
	$(Q)$(HOSTCC) -fsanitize=undefined $^ -o $@

# The same programs with MemorySanitizer, which follows undefined bytes
# through every copy wherever the frames lie (painting misses a local laid
# over a dead frame of the same run): $(BUILD)/h/test_poison_<name>_msan,
# objects in $(BUILD)/m/.
MCFLAGS := -std=gnu11 -O1 -g -fsanitize=memory,undefined -fsanitize-memory-track-origins \
           -fno-sanitize-recover=all -fno-omit-frame-pointer \
           -Wall -Wextra -Werror -Wshadow -Wvla -Wno-unused-function -I. -MMD -MP
MSAN_PURE_OBJS := $(PURE_SRCS:%.c=$(BUILD)/m/%.o) $(BUILD)/m/test/unit/host_support.o
POISON_MSAN_BINS := $(patsubst %,$(BUILD)/h/%_msan,$(filter test_poison_%,$(HOST_TESTS)))

$(BUILD)/m/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MSANCC  $<")
	$(Q)$(HOSTCC) $(MCFLAGS) -c $< -o $@

$(BUILD)/h/test_poison_%_msan: $(BUILD)/m/test/unit/test_poison_%.o $(MSAN_PURE_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MSANLD  $@")
	$(Q)$(HOSTCC) -fsanitize=memory,undefined $^ -o $@

test-host: $(POISON_MSAN_BINS)

# Exit paths on the host: these kernel sources, built with -DMICA_HOST_HW
# (the one seam in arch/x86/vmcs.h and arch/x86/cpu.h), over the fake CPU,
# VMCS, physmap and console of test/hostvm/. Linked into fuzz_exit and the
# test_exit_* programs.
HOSTVM_KSRCS := \
	arch/x86/vmx_caps.c \
	arch/x86/vmx_exit_names.c \
	vmm/entry_check.c \
	vmm/exit.c \
	vmm/exit_cpuid.c \
	vmm/exit_cr.c \
	vmm/exit_io.c \
	vmm/exit_misc.c \
	vmm/exit_msr.c \
	vmm/guest_boot.c \
	vmm/guest_mem.c \
	vmm/hypercall.c \
	vmm/mmio_emulate.c \
	vmm/vm.c \
	vmm/vm_devices.c \
	vmm/vm_mem.c \
	vmm/vm_spp.c \
	vmm/vmcs_setup.c \

HOSTVM_SRCS := $(HOSTVM_KSRCS) $(sort $(wildcard test/hostvm/*.c))
HOSTVM_H_OBJS := $(HOSTVM_SRCS:%.c=$(BUILD)/h/%.o)
HOSTVM_F_OBJS := $(HOSTVM_SRCS:%.c=$(BUILD)/f/%.o)
$(HOSTVM_H_OBJS) $(HOSTVM_F_OBJS): HCFLAGS += -DMICA_HOST_HW
# The fake machine itself is not under test: built without coverage
# feedback, which would only steer the fuzzer through its own branches.
$(BUILD)/f/test/hostvm/%.o: test/hostvm/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HCFLAGS) -c $< -o $@
$(filter $(BUILD)/h/test_exit_%,$(HOST_TEST_BINS)): $(HOSTVM_H_OBJS)
$(BUILD)/fuzz/fuzz_exit: $(HOSTVM_F_OBJS)

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
	$(Q)$(MAKE) --no-print-directory all bench-host
	$(Q)$(PYTHON) test/harness/bench.py --build $(BUILD)

FMT_SRCS = $(shell git ls-files '*.c' '*.h')
fmt:
	$(Q)clang-format -i $(FMT_SRCS)

lint:
	$(Q)sh test/harness/lint.sh

clean:
	$(Q)rm -rf $(BUILD)

# Keep objects make considers intermediate (host and fuzz builds).
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
