/*
 * The process and its threads: registers, signals (dispositions, masks,
 * pending), timers, clocks, ids, credentials and process attributes.
 */
#ifndef FREEZE_STUB_TASK_H
#define FREEZE_STUB_TASK_H

#include "stub.h"

/* Before the point of no return. */
/* prepare_clocks.c: hide that this host's clocks are behind the process's. */
void prepare_clocks(const struct stub *st);
/* Is this host behind? By how many seconds, for messages. */
int clocks_behind(const struct stub *st, int64_t *mono_sec, int64_t *boot_sec);
/* prepare_pgrp.c: the process group the process had, where the stub may
 * give a new process that group's id (root) and it is free here. */
void prepare_pgrp(const struct stub *st);
/* prepare_exe.c: the executable, opened where it is the same file and the
 * stub may make it /proc/self/exe (the trampoline does, stub_abi.h). */
void prepare_exe(struct stub *st);
/* prepare_cwd.c: the working directory, opened. */
void prepare_cwd(struct stub *st);
/*
 * prepare_exit_cleaner.c: the exit cleaner started, if it can be (nothing
 * is fatal: without it the exit area stays). Before any fd of the process
 * is opened and before the process's memory is restored.
 */
void start_exit_cleaner(struct stub *st);
/* exit_cleaner.c: the cleaner's own life, on pipe ends cmd and answer. */
_Noreturn void exit_cleaner(int cmd, int answer);
/* info_creds.c: the credentials at freeze, and a warning if they were root's. */
void print_creds(const struct stub *st);
/* The same as the --json "credentials" member (and its warning). */
void json_creds(const struct stub *st);

/* After it. */
/* restore_signals.c: dispositions; the recorded pending signals of thread
   `index` (or the shared ones) queued again. */
void restore_signals(const struct stub *st);
void queue_pending_signals(const struct stub *st, uint32_t index);
/* proc_self.c: a number in /proc/self/NAME; 0 or -errno. */
long proc_self_read(const char *name, long *value);
long proc_self_write(const char *name, long value);
/* restore_process.c: umask, cwd, limits, personality, prctl flags,
   oom_score_adj. */
void restore_process_attrs(const struct stub *st);
/* restore_creds.c: supplementary groups and the audit login uid (from
   restore_process_attrs); never the uids and gids. */
void restore_creds(const struct stub *st);
/* Each thread's timer slack and machine-check policy, by the thread. */
void restore_thread_prctls(const struct fz_thread *t);
/* PR_SET_MDWE, once the stub makes no page executable any more. */
void restore_mdwe(const struct stub *st);
/* restore_timers.c: interval timers (from restore_process_attrs);
   timer_create() timers under their old ids, once the threads exist:
   tids[i] is thread i's new id, for SIGEV_THREAD_ID. */
void restore_itimers(const struct stub *st);
void restore_posix_timers(const struct stub *st, const long *tids);
/*
 * restore_exit_cleaner.c: from the leader once the other threads wait in
 * the trampoline: the cleaner seizes every thread (tids[i] is thread i's
 * id), or says it cannot; either way the stub goes on as before. Its pipes
 * are closed after it.
 */
void hand_exit_to_cleaner(const struct stub *st, const long *tids);
/* restore_threads.c: every thread restores its own state and leaves. */
_Noreturn void resume_threads(const struct stub *st);

#endif
