/*
 * FZ_REC_AIO_RING records, within image_verify: sizes that agree with the
 * kernel's ring layout, and a FZ_MAP_AIO mapping of exactly the ring.
 * Hosted too (the fuzz harness): nothing stub-only here.
 */
#include "image/image_read.h"

#define EBADMSG 74
#define PAGE 4096ULL

static int has_mapping(const struct image *img, const struct fz_aio_ring *a)
{
	for_each_record(img, r) {
		const struct fz_mapping *m = rec_data(r);
		if (r->type == FZ_REC_MAPPING && m->kind == FZ_MAP_AIO &&
		    m->start == a->addr && m->end - m->start == a->size)
			return 1;
	}
	return 0;
}

int check_aio_record(const struct image *img, const struct fz_record *r,
		     const char **why)
{
	const struct fz_aio_ring *a = rec_data(r);

	if (r->size < sizeof(*a) || a->size == 0 || a->size % PAGE ||
	    a->addr % PAGE || a->size > (1ULL << 30) ||
	    a->nr != (a->size - FZ_AIO_RING_HEADER) / sizeof(struct fz_io_event) ||
	    a->nevents >= a->nr ||
	    r->size != sizeof(*a) + (uint64_t)a->nevents * sizeof(struct fz_io_event) ||
	    !has_mapping(img, a)) {
		*why = "bad AIO context record";
		return -EBADMSG;
	}
	return 0;
}
