/* SPDX-License-Identifier: MIT */
/*
 * Module command-line parsing for guests (pure). Keys: mem=, mode=, load=,
 * budget=, expect=, broken= (test only), spp=, apicv=. The first word is
 * the name; the words after a word "--" are the kernel's arguments.
 */
#include "boot/parse/cmdline.h"
#include "mm/lib/fmt.h"
#include "mm/base/errno.h"
#include "vmm/load/vm_config.h"

static const char *const known_keys[] = {
    "mem",   "mode", "load", "budget",	      "expect", "broken", "forced-emu",
    "slots", "case", "spp",  "no-mmio-cache", "data",	"mods",	  "apicv",
};

static int bad(char *err, size_t n, const char *fmt, const char *arg)
{
	fmt_snprintf(err, n, fmt, arg);
	return -EINVAL;
}

static bool has_eq(const char *w)
{
	while (*w && *w != '=')
		w++;
	return *w == '=';
}

/* The text after the first word of cl. */
static const char *skip_word(const char *cl)
{
	while (*cl == ' ' || *cl == '\t')
		cl++;
	while (*cl && *cl != ' ' && *cl != '\t')
		cl++;
	return cl;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The word "--" after the first word of cl, or NULL. */
static const char *find_dashes(const char *cl)
{
	const char *p = skip_word(cl), *w;

	for (;;) {
		while (is_blank(*p))
			p++;
		if (!*p)
			return NULL;
		w = p;
		while (*p && !is_blank(*p))
			p++;
		if (p - w == 2 && w[0] == '-' && w[1] == '-')
			return w;
	}
}

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static bool key_known(const char *word)
{
	for (unsigned i = 0; i < ARRAY_SIZE(known_keys); i++) {
		const char *k = known_keys[i];
		size_t n = 0;

		while (k[n] && word[n] == k[n])
			n++;
		if (!k[n] && (word[n] == '=' || !word[n]))
			return true;
	}
	return false;
}

static int parse_mode(const char *cl, struct vm_config *cfg, char *err,
		      size_t n)
{
	char v[8];

	if (cmdline_get(cl, "mode", v, sizeof(v)) == -ENOENT)
		return 0;
	if (streq(v, "64"))
		cfg->mode = VM_MODE_LONG64;
	else if (streq(v, "32"))
		cfg->mode = VM_MODE_PROT32;
	else if (streq(v, "real"))
		cfg->mode = VM_MODE_REAL;
	else
		return bad(err, n, "mode must be 64, 32 or real, not '%s'", v);
	return 0;
}

static int parse_apicv(const char *cl, struct vm_config *cfg, char *err,
		       size_t n)
{
	char v[8];

	if (cmdline_get(cl, "apicv", v, sizeof(v)) == -ENOENT)
		return 0;
	if (streq(v, "auto"))
		cfg->apicv = VM_APICV_AUTO;
	else if (streq(v, "access"))
		cfg->apicv = VM_APICV_ACCESS;
	else if (streq(v, "off"))
		cfg->apicv = VM_APICV_OFF;
	else
		return bad(err, n,
			   "apicv must be auto, access or off, not '%s'", v);
	return 0;
}

static int parse_broken(const char *cl, struct vm_config *cfg, char *err,
			size_t n)
{
	char v[8];

	if (cmdline_get(cl, "broken", v, sizeof(v)) == -ENOENT)
		return 0;
	if (streq(v, "cr0"))
		cfg->broken = VM_BROKEN_CR0_PE_PG;
	else if (streq(v, "cs"))
		cfg->broken = VM_BROKEN_CS_L_DB;
	else if (streq(v, "rflags"))
		cfg->broken = VM_BROKEN_RFLAGS;
	else
		return bad(err, n, "broken must be cr0, cs or rflags, not '%s'",
			   v);
	return 0;
}

/* key=word|auto: *flag when word is given (spp=soft). */
static int parse_choice(const char *cl, const char *key, const char *word,
			bool *flag, char *err, size_t n)
{
	char v[8];

	if (cmdline_get(cl, key, v, sizeof(v)) == -ENOENT)
		return 0;
	if (streq(v, word)) {
		*flag = true;
	} else if (!streq(v, "auto")) {
		fmt_snprintf(err, n, "%s must be %s or auto, not '%s'", key,
			     word, v);
		return -EINVAL;
	}
	return 0;
}

static int parse_expect(const char *cl, struct vm_config *cfg, char *err,
			size_t n)
{
	/* "stop:" + the longest WORD expect_msg holds: longer ones are
	 * refused as too long rather than cut to a prefix. */
	char v[VM_EXPECT_MSG_MAX + 5];
	u64 code;

	if (cmdline_get(cl, "expect", v, sizeof(v)) < 0) {
		if (cmdline_has(cl, "expect"))
			return bad(err, n, "expect value too long%s", "");
		return 0;
	}
	if (!mem_cmp(v, "stop:", 5) && v[5]) {
		cfg->expect = VM_EXPECT_STOP;
		fmt_snprintf(cfg->expect_msg, sizeof(cfg->expect_msg), "%s",
			     v + 5);
		for (char *p = cfg->expect_msg; *p; p++)
			if (*p == '_')
				*p = ' ';
		return 0;
	}
	if (!mem_cmp(v, "exit:", 5)) {
		char probe[sizeof(v) + 2]; /* "x=" + the whole code */

		fmt_snprintf(probe, sizeof(probe), "x=%s", v + 5);
		if (cmdline_get_u64(probe, "x", &code))
			return bad(err, n, "bad exit code in expect=%s", v);
		cfg->expect = VM_EXPECT_EXIT;
		cfg->expect_code = code;
		return 0;
	}
	return bad(err, n, "expect must be exit:N or stop:WORD, not '%s'", v);
}

static int parse_numbers(const char *cl, struct vm_config *cfg, char *err,
			 size_t n)
{
	int rc = cmdline_get_u64(cl, "mem", &cfg->mem_size);
	u64 slots;

	if (rc == -EINVAL)
		return bad(err, n, "mem=%s", "is not a size");
	if (!cfg->mem_size || !IS_ALIGNED(cfg->mem_size, SIZE_2M) ||
	    cfg->mem_size > VM_MEM_MAX || cfg->mem_size < 2 * SIZE_2M)
		return bad(err, n, "mem must be 4M..1G in 2M steps%s", "");
	if (cmdline_get_u64(cl, "load", &cfg->load_addr) == -EINVAL)
		return bad(err, n, "load=%s", "is not an address");
	if (cmdline_get_u64(cl, "budget", &cfg->budget) == -EINVAL)
		return bad(err, n, "budget=%s", "is not a number");
	rc = cmdline_get_u64(cl, "slots", &slots);
	if (rc == -EINVAL || (!rc && (slots < 1 || slots > 32764)))
		return bad(err, n, "slots must be 1..32764%s", "");
	if (!rc)
		cfg->max_slots = (u32)slots;
	return 0;
}

static void set_defaults(struct vm_config *cfg)
{
	mem_set(cfg, 0, sizeof(*cfg));
	cfg->mem_size = VM_MEM_DEFAULT;
	cfg->mode = VM_MODE_LONG64;
	cfg->load_addr = 0x100000;
	cfg->budget = VM_BUDGET_DEFAULT;
	cfg->max_slots = VM_SLOTS_DEFAULT;
}

/* The options of cl: the text between its name and "--" (copied to buf,
 * size VM_OPTS_MAX), else all after the name; cfg->args follows "--".
 * NULL when they do not fit. */
static const char *split_options(const char *cl, struct vm_config *cfg,
				 char *buf)
{
	const char *opts = skip_word(cl), *dashes = find_dashes(cl);
	size_t len;

	if (!dashes)
		return opts;
	len = (size_t)(dashes - opts);
	if (len >= VM_OPTS_MAX)
		return NULL;
	mem_copy(buf, opts, len);
	buf[len] = '\0';
	for (cfg->args = dashes + 2; is_blank(*cfg->args); cfg->args++)
		;
	return buf;
}

int vm_config_parse(const char *cl, struct vm_config *cfg, char *err, size_t n)
{
	char word[64], opts[VM_OPTS_MAX];
	int rc;

	set_defaults(cfg);
	cfg->cmdline = cl;
	err[0] = '\0';
	rc = cmdline_word(cl, 0, cfg->name, sizeof(cfg->name));
	if (rc <= 0 || has_eq(cfg->name))
		return bad(err, n,
			   "module command line must start with a "
			   "guest name (at most 23 characters)%s",
			   "");
	/* Options follow the name: a guest may be named like an option. */
	cl = split_options(cl, cfg, opts);
	if (!cl)
		return bad(err, n, "guest options before -- longer than %s",
			   "255 characters");
	for (unsigned i = 0;
	     (rc = cmdline_word(cl, i, word, sizeof(word))) != -ENOENT; i++) {
		if (rc < 0)
			return bad(err, n, "guest option %s too long", "");
		if (!key_known(word)) {
			fmt_snprintf(err, n,
				     "unknown guest option '%s' (kernel "
				     "arguments go after --)",
				     word);
			return -EINVAL;
		}
	}
	rc = parse_numbers(cl, cfg, err, n);
	if (!rc)
		rc = parse_mode(cl, cfg, err, n);
	if (!rc)
		rc = parse_expect(cl, cfg, err, n);
	if (!rc)
		rc = parse_broken(cl, cfg, err, n);
	if (!rc)
		rc = parse_choice(cl, "spp", "soft", &cfg->spp_soft, err, n);
	if (!rc)
		rc = parse_apicv(cl, cfg, err, n);
	cfg->forced_emu = cmdline_has(cl, "forced-emu");
	cfg->no_mmio_cache = cmdline_has(cl, "no-mmio-cache");
	cfg->data = cmdline_has(cl, "data");
	if (!rc && cmdline_get(cl, "mods", cfg->mod_names,
			       sizeof(cfg->mod_names)) == -E2BIG)
		rc = bad(err, n, "mods= list too long%s", "");
	return rc;
}

int vm_config_kernel_cmdline(const struct vm_config *cfg, char *buf, size_t n)
{
	const char *a = cfg->args;
	int len =
	    a ? fmt_snprintf(buf, n, "%s%s%s", cfg->name, *a ? " " : "", a)
	      : fmt_snprintf(buf, n, "%s", cfg->cmdline ? cfg->cmdline : "");

	if (len < 0 || (size_t)len >= n) {
		if (n)
			buf[0] = '\0';
		return -E2BIG;
	}
	return len;
}
