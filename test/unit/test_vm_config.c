/* SPDX-License-Identifier: MIT */
/* Host tests of vmm/load/vm_config.c: defaults, every option, every error. */
#include <string.h>

#include "test/unit/support/tap.h"
#include "mm/base/errno.h"
#include "vmm/load/vm_config.h"

static struct vm_config cfg;
static char err[128];

static int parse(const char *cl)
{
	memset(&cfg, 0x5a, sizeof(cfg));
	memset(err, 'x', sizeof(err));
	return vm_config_parse(cl, &cfg, err, sizeof(err));
}

static bool ok(const char *cl)
{
	int rc = parse(cl);

	if (rc)
		tap_diag("'%s': rc %d '%s'", cl, rc, err);
	return rc == 0 && err[0] == '\0';
}

/* Fails with -EINVAL and a message containing want. */
static bool fails(const char *cl, const char *want)
{
	int rc = parse(cl);

	if (rc != -EINVAL || !memchr(err, '\0', sizeof(err)) ||
	    !strstr(err, want)) {
		tap_diag("'%s': rc %d '%.*s' (want '%s')", cl, rc,
			 (int)sizeof(err), err, want);
		return false;
	}
	return true;
}

static void test_defaults(void)
{
	const char *cl = "hello";

	tap_ok(ok(cl) && !strcmp(cfg.name, "hello") &&
		   cfg.mem_size == VM_MEM_DEFAULT &&
		   cfg.mode == VM_MODE_LONG64 && cfg.load_addr == 0x100000 &&
		   cfg.budget == VM_BUDGET_DEFAULT &&
		   cfg.broken == VM_BROKEN_NONE && !cfg.forced_emu &&
		   cfg.max_slots == VM_SLOTS_DEFAULT &&
		   cfg.expect == VM_EXPECT_EXIT && cfg.expect_code == 0 &&
		   cfg.expect_msg[0] == '\0' && cfg.cmdline == cl &&
		   !cfg.image && !cfg.image_size,
	       "defaults: 16M, 64-bit, load 1M, budget, exit:0, 512 slots");
	tap_ok(ok("  hello  ") && !strcmp(cfg.name, "hello"),
	       "surrounding spaces around the name");
	tap_ok(ok("abcdefghijklmnopqrstuvw") &&
		   !strcmp(cfg.name, "abcdefghijklmnopqrstuvw"),
	       "a 23-character name fits");
}

