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

/*
 * Hold every ring's place first: the kernel puts a new ring in the highest
 * free hole, which may be one of these, and a ring cannot be moved onto a
 * range it overlaps.
 */
static void hold_places(const struct stub *st)
{
	for_each_record(&st->img, r) {
		const struct fz_aio_ring *a = rec_data(r);
		long ret;
		if (r->type != FZ_REC_AIO_RING)
			continue;
		ret = sys_mmap(a->addr, a->size, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (ret != (long)a->addr)
			die_lost("cannot hold the place of the AIO ring at %lx: %s",
				 (unsigned long)a->addr, errname(ret));
	}
}

void restore_aio(const struct stub *st)
{
	hold_places(st);
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
		/* Over its placeholder. */
		ret = sys_mremap(ctx, a->size, a->size, MREMAP_MAYMOVE | MREMAP_FIXED,
				 a->addr);
		if (ret != (long)a->addr)
			die_lost("cannot move the AIO ring to %lx: %s",
				 (unsigned long)a->addr, errname(ret));
	}
}
