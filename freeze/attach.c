/*
 * Taking hold of the target and letting go of it. Whatever happens in
 * between, detach() must run: the target is left as it was, untraced.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "freeze.h"

#define PF_KTHREAD 0x00200000

static int status_field(const char *status, const char *key, long *value)
{
	const char *p = strstr(status, key);

	if (!p)
		return -ENOENT;
	*value = strtol(p + strlen(key), NULL, 10);
	return 0;
}

/* Refuse what cannot be frozen before touching the target at all. */
int check_target(pid_t pid)
{
	char buf[4096];
	long threads = 0, tracer = 0;
	unsigned long flags = 0;
	char state = 0;
	const char *p;
	int err;

	err = read_proc_file(pid, "stat", buf, sizeof(buf), NULL);
	if (err)
		return fail(err == -ENOENT ? -ESRCH : err, "process %d", (int)pid);
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%c %*d %*d %*d %*d %*d %lu", &state, &flags) != 2)
		return fail(-EINVAL, "process %d: unreadable /proc/%d/stat",
			    (int)pid, (int)pid);
	if (state == 'Z' || state == 'X')
		return fail(-ESRCH, "process %d is a zombie", (int)pid);
	if (flags & PF_KTHREAD)
		return fail(-EPERM, "process %d is a kernel thread", (int)pid);
	err = read_proc_file(pid, "status", buf, sizeof(buf), NULL);
	if (err)
		return fail(err, "process %d: /proc/%d/status", (int)pid, (int)pid);
	status_field(buf, "\nThreads:", &threads);
	status_field(buf, "\nTracerPid:", &tracer);
	if (tracer && tracer != getpid())
		return fail(-EBUSY, "process %d is already traced by process %ld",
			    (int)pid, tracer);
	if (threads > 1)
		return fail(-ENOTSUP, "process %d has %ld threads: multi-threaded "
			    "processes are not supported yet", (int)pid, threads);
	return 0;
}

/* Wait for the interrupt stop, passing on any signal that comes first. */
static int wait_interrupt_stop(pid_t pid)
{
	for (;;) {
		int status;
		if (waitpid(pid, &status, __WALL) < 0)
			return fail(-errno, "waiting for process %d", (int)pid);
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return fail(-ESRCH, "process %d exited during the freeze",
				    (int)pid);
		if (status >> 16 == PTRACE_EVENT_STOP)
			return 0;
		/* A signal-delivery stop: deliver it, the interrupt stays queued. */
		if (ptrace(PTRACE_CONT, pid, NULL, (void *)(long)WSTOPSIG(status)) < 0)
			return fail(-errno, "process %d", (int)pid);
	}
}

int attach(struct target *t)
{
	int err;

	if (ptrace(PTRACE_SEIZE, t->pid, NULL, (void *)PTRACE_O_TRACESYSGOOD) < 0) {
		err = -errno;
		if (err == -EPERM)
			return fail(err, "cannot trace process %d (ptrace not "
				    "permitted: another user's process, or "
				    "already traced)", (int)t->pid);
		return fail(err, "cannot trace process %d", (int)t->pid);
	}
	t->seized = true;
	if (ptrace(PTRACE_INTERRUPT, t->pid, NULL, NULL) < 0)
		return fail(-errno, "cannot stop process %d", (int)t->pid);
	err = wait_interrupt_stop(t->pid);
	if (err)
		return err;
	/* Threads created while we attached would run on unseen. */
	return check_target(t->pid);
}

/*
 * Put the registers back if an injected syscall changed them, and let go.
 * stop_sig: 0 to let the target run on, SIGSTOP to leave it stopped.
 */
int detach(struct target *t, int stop_sig)
{
	int err = 0;

	if (!t->seized)
		return 0;
	if (t->regs_changed) {
		struct fz_regs regs = t->live_regs;
		/* Stopped at a syscall exit now: restart the interrupted call ourselves. */
		arch_prepare_restart(&regs, 0);
		err = arch_set_regs(t->pid, &regs);
		if (!err)
			t->regs_changed = false;
	}
	inject_resend_signals(t);
	if (stop_sig)
		kill(t->pid, stop_sig);
	if (ptrace(PTRACE_DETACH, t->pid, NULL, NULL) < 0 && !err)
		err = -errno;
	t->seized = false;
	return err ? fail(err, "cannot detach from process %d", (int)t->pid) : 0;
}
