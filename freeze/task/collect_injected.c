/*
 * State only the process itself can tell, asked for with injected syscalls:
 * every signal's action, the interval timers, the exact brk and the prctl
 * flags of its mm, its membarrier registrations (once, through the leader);
 * each thread's sigaltstack,
 * tid address, timer slack and machine-check policy.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <linux/membarrier.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "core/core.h"
#include "freeze.h"
#include "kernel_abi.h"
#include "task/task.h"

static int ask(struct target *t, struct thread *th, long nr, uint64_t a0,
	       uint64_t a1, uint64_t a2, uint64_t a3, long *result)
{
	const uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };
	int err = check_interrupted();

	return err ? err : inject_syscall(t, th, nr, args, result);
}

/* A syscall that must succeed and writes len bytes to the scratch area. */
static int ask_into(struct target *t, struct thread *th, long nr, uint64_t a0,
		    uint64_t a1, uint64_t a2, uint64_t a3, void *out, size_t len)
{
	long res;
	int err = ask(t, th, nr, a0, a1, a2, a3, &res);

	if (err)
		return err;
	if (res < 0)
		return fail((int)res, "thread %d: syscall %ld in it failed",
			    (int)th->tid, nr);
	return inject_read_scratch(t, out, len);
}

static int collect_sigactions(struct target *t, struct thread *th)
{
	for (int sig = 1; sig <= FZ_NSIG; sig++) {
		int err;
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		err = ask_into(t, th, SYS_rt_sigaction, (uint64_t)sig, 0,
			       t->scratch_addr, 8, &t->sigactions[sig - 1],
			       sizeof(t->sigactions[0]));
		if (err)
			return err;
	}
	return 0;
}

static int collect_altstack(struct target *t, struct thread *th)
{
	struct { uint64_t sp; int32_t flags; int32_t pad; uint64_t size; } ss;
	int err = ask_into(t, th, SYS_sigaltstack, 0, t->scratch_addr, 0, 0,
			   &ss, sizeof(ss));

	if (err)
		return err;
	th->rec.altstack_sp = ss.sp;
	th->rec.altstack_flags = (uint32_t)ss.flags;
	th->rec.altstack_size = ss.size;
	return 0;
}

/* Kernels without CONFIG_CHECKPOINT_RESTORE refuse: then there is none to restore. */
static int collect_tid_address(struct target *t, struct thread *th)
{
	long res;
	int err = ask(t, th, SYS_prctl, PR_GET_TID_ADDRESS, t->scratch_addr, 0,
		      0, &res);

	if (err || res < 0)
		return err;
	return inject_read_scratch(t, &th->rec.tid_address,
				   sizeof(th->rec.tid_address));
}

static int collect_itimers(struct target *t, struct thread *th)
{
	for (int which = 0; which < FZ_NITIMERS; which++) {
		int err = ask_into(t, th, SYS_getitimer, (uint64_t)which,
				   t->scratch_addr, 0, 0, &t->itimers[which],
				   sizeof(t->itimers[0]));
		if (err)
			return err;
	}
	return 0;
}

/* prctl(op, &value): an int the kernel writes to the scratch page. */
static int prctl_int(struct target *t, struct thread *th, int op, uint32_t *value)
{
	int32_t v = 0;
	int err = ask_into(t, th, SYS_prctl, (uint64_t)op, t->scratch_addr, 0, 0,
			   &v, sizeof(v));

	*value = (uint32_t)v;
	return err;
}

/*
 * The clocks as the process sees them (it may live in a time namespace of
 * its own): the stub keeps them from going backwards on another host.
 */
