/*
 * The exit cleaner: a process of the stub's own that takes the exit area
 * away once no thread needs it, as a debugger would. The area cannot unmap
 * itself: every thread runs from it and reads its signal frame from it
 * until its rt_sigreturn is over.
 *
 * Handed the threads (restore_exit_cleaner.c) once they all wait in the
 * trampoline, the cleaner seizes each one, stops it, and follows its
 * system calls until the exit of its rt_sigreturn: from there the thread
 * is in the process, and is kept stopped. Once all are, it makes one of
 * them run munmap of the area at the trampoline's own system call
 * instruction, puts that thread's registers and signal mask back, and
 * lets every thread go.
 *
 * It never costs the process anything: if a thread cannot be seized
 * (traced already, under strace or gdb; Yama; a kernel without
 * PTRACE_GET_SYSCALL_INFO) it lets go of all before the leader goes on,
 * and the stub ends as it always did, leaving the area; if anything
 * unexpected happens later it lets go, and the area stays. Signals are
 * the process's: a signal stop passes its signal on, a group stop ends the
 * cleaner's work (the threads stay stopped, as asked), and signals still
 * pending are blocked only while the munmap runs. Only the general
 * registers of one thread are touched, never its FPU or XSAVE state.
 */
#include <asm/signal.h>
#include <asm/unistd.h>
#include <linux/prctl.h>
#include <linux/ptrace.h>
#include <linux/wait.h>

#include "lib.h"
#include "sys.h"
#include "task/exit_cleaner.h"
#include "task/task.h"

#define STOPPED(status) (((status) & 0xff) == 0x7f)
#define STOP_SIG(status) (((status) >> 8) & 0xff)
#define STOP_EVENT(status) ((unsigned)(status) >> 16)
#define SYSCALL_STOP (SIGTRAP | 0x80)  /* with PTRACE_O_TRACESYSGOOD */

struct tracee {
	int tid;
	int stopped;             /* in a ptrace stop: ours to resume */
	int sig;                 /* the signal it gets when it goes on */
	long nr;                 /* the system call it entered last, or -1 */
};

struct cleaner {
	struct cleaner_job job;
	struct tracee t[FZ_MAX_THREADS];
	unsigned seized, out;    /* out: threads back in the process */
};

/*
 * Every stopped thread let go with its signal; the others by our exit. The
 * leader last: once it runs, no thread of the process is traced.
 */
static _Noreturn void leave(struct cleaner *c, enum cleaner_status status)
{
	for (unsigned i = c->seized; i-- > 0;)
		if (c->t[i].stopped)
			sys_ptrace(PTRACE_DETACH, c->t[i].tid, 0,
				   (uint64_t)c->t[i].sig);
	sys_exit_group(status);
}

static int resume(struct tracee *t)
{
	long ret = sys_ptrace(PTRACE_SYSCALL, t->tid, 0, (uint64_t)t->sig);

	if (ret == 0) {
		t->stopped = 0;
		t->sig = 0;
	}
	return ret < 0 ? -1 : 0;
}

/*
 * A stop of a thread that is not at a system call: 0 to resume it, -1 to
 * let all go. A group stop (SIGSTOP and the like, sent to the process)
 * must be left to stop the process.
 */
static int other_stop(struct tracee *t, int status)
{
	int sig = STOP_SIG(status);

	if (STOP_EVENT(status) == PTRACE_EVENT_STOP)
		return sig == SIGTRAP ? 0 : -1;
	if (!STOP_EVENT(status))
		t->sig = sig;    /* a signal for it: passed on */
	return 0;
}

static long syscall_info(int tid, struct ptrace_syscall_info *info)
{
	return sys_ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(*info),
			  (uint64_t)info);
}

/* The first stop after PTRACE_INTERRUPT. */
static int first_stop(struct tracee *t)
{
	int status;

	if (sys_wait4(t->tid, &status, __WALL) != t->tid || !STOPPED(status))
		return -1;
	t->stopped = 1;
	return STOP_SIG(status) == SYSCALL_STOP ? 0 : other_stop(t, status);
}

/* Every thread seized and set to stop at its system calls, or -1. */
static int seize_all(struct cleaner *c)
{
	struct ptrace_syscall_info info;
	unsigned n = c->job.nthreads;

	for (unsigned i = 0; i < n; i++) {
		c->t[i] = (struct tracee){ .tid = c->t[i].tid, .nr = -1 };
		if (sys_ptrace(PTRACE_SEIZE, c->t[i].tid, 0,
			       PTRACE_O_TRACESYSGOOD) < 0)
			return -1;
		c->seized = i + 1;
	}
	for (unsigned i = 0; i < n; i++)
		if (sys_ptrace(PTRACE_INTERRUPT, c->t[i].tid, 0, 0) < 0)
			return -1;
	for (unsigned i = 0; i < n; i++)
		if (first_stop(&c->t[i]) < 0)
			return -1;
	if (syscall_info(c->t[0].tid, &info) <= 0)
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (resume(&c->t[i]) < 0)
			return -1;
	return 0;
}

static struct tracee *find(struct cleaner *c, long tid)
{
	for (unsigned i = 0; i < c->seized; i++)
		if (c->t[i].tid == tid)
			return &c->t[i];
	return 0;
}

