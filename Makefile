# SPDX-License-Identifier: MIT
# mica: build the hypervisor image and ISO, run it, test it, measure it.
# Quiet by default; V=1 shows every command. Everything is built in build/.

BUILD    ?= build
V        ?= 0
Q        := $(if $(filter 1,$(V)),,@)
PLATFORM ?= auto
GUESTS   ?=
# make run KERNEL=path: that kernel as the only guest, as "qemu -kernel";
# ARGS its command line after its name, MEM and MODE its mem= and mode=
# (mode 32 for ELF32 and multiboot1 kernels unless given), OPTS more of
# mica's module options (docs/guests.md).
KERNEL   ?=
ARGS     ?=
MEM      ?=
MODE     ?=
OPTS     ?=

# ---------------------------------------------------------------- toolchain
CC       := gcc
LD       := ld
NASM     := nasm
HOSTCC   := clang
PYTHON   := python3

# ---------------------------------------------------------------- kernel flags
# Per-function/data sections and --gc-sections leave out of the image what
# only the host tests call (pure modules carry test-only helpers).
# Functions are aligned to 16 bytes only where that costs at most 8 bytes
# of padding, and jump targets not at all: about 3.5 KiB of padding less,
# which the 128 KiB image goal needs (docs/performance.md).
KCFLAGS_STD  := -std=c11 -ffreestanding -fno-common -fno-pic -fno-pie \
                -fno-stack-protector -mno-red-zone -mgeneral-regs-only \
                -mcmodel=kernel -fno-asynchronous-unwind-tables -O2 -g \
                -ffunction-sections -fdata-sections -falign-functions=16:8 \
                -falign-jumps=1
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
# Pure logic lives in its own folders: no asm, no globals, no arch/ header
# and no hardware glue (make lint checks the includes). Compiled into the
# kernel and, with sanitizers, into every host test program.
PURE_DIRS := boot/parse mm/frame mm/pt mm/memslot mm/lib ept \
             vmm/insn vmm/emulate vmm/gwalk vmm/dev vmm/load vmm/cpu
