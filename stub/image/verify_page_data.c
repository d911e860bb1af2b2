/*
 * The page data's checksums, checked on every CPU (workers.c) before
 * anything is changed: image_verify() checked everything else and left
 * this, the bulk of the reading, to be shared out.
 */
#include "core/core.h"
#include "exit_status.h"
#include "image/payload.h"
#include "print.h"
#include "stub.h"

static uint32_t next_chunk = 0;         /* the next index to claim */
static const char *damage = 0;          /* the first refusal found */

static int is_chunk(const struct fz_record *r)
{
	return r->type == FZ_REC_CHUNK || r->type == FZ_REC_SHMEM_CHUNK;
}

/* Claims only grow, so one walk over the records finds every claim. */
static void check_claimed(const struct stub *st)
{
	uint32_t index = 0, mine = __atomic_fetch_add(&next_chunk, 1, __ATOMIC_RELAXED);
	const char *why = "";

	for_each_record(&st->img, r) {
		if (!is_chunk(r) || index++ != mine)
			continue;
		if (__atomic_load_n(&damage, __ATOMIC_RELAXED))
			return;
		if (image_check_chunk_data(&st->img, rec_data(r), &why)) {
			const char *none = 0;
			__atomic_compare_exchange_n(&damage, &none, why, 0,
						    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
			return;
		}
		mine = __atomic_fetch_add(&next_chunk, 1, __ATOMIC_RELAXED);
	}
}

void verify_page_data(const struct stub *st)
{
	run_on_cpus(st, check_claimed);
	if (damage)
		die_with(FZ_EXIT_DAMAGED, "image is damaged: %s", damage);
}
