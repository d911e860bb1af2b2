/*
 * Making an AIO context like a recorded one. The kernel sizes the ring
 * from io_setup's argument n: max(n, 4 * CPUs) * 2 + 2 events and a 32-byte
 * header, rounded up to whole pages, every slot of which it then uses; so
 * n = 64 * pages - 2 gives a ring of the same pages and slots, unless this
 * host has so many CPUs that its minimum is bigger (refused).
 *
 * The completions go back the way the kernel itself would put them there:
 * one poll request per completion, on an eventfd that is ready, completes
 * inside io_submit and takes a slot of the ring and of the kernel's count;
 * then each event is overwritten with the recorded one.
 */
#include <linux/aio_abi.h>
#include <linux/fcntl.h>
#include <linux/poll.h>

#include "lib.h"
#include "mm/aio_ring.h"

#define AIO_RING_MAGIC 0xa10a10a1u
#define BATCH 64

struct ring_head {
	uint32_t id, nr, head, tail, magic, compat, incompat, header_length;
};

/* n requests that complete at once; 0 or -errno. */
static long complete_n(uint64_t ctx, uint32_t n, const char **why)
{
	struct iocb cb;
	struct iocb *cbs[BATCH];
	long fd = sys_eventfd2(1, O_CLOEXEC), ret = 0;  /* EFD_CLOEXEC */

	if (fd < 0) {
		*why = "no eventfd to refill its completions";
		return fd;
	}
	memset(&cb, 0, sizeof(cb));
	cb.aio_lio_opcode = IOCB_CMD_POLL;
	cb.aio_fildes = (uint32_t)fd;
	cb.aio_buf = POLLIN;
	for (unsigned i = 0; i < BATCH; i++)
		cbs[i] = &cb;
	while (n && ret >= 0) {
		ret = sys_io_submit(ctx, n < BATCH ? n : BATCH, cbs);
		if (ret > 0)
			n -= (uint32_t)ret;
		else if (ret == 0)
			ret = -11; /* EAGAIN */
	}
	sys_close((int)fd);
	if (ret < 0)
		*why = "this kernel takes fewer completions in a new ring";
	return ret < 0 ? ret : 0;
}

long aio_ring_make(const struct fz_aio_ring *r, uint64_t *ctx, const char **why)
{
	const struct ring_head *h;
	struct fz_io_event *ev;
	uint64_t pages = r->size / 4096;
	long ret;

	*ctx = 0;
	ret = sys_io_setup((unsigned)(64 * pages - 2), ctx);
	if (ret < 0) {
		*why = ret == -11 ? "io_setup: the host's fs.aio-max-nr is reached"
				  : "io_setup failed";
		return ret;
	}
	h = (const struct ring_head *)*ctx;
	if (h->magic != AIO_RING_MAGIC || h->nr != r->nr ||
	    h->header_length != FZ_AIO_RING_HEADER) {
		*why = h->nr > r->nr ? "this host's kernel makes a bigger ring (more "
				       "CPUs)" : "this host's kernel makes another ring";
		sys_io_destroy(*ctx);
		return -22; /* EINVAL */
	}
	ret = complete_n(*ctx, r->nevents, why);
	if (!ret && (h->head != 0 || h->tail != r->nevents)) {
		*why = "its completions did not land in the new ring";
		ret = -5; /* EIO */
	}
	if (ret) {
		sys_io_destroy(*ctx);
		return ret;
	}
	ev = (struct fz_io_event *)(*ctx + FZ_AIO_RING_HEADER);
	memcpy(ev, r + 1, r->nevents * sizeof(*ev));
	return 0;
}
