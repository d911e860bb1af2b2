/*
 * Taking hold of every thread of the target and letting go of them.
 * Whatever happens in between, detach() must run: the target is left as it
 * was, untraced.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "exit_status.h"
#include "freeze.h"

#define PF_KTHREAD 0x00200000

/* Traced already: by another freeze (the usual case), or by a debugger. */
static int busy_target(pid_t pid, pid_t tracer)
{
	char comm[64] = "";

	read_proc_file(tracer, "comm", comm, sizeof(comm), NULL);
	if (!strcmp(comm, "freeze\n"))
		return fail(-EBUSY, "process %d is being frozen by another "
			    "freeze (process %d)", (int)pid, (int)tracer);
	return fail(-EBUSY, "process %d is already traced by process %d",
		    (int)pid, (int)tracer);
}

/* kernel.yama.ptrace_scope, or 0 without Yama. */
static long yama_scope(void)
{
	char buf[16] = "";
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return strtol(buf, NULL, 10);
}

/* PTRACE_SEIZE said EPERM: say why, as far as freeze can tell. */
static int not_permitted(pid_t pid)
{
	char buf[4096];
	long uid = -1, scope = yama_scope();

	if (!read_proc_file(pid, "status", buf, sizeof(buf), NULL))
		status_field(buf, "\nUid:", &uid);
	if (geteuid() != 0 && uid >= 0 && (uid_t)uid != geteuid())
		return fail(-EPERM,
			    "permission denied: process %d belongs to "
			    "another user (uid %ld): freeze your own processes, "
			    "or run freeze as root",
			    (int)pid, uid);
	if (scope > 0)
		return fail(-EPERM,
			    "permission denied: process %d may not be "
			    "traced here (kernel.yama.ptrace_scope is %ld)",
			    (int)pid, scope);
	return fail(-EPERM,
		    "permission denied: cannot trace process %d (a "
		    "set-id program, or one traced meanwhile)",
		    (int)pid);
}

/* Refuse what cannot be frozen before touching the target at all. */
int check_target(pid_t pid)
{
	char buf[4096];
	long tracer = 0;
	unsigned long flags = 0;
	char state = 0;
	const char *p;
	int err;

	err = read_proc_file(pid, "stat", buf, sizeof(buf), NULL);
	if (err == -ENOENT)
		return fail(-ESRCH, "process %d does not exist", (int)pid);
	if (err)
		return fail(err, "process %d: cannot read /proc/%d/stat", (int)pid, (int)pid);
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
	status_field(buf, "\nTracerPid:", &tracer);
	if (tracer && tracer != getpid())
		return busy_target(pid, (pid_t)tracer);
	return 0;
}

/* Wait for a thread's interrupt stop, passing on any signal that comes first. */
static int wait_interrupt_stop(pid_t tid)
{
	for (;;) {
		int status, err = wait_tracee(tid, &status);

		if (err)
			return err;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return -ESRCH;
		if (status >> 16 == PTRACE_EVENT_STOP)
			return 0;
		/* A signal-delivery stop: deliver it, the interrupt stays queued. */
		if (ptrace(PTRACE_CONT, tid, NULL, (void *)(long)WSTOPSIG(status)) < 0)
			return -errno;
	}
}

struct thread *find_thread(const struct target *t, pid_t tid)
{
	for (size_t i = 0; i < t->nthreads; i++)
		if (t->threads[i].tid == tid)
			return &t->threads[i];
	return NULL;
}

static int seize(struct target *t, pid_t tid)
{
	struct thread *th;

	if (t->nthreads == MAX_THREADS)
		return fail(-E2BIG, "process %d has more than %d threads",
			    (int)t->pid, MAX_THREADS);
	if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)PTRACE_O_TRACESYSGOOD) < 0) {
		int err = -errno;
		if (err == -ESRCH && tid != t->pid)
			return 0; /* the thread exited meanwhile */
		if (err == -EPERM) {
			fail_class(FZ_EXIT_PROCESS);
			return not_permitted(t->pid);
		}
		return fail(err, "cannot trace process %d", (int)t->pid);
	}
	th = &t->threads[t->nthreads++];
	*th = (struct thread){ .tid = tid, .seized = true };
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0)
		return fail(-errno, "cannot stop thread %d", (int)tid);
	return 0;
}

