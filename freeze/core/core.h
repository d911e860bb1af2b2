/*
 * The driver's services: taking hold of the target and letting it go
 * (attach.c, guard.c, wait_tracee.c, target_changed.c), running syscalls
 * inside it (inject.c), and the copy-on-write copy a freeze that leaves
 * the process running reads from (snapshot.c).
 */
#ifndef FREEZE_CORE_H
#define FREEZE_CORE_H

#include "freeze.h"

/*
 * target_changed.c: when a step fails, was it because the target ended or
 * executed a new program meanwhile? target_exec_mark() is taken before the
 * freeze starts; explain_target_change() names the cause, or returns err.
 */
uint64_t target_exec_mark(pid_t pid);
int explain_target_change(pid_t pid, uint64_t exec_mark, int err);

/*
 * wait_tracee.c: waitpid() for one traced thread that returns -ESRCH when
 * the thread is no longer ours, instead of waiting forever.
 */
int wait_tracee(pid_t tid, int *status);

/* guard.c: the work runs in a child that unwinds when freeze is killed. */
void guard_start(void);
bool interrupted(void);
/* 0, or -EINTR named with fail() when SIGINT/SIGTERM/SIGHUP came. */
int check_interrupted(void);

/* attach.c: stop every thread; detach() undoes everything attach did. */
int check_target(pid_t pid);
int attach(struct target *t);
/* The seized thread with this tid, or NULL. */
struct thread *find_thread(const struct target *t, pid_t tid);
int detach(struct target *t, int stop_sig);
void kill_target(struct target *t);
/* Stop the leader of a detached target again, for injected syscalls. */
int reattach_leader(struct target *t);

/*
 * inject.c: run syscalls inside a stopped thread of the target. inject_init
 * maps a scratch page in it (t->scratch_addr), inject_finish unmaps it.
 */
int inject_init(struct target *t);
int inject_syscall(struct target *t, struct thread *th, long nr,
		   const uint64_t args[6], long *result);
/* Read back what the last syscall wrote to the scratch page. */
int inject_read_scratch(struct target *t, void *buf, size_t len);
int inject_finish(struct target *t);
/* Copy bytes from or to the target's memory. 0 or -errno. */
int remote_rw(pid_t pid, uint64_t addr, void *buf, size_t len, bool write);
/* Signals that arrived during injections, sent again before detaching. */
void inject_resend_signals(struct target *t);
/* The pid of the child the last injected clone created (ptrace's view). */
pid_t inject_last_child(void);
/* Hold back one more such signal (leave_vdso.c steps threads too). */
void inject_hold_signal(int sig);

/*
 * snapshot.c: for a freeze that leaves the process running, a copy-on-write
 * copy of its memory (t->copy_pid) so it need not stay stopped while its
 * memory is written. snapshot_start: 0 when the copy exists, else the
 * process must stay stopped; snapshot_end removes the copy.
 */
int snapshot_start(struct target *t, const struct options *o);
void snapshot_end(struct target *t, const struct options *o);

#endif
