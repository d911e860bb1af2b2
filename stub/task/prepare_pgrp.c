/*
 * The process group the process was in, given back where it can be. A
 * job-control shell (bash) or a debugger (gdb) remembers its group's id
 * and hands the terminal back to it (tcsetpgrp) after each job: with a new
 * PID and the resumer's job's group, that fails with ESRCH, and bash exits,
 * gdb stops itself. A group's id is the PID of the process that made it,
 * so where the stub may choose a new process's PID (clone3's set_tid:
 * CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE over the PID namespace, i.e.
 * root) and that PID is free, a placeholder with it makes the group in our
 * session, we join it, and the placeholder ends: the group lives on with
 * the process in it. Anywhere else nothing changes (README).
 *
 * Before the point of no return, while the address space is small: the
 * placeholder is a fork. It is made with no exit signal and reaped here.
 */
#include <linux/fcntl.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <asm/ioctls.h>

#include "print.h"
#include "sys.h"
#include "task/task.h"

#define ESRCH 3

/* In the placeholder: lead a new group, say so, wait to be let go. */
static _Noreturn void placeholder(int ready, int done)
{
	char c = 1;

	sys_setpgid(0, 0);
	sys_write(ready, &c, 1);
	sys_read(done, &c, 1);
	sys_exit_group(0);
	__builtin_unreachable();
}

/* A child with PID pgid that leads group pgid; its pid, or -errno. */
static long make_group(int32_t pgid, int ready[2], int done[2])
{
	int64_t tid = pgid;
	struct clone_args args = {
		.set_tid = (uint64_t)(uintptr_t)&tid, .set_tid_size = 1,
	};
	long pid = sys_clone3(&args, sizeof(args));

	if (pid == 0) {
		sys_close(ready[0]);
		sys_close(done[1]);
		placeholder(ready[1], done[0]);
	}
	return pid;
}

/*
 * The first of fds 0-2 whose terminal has our group in its foreground (the
 * shell made this job the foreground), or -1.
 */
static int foreground_terminal(void)
{
	int me = (int)sys_getpgid(0);

	for (int fd = 0; fd <= 2; fd++) {
		int fg = 0;
		if (sys_ioctl(fd, TIOCGPGRP, &fg) == 0 && fg == me)
			return fd;
	}
	return -1;
}

void prepare_pgrp(const struct stub *st)
{
	int32_t pgid = st->proc->pgid;
	int ready[2], done[2], status;
	long pid;
	char c = 0;

	if (pgid <= 0 || pgid == sys_getpgid(0) || sys_kill(pgid, 0) != -ESRCH ||
	    sys_kill(-pgid, 0) != -ESRCH)
		return;  /* its group already, or that id in use here */
	if (sys_pipe2(ready, O_CLOEXEC) < 0)
		return;
	if (sys_pipe2(done, O_CLOEXEC) < 0)
		goto close_ready;
	pid = make_group(pgid, ready, done);
	if (pid > 0 && sys_read(ready[0], &c, 1) == 1 && c == 1) {
		int tty = foreground_terminal();
		/* The job stays the foreground one (SIGTTOU is blocked here). */
		if (sys_setpgid(0, pgid) == 0 && tty >= 0)
			sys_ioctl(tty, TIOCSPGRP, &pgid);
	}
	sys_close(done[1]);  /* lets the placeholder end */
	if (pid > 0)
		sys_wait4((int)pid, &status, __WALL);
	sys_close(done[0]);
close_ready:
	sys_close(ready[0]);
	sys_close(ready[1]);
}