static void test_options(void)
{
	tap_ok(ok("g mem=4M") && cfg.mem_size == 4ULL << 20 && ok("g mem=1G") &&
		   cfg.mem_size == 1ULL << 30 && ok("g mem=6M") &&
		   cfg.mem_size == 6ULL << 20 && ok("g mem=0x800000") &&
		   cfg.mem_size == 8ULL << 20,
	       "mem= at 4M, 1G, 6M and in hex");
	tap_ok(ok("g mode=64") && cfg.mode == VM_MODE_LONG64 &&
		   ok("g mode=32") && cfg.mode == VM_MODE_PROT32 &&
		   ok("g mode=real") && cfg.mode == VM_MODE_REAL,
	       "mode=64|32|real");
	tap_ok(ok("g load=0x7c00") && cfg.load_addr == 0x7c00 &&
		   ok("g load=0") && cfg.load_addr == 0,
	       "load= sets the flat load address");
	tap_ok(ok("g budget=20000000") && cfg.budget == 20000000 &&
		   ok("g budget=1K") && cfg.budget == 1024,
	       "budget= sets the instruction budget");
	tap_ok(ok("g expect=exit:3") && cfg.expect == VM_EXPECT_EXIT &&
		   cfg.expect_code == 3 && ok("g expect=exit:0x100000000") &&
		   cfg.expect_code == 0x100000000ULL &&
		   ok("g expect=exit:0xffffffffffffffff") &&
		   cfg.expect_code == ~0ULL && ok("g expect=exit:0") &&
		   cfg.expect_code == 0,
	       "expect=exit:N, any 64-bit status");
	tap_ok(
	    ok("g expect=stop:triple_fault") && cfg.expect == VM_EXPECT_STOP &&
		!strcmp(cfg.expect_msg, "triple fault") &&
		ok("g expect=stop:budget") &&
		!strcmp(cfg.expect_msg, "budget") &&
		ok("g expect=stop:_a__b_") && !strcmp(cfg.expect_msg, " a  b "),
	    "expect=stop:WORD, '_' becomes a space");
	tap_ok(ok("g expect=stop:abcdefghijklmnopqrstuvwxyz01234") &&
		   !strcmp(cfg.expect_msg, "abcdefghijklmnopqrstuvwxyz01234"),
	       "expect=stop: a 31-character word fits whole");
	tap_ok(ok("g broken=cr0") && cfg.broken == VM_BROKEN_CR0_PE_PG &&
		   ok("g broken=cs") && cfg.broken == VM_BROKEN_CS_L_DB &&
		   ok("g broken=rflags") && cfg.broken == VM_BROKEN_RFLAGS,
	       "broken=cr0|cs|rflags");
	tap_ok(ok("g forced-emu") && cfg.forced_emu && ok("g forced-emu=1") &&
		   cfg.forced_emu,
	       "forced-emu");
	tap_ok(ok("g slots=1") && cfg.max_slots == 1 && ok("g slots=32764") &&
		   cfg.max_slots == 32764,
	       "slots=1 and slots=32764");
	tap_ok(ok("big mem=64M mode=32 load=0x200000 budget=5 "
		  "expect=stop:x broken=cs forced-emu slots=7") &&
		   !strcmp(cfg.name, "big") && cfg.mem_size == 64ULL << 20 &&
		   cfg.mode == VM_MODE_PROT32 && cfg.load_addr == 0x200000 &&
		   cfg.budget == 5 && cfg.expect == VM_EXPECT_STOP &&
		   !strcmp(cfg.expect_msg, "x") &&
		   cfg.broken == VM_BROKEN_CS_L_DB && cfg.forced_emu &&
		   cfg.max_slots == 7,
	       "all options together");
}

