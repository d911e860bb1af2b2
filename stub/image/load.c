/*
 * Finding and checking the image before anything is changed. A file cut
 * short while it is read shows up as SIGBUS when a page past its end is
 * touched: _start's handler turns that into a message until the image has
 * been verified.
 */
#include <asm/signal.h>

#include "checksum.h"
#include "exit_status.h"
#include "image/payload.h"
#include "lib.h"
#include "print.h"
#include "stub.h"
#include "sys.h"

extern volatile struct fz_stub_params fz_stub_params;

/* After verification a fault is a bug, not damage: let it be a crash. */
static void default_fault_actions(void)
{
	struct fz_sigaction act = { .handler = 0 /* SIG_DFL */ };

	sys_rt_sigaction(SIGBUS, &act, 0);
	sys_rt_sigaction(SIGSEGV, &act, 0);
}

static void find_records(struct stub *st)
{
	const struct image *img = &st->img;

	for_each_record(img, r) {
		const struct fz_thread *t = rec_data(r);
		if (r->type != FZ_REC_THREAD)
			continue;
		st->threads[st->nthreads++] = t;
		st->xstate_in_use |= arch_xstate_in_use(t + 1, t->xstate_len);
	}

	st->proc = image_find(img, FZ_REC_PROCESS, 0);
	st->sigactions = image_find(img, FZ_REC_SIGACTIONS, 0);
	st->rlimits = image_find(img, FZ_REC_RLIMITS, 0);
	st->itimers = image_find(img, FZ_REC_ITIMERS, 0);
	st->cwd = image_find(img, FZ_REC_CWD, 0);
	st->auxv = image_find(img, FZ_REC_AUXV, &st->auxv_len);
	st->cpu = image_find(img, FZ_REC_CPU, 0);
	st->xsave_layout = image_find(img, FZ_REC_XSAVE_LAYOUT, 0);
}

/* The stub's own code and constants, as freeze wrote them. */
static void check_code(const struct fz_stub_params *p)
{
	uint64_t h = 0;

	for (unsigned i = 0; i < FZ_STUB_CODE_SEGMENTS && p->code[i].len; i++)
		h = LZ4_XXH64((const void *)p->code[i].addr, p->code[i].len, h);
	if (h != p->code_csum)
		die_with(FZ_EXIT_DAMAGED,
			 "image is damaged: its resume code does not match its checksum");
}

void load_image(struct stub *st)
{
	const char *why = "";

	st->params = (const struct fz_stub_params *)&fz_stub_params;
	if (st->params->magic != FZ_STUB_PARAMS_MAGIC || !st->params->payload_addr)
		die_with(FZ_EXIT_DAMAGED,
			 "this file holds no image (stub not linked by freeze)");
	check_code(st->params);
	map_payload(st);
	/* verify_page_data() checks the chunks' data, on every CPU. */
	st->img.defer_data = 1;
	if (image_verify(&st->img, (const void *)st->params->payload_addr,
			 st->payload_size, &why)) {
		if (image_version(&st->img) > FZ_VERSION)
			die_with(FZ_EXIT_DAMAGED,
				 "image format version %u is newer than this stub's "
				 "(%u): it cannot be resumed by it",
				 image_version(&st->img), FZ_VERSION);
		die_with(FZ_EXIT_DAMAGED, "image is damaged: %s", why);
	}
	find_records(st);
	default_fault_actions();
	arch_cpu_collect(&st->host);
	st->cwd_fd = -1;
	st->exe_fd = -1;
}
