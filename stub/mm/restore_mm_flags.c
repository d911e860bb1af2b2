/*
 * Flags the process had set on its whole mm with prctl: transparent huge
 * pages off (before any memory is mapped, so none is put on huge pages),
 * KSM merging of all its memory (once every mapping exists). And the
 * flags of single mappings that restore_mm.c does not set itself: dump
 * and KSM advice, guard pages, locks and seals.
 */
#include <asm/mman.h>
#include <linux/mman.h>
#include <linux/prctl.h>

#include "kernel_abi.h"
#include "mm/mm.h"
#include "print.h"
#include "sys.h"

/* Inherited across execve, so the resumer's setting is undone too. */
void restore_thp_disable(const struct stub *st)
{
	uint32_t want = st->proc->thp_disable;
	long now = sys_prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), ret;

	if (now < 0 || (uint32_t)now == want)
		return;
	ret = sys_prctl(PR_SET_THP_DISABLE, want ? 1 : 0, want & ~1u, 0, 0);
	if (ret < 0)
		warn("cannot %s transparent huge pages again (PR_SET_THP_DISABLE %u): %s",
		     want ? "disable" : "enable", want, errname(ret));
}

/* Setting it takes CAP_SYS_RESOURCE. */
void restore_memory_merge(const struct stub *st)
{
	uint32_t want = st->proc->memory_merge;
	long now = sys_prctl(PR_GET_MEMORY_MERGE, 0, 0, 0, 0), ret;

	if ((now < 0 && !want) || now == (long)want)
		return;
	ret = sys_prctl(PR_SET_MEMORY_MERGE, want, 0, 0, 0);
	if (ret < 0)
		warn("cannot %s KSM merging of all memory again (PR_SET_MEMORY_MERGE): %s",
		     want ? "turn on" : "turn off", errname(ret));
}

static void advise(const struct fz_mapping *m, int advice, const char *what)
{
	long ret = sys_madvise(m->start, m->end - m->start, advice);

	if (ret < 0)
		warn("cannot mark %lx-%lx %s again: %s", (unsigned long)m->start,
		     (unsigned long)m->end, what, errname(ret));
}

void restore_map_advice(const struct fz_mapping *m)
{
	if (m->flags & FZ_MAPF_DONTDUMP)
		advise(m, MADV_DONTDUMP, "left out of core dumps (MADV_DONTDUMP)");
	if (m->flags & FZ_MAPF_MERGEABLE)
		advise(m, MADV_MERGEABLE, "mergeable (MADV_MERGEABLE)");
}

/* Before any mlock: the kernel puts no guard in locked memory. */
void restore_guard(const struct fz_range *g)
{
	long ret = sys_madvise(g->start, g->end - g->start, MADV_GUARD_INSTALL);

	if (ret < 0)
		warn("cannot install the guard pages at %lx-%lx again: %s; "
		     "accessing them will not fault",
		     (unsigned long)g->start, (unsigned long)g->end, errname(ret));
}

/*
 * Locked memory counts against RLIMIT_MEMLOCK, which is the process's own
 * again by now. A seal cannot be undone and forbids unmapping or
 * protecting the range: it comes last, when the stub changes no mapping
 * of the process any more (its own exit area lies outside them).
 */
void restore_mm_locks(const struct stub *st)
{
	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		long ret;
		if (r->type != FZ_REC_MAPPING || !(m->flags & FZ_MAPF_LOCKED))
			continue;
		ret = sys_mlock2(m->start, m->end - m->start,
				 (m->flags & FZ_MAPF_LOCKONFAULT) ? MLOCK_ONFAULT : 0);
		if (ret < 0)
			warn("cannot lock %lx-%lx in memory again: %s",
			     (unsigned long)m->start, (unsigned long)m->end, errname(ret));
	}
	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		long ret;
		if (r->type != FZ_REC_MAPPING || !(m->flags & FZ_MAPF_SEALED))
			continue;
		ret = sys_mseal(m->start, m->end - m->start, 0);
		if (ret < 0)
			warn("cannot seal %lx-%lx again (mseal): %s",
			     (unsigned long)m->start, (unsigned long)m->end, errname(ret));
	}
}