static void test_errors(void)
{
	const char *name_msg = "must start with a guest name";

	tap_ok(fails("", name_msg) && fails("   ", name_msg) &&
		   fails(NULL, name_msg),
	       "empty or NULL command line: missing name");
	tap_ok(fails("abcdefghijklmnopqrstuvwx", name_msg),
	       "a 24-character name is too long");
	tap_ok(fails("mem=16M", name_msg) && fails("expect=exit:1", name_msg) &&
		   fails("slots=3 g", name_msg) && fails("a=", name_msg),
	       "a first word with '=' is not a name");
	{
		struct vm_config cf;

		/* Options follow the name, so a guest may be named like a bare
		 * option (the spp guest shares its name with spp=). */
		tap_ok(!vm_config_parse("forced-emu", &cf, err, sizeof(err)) &&
			   !strcmp(cf.name, "forced-emu") && !cf.forced_emu &&
			   !vm_config_parse("spp spp=soft", &cf, err,
					    sizeof(err)) &&
			   !strcmp(cf.name, "spp"),
		       "a name that looks like a bare option is a name");
	}
	{
		struct vm_config cf;

		tap_ok(!vm_config_parse("g apicv=off spp=soft", &cf, err,
					sizeof(err)) &&
			   cf.apicv == VM_APICV_OFF && cf.spp_soft &&
			   !vm_config_parse("g apicv=access", &cf, err,
					    sizeof(err)) &&
			   cf.apicv == VM_APICV_ACCESS &&
			   !vm_config_parse("g apicv=auto spp=auto", &cf, err,
					    sizeof(err)) &&
			   cf.apicv == VM_APICV_AUTO && !cf.spp_soft &&
			   !vm_config_parse("g", &cf, err, sizeof(err)) &&
			   cf.apicv == VM_APICV_AUTO,
		       "apicv=auto|access|off and spp=soft|auto set their "
		       "fields; auto is the default");
		tap_ok(fails("g apicv=on",
			     "apicv must be auto, access or off, not 'on'") &&
			   fails("g spp=hard",
				 "spp must be soft or auto, not 'hard'"),
		       "apicv= and spp= name the value they refuse");
	}
	tap_ok(fails("g foo=1", "unknown guest option 'foo=1'") &&
		   fails("g memory=1", "unknown guest option 'memory=1'") &&
		   fails("g me=1", "unknown guest option 'me=1'") &&
		   fails("g mem=4M verbose", "unknown guest option 'verbose'"),
	       "unknown options, including prefixes and extensions of keys");
	tap_ok(fails("g load=0x0000000000000000000000000000000000000000000000"
		     "00000000000000",
		     "too long"),
	       "an option word of 64+ characters is too long");
	tap_ok(fails("g mem=abc", "mem=is not a size") &&
		   fails("g mem=", "mem=is not a size") &&
		   fails("g mem=99999999999999999999G", "mem=is not a size"),
	       "mem= not a number");
	tap_ok(fails("g mem=2M", "4M..1G in 2M steps") &&
		   fails("g mem=0", "4M..1G") && fails("g mem=5M", "4M..1G") &&
		   fails("g mem=1026M", "4M..1G") &&
		   fails("g mem=4100K", "4M..1G") &&
		   fails("g mem=2G", "4M..1G"),
	       "mem= below 4M, above 1G, not a 2M multiple");
	tap_ok(fails("g load=zz", "load=is not an address") &&
		   fails("g load=", "load=is not an address"),
	       "load= not a number");
	tap_ok(fails("g budget=1Q", "budget=is not a number") &&
		   fails("g budget=0x", "budget=is not a number"),
	       "budget= not a number");
	tap_ok(fails("g slots=0", "slots must be 1..32764") &&
		   fails("g slots=32765", "slots must be 1..32764") &&
		   fails("g slots=x", "slots must be 1..32764"),
	       "slots out of range or not a number");
	tap_ok(fails("g mode=16", "mode must be 64, 32 or real, not '16'") &&
		   fails("g mode=", "not ''") &&
		   fails("g mode=protected", "mode"),
	       "bad mode");
	tap_ok(fails("g broken=eflags", "broken must be cr0, cs or rflags") &&
		   fails("g broken=", "broken must be"),
	       "bad broken=");
	tap_ok(
	    fails("g expect=exit:", "bad exit code in expect=exit:") &&
		fails("g expect=exit:x", "bad exit code") &&
		fails("g expect=exit:0x10000000000000000", "bad exit code") &&
		fails("g expect=exit:-1", "bad exit code"),
	    "bad exit codes");
	tap_ok(fails("g expect=stop:", "expect must be exit:N or stop:WORD") &&
		   fails("g expect=crash", "not 'crash'") &&
		   fails("g expect", "expect must be"),
	       "expect= neither exit:N nor stop:WORD");
	tap_ok(fails("g expect=stop:0123456789012345678901234567890123456789",
		     "expect value too long"),
	       "an expect value longer than its buffer is refused");
	/* A word too long for expect_msg must not be silently shortened: the
	 * test would then pass on a message containing only its prefix. */
	tap_ok(
	    fails("g expect=stop:abcdefghijklmnopqrstuvwxyz012345", "too long"),
	    "expect=stop: a 32-character word is refused, not truncated");
	/* The exit code must be judged whole, not a prefix of it. */
	tap_ok(fails("g expect=exit:00000000000000000000000000007xy",
		     "bad exit code"),
	       "expect=exit: trailing garbage after 29 digits is refused");
}

