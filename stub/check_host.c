/*
 * Can this host run the image? Checked before the point of no return, and
 * told the same way by --info and --verify:
 * - the CPU: by default it must have every feature the process could have
 *   started to use; --cpu=in-use asks only for the XSAVE components the
 *   threads had in use; --cpu=any asks nothing;
 * - the vdso: moved when it is the same build, else redirected
 *   (plan_vdso.c), which can still refuse;
 * - the kernel's features (probe_kernel.c).
 */
#include "lib.h"
#include "print.h"
#include "stub.h"

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

int cpu_verdict(const struct stub *st, int fd, int for_info)
{
	struct names feat = { 0 }, comp = { 0 }, used = { 0 };
	int ok;

	if (!st->cpu)
		return 0;
	arch_cpu_missing(&st->host, st->cpu, add_name, &feat);
	arch_xstate_describe(st->xstate_in_use & ~st->host.xcr0, add_name, &comp);
	arch_xstate_describe(st->xstate_in_use, add_name, &used);
	ok = st->opt.cpu == CPU_ANY || (st->opt.cpu == CPU_IN_USE ? !comp.count : !feat.count);
	if (for_info) {
		out(fd, "cpu: XSAVE components in use: %s\n", used.s);
		if (feat.count)
			out(fd, "cpu: this host lacks features the process may use: %s\n", feat.s);
		else
			out(fd, "cpu: this host has every feature the process may use\n");
		if (comp.count)
			out(fd, "cpu: this host lacks XSAVE components in use: %s\n", comp.s);
		out(fd, "cpu: %s (%s)\n", ok ? "can resume here" : "resume refused",
		    policy_names[st->opt.cpu]);
		return ok ? 0 : -1;
	}
	if (feat.count)
		out(fd, "freeze: %sthis CPU lacks features the process may use: %s\n",
		    ok ? "warning: " : "", feat.s);
	if (comp.count)
		out(fd, "freeze: %sthis CPU lacks XSAVE components the process's "
		    "threads have in use: %s\n", ok ? "warning: " : "", comp.s);
	if (!ok && st->opt.cpu == CPU_ALL)
		die("refusing to resume on this host (--cpu=in-use requires only "
		    "the XSAVE components in use, --cpu=any skips the check)");
	if (!ok)
		die("refusing to resume on this host (--cpu=any skips the check)");
	if (feat.count || comp.count)
		warn("continuing anyway (%s): the process may crash on an "
		     "instruction this CPU lacks", policy_names[st->opt.cpu]);
	return 0;
}

static void say_fallback(const char *name, void *ctx)
{
	(void)ctx;
	out(2, " %s", name);
}

static void check_vdso(struct stub *st)
{
	const struct vdso_plan *p = &st->vdso;

	if (plan_vdso(st))
		die("%s", p->why);
	if (p->mode != VDSO_REDIRECT || st->opt.vdso == VDSO_FORCE_SYSCALL ||
	    !vdso_fallbacks(st, 0, 0))
		return;
	out(2, "freeze: warning: %s; these vdso functions make system calls "
	       "instead:", p->host_ok ? "this kernel's vdso lacks some" : p->host_why);
	vdso_fallbacks(st, say_fallback, 0);
	out(2, "\n");
}

void check_host(struct stub *st)
{
	cpu_verdict(st, 2, 0);
	check_vdso(st);
	probe_kernel(st, 0);
}