/* A thread stopped: it goes on, unless it just left rt_sigreturn. */
static int on_stop(struct cleaner *c, struct tracee *t, int status)
{
	struct ptrace_syscall_info info;

	t->stopped = 1;
	if (STOP_SIG(status) != SYSCALL_STOP) {
		if (other_stop(t, status) < 0)
			return -1;
		return resume(t);
	}
	if (syscall_info(t->tid, &info) <= 0)
		return -1;
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
		t->nr = (long)info.entry.nr;
	} else if (info.op == PTRACE_SYSCALL_INFO_EXIT &&
		   t->nr == __NR_rt_sigreturn) {
		c->out++;  /* in the process now: it waits there */
		return 0;
	}
	return resume(t);
}

/* Until every thread is stopped at the exit of its rt_sigreturn. */
static int follow(struct cleaner *c)
{
	while (c->out < c->seized) {
		int status;
		long tid = sys_wait4(-1, &status, __WALL);
		struct tracee *t = find(c, tid);

		if (tid < 0)
			return -1;
		if (!t)
			continue;
		if (!STOPPED(status)) {
			t->stopped = 0;  /* gone: the process is ending */
			return -1;
		}
		if (on_stop(c, t, status) < 0)
			return -1;
	}
	return 0;
}

/* Run t on to its next system call stop; -1 on any other stop. */
static int step_syscall(struct tracee *t, struct ptrace_syscall_info *info)
{
	int status;

	if (resume(t) < 0 || sys_wait4(t->tid, &status, __WALL) != t->tid)
		return -1;
	if (!STOPPED(status))
		return -1;
	t->stopped = 1;
	if (STOP_SIG(status) != SYSCALL_STOP) {
		other_stop(t, status);  /* its signal is kept for the detach */
		return -1;
	}
	return syscall_info(t->tid, info) > 0 ? 0 : -1;
}

/*
 * munmap(area) by thread t, stopped at the exit of its rt_sigreturn: its
 * registers point at the trampoline's system call instruction for it, and
 * every signal it could take meanwhile is blocked, so none is delivered
 * on registers that are not the process's. Both are put back after.
 */
static int unmap_area(struct cleaner *c, struct tracee *t)
{
	struct arch_user_regs saved, regs;
	struct ptrace_syscall_info info;
	uint64_t mask, all = ~0ULL;
	int ok;

	if (arch_ptrace_get_regs(t->tid, &saved) < 0 ||
	    sys_ptrace(PTRACE_GETSIGMASK, t->tid, sizeof(mask), (uint64_t)&mask) < 0)
		return -1;
	regs = saved;
	arch_regs_set_syscall(&regs, c->job.insn, __NR_munmap, c->job.area,
			      c->job.len);
	ok = sys_ptrace(PTRACE_SETSIGMASK, t->tid, sizeof(all), (uint64_t)&all) == 0 &&
	     arch_ptrace_set_regs(t->tid, &regs) == 0 &&
	     step_syscall(t, &info) == 0 &&
	     info.op == PTRACE_SYSCALL_INFO_ENTRY && info.entry.nr == __NR_munmap &&
	     step_syscall(t, &info) == 0 &&
	     info.op == PTRACE_SYSCALL_INFO_EXIT && info.exit.rval == 0;
	if (t->stopped) {
		arch_ptrace_set_regs(t->tid, &saved);
		sys_ptrace(PTRACE_SETSIGMASK, t->tid, sizeof(mask), (uint64_t)&mask);
	}
	return ok ? 0 : -1;
}

static int read_full(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		long r = sys_read(fd, p, n);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* The job, with the threads' ids, or -1 (the stub ended first). */
static int read_job(struct cleaner *c)
{
	int32_t tid;

	if (read_full(0, &c->job, sizeof(c->job)) < 0 || !c->job.nthreads ||
	    c->job.nthreads > FZ_MAX_THREADS)
		return -1;
	for (unsigned i = 0; i < c->job.nthreads; i++) {
		if (read_full(0, &tid, sizeof(tid)) < 0)
			return -1;
		c->t[i].tid = tid;
	}
	return 0;
}

/*
 * Hold nothing of the stub's: its terminal (a session of our own), fds (a
 * pipe the resumer waits on would not end), its cwd. The pipes become 0
 * and 1 (both were lifted above 2).
 */
static void detach_from_stub(int cmd, int answer)
{
	sys_setsid();
	sys_chdir("/");
	sys_prctl(PR_SET_NAME, (long)"freeze-cleaner", 0, 0, 0);
	sys_dup3(cmd, 0, 0);
	sys_dup3(answer, 1, 0);
	if (sys_close_range(2, ~0U, 0) < 0)
		for (int fd = 2; fd < 4096; fd++)
			sys_close(fd);
}

_Noreturn void exit_cleaner(int cmd, int answer)
{
	struct cleaner c;
	int32_t pid;
	char go = CLEANER_GO;

	detach_from_stub(cmd, answer);
	pid = (int32_t)sys_getpid();
	if (sys_write(1, &pid, sizeof(pid)) != sizeof(pid))
		sys_exit_group(NO_JOB);
	memset(&c, 0, sizeof(c));
	if (read_job(&c) < 0)
		sys_exit_group(NO_JOB);
	if (seize_all(&c) < 0)
		leave(&c, CANNOT_TRACE);
	if (sys_write(1, &go, 1) != 1 || follow(&c) < 0 ||
	    unmap_area(&c, &c.t[0]) < 0)
		leave(&c, GAVE_UP);
	leave(&c, CLEANED);
}
