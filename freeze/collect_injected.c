/*
 * State only the process itself can tell, asked for with injected syscalls:
 * every signal's action, the sigaltstack, the exact brk, the tid address.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "freeze.h"

static int ask(struct target *t, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
	       uint64_t a3, long *result)
{
	const uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };

	return inject_syscall(t, nr, args, result);
}

static int ask_into(struct target *t, long nr, uint64_t a0, uint64_t a1,
		    uint64_t a2, uint64_t a3, void *out, size_t len)
{
	long res;
	int err = ask(t, nr, a0, a1, a2, a3, &res);

	if (err)
		return err;
	if (res < 0)
		return fail((int)res, "process %d: syscall %ld in it failed",
			    (int)t->pid, nr);
	err = inject_read_scratch(t, out, len);
	return err ? fail(err, "process %d: reading its scratch area", (int)t->pid) : 0;
}

static int collect_sigactions(struct target *t)
{
	uint64_t scratch = inject_scratch();

	for (int sig = 1; sig <= FZ_NSIG; sig++) {
		int err;
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		err = ask_into(t, SYS_rt_sigaction, (uint64_t)sig, 0, scratch, 8,
			       &t->sigactions[sig - 1], sizeof(t->sigactions[0]));
		if (err)
			return err;
	}
	return 0;
}

static int collect_altstack(struct target *t)
{
	struct { uint64_t sp; int32_t flags; int32_t pad; uint64_t size; } ss;
	int err = ask_into(t, SYS_sigaltstack, 0, inject_scratch(), 0, 0, &ss,
			   sizeof(ss));

	if (err)
		return err;
	t->proc.altstack_sp = ss.sp;
	t->proc.altstack_flags = (uint32_t)ss.flags;
	t->proc.altstack_size = ss.size;
	return 0;
}

/* Kernels without CONFIG_CHECKPOINT_RESTORE refuse: then there is none to restore. */
static int collect_tid_address(struct target *t, uint64_t *addr)
{
	long res;
	int err = ask(t, SYS_prctl, PR_GET_TID_ADDRESS, inject_scratch(), 0, 0, &res);

	if (err || res < 0)
		return err;
	err = inject_read_scratch(t, addr, sizeof(*addr));
	return err ? fail(err, "process %d: reading its scratch area", (int)t->pid) : 0;
}

int collect_injected(struct target *t)
{
	uint64_t tid_addr = 0;
	long brk;
	int err;

	err = inject_init(t);
	if (!err)
		err = collect_sigactions(t);
	if (!err)
		err = collect_altstack(t);
	if (!err)
		err = ask(t, SYS_brk, 0, 0, 0, 0, &brk);
	if (!err)
		t->proc.brk = (uint64_t)brk;
	if (!err)
		err = collect_tid_address(t, &tid_addr);
	t->proc.tid_address = tid_addr;
	/* Put the stack bytes back even when a step above failed. */
	if (inject_scratch()) {
		int err2 = inject_finish(t);
		if (!err)
			err = err2;
	}
	return err;
}
