/*
 * Starting the exit cleaner, the process that unmaps the exit area once
 * every thread has left it (exit_cleaner.c). Started early, while the
 * address space is the stub's alone: a fork later would copy the page
 * tables of the restored process and leave its memory copy-on-write. And
 * before any fd of the process is opened, so the cleaner never holds one.
 *
 * It must never be the process's child: the stub forks a middle process
 * with no exit signal, which forks the cleaner and exits; the stub reaps
 * it with wait4(__WALL). No SIGCHLD is queued to the process, no zombie
 * stays in it, and the cleaner is reparented to the resumer's subreaper
 * or init. The stub is made no subreaper first (an image exec'd by a
 * subreaper would be one), or the cleaner would come back to it; the
 * process's own PR_SET_CHILD_SUBREAPER is set after the point of no
 * return (restore_process.c), long after the middle process is gone.
 *
 * Nothing here is fatal: without a cleaner the process resumes just as
 * well, and keeps the exit area.
 */
#include <asm/signal.h>
#include <linux/fcntl.h>
#include <linux/prctl.h>
#include <linux/wait.h>

#include "fds/fds.h"
#include "sys.h"
#include "task/exit_cleaner.h"
#include "task/task.h"

/* fd moved above every number the process uses, or -1 (closed). */
static int lift(const struct stub *st, long fd)
{
	long high;

	if (fd < 0)
		return -1;
	high = sys_fcntl((int)fd, F_DUPFD_CLOEXEC, highest_image_fd(st) + 1);
	sys_close((int)fd);
	return high < 0 ? -1 : (int)high;
}

static void close_all(const int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			sys_close(fds[i]);
}

/* The middle process: the cleaner's parent for a moment. */
static _Noreturn void middle(const int cmd[2], const int answer[2])
{
	if (sys_fork_with(SIGCHLD) == 0)
		exit_cleaner(cmd[0], answer[1]);
	sys_exit_group(0);
}

/* The cleaner's pid, which it sends once it holds only its pipes; 0 if none. */
static int cleaner_pid(int from)
{
	int32_t pid = 0;
	long n = sys_read(from, &pid, sizeof(pid));

	return n == sizeof(pid) && pid > 0 ? pid : 0;
}

void start_exit_cleaner(struct stub *st)
{
	int fds[4] = { -1, -1, -1, -1 };  /* cmd: read, write; answer: same */
	int status, pid = 0;
	long middle_pid;

	if (sys_pipe2(fds, O_CLOEXEC) < 0 || sys_pipe2(fds + 2, O_CLOEXEC) < 0) {
		close_all(fds, 4);
		return;
	}
	for (int i = 0; i < 4; i++)
		fds[i] = lift(st, fds[i]);
	if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0 || fds[3] < 0) {
		close_all(fds, 4);
		return;
	}
	sys_prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	middle_pid = sys_fork_with(0);
	if (middle_pid == 0)
		middle(fds, fds + 2);
	sys_close(fds[0]);
	sys_close(fds[3]);
	if (middle_pid > 0) {
		pid = cleaner_pid(fds[2]);
		sys_wait4((int)middle_pid, &status, __WALL);
	}
	if (!pid) {
		sys_close(fds[1]);
		sys_close(fds[2]);
		return;
	}
	st->cleaner = (struct stub_cleaner){ .pid = pid, .to = fds[1],
					     .from = fds[2] };
	/* Yama's ptrace_scope 1 lets only an ancestor, or this one, trace us. */
	sys_prctl(PR_SET_PTRACER, pid, 0, 0, 0);
}
