/*
 * Rebuilding the address space: drop everything the kernel gave the stub
 * (restore_vdso.c handles the vdso around this), map and fill
 * each of the process's mappings, then tell the kernel its brk, stack and
 * argument bounds.
 */
#include <asm/mman.h>
#include <linux/mman.h>
#include <linux/prctl.h>

#include "lib.h"
#include "mm/mm.h"
#include "print.h"
#include "stub.h"
#include "sys.h"

/* Made by the kernel, not here: an AIO ring comes in restore_aio.c. */
#define is_kernel_map(m) ((m)->kind == FZ_MAP_VDSO || (m)->kind == FZ_MAP_VVAR || \
			  (m)->kind == FZ_MAP_AIO)

void unmap_all_but_stub(const struct stub *st)
{
	sys_munmap(0, st->params->hole_start);
	sys_munmap(st->hole_end, ARCH_TASK_SIZE - st->hole_end);
}

static int shared_fd(const struct stub *st, const struct fz_mapping *m)
{
	for (unsigned i = 0; i < st->nshared; i++)
		if (st->shared[i].rec == m)
			return st->shared[i].fd;
	die_lost("no file prepared for the shared mapping at %lx", (unsigned long)m->start);
}

/*
 * The file again, at its offset: writable while the pages the process had
 * copied on write are written over it, else with its own protection.
 */
static long map_file(const struct fz_mapping *m, const struct prepared_map_file *f)
{
	int prot = f->copied ? PROT_READ | PROT_WRITE : (int)m->prot;
	int flags = MAP_PRIVATE | MAP_FIXED;

	if (prot & PROT_WRITE)
		flags |= MAP_NORESERVE;   /* as anonymous memory is, below */
	return sys_mmap(m->start, m->end - m->start, prot, flags, f->fd, m->offset);
}

static void map_one(const struct stub *st, const struct fz_mapping *m)
{
	const struct prepared_map_file *f;
	uint64_t len = m->end - m->start;
	long ret;

	if (m->kind == FZ_MAP_SHMEM) {
		restore_shmem_map(st, m);
		return;
	}
	if (m->kind == FZ_MAP_SHARED_FILE) {
		int fd = shared_fd(st, m);
		ret = sys_mmap(m->start, len, (int)m->prot, MAP_SHARED | MAP_FIXED,
			       fd, m->offset);
		sys_close(fd);
	} else if ((f = find_map_file(st, m))) {
		ret = map_file(m, f);
	} else {
		/*
		 * No commit charge: a process may hold a huge sparse
		 * reservation (MAP_NORESERVE, or made when the host's
		 * overcommit allowed it), and refusing it here, after the
		 * point of no return, would lose the process. Only the
		 * pages it touched are filled.
		 */
		int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE;
		if (m->flags & FZ_MAPF_GROWSDOWN)
			flags |= MAP_GROWSDOWN;
		/* Writable while it is filled; the real protection comes after. */
		ret = sys_mmap(m->start, len, PROT_READ | PROT_WRITE, flags, -1, 0);
	}
	if (ret < 0)
		die_lost("cannot map %lx-%lx: %s", (unsigned long)m->start,
		         (unsigned long)m->end, errname(ret));
}

/*
 * The huge-page advice the process had given. Dense memory is not put on
 * huge pages unasked: the advice could not be taken back afterwards, and on
 * virtual machines that hand free memory back to the host (free page
 * reporting), fresh huge pages cost a host fault for each of their 4 KiB
 * pages anyway: populating 4 KiB pages in bulk was twice as fast there.
 */
static void advise_huge(const struct fz_mapping *m)
{
	if (m->kind != FZ_MAP_ANON)
		return;
	/* Advisory: errors change nothing. */
	if (m->flags & FZ_MAPF_NOHUGEPAGE)
		sys_madvise(m->start, m->end - m->start, MADV_NOHUGEPAGE);
	else if (m->flags & FZ_MAPF_HUGEPAGE)
		sys_madvise(m->start, m->end - m->start, MADV_HUGEPAGE);
}

/* What the process asked of fork for this memory, once it is filled. */
static void advise_fork(const struct fz_mapping *m)
{
	if (m->flags & FZ_MAPF_DONTFORK)
		sys_madvise(m->start, m->end - m->start, MADV_DONTFORK);
	if (m->flags & FZ_MAPF_WIPEONFORK)
		sys_madvise(m->start, m->end - m->start, MADV_WIPEONFORK);
}

static void finish_one(const struct fz_mapping *m)
{
	long ret;

	advise_fork(m);
	restore_map_advice(m);
	if (m->kind != FZ_MAP_ANON || m->prot == (PROT_READ | PROT_WRITE))
		return;
	ret = sys_mprotect(m->start, m->end - m->start, (int)m->prot);
	if (ret < 0)
		die_lost("cannot protect %lx-%lx: %s", (unsigned long)m->start,
		         (unsigned long)m->end, errname(ret));
}

static void map_all(const struct stub *st)
{
	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		if (r->type != FZ_REC_MAPPING || is_kernel_map(m))
			continue;
		map_one(st, m);
		advise_huge(m);
	}
	close_map_files(st);
}

void restore_mappings(const struct stub *st)
{
	restore_thp_disable(st);
	map_all(st);
	fill_pages(st);
	if (st->self_fd >= 0)
		sys_close(st->self_fd);
	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		if (r->type == FZ_REC_MAPPING && !is_kernel_map(m))
			finish_one(m);
		else if (r->type == FZ_REC_GUARD)
			restore_guard(rec_data(r));
	}
	restore_memory_merge(st);
}

void mm_map_of(const struct stub *st, struct prctl_mm_map *map)
{
	const struct fz_process *p = st->proc;

	*map = (struct prctl_mm_map){
		.start_code = p->start_code, .end_code = p->end_code,
		.start_data = p->start_data, .end_data = p->end_data,
		.start_brk = p->start_brk, .brk = p->brk,
		.start_stack = p->start_stack,
		.arg_start = p->arg_start, .arg_end = p->arg_end,
		.env_start = p->env_start, .env_end = p->env_end,
		.auxv = (__u64 *)st->auxv, .auxv_size = st->auxv_len,
		.exe_fd = (uint32_t)-1,
	};
}

void restore_mm_fields(const struct stub *st)
{
	struct prctl_mm_map map;
	long ret;

	if (!(st->kernel & KF_MM_MAP))
		return;         /* probe_kernel said so before */
	mm_map_of(st, &map);
	ret = sys_prctl(PR_SET_MM, PR_SET_MM_MAP, (long)&map, sizeof(map), 0);
	if (ret < 0)
		warn("cannot restore brk and stack bounds (%s): the heap "
		     "may not grow with brk", errname(ret));
}
