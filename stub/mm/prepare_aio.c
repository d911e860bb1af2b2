/*
 * Before the point of no return: every AIO context of the image is made
 * once on this host, with its completions, and destroyed again, so that a
 * host that cannot make it (its CPUs, its fs.aio-max-nr) refuses the image
 * while it can still be run again. Changes nothing on the host; --verify
 * runs it too.
 */
#include "mm/aio_ring.h"
#include "mm/mm.h"
#include "print.h"

void prepare_aio(const struct stub *st)
{
	for_each_record(&st->img, r) {
		const struct fz_aio_ring *a = rec_data(r);
		const char *why = "";
		uint64_t ctx;
		long ret;
		if (r->type != FZ_REC_AIO_RING)
			continue;
		ret = aio_ring_make(a, &ctx, &why);
		if (ret < 0)
			die("cannot make the AIO context at %lx again (%u slots): "
			    "%s (%s)", (unsigned long)a->addr, a->nr, why, errname(ret));
		sys_io_destroy(ctx);
	}
}
