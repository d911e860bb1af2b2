/*
 * The process and its threads: registers and per-thread kernel state,
 * signals (dispositions, masks, pending), timers, credentials, limits and
 * other process attributes.
 */
#ifndef FREEZE_TASK_H
#define FREEZE_TASK_H

#include "freeze.h"

/* collect_threads.c: each thread's registers, XSAVE state, signal mask,
   rseq, name and scheduling, as ptrace and /proc tell them. */
int collect_threads(struct target *t);
/* check_children.c: refuses a process that has children, unless --alone
 * (then a warning names them): a tree is not frozen whole yet. */
int check_children(const struct target *t, const struct options *o);
/* collect_exe.c: the executable's path and identity (no error: a process
 * whose executable is gone or unreadable has no EXE record). */
void collect_exe(struct target *t);
/* collect_process.c: mm bounds, umask, limits, cwd, personality, flags. */
int collect_process(struct target *t);
/* collect_injected.c: what only the process can tell (signal actions,
   sigaltstacks, interval timers, ...), asked with injected syscalls. */
int collect_injected(struct target *t);
/*
 * An injected syscall makes the kernel clear a thread's rseq_cs: save it
 * before, put it back after.
 */
void rseq_cs_save(struct target *t, struct thread *th);
int rseq_cs_restore(struct target *t, struct thread *th);
/* collect_pending_signals.c: queued signals, shared and per thread. */
int collect_pending_signals(struct target *t);
/* collect_creds.c: the uids and gids, loginuid (CREDS), groups (GROUPS). */
int collect_creds(struct target *t);
/* collect_posix_timers.c: timer_create() timers; runs injected syscalls. */
int collect_posix_timers(struct target *t);

#endif
