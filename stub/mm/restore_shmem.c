/*
 * Shared memory mappings, after the point of no return: each maps the
 * object prepared for it (prepare_shmem.c) at its place and offset, so
 * mappings and fds of one object share it again. Then the seals that had
 * to wait for the mappings, and the removal mark of SysV segments.
 */
#include <linux/fcntl.h>
#include <linux/mman.h>

#include "mm/mm.h"
#include "mm/sys_shmem.h"
#include "print.h"
#include "stub.h"

#define PAGE_UP(x) (((x) + FZ_PAGE_SIZE - 1) & ~(FZ_PAGE_SIZE - 1))

static void check(long ret, const char *what, const struct fz_mapping *m)
{
	if (ret < 0)
		die_lost("cannot %s shared memory at %lx-%lx: %s", what,
		         (unsigned long)m->start, (unsigned long)m->end, errname(ret));
}

/*
 * shmat maps the whole segment: a mapping of all of it is attached in
 * place; a piece (the rest was unmapped) is attached elsewhere, moved into
 * place, and the rest unmapped again.
 */
static void attach_sysv(const struct prepared_shmem *p, const struct fz_mapping *m)
{
	uint64_t len = m->end - m->start, seg = PAGE_UP(p->rec->size);
	int flags = (m->flags & FZ_MAPF_SHM_RDONLY) ? SHM_RDONLY : 0;
	int prot = flags ? PROT_READ : PROT_READ | PROT_WRITE;
	long at;

	if (m->prot & PROT_EXEC) {
		flags |= SHM_EXEC;
		prot |= PROT_EXEC;
	}
	if (m->offset == 0 && len == seg) {
		at = sys_shmat(p->shmid, m->start, flags);
		check(at, "attach", m);
	} else {
		/* Hold the place, or the kernel might attach the whole segment over it. */
		check(sys_mmap(m->start, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
			       MAP_FIXED, -1, 0), "reserve", m);
		at = sys_shmat(p->shmid, 0, flags);
		check(at, "attach", m);
		check(sys_mremap((uint64_t)at + m->offset, len, len,
				 MREMAP_MAYMOVE | MREMAP_FIXED, m->start), "move", m);
		sys_munmap((uint64_t)at, seg);
	}
	if (prot != (int)m->prot)
		check(sys_mprotect(m->start, len, (int)m->prot), "protect", m);
}

void restore_shmem_map(const struct stub *st, const struct fz_mapping *m)
{
	const struct prepared_shmem *p = find_shmem(st, m->shmem_id);

	if (p->rec->kind == FZ_SHMEM_SYSV) {
		attach_sysv(p, m);
		return;
	}
	check(sys_mmap(m->start, m->end - m->start, (int)m->prot,
		       MAP_SHARED | MAP_FIXED, p->fd, m->offset), "map", m);
}

void restore_shmem_finish(const struct stub *st)
{
	for (unsigned i = 0; i < st->nshmems; i++) {
		const struct prepared_shmem *p = &st->shmems[i];
		uint32_t late = p->rec->seals & (F_SEAL_FUTURE_WRITE | F_SEAL_SEAL);
		long ret = 0;
		if (p->rec->kind == FZ_SHMEM_SYSV) {
			if (p->rec->flags & FZ_SHMEMF_SYSV_REMOVED)
				ret = sys_shmctl(p->shmid, IPC_RMID, 0);
		} else if (late) {
			ret = sys_fcntl(p->fd, F_ADD_SEALS, late);
		}
		if (ret < 0)
			warn("shared memory %lu: cannot %s: %s", (unsigned long)p->rec->id,
			     p->rec->kind == FZ_SHMEM_SYSV ? "mark it removed" : "seal it",
			     errname(ret));
	}
}
