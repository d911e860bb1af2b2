/*
 * Finding and checking the image before anything is changed. A truncated
 * file shows up as SIGBUS when a page past its end is touched: a handler
 * turns that into a message for as long as the image is being read.
 */
#include <asm/signal.h>

#include "lib.h"
#include "print.h"
#include "stub.h"
#include "sys.h"

extern volatile struct fz_stub_params fz_stub_params;

static _Noreturn void on_fault(int sig)
{
	(void)sig;
	die("image is truncated or unreadable (a page of it is missing)");
}

static void guard_faults(void (*handler)(int))
{
	struct fz_sigaction act = {
		.handler = (uint64_t)handler,
		/* Never returns, so the restorer is never used; x86_64 needs one. */
		.flags = SA_RESTORER | SA_NODEFER,
		.restorer = (uint64_t)handler,
	};

	sys_rt_sigaction(SIGBUS, &act, 0);
	sys_rt_sigaction(SIGSEGV, &act, 0);
}

static void find_records(struct stub *st)
{
	const struct image *img = &st->img;

	st->proc = image_find(img, FZ_REC_PROCESS, 0);
	st->regs = image_find(img, FZ_REC_REGS, 0);
	st->xstate = image_find(img, FZ_REC_XSTATE, &st->xstate_len);
	st->sigactions = image_find(img, FZ_REC_SIGACTIONS, 0);
	st->rlimits = image_find(img, FZ_REC_RLIMITS, 0);
	st->cwd = image_find(img, FZ_REC_CWD, 0);
	st->auxv = image_find(img, FZ_REC_AUXV, &st->auxv_len);
	st->cpu = image_find(img, FZ_REC_CPU, 0);
}

void load_image(struct stub *st)
{
	const char *why = "";

	st->params = (const struct fz_stub_params *)&fz_stub_params;
	if (st->params->magic != FZ_STUB_PARAMS_MAGIC || !st->params->payload_addr)
		die("this file holds no image (stub not linked by freeze)");
	guard_faults(on_fault);
	if (image_verify(&st->img, (const void *)st->params->payload_addr,
			 st->params->payload_size, &why))
		die("image is damaged: %s", why);
	find_records(st);
	guard_faults((void (*)(int))0);  /* SIG_DFL */
	arch_cpu_collect(&st->host);
	st->cwd_fd = -1;
}
