/*
 * The files behind MAP_SHARED file mappings, opened before the point of no
 * return: the mapping is made from them after it (restore_mm.c).
 */
#include "fds/fds.h"
#include "mm/mm.h"
#include "print.h"

void prepare_shared_maps(struct stub *st)
{
	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		const char *path = (const char *)(m + 1);
		int fd;
		if (r->type != FZ_REC_MAPPING || m->kind != FZ_MAP_SHARED_FILE)
			continue;
		fd = open_lifted(st, path, (m->prot & 2) ? O_RDWR : O_RDONLY);
		if (fd < 0)
			die("cannot open %s for its shared mapping at %lx: %s", path,
			    (unsigned long)m->start, errname(fd));
		st->shared[st->nshared].rec = m;
		st->shared[st->nshared].fd = fd;
		st->nshared++;
	}
}
