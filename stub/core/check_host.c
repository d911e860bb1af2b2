/*
 * Can this host run the image? Checked before the point of no return, and
 * told the same way by --info and --verify:
 * - the CPU: by default it must have every feature the process could have
 *   started to use; --cpu=in-use asks only for the XSAVE components the
 *   threads had in use; --cpu=any asks nothing;
 * - the vdso: moved when it is the same build, else redirected
 *   (prepare_vdso.c), which can still refuse;
 * - the kernel's features (probe_kernel.c).
 */
#include "core/core.h"
#include "exit_status.h"
#include "json.h"
#include "lib.h"
#include "print.h"
#include "stub.h"
#include "vdso/vdso.h"

/* Names appended to a line, space-separated. */
struct names {
	char s[400];
	unsigned len, count;
};

static void add_name(const char *name, void *ctx)
{
	struct names *n = ctx;
	unsigned len = (unsigned)strlen(name);

	n->count++;
	if (n->len + len + 2 >= sizeof(n->s))
		return;
	if (n->len)
		n->s[n->len++] = ' ';
	memcpy(n->s + n->len, name, len);
	n->len += len;
	n->s[n->len] = 0;
}

static const char *const policy_names[] = {
	[CPU_ALL] = "every feature", [CPU_IN_USE] = "--cpu=in-use",
	[CPU_ANY] = "--cpu=any",
};

/* What this CPU lacks, under each policy. */
struct cpu_gaps {
	struct names feat;       /* features the process may use */
	struct names comp;       /* XSAVE components its threads have in use */
	struct names used;       /* every component in use, for --info */
	int ok;                  /* may resume under st->opt.cpu */
};

static void find_gaps(const struct stub *st, struct cpu_gaps *g)
{
	uint64_t in_use = st->xstate_in_use;

	arch_cpu_missing(&st->host, st->cpu, add_name, &g->feat);
	arch_xstate_describe(in_use & ~st->host.xcr0, add_name, &g->comp);
	arch_xstate_describe(in_use, add_name, &g->used);
	if (st->opt.cpu == CPU_IN_USE)
		g->ok = !g->comp.count;
	else
		g->ok = st->opt.cpu == CPU_ANY || !g->feat.count;
}

/* For --info, on stdout. */
static void print_gaps(const struct stub *st, const struct cpu_gaps *g)
{
	out(1, "cpu: XSAVE components in use: %s\n", g->used.s);
	if (g->feat.count)
		out(1, "cpu: this host lacks features the process may use: %s\n",
		    g->feat.s);
	else
		out(1, "cpu: this host has every feature the process may use\n");
	if (g->comp.count)
		out(1, "cpu: this host lacks XSAVE components in use: %s\n",
		    g->comp.s);
	out(1, "cpu: %s (%s)\n", g->ok ? "can resume here" : "resume refused",
	    policy_names[st->opt.cpu]);
}

/* Refuses (exits) or warns, on stderr (or into the --json document). */
static void judge_gaps(const struct stub *st, const struct cpu_gaps *g)
{
	void (*tell)(const char *, ...) = g->ok ? warn : say;

	if (g->feat.count)
		tell("this CPU lacks features the process may use: %s", g->feat.s);
	if (g->comp.count)
		tell("this CPU lacks XSAVE components the process's threads have "
		     "in use: %s",
		     g->comp.s);
	if (!g->ok && st->opt.cpu == CPU_ALL)
		die_with(FZ_EXIT_HOST,
			 "refusing to resume on this host (--cpu=in-use requires only "
			 "the XSAVE components in use, --cpu=any skips the check)");
	if (!g->ok)
		die_with(FZ_EXIT_HOST,
			 "refusing to resume on this host (--cpu=any skips the check)");
	if (g->feat.count || g->comp.count)
		warn("continuing anyway (%s): the process may crash on an "
		     "instruction this CPU lacks", policy_names[st->opt.cpu]);
}

static const char *const policy_keys[] = {
	[CPU_ALL] = "all",
	[CPU_IN_USE] = "in-use",
	[CPU_ANY] = "any",
};

/* Space-separated names as a JSON array. */
static void json_names(const char *key, const char *s)
{
	json_arr(key);
	while (*s) {
		unsigned n = 0;
		while (s[n] && s[n] != ' ')
			n++;
		if (n)
			json_strn(0, s, n);
		s += n + (s[n] == ' ');
	}
	json_end();
}

static void json_feature(const char *name, void *ctx)
{
	(void)ctx;
	json_str(0, name);
}

/* --info --json: the "cpu" object, the verdict print_gaps tells. */
void json_cpu_verdict(const struct stub *st)
{
	struct cpu_gaps g = { 0 };

	if (!st->cpu) {
		json_str("cpu", 0);
		return;
	}
	find_gaps(st, &g);
	json_obj("cpu");
	json_arr("features_needed");
	arch_cpu_describe(st->cpu, json_feature, 0);
	json_end();
	json_names("xsave_in_use", g.used.s);
	json_names("missing_features", g.feat.s);
	json_names("missing_xsave", g.comp.s);
	json_str("policy", policy_keys[st->opt.cpu]);
	json_bool("can_resume", g.ok);
	json_end();
}

void print_cpu_verdict(const struct stub *st)
{
	struct cpu_gaps g = { 0 };

	if (!st->cpu)
		return;
	find_gaps(st, &g);
	print_gaps(st, &g);
}

static void check_cpu(const struct stub *st)
{
	struct cpu_gaps g = { 0 };

	if (!st->cpu)
		return;
	find_gaps(st, &g);
	judge_gaps(st, &g);
}

static void check_vdso(struct stub *st)
{
	const struct vdso_plan *p = &st->vdso;
	struct names n = { 0 };

	if (plan_vdso(st))
		die("%s", p->why);
	if (p->mode != VDSO_REDIRECT || st->opt.vdso == VDSO_FORCE_SYSCALL ||
	    !vdso_fallbacks(st, 0, 0))
		return;
	vdso_fallbacks(st, add_name, &n);
	warn("%s; these vdso functions make system calls instead: %s",
	     p->host_ok ? "this kernel's vdso lacks some" : p->host_why, n.s);
}

/*
 * Each thread's signal frame, with this CPU's XSAVE area, must fit in its
 * slot of the exit area (stub_abi.h); its sync word takes the first bytes.
 */
static void check_frame_room(const struct stub *st)
{
	uint64_t room = arch_sigframe_room(&st->host);

	if (room + FZ_EXIT_SLOT_HEAD > FZ_STUB_EXIT_SLOT)
		die_with(FZ_EXIT_HOST,
			 "this CPU's signal frames (%lu bytes) do not fit the %lu bytes "
			 "the image has for each thread",
			 (unsigned long)room, (unsigned long)FZ_STUB_EXIT_SLOT);
}

void check_host(struct stub *st)
{
	check_cpu(st);
	check_frame_room(st);
	check_vdso(st);
	probe_kernel(st, 0);
	check_limits(st);
}
