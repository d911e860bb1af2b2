/*
 * After the mappings: each AIO context is made again and its ring moved to
 * the recorded address, which the mappings left free (FZ_MAP_AIO). The
 * kernel follows the move (its ring's mremap handler sets the context's id
 * to the new address), so the process's aio_context_t works as it did.
 */
#include <linux/mman.h>

#include "mm/aio_ring.h"
#include "mm/mm.h"
#include "print.h"

void restore_aio(const struct stub *st)
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
			die_lost("cannot make the AIO context at %lx again: %s (%s)",
				 (unsigned long)a->addr, why, errname(ret));
		ret = sys_mremap(ctx, a->size, a->size, MREMAP_MAYMOVE | MREMAP_FIXED,
				 a->addr);
		if (ret != (long)a->addr)
			die_lost("cannot move the AIO ring to %lx: %s",
				 (unsigned long)a->addr, errname(ret));
	}
}
