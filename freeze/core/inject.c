/*
 * Running syscalls inside a stopped thread of the target, for state only
 * the process itself can report (signal handlers, sigaltstack, brk, tid
 * address).
 *
 * No code is written into the target: the thread is pointed at a syscall
 * instruction that already exists (in its vdso or its code) and run with
 * PTRACE_SYSCALL from syscall entry to syscall exit, so it never executes
 * the instruction after it. Results land in a scratch page mapped in the
 * target for the purpose and unmapped before detaching; no byte of the
 * process's own memory is written.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "core/core.h"
#include "freeze.h"

#define SCRATCH_SIZE 4096

/* Signals that arrived during an injection, held back until detach. */
static uint64_t held_signals;
/* The child an injected clone made, from its PTRACE_EVENT_CLONE stop. */
static pid_t last_child;

pid_t inject_last_child(void)
{
	return last_child;
}

static int find_insn(const uint8_t *bytes, size_t len, uint64_t base,
		     uint64_t *addr)
{
	for (size_t i = 0; i + ARCH_SYSCALL_INSN_LEN <= len; i++) {
		if (!memcmp(bytes + i, arch_syscall_insn, ARCH_SYSCALL_INSN_LEN)) {
			*addr = base + i;
			return 0;
		}
	}
	return -ENOENT;
}

static const struct map_entry *vdso_entry(const struct target *t)
{
	for (size_t i = 0; i < t->nmaps; i++)
		if (t->maps[i].kind == FZ_MAP_VDSO)
			return &t->maps[i];
	return NULL;
}

int remote_rw(pid_t pid, uint64_t addr, void *buf, size_t len, bool write)
{
	struct iovec local = { buf, len }, remote = { (void *)addr, len };
	ssize_t n = write ? process_vm_writev(pid, &local, 1, &remote, 1, 0)
			  : process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

/* Without a vdso (vdso=0 on the kernel command line), search the code. */
static int find_insn_in_code(struct target *t)
{
	static uint8_t buf[1 << 16];

	for (size_t i = 0; i < t->nmaps; i++) {
		const struct map_entry *m = &t->maps[i];
		for (uint64_t a = m->start; (m->prot & PROT_EXEC) && a < m->end;
		     a += sizeof(buf)) {
			size_t len = m->end - a < sizeof(buf) ? m->end - a : sizeof(buf);
			if (!remote_rw(t->pid, a, buf, len, false) &&
			    !find_insn(buf, len, a, &t->syscall_insn))
				return 0;
		}
	}
	return -ENOENT;
}

int inject_init(struct target *t)
{
	const struct map_entry *vdso = vdso_entry(t);
	const uint64_t args[6] = { 0, SCRATCH_SIZE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0 };
	long addr;
	int err;

	if ((!vdso || !t->vdso ||
	     find_insn(t->vdso, t->vdso_len, vdso->start, &t->syscall_insn)) &&
	    find_insn_in_code(t))
		return fail(-ENOENT, "process %d: no syscall instruction in its "
			    "code to borrow", (int)t->pid);
	err = inject_syscall(t, &t->threads[0], SYS_mmap, args, &addr);
	if (err)
		return err;
	if (addr < 0)
		return fail((int)addr, "process %d: mapping a scratch page in it",
			    (int)t->pid);
	t->scratch_addr = (uint64_t)addr;
	return 0;
}

static bool is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE;
}

/* Run to the next syscall stop; a signal that arrives meanwhile is held back. */
static int run_to_syscall_stop(pid_t tid)
{
	for (;;) {
		int status, err;

		if (ptrace(PTRACE_SYSCALL, tid, NULL, NULL) < 0)
			return -errno;
		if ((err = wait_tracee(tid, &status)))
			return err;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return -ESRCH;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80))
			return 0;
		/* The borrowed instruction faulted: running on would loop. */
		if (status >> 16 == 0 && is_fault_signal(WSTOPSIG(status)))
			return -EFAULT;
		if (status >> 16 == PTRACE_EVENT_CLONE) {
			unsigned long child = 0;
			ptrace(PTRACE_GETEVENTMSG, tid, NULL, &child);
			last_child = (pid_t)child;
		}
		if (status >> 16 == 0)
			inject_hold_signal(WSTOPSIG(status));
	}
}

void inject_hold_signal(int sig)
{
	if (sig >= 1 && sig <= 64)
		held_signals |= 1ULL << (sig - 1);
}

void inject_resend_signals(struct target *t)
{
	for (int sig = 1; sig <= 64; sig++)
		if (held_signals & (1ULL << (sig - 1)))
			kill(t->pid, sig);
	held_signals = 0;
}

int inject_syscall(struct target *t, struct thread *th, long nr,
		   const uint64_t args[6], long *result)
{
	struct fz_regs regs = th->live_regs;
	int err;

	arch_inject_setup(&regs, t->syscall_insn, nr, args);
	th->regs_changed = true;
	err = arch_set_regs(th->tid, &regs);
	if (!err)
		err = run_to_syscall_stop(th->tid); /* entry */
	if (!err)
		err = run_to_syscall_stop(th->tid); /* exit */
	if (!err)
		err = arch_get_regs(th->tid, &regs);
	if (err)
		return fail(err, "thread %d: injected syscall %ld failed",
			    (int)th->tid, nr);
	*result = arch_syscall_result(&regs);
	return 0;
}

int inject_read_scratch(struct target *t, void *buf, size_t len)
{
	int err = remote_rw(t->pid, t->scratch_addr, buf, len, false);

	return err ? fail(err, "process %d: reading its scratch page", (int)t->pid) : 0;
}

int inject_finish(struct target *t)
{
	const uint64_t args[6] = { t->scratch_addr, SCRATCH_SIZE, 0, 0, 0, 0 };
	long res;
	int err;

	if (!t->scratch_addr)
		return 0;
	err = inject_syscall(t, &t->threads[0], SYS_munmap, args, &res);
	if (!err && res < 0)
		err = fail((int)res, "process %d: unmapping its scratch page",
			   (int)t->pid);
	t->scratch_addr = 0;
	return err;
}