static int collect_clocks(struct target *t, struct thread *th)
{
	int64_t mono[2] = { 0, 0 }, boot[2] = { 0, 0 };
	int err = ask_into(t, th, SYS_clock_gettime, CLOCK_MONOTONIC,
			   t->scratch_addr, 0, 0, mono, sizeof(mono));

	if (!err)
		err = ask_into(t, th, SYS_clock_gettime, CLOCK_BOOTTIME,
			       t->scratch_addr, 0, 0, boot, sizeof(boot));
	t->proc.monotonic_sec = mono[0];
	t->proc.monotonic_nsec = mono[1];
	t->proc.boottime_sec = boot[0];
	t->proc.boottime_nsec = boot[1];
	return err;
}

/* A prctl getter whose result is the value; older kernels lack some: 0. */
static int prctl_value(struct target *t, struct thread *th, int op, uint32_t *value)
{
	long res;
	int err = ask(t, th, SYS_prctl, (uint64_t)op, 0, 0, 0, &res);

	*value = !err && res > 0 ? (uint32_t)res : 0;
	return err;
}

/*
 * Flags of the mm a fresh process lacks: no transparent huge pages, memory
 * deny write execute, KSM merging of all its memory.
 */
static int collect_mm_prctls(struct target *t, struct thread *leader)
{
	int err = prctl_value(t, leader, PR_GET_THP_DISABLE, &t->proc.thp_disable);

	if (!err)
		err = prctl_value(t, leader, PR_GET_MDWE, &t->proc.mdwe);
	if (!err)
		err = prctl_value(t, leader, PR_GET_MEMORY_MERGE, &t->proc.memory_merge);
	return err;
}

/*
 * Which membarrier registrations the process made: nothing in /proc says.
 * MEMBARRIER_CMD_GET_REGISTRATIONS (6.3) tells without doing anything.
 * Before it, each private expedited command is tried: it fails with EPERM
 * unless registered, and with every thread stopped it has no thread to
 * interrupt, so the process cannot notice. Whether the process registered
 * for GLOBAL_EXPEDITED cannot be tried that way (any process may issue
 * that command), so it is then left unknown.
 */
static int collect_membarrier(struct target *t, struct thread *leader)
{
	static const uint32_t probes[][2] = {
		{ MEMBARRIER_CMD_PRIVATE_EXPEDITED, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED },
		{ MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE,
		  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE },
		{ MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ,
		  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ },
	};
	long res;
	int err = ask(t, leader, SYS_membarrier, MEMBARRIER_CMD_GET_REGISTRATIONS, 0,
		      0, 0, &res);

	if (err || res >= 0 || res == -ENOSYS) {
		t->proc.membarrier = res > 0 ? (uint32_t)res & FZ_MEMBARRIER_REGISTRATIONS : 0;
		t->proc.known |= FZ_PROCK_MEMBARRIER;
		return err;
	}
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		err = ask(t, leader, SYS_membarrier, probes[i][0], 0, 0, 0, &res);
		if (err)
			return err;
		if (res == 0)
			t->proc.membarrier |= probes[i][1];
	}
	return 0;
}

/* Per thread: timer slack and the machine-check kill policy. */
static int collect_thread_prctls(struct target *t, struct thread *th)
{
	long slack, mce;
	int err = ask(t, th, SYS_prctl, PR_GET_TIMERSLACK, 0, 0, 0, &slack);

	if (!err)
		err = ask(t, th, SYS_prctl, PR_MCE_KILL_GET, 0, 0, 0, &mce);
	if (err)
		return err;
	th->rec.timerslack_ns = slack > 0 ? (uint64_t)slack : 0;
	th->rec.mce_kill = mce >= 0 ? (int32_t)mce : PR_MCE_KILL_DEFAULT;
	return 0;
}