PURE_SRCS := $(sort $(foreach d,$(PURE_DIRS),$(wildcard $(d)/*.c)))

KERNEL_DIRS := boot arch mm ept vmm drivers
KERNEL_C   := $(filter-out vmm/run/asm_offsets.c,\
              $(sort $(shell find $(KERNEL_DIRS) -name '*.c')))
KERNEL_ASM := $(sort $(shell find $(KERNEL_DIRS) -name '*.asm'))
KERNEL_OBJS := $(KERNEL_C:%.c=$(BUILD)/k/%.o) $(KERNEL_ASM:%.asm=$(BUILD)/k/%.o)

# Host unit tests: test/unit/test_<name>.c, each linked with all pure objects.
HOST_TESTS := $(sort $(patsubst test/unit/%.c,%,$(wildcard test/unit/test_*.c)))
HOST_PURE_OBJS := $(PURE_SRCS:%.c=$(BUILD)/h/%.o) $(BUILD)/h/test/unit/support/host_support.o
HOST_TEST_BINS := $(HOST_TESTS:%=$(BUILD)/h/%)

# Test guests (guests/): guests/guests.list names every program, its kind
# (64- or 32-bit ELF, real-mode flat binary, multiboot1 kernel) and its
# source where that is another program's; test/harness/guests.py reads it
# too. guest_src gives a program's source name.
GUEST_LIST  := guests/guests.list
guest_names  = $(shell awk '$$1 ~ /^[a-z]/ && $$2 == "$(1)" {print $$1}' $(GUEST_LIST))
GUEST_SRCS  := $(shell awk '$$1 ~ /^[a-z]/ {print $$1 ":" (NF > 2 ? $$3 : $$1)}' $(GUEST_LIST))
guest_src    = $(patsubst $(1):%,%,$(filter $(1):%,$(GUEST_SRCS)))
GUESTS64    := $(call guest_names,64)
GUESTS32    := $(call guest_names,32)
GUESTS_REAL := $(call guest_names,real)
GUESTS_MB1  := $(call guest_names,mb1)
GCFLAGS := -std=gnu11 -ffreestanding -fno-common -fno-pic -fno-pie \
           -fno-stack-protector -mno-red-zone -mgeneral-regs-only \
           -fno-asynchronous-unwind-tables -O2 -g -Wall -Wextra -Werror \
           -Wno-unused-function -I. -MMD -MP
GLIB_C   := guests/lib/guest.c guests/lib/fault.c mm/lib/fmt.c
GLIB64_OBJS := $(patsubst %,$(BUILD)/g64/%.o,$(basename $(GLIB_C) \
               guests/lib/idt64.c guests/lib/user.c guests/lib/crt64.asm \
               guests/lib/isr64.asm))
GLIB32_OBJS := $(patsubst %,$(BUILD)/g32/%.o,$(basename $(GLIB_C) \
               guests/lib/libgcc32.c guests/lib/crt32.asm \
               guests/lib/idt32.c guests/lib/isr32.asm))
GUEST_BINS := $(GUESTS_MB1:%=$(BUILD)/guests/%.elf) \
              $(GUESTS64:%=$(BUILD)/guests/%.elf) \
              $(GUESTS32:%=$(BUILD)/guests/%.elf) \
              $(GUESTS_REAL:%=$(BUILD)/guests/%.bin)

MICA_ELF := $(BUILD)/mica.elf
ISO    := $(BUILD)/mica.iso

.PHONY: all guests iso run test test-long test-host bench-host bench fmt lint clean deps
all: $(MICA_ELF) $(ISO) $(GUEST_BINS)
iso: $(ISO)

# ---------------------------------------------------------------- kernel
# Code off the hottest exit paths is built for size: the loaded image must
# stay under 128 KiB. That is boot, VM set-up, reporting, the MSR/CR/CPUID,
# PIO and exception exits, SPP management, the console, the PC device
# models, and the EPT table builder (the memory hypercalls are marked
# __cold in their file),
# whose exit costs docs/performance.md still reports against their goals.
# Exit dispatch, hypercalls, the EPT exits and MMIO emulation keep -O2.
KCOLD := drivers/console arch/x86/clock vmm/dev/vpit vmm/dev/vrtc \
         vmm/dev/vpmtimer vmm/dev/vioapic vmm/dev/vpic boot/kmain \
         boot/parse/mb2_parse boot/parse/cmdline arch/x86/desc \
         arch/x86/vmx_caps vmm/run/vmcs_setup vmm/load/vm_config \
         vmm/load/elf_load vmm/exit/entry_check vmm/insn/insn_format \
         mm/lib/fmt vmm/run/guests vmm/run/guest_boot mm/frame/frame_alloc \
         mm/mm mm/mm_paging mm/pt/hpt arch/x86/trap vmm/run/vmx_init \
         mm/pt/pt_format_x86 vmm/mem/vm_spp ept/ept_spp vmm/vm_devices \
         vmm/exit/exit_msr vmm/exit/exit_cr vmm/run/vm vmm/insn/insn_check \
         vmm/emulate/insn_emulate_alu vmm/emulate/insn_emulate_sse \
         vmm/emulate/insn_emulate_rmw ept/ept_check mm/memslot/memslot \
         vmm/dev/vlapic vmm/dev/pc_devices vmm/gwalk/gwalk_seg arch/x86/vmx \
         arch/x86/fpu vmm/exit/exit_misc mm/pt/pgtable ept/ept_build \
         mm/pt/pt_pool ept/ept_format arch/x86/msr vmm/exit/exit_cpuid \
         vmm/exit/exit_io vmm/dev/vuart
$(KCOLD:%=$(BUILD)/k/%.o): KCFLAGS += -Os
$(KCOLD:%=$(BUILD)/k/%.o): Makefile

$(BUILD)/k/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

# Structure offsets for NASM, generated from C (vmm/run/asm_offsets.c).
ASM_OFFSETS := $(BUILD)/gen/asm_offsets.inc
$(ASM_OFFSETS): vmm/run/asm_offsets.c vmm/vcpu.h arch/x86/vmcs.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$(CC) $(KCFLAGS) -MF $(BUILD)/gen/asm_offsets.d -S $< -o $(@:.inc=.s)
	$(Q)sed -n 's/^.*\.ascii *"->\([A-Za-z0-9_]*\) *\$$\{0,1\}\(-\{0,1\}[0-9]*\)".*$$/\1 equ \2/p' \
		$(@:.inc=.s) > $@

$(BUILD)/k/%.o: %.asm $(ASM_OFFSETS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) $(NASMFLAGS) -MD $(@:.o=.d) $< -o $@

$(MICA_ELF): $(KERNEL_OBJS) linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KLDFLAGS) -T linker.ld -o $@ $(KERNEL_OBJS)

$(ISO): $(MICA_ELF) test/harness/mkiso.sh
	@$(if $(Q),echo "  ISO     $@")
	$(Q)sh test/harness/mkiso.sh $@ $(MICA_ELF)

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

# Written out: NASM 2.16.01's -MD leaves %include files out.
$(BUILD)/g64/guests/lib/isr64.o $(BUILD)/g32/guests/lib/isr32.o: \
	guests/lib/isr_stubs.inc

# Each program links its source's object, built for its kind, before the
# library: guests/<source>.c, guests/mb1/<source>.c, guests/<source>.asm.
$(foreach g,$(GUESTS64),$(eval $(BUILD)/guests/$(g).elf: \
	$(BUILD)/g64/guests/$(call guest_src,$(g)).o $(GLIB64_OBJS)))
$(foreach g,$(GUESTS32),$(eval $(BUILD)/guests/$(g).elf: \
	$(BUILD)/g32/guests/$(call guest_src,$(g)).o $(GLIB32_OBJS)))
$(foreach g,$(GUESTS_MB1),$(eval $(BUILD)/guests/$(g).elf: \
	$(BUILD)/g64/guests/mb1/$(call guest_src,$(g)).o \
	$(BUILD)/g64/guests/mb1/crt_mb1.o $(GLIB64_OBJS)))
$(foreach g,$(GUESTS_REAL),$(eval $(BUILD)/guests/$(g).bin: \
	guests/$(call guest_src,$(g)).asm))

# Linked by guests/<name>.ld where the program has one (its own load
# address), else by guest64.ld (from 1 MiB).
guest_ld = $(or $(wildcard guests/$(1).ld),guests/guest64.ld)
$(foreach g,$(GUESTS64) $(GUESTS32),$(eval $(BUILD)/guests/$(g).elf: \
	$(call guest_ld,$(g))))

$(GUESTS64:%=$(BUILD)/guests/%.elf):
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GLD64   $@")
	$(Q)$(LD) -nostdlib -z noexecstack --no-warn-rwx-segments \
		-T $(filter %.ld,$^) -o $@ \
		$(filter %.o,$^)

$(GUESTS32:%=$(BUILD)/guests/%.elf):
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GLD32   $@")
	$(Q)$(LD) -m elf_i386 -nostdlib -z noexecstack --no-warn-rwx-segments \
		-T $(filter %.ld,$^) \
		-o $@ $(filter %.o,$^)

# Multiboot1 kernels: x86-64 code behind a 32-bit entry (crt_mb1), converted
# to ELF32 as the kernels they imitate are. Linked by guests/mb1/<name>.ld
# where the program has one (its own load address), else by mb1.ld.
mb1_ld = $(or $(wildcard guests/mb1/$(1).ld),guests/mb1/mb1.ld)
$(foreach g,$(GUESTS_MB1),$(eval $(BUILD)/guests/$(g).elf: $(call mb1_ld,$(g))))
$(GUESTS_MB1:%=$(BUILD)/guests/%.elf):
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GLDMB1  $@")
	$(Q)$(LD) -nostdlib -z noexecstack --no-warn-rwx-segments \
		-T $(filter %.ld,$^) -o $@.64 \
		$(filter-out %/crt64.o,$(filter %.o,$^))
	$(Q)objcopy -O elf32-i386 $@.64 $@

$(GUESTS_REAL:%=$(BUILD)/guests/%.bin):
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

# Decoder differential tests (random, ELF .text, a distribution kernel's
# executable sections) and benchmark use Zydis as the oracle.
HOST_LIBS_test_decode_zydis := -lZydis
HOST_LIBS_test_decode_kernel := -lZydis
HOST_LIBS_bench_decode := -lZydis

# Fuzz harnesses: test/fuzz/fuzz_<name>.c, libFuzzer + ASan/UBSan, linked
# with the pure objects built with coverage instrumentation.
FUZZ_TARGETS := $(sort $(patsubst test/fuzz/%.c,%,$(wildcard test/fuzz/fuzz_*.c)))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
FUZZ_PURE_OBJS := $(PURE_SRCS:%.c=$(BUILD)/f/%.o) $(BUILD)/f/test/unit/support/host_support.o

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
BENCH_PURE_OBJS := $(PURE_SRCS:%.c=$(BUILD)/b/%.o) $(BUILD)/b/test/unit/support/host_support.o
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
# (test/unit/support/poison.h), and fail when the difference shows. They and the
# pure objects they link are built in $(BUILD)/p/ without ASan (its redzones
# and fake stacks would move locals off the painted stack) and with locals
# left uninitialised whatever the compiler's default; UBSan stays. The
# programs are host tests like the others: $(BUILD)/h/test_poison_<name>.
PCFLAGS := -std=gnu11 -O1 -g -fsanitize=undefined -fno-sanitize-recover=undefined \
           -ftrivial-auto-var-init=uninitialized -fno-omit-frame-pointer \
           -Wall -Wextra -Werror -Wshadow -Wvla -Wno-unused-function -I. -MMD -MP
POISON_PURE_OBJS := $(PURE_SRCS:%.c=$(BUILD)/p/%.o) $(BUILD)/p/test/unit/support/host_support.o

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
MSAN_PURE_OBJS := $(PURE_SRCS:%.c=$(BUILD)/m/%.o) $(BUILD)/m/test/unit/support/host_support.o
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
	vmm/access/guest_access.c \
	vmm/access/mmio_emulate.c \
	vmm/access/mmio_sys.c \
	vmm/exit/entry_check.c \
	vmm/exit/exit_apic.c \
	vmm/exit/exit.c \
	vmm/exit/exit_cpuid.c \
	vmm/exit/exit_cr.c \
	vmm/exit/exit_ept.c \
	vmm/exit/exit_io.c \
	vmm/exit/exit_misc.c \
	vmm/exit/exit_msr.c \
	vmm/exit/hypercall.c \
	vmm/mem/vm_ram.c \
	vmm/mem/vm_spp.c \
	vmm/run/guest_boot.c \
	vmm/run/vm.c \
	vmm/run/vmcs_setup.c \
	vmm/vcpu.c \
	vmm/vm_devices.c \

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
$(BUILD)/h/test_gwalk: $(BUILD)/h/test/unit/support/gwalk_model.o
$(BUILD)/h/test_gwalk_race: $(BUILD)/h/test/unit/support/gwalk_model.o
$(BUILD)/h/test_gwalk_random: $(BUILD)/h/test/unit/support/gwalk_model.o
$(BUILD)/h/test_gwalk_seg: $(BUILD)/h/test/unit/support/gwalk_model.o
$(BUILD)/h/test_gwalk_cache: $(BUILD)/h/test/unit/support/gwalk_model.o
$(BUILD)/fuzz/fuzz_gwalk: $(BUILD)/f/test/unit/support/gwalk_model.o

test-host: $(HOST_TEST_BINS) $(FUZZ_BINS)
bench-host: $(BENCH_BINS)

# ---------------------------------------------------------------- front doors
deps:
	$(Q)sh test/harness/deps.sh
	$(Q)sh test/harness/kernel_fetch.sh $(BUILD)/kernel

# A value as one single-quoted shell word.
shq = '$(subst ','\'',$(1))'
RUN_GUESTS = $(if $(KERNEL),--kernel $(call shq,$(KERNEL)) \
	--args $(call shq,$(ARGS)) --mem $(call shq,$(MEM)) \
	--mode $(call shq,$(MODE)) --opts $(call shq,$(OPTS)), \
	--guests $(call shq,$(GUESTS)))
run: deps
	$(Q)$(MAKE) --no-print-directory $(if $(KERNEL),$(MICA_ELF),all)
	$(Q)$(PYTHON) test/harness/run.py --build $(BUILD) \
		--platform $(PLATFORM) $(RUN_GUESTS)

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
	$(Q)$(PYTHON) test/harness/layout_check.py

pure-dirs:
	@echo $(PURE_DIRS)

clean:
	$(Q)rm -rf $(BUILD)

# Keep objects make considers intermediate (host and fuzz builds).
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
