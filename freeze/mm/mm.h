/*
 * The address space: mappings and their pages, shared memory objects
 * (memfds, shared anonymous memory, deleted files mapped shared, SysV).
 */
#ifndef FREEZE_MM_H
#define FREEZE_MM_H

#include "freeze.h"

struct image_writer;

/* collect_maps.c: every mapping, classified by how the stub rebuilds it. */
int collect_maps(struct target *t);
/* collect_guards.c: the guard regions of each mapping (from collect_maps). */
int collect_guards(struct target *t);
/*
 * collect_shmem.c: shared memory objects behind FZ_MAP_SHMEM mappings and
 * FZ_FD_MEMFD fds (run after collect_maps and collect_fds).
 */
bool is_shmem_mapping(const struct map_entry *m);
bool is_memfd(const char *link, uint64_t dev);
int collect_shmem(struct target *t);
/*
 * collect_map_files.c: the file behind each private file mapping that can
 * be mapped from it again at resume (after collect_shmem: a memfd's
 * object must be known).
 */
int collect_map_files(struct target *t);
/*
 * collect_aio.c: is m the ring of a Linux AIO context? collect_aio records
 * each context's ring and unreaped completions, and refuses one with
 * requests in flight (run with the process stopped, after collect_maps).
 */
bool is_aio_ring(const struct map_entry *m);
int collect_aio(struct target *t);
int write_aio(struct target *t, struct image_writer *w);
/* write_pages.c: every mapping's record and page chunks. */
int write_memory(struct target *t, struct image_writer *w);
/* write_shmem.c: each object's record and page chunks. */
int write_shmem(struct target *t, struct image_writer *w);

#endif
