/*
 * Running syscalls inside the stopped target, for state only the process
 * itself can report (signal handlers, sigaltstack, brk, tid address).
 *
 * No code is written into the target: the thread is pointed at a syscall
 * instruction that already exists (in its vdso or its code) and run with
 * PTRACE_SYSCALL from syscall entry to syscall exit, so it never executes
 * the instruction after it. Results land in a scratch area below the
 * thread's stack red zone, whose bytes are saved first and put back last.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "freeze.h"

#define RED_ZONE 128
#define SCRATCH_SIZE 512

static uint8_t scratch_saved[SCRATCH_SIZE];
static uint64_t scratch_addr;
/* Signals that arrived during an injection, held back until detach. */
static uint64_t held_signals;

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

static int remote_rw(pid_t pid, uint64_t addr, void *buf, size_t len, bool write)
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
	int err;

	if ((!vdso || !t->vdso ||
	     find_insn(t->vdso, t->vdso_len, vdso->start, &t->syscall_insn)) &&
	    find_insn_in_code(t))
		return fail(-ENOENT, "process %d: no syscall instruction in its "
			    "code to borrow", (int)t->pid);
	scratch_addr = (t->live_regs.rsp - RED_ZONE - SCRATCH_SIZE) & ~63ULL;
	err = remote_rw(t->pid, scratch_addr, scratch_saved, SCRATCH_SIZE, false);
	if (err)
		return fail(err, "process %d: its stack at %#lx is not readable",
			    (int)t->pid, (unsigned long)scratch_addr);
	return 0;
}

/* Run to the next syscall stop; a signal that arrives meanwhile is kept pending. */
static int run_to_syscall_stop(pid_t pid)
{
	for (;;) {
		int status;
		if (ptrace(PTRACE_SYSCALL, pid, NULL, NULL) < 0)
			return -errno;
		if (waitpid(pid, &status, __WALL) < 0)
			return -errno;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return -ESRCH;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80))
			return 0;
		/* A signal-delivery stop: hold the signal back, resend at detach. */
		if (status >> 16 == 0 && WSTOPSIG(status) <= 64)
			held_signals |= 1ULL << (WSTOPSIG(status) - 1);
	}
}

void inject_resend_signals(struct target *t)
{
	for (int sig = 1; sig <= 64; sig++)
		if (held_signals & (1ULL << (sig - 1)))
			kill(t->pid, sig);
	held_signals = 0;
}

int inject_syscall(struct target *t, long nr, const uint64_t args[6],
		   long *result)
{
	struct fz_regs regs = t->live_regs;
	int err;

	arch_inject_setup(&regs, t->syscall_insn, nr, args);
	t->regs_changed = true;
	err = arch_set_regs(t->pid, &regs);
	if (!err)
		err = run_to_syscall_stop(t->pid); /* entry */
	if (!err)
		err = run_to_syscall_stop(t->pid); /* exit */
	if (!err)
		err = arch_get_regs(t->pid, &regs);
	if (err)
		return fail(err, "process %d: injected syscall %ld failed",
			    (int)t->pid, nr);
	*result = arch_syscall_result(&regs);
	return 0;
}

uint64_t inject_scratch(void)
{
	return scratch_addr;
}

int inject_read_scratch(struct target *t, void *buf, size_t len)
{
	return remote_rw(t->pid, scratch_addr, buf, len, false);
}

int inject_finish(struct target *t)
{
	int err = remote_rw(t->pid, scratch_addr, scratch_saved, SCRATCH_SIZE, true);

	if (err)
		return fail(err, "process %d: cannot restore its stack", (int)t->pid);
	return 0;
}