/* Seize every thread not seized yet; *added says whether there was one. */
static int seize_new_threads(struct target *t, bool *added)
{
	char path[64];
	struct dirent *e;
	int err = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)t->pid);
	d = opendir(path);
	if (!d)
		return fail(-errno, "process %d", (int)t->pid);
	*added = false;
	while (!err && (e = readdir(d))) {
		pid_t tid = (pid_t)atoi(e->d_name);
		size_t before = t->nthreads;
		if (tid <= 0 || find_thread(t, tid))
			continue;
		err = seize(t, tid);
		if (!err && t->nthreads > before) {
			*added = true;
			err = wait_interrupt_stop(tid);
			if (err == -ESRCH && tid != t->pid) {
				t->threads[--t->nthreads].seized = false;
				err = 0;
			} else if (err) {
				err = fail(err, "stopping thread %d", (int)tid);
			}
		}
	}
	closedir(d);
	return err;
}

int attach(struct target *t)
{
	bool added = true;
	int err;

	t->threads = calloc(MAX_THREADS, sizeof(*t->threads));
	if (!t->threads)
		return fail(-ENOMEM, "attaching");
	/* The leader first: it is threads[0] from here on. */
	err = seize(t, t->pid);
	if (!err && (err = wait_interrupt_stop(t->pid)))
		err = fail(err, "process %d: stopping it (did it exit?)", (int)t->pid);
	/* A stopped thread creates no more: scan until the list is stable. */
	while (!err && added)
		err = seize_new_threads(t, &added);
	return err;
}

static int detach_thread(struct thread *th)
{
	int err = 0;

	if (!th->seized)
		return 0;
	if (th->regs_changed) {
		struct fz_regs regs = th->live_regs;
		/* Stopped at a syscall exit now: restart the interrupted call ourselves. */
		arch_prepare_restart(&regs, 0);
		err = arch_set_regs(th->tid, &regs);
		if (!err)
			th->regs_changed = false;
	}
	if (ptrace(PTRACE_DETACH, th->tid, NULL, NULL) < 0 && !err && errno != ESRCH)
		err = -errno;
	th->seized = false;
	return err ? fail(err, "cannot detach from thread %d", (int)th->tid) : 0;
}

/*
 * Put the registers back where an injected syscall changed them, and let go.
 * stop_sig: 0 to let the target run on, SIGSTOP to leave it stopped.
 */
int detach(struct target *t, int stop_sig)
{
	int err = 0;

	if (!t->nthreads || !t->threads[0].seized)
		return 0;
	inject_resend_signals(t);
	if (stop_sig)
		kill(t->pid, stop_sig);
	for (size_t i = 0; i < t->nthreads; i++) {
		int e = detach_thread(&t->threads[i]);
		if (!err)
			err = e;
	}
	return err;
}

int reattach_leader(struct target *t)
{
	struct thread *th = &t->threads[0];
	int err;

	if (ptrace(PTRACE_SEIZE, th->tid, NULL, (void *)PTRACE_O_TRACESYSGOOD) < 0)
		return -errno;
	th->seized = true;
	if (ptrace(PTRACE_INTERRUPT, th->tid, NULL, NULL) < 0)
		err = -errno;
	else
		err = wait_interrupt_stop(th->tid);
	if (!err)
		err = arch_get_regs(th->tid, &th->live_regs);
	if (err) {
		ptrace(PTRACE_DETACH, th->tid, NULL, NULL);
		th->seized = false;
	}
	return err;
}

/* -k: the image is on disk; end the process while it is still stopped. */
void kill_target(struct target *t)
{
	kill(t->pid, SIGKILL);
	/* The leader's exit is reported only after every other thread's. */
	for (size_t i = t->nthreads; i-- > 0;) {
		int status;
		while (!wait_tracee(t->threads[i].tid, &status) &&
		       !WIFEXITED(status) && !WIFSIGNALED(status))
			;
		t->threads[i].seized = false;
	}
}