static int collect_process_wide(struct target *t, struct thread *leader)
{
	long brk, dumpable;
	int err = collect_sigactions(t, leader);

	if (!err)
		err = ask(t, leader, SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, &dumpable);
	if (!err)
		t->proc.dumpable = (uint32_t)dumpable;
	if (!err)
		err = prctl_int(t, leader, PR_GET_CHILD_SUBREAPER, &t->proc.child_subreaper);
	if (!err)
		err = collect_mm_prctls(t, leader);
	if (!err)
		err = collect_membarrier(t, leader);
	if (!err)
		err = collect_itimers(t, leader);
	if (!err)
		err = collect_clocks(t, leader);
	if (!err)
		err = ask(t, leader, SYS_brk, 0, 0, 0, 0, &brk);
	if (!err)
		t->proc.brk = (uint64_t)brk;
	return err;
}

/*
 * Running an injected syscall takes a thread out of an rseq critical section
 * it was stopped in, and the kernel then clears the area's rseq_cs: put it
 * back, so the process (and the image) still has the thread in its section.
 */
#define RSEQ_CS_OFFSET 8 /* struct rseq: cpu_id_start, cpu_id, rseq_cs */

void rseq_cs_save(struct target *t, struct thread *th)
{
	if (th->rec.rseq_len)
		remote_rw(t->pid, th->rec.rseq_addr + RSEQ_CS_OFFSET,
			  &th->rseq_cs, sizeof(th->rseq_cs), false);
}

int rseq_cs_restore(struct target *t, struct thread *th)
{
	int err;

	if (!th->rec.rseq_len || !th->rseq_cs)
		return 0;
	err = remote_rw(t->pid, th->rec.rseq_addr + RSEQ_CS_OFFSET,
			&th->rseq_cs, sizeof(th->rseq_cs), true);
	return err ? fail(err, "thread %d: restoring its rseq area", (int)th->tid) : 0;
}

/* struct rseq_cs, the critical section descriptor rseq_cs points to. */
struct rseq_section {
	uint32_t version, flags;
	uint64_t start_ip, post_commit_offset, abort_ip;
};

/*
 * Being frozen is a preemption: a thread stopped inside its rseq critical
 * section must resume at the section's abort handler, as the kernel would
 * send it. The stub cannot leave that to the kernel: the new process would
 * only learn of the section after the stub's own syscalls cleared rseq_cs.
 */
static void abort_rseq_sections(struct target *t)
{
	for (size_t i = 0; i < t->nthreads; i++) {
		struct thread *th = &t->threads[i];
		struct rseq_section cs;
		uint64_t pc = arch_pc(&th->rec.regs);
		uint32_t sig;
		if (!th->rec.rseq_len || !th->rseq_cs ||
		    remote_rw(t->pid, th->rseq_cs, &cs, sizeof(cs), false) ||
		    pc < cs.start_ip || pc - cs.start_ip >= cs.post_commit_offset ||
		    remote_rw(t->pid, cs.abort_ip - sizeof(sig), &sig, sizeof(sig), false) ||
		    sig != th->rec.rseq_sig)
			continue;
		arch_set_pc(&th->rec.regs, cs.abort_ip);
	}
}

int collect_injected(struct target *t)
{
	int err, err2;

	for (size_t i = 0; i < t->nthreads; i++)
		rseq_cs_save(t, &t->threads[i]);
	err = inject_init(t);

	if (!err)
		err = collect_process_wide(t, &t->threads[0]);
	if (!err)
		err = collect_posix_timers(t);
	for (size_t i = 0; !err && i < t->nthreads; i++) {
		err = collect_altstack(t, &t->threads[i]);
		if (!err)
			err = collect_tid_address(t, &t->threads[i]);
		if (!err)
			err = prctl_int(t, &t->threads[i], PR_GET_PDEATHSIG,
					&t->threads[i].rec.pdeathsig);
		if (!err)
			err = collect_thread_prctls(t, &t->threads[i]);
	}
	/* Undo even when a step above failed. */
	err2 = inject_finish(t);
	for (size_t i = 0; !err2 && i < t->nthreads; i++)
		err2 = rseq_cs_restore(t, &t->threads[i]);
	abort_rseq_sections(t);
	return err ? err : err2;
}
