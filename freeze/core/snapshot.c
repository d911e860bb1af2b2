/*
 * A freeze that leaves the process running stops it only while its state
 * is collected and a copy-on-write copy of its memory is made; the memory
 * is then read from the copy while the process runs on.
 *
 * The copy is a child the process itself forks, through an injected clone
 * with no exit signal (a "clone child": the process's own wait() calls,
 * without __WALL, never see it). ptrace's TRACECLONE stops the copy before
 * it runs one instruction, and EXITKILL ends it should freeze die. Once the
 * memory is read it is killed, and the process is stopped once more, for a
 * moment, to reap it.
 *
 * Not used when a forked copy would not hold the memory as it is: mappings
 * marked MADV_DONTFORK or MADV_WIPEONFORK, and shared memory whose contents
 * the image stores (the copy shares it with the running process); nor when
 * open files' contents go into the image (they are read from the process,
 * which could change them meanwhile); nor under a seccomp filter, which may
 * forbid clone or kill the process for it.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "core/core.h"
#include "fds/fds.h"
#include "freeze.h"
#include "task/task.h"

static bool under_seccomp(pid_t pid)
{
	char status[4096];
	long mode = 0;

	if (read_proc_file(pid, "status", status, sizeof(status), NULL) ||
	    status_field(status, "\nSeccomp:", &mode))
		return true; /* unknown: assume the worst */
	return mode != 0;
}

static bool copy_holds_memory(const struct target *t)
{
	if (t->nshmems)   /* memfds the process holds only by fd included */
		return false;
	for (size_t i = 0; i < t->nmaps; i++) {
		const struct map_entry *m = &t->maps[i];
		if (m->flags & (FZ_MAPF_DONTFORK | FZ_MAPF_WIPEONFORK))
			return false;
		/* An AIO ring's completions were read by collect_aio already. */
		if (m->shared && m->kind != FZ_MAP_SHARED_FILE &&
		    m->kind != FZ_MAP_VDSO && m->kind != FZ_MAP_VVAR &&
		    m->kind != FZ_MAP_AIO)
			return false;
	}
	return true;
}

/* The copy's first stop; from then on it dies with freeze. */
static int hold_copy(pid_t child)
{
	int status;

	if (waitpid(child, &status, __WALL) < 0)
		return -errno;
	if (!WIFSTOPPED(status))
		return -ESRCH;
	if (ptrace(PTRACE_SETOPTIONS, child, NULL, (void *)PTRACE_O_EXITKILL) < 0)
		return -errno;
	return 0;
}

static void kill_copy(pid_t child)
{
	int status;

	kill(child, SIGKILL);
	while (waitpid(child, &status, __WALL) >= 0 && !WIFEXITED(status) &&
	       !WIFSIGNALED(status))
		;
}

/*
 * clone(flags 0): a new process with a copy of the memory, no exit signal.
 * *child is its pid here, *vpid in the process's own pid namespace.
 */
static int fork_copy(struct target *t, pid_t *child, pid_t *vpid)
{
	struct thread *leader = &t->threads[0];
	const uint64_t args[6] = { 0 };
	long ret;
	int err;

	if (ptrace(PTRACE_SETOPTIONS, leader->tid, NULL,
		   (void *)(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE)) < 0)
		return -errno;
	rseq_cs_save(t, leader);
	err = inject_syscall(t, leader, SYS_clone, args, &ret);
	ptrace(PTRACE_SETOPTIONS, leader->tid, NULL, (void *)PTRACE_O_TRACESYSGOOD);
	if (!err)
		err = rseq_cs_restore(t, leader);
	if (!err && ret < 0)
		err = (int)ret;
	if (err || ret == 0)
		return err ? err : -ECHILD;
	*vpid = (pid_t)ret;
	*child = inject_last_child();
	if (*child <= 0)
		return -ECHILD;
	err = hold_copy(*child);
	if (err)
		kill_copy(*child);
	return err;
}

int snapshot_start(struct target *t, const struct options *o)
{
	pid_t child = 0, vpid = 0;
	int err;

	if (saves_file_contents(t)) {
		/* Files are read from the process: it could change them meanwhile. */
		note(o, "memory is read with the process stopped (file contents "
		     "go into the image)");
		return -ENOTSUP;
	}
	if (!copy_holds_memory(t)) {
		note(o, "memory is read with the process stopped (a forked copy "
			"would not hold all of it)");
		return -ENOTSUP;
	}
	if (under_seccomp(t->pid)) {
		note(o, "memory is read with the process stopped (it runs under "
			"seccomp: no clone is injected)");
		return -ENOTSUP;
	}
	err = fork_copy(t, &child, &vpid);
	if (err) {
		note(o, "no copy-on-write copy (%s): memory is read with the "
			"process stopped", strerror(-err));
		return err;
	}
	t->copy_pid = child;
	t->copy_vpid = vpid;
	note(o, "memory is read from a copy-on-write copy (pid %d); the process "
		"runs on", (int)child);
	return 0;
}

/* The copy is gone; the process reaps it through one more injected call. */
void snapshot_end(struct target *t, const struct options *o)
{
	const uint64_t args[6] = { (uint64_t)t->copy_vpid, 0, WNOHANG | __WALL, 0 };
	struct thread *leader = &t->threads[0];
	long ret = 0;
	int err;

	if (!t->copy_pid)
		return;
	kill_copy(t->copy_pid);
	err = reattach_leader(t);
	if (err == -ESRCH) {
		/* The process ended meanwhile; its orphaned copy was reaped. */
		t->copy_pid = 0;
		return;
	}
	if (!err && target_exec_mark(t->pid) != t->exec_mark) {
		/* Another program now: no syscall of the old one to borrow. */
		detach(t, 0);
		err = -ESRCH;
	} else if (!err) {
		rseq_cs_save(t, leader);
		err = inject_syscall(t, leader, SYS_wait4, args, &ret);
		if (!err)
			err = rseq_cs_restore(t, leader);
		detach(t, 0);
	}
	if (err || ret != t->copy_vpid)
		warning("the copy of process %d (pid %d) could not be reaped: "
			"it stays a zombie until the process exits",
			(int)t->pid, (int)t->copy_pid);
	else
		note(o, "copy %d reaped", (int)t->copy_pid);
	t->copy_pid = 0;
}
