/*
 * A thread stopped inside the vdso would resume in the old vdso's code,
 * which reads the old kernel's vvar pages: on a host whose kernel is
 * another build those are gone (the stub redirects only the entry points).
 * So before its registers are read, such a thread is single-stepped until
 * its pc leaves the vdso: a vdso function is short and never blocks long,
 * and the thread merely runs a little further than where it stopped.
 * Signals that arrive meanwhile are held back like those of an injection
 * (delivering one would leave the interrupted vdso context on the stack).
 */
#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "core/core.h"
#include "freeze.h"
#include "vdso/vdso.h"

#define MAX_STEPS 100000     /* a vdso function is a few hundred instructions */

static const struct map_entry *vdso_entry(const struct target *t)
{
	for (size_t i = 0; i < t->nmaps; i++)
		if (t->maps[i].kind == FZ_MAP_VDSO)
			return &t->maps[i];
	return NULL;
}

static int step(pid_t tid)
{
	int status;

	if (ptrace(PTRACE_SINGLESTEP, tid, NULL, NULL) < 0)
		return -errno;
	for (;;) {
		if (waitpid(tid, &status, __WALL) < 0)
			return -errno;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return -ESRCH;
		if (WSTOPSIG(status) == SIGTRAP)
			return 0;
		/* Another signal stopped it first: hold it, step again. */
		if (status >> 16 == 0)
			inject_hold_signal(WSTOPSIG(status));
		if (ptrace(PTRACE_SINGLESTEP, tid, NULL, NULL) < 0)
			return -errno;
	}
}

/* Steps taken, or -errno. */
static int step_out(pid_t tid, const struct map_entry *vdso)
{
	struct fz_regs regs;
	int n, err = arch_get_regs(tid, &regs);

	for (n = 0; !err && n < MAX_STEPS; n++) {
		uint64_t pc = arch_pc(&regs);
		if (pc < vdso->start || pc >= vdso->end)
			return n;
		err = step(tid);
		if (!err)
			err = arch_get_regs(tid, &regs);
	}
	return err ? err : -ETIMEDOUT;
}

int leave_vdso(struct target *t, const struct options *o)
{
	const struct map_entry *vdso = vdso_entry(t);

	for (size_t i = 0; vdso && i < t->nthreads; i++) {
		pid_t tid = t->threads[i].tid;
		int n = step_out(tid, vdso);
		if (n == -ETIMEDOUT)
			warning("thread %d does not leave the vdso; the image "
				"resumes only where the kernel is the same build",
				(int)tid);
		else if (n < 0)
			return fail(n, "thread %d: stepping out of the vdso", (int)tid);
		else if (n > 0)
			note(o, "thread %d: stepped out of the vdso (%d instructions)",
			     (int)tid, n);
	}
	return 0;
}