/* The guest's command line as vm_config_kernel_cmdline() gives it. */
static const char *kernel_cmdline(void)
{
	static char buf[256];

	return vm_config_kernel_cmdline(&cfg, buf, sizeof(buf)) < 0 ? "(E2BIG)"
								    : buf;
}

static void test_kernel_args(void)
{
	char small[8];

	tap_ok(ok("mytest mode=32 mem=128M expect=exit:1 -- arg1 arg2") &&
		   cfg.mode == VM_MODE_PROT32 && cfg.mem_size == 128ULL << 20 &&
		   cfg.expect_code == 1 && !strcmp(cfg.args, "arg1 arg2") &&
		   !strcmp(kernel_cmdline(), "mytest arg1 arg2"),
	       "after --: the kernel's arguments, received as \"NAME ARGS\"");
	tap_ok(ok("k -- mem=1K mode=16 foo  x=\"a b\" -- --") &&
		   cfg.mem_size == VM_MEM_DEFAULT &&
		   cfg.mode == VM_MODE_LONG64 &&
		   !strcmp(kernel_cmdline(),
			   "k mem=1K mode=16 foo  x=\"a b\" -- --"),
	       "words after -- are not options, not checked, passed verbatim");
	tap_ok(ok("k --") && !strcmp(cfg.args, "") &&
		   !strcmp(kernel_cmdline(), "k") && ok("k mode=32 --   ") &&
		   cfg.mode == VM_MODE_PROT32 &&
		   !strcmp(kernel_cmdline(), "k") && ok("k -- a  ") &&
		   !strcmp(kernel_cmdline(), "k a  "),
	       "-- with nothing after it: the name alone; blanks after the "
	       "arguments are kept");
	tap_ok(ok("g case=x mem=4M") && !cfg.args &&
		   !strcmp(kernel_cmdline(), "g case=x mem=4M") &&
		   fails("g case=-- --x", "unknown guest option '--x'"),
	       "without --: the whole module line, as before; --x is no --");
	tap_ok(fails("g verbose -- a", "unknown guest option 'verbose'") &&
		   fails("g arg1", "kernel arguments go after --") &&
		   fails("g mem=4M a -- b", "unknown guest option 'a'"),
	       "an unknown word before -- is an error with the hint");
	tap_ok(ok("-- mem=4M") && !strcmp(cfg.name, "--") && !cfg.args &&
		   cfg.mem_size == 4ULL << 20,
	       "a first word -- is the name");
	{
		char line[VM_OPTS_MAX + 16];

		memset(line, 0, sizeof(line));
		strcpy(line, "g");
		while (strlen(line) < VM_OPTS_MAX)
			strcat(line, " data");
		strcat(line, " -- x");
		tap_ok(fails(line, "guest options before -- longer than 255") &&
			   (line[strlen(line) - 5] = '\0', ok(line)),
		       "options before -- are limited to 255 characters, "
		       "without -- they are not");
	}
	tap_ok(ok("name -- abcdefg") &&
		   vm_config_kernel_cmdline(&cfg, small, sizeof(small)) ==
		       -E2BIG &&
		   small[0] == '\0' && ok("name -- ab") &&
		   vm_config_kernel_cmdline(&cfg, small, sizeof(small)) == 7 &&
		   !strcmp(small, "name ab"),
	       "kernel command line: -E2BIG when it does not fit, else its "
	       "length");
}

static void test_small_err(void)
{
	char small[8];
	int rc;

	memset(small, 'x', sizeof(small));
	rc = vm_config_parse("g foo=1", &cfg, small, sizeof(small));
	tap_ok(rc == -EINVAL && memchr(small, '\0', sizeof(small)),
	       "a short error buffer gets a terminated, cut message");
}

int main(void)
{
	test_defaults();
	test_options();
	test_errors();
	test_kernel_args();
	test_small_err();
	return tap_done();
}
