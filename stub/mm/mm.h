/*
 * The address space: private and shared mappings, their pages, shared
 * memory objects (memfds, shared anonymous memory, SysV segments) and the
 * mm bounds (brk, arg/env, code/data).
 */
#ifndef FREEZE_STUB_MM_H
#define FREEZE_STUB_MM_H

#include "stub.h"

/* Before the point of no return. */
/* prepare_shared_maps.c: the files behind MAP_SHARED file mappings, opened. */
void prepare_shared_maps(struct stub *st);
/*
 * prepare_shmem.c: memfd-backed objects and the keyed SysV segments this
 * host has (from prepare_fds, once max_fd is known), the fds of memfds;
 * prepare_sysv creates the other SysV segments, last: nothing may fail
 * between their creation and the point of no return.
 */
void prepare_shmem(struct stub *st);
int prepare_memfd_fd(struct stub *st, const struct fz_fd *f);
void prepare_sysv(struct stub *st);
const struct prepared_shmem *find_shmem(const struct stub *st, uint64_t id);
/*
 * prepare_map_files.c: the file of each private file mapping opened and
 * compared with what it was; find_map_file: its entry if the mapping is to
 * be made from it, else NULL; close_map_files once every mapping is made.
 */
void prepare_map_files(struct stub *st);
const struct prepared_map_file *find_map_file(const struct stub *st,
					      const struct fz_mapping *m);
void close_map_files(const struct stub *st);
/* prepare_aio.c: each AIO context made once on this host, and destroyed. */
void prepare_aio(const struct stub *st);
/* info_shmem.c: --info's list of shared memory objects. */
void print_shmem(const struct stub *st);
/* The same as the --json "shared_memory" member. */
void json_shmem(const struct stub *st);

/* After it, in this order (restore_mm.c, restore_pages.c, restore_shmem.c). */
void unmap_all_but_stub(const struct stub *st);
void restore_mappings(const struct stub *st);
/* Every chunk's pages, on every usable CPU (restore_mappings calls it). */
void fill_pages(const struct stub *st);
/* Map one FZ_MAP_SHMEM mapping; then seal and mark removed. */
void restore_shmem_map(const struct stub *st, const struct fz_mapping *m);
void restore_shmem_finish(const struct stub *st);
/* restore_aio.c: each AIO context made again, its ring at its address. */
void restore_aio(const struct stub *st);
void restore_mm_fields(const struct stub *st);
/* The mm fields PR_SET_MM_MAP sets, as the process had them. */
struct prctl_mm_map;
void mm_map_of(const struct stub *st, struct prctl_mm_map *map);
/* restore_mm_flags.c: the prctl flags of the mm, from restore_mappings:
   THP disabled before anything is mapped, KSM merging after. */
void restore_thp_disable(const struct stub *st);
void restore_memory_merge(const struct stub *st);
/* Per mapping, once it is filled and protected: MADV_DONTDUMP and
   MADV_MERGEABLE; then the guard pages of the GUARD records. */
void restore_map_advice(const struct fz_mapping *m);
void restore_guard(const struct fz_range *g);
/* Last before the threads, once nothing changes the mappings (the limits
   are back): mlock, then mseal. */
void restore_mm_locks(const struct stub *st);

#endif
