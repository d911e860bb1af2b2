/*
 * The vdso after the point of no return, as prepare_vdso.c decided: the
 * host's block parked and moved into the old place (the same build), or
 * the old vdso's bytes mapped back with their entry points patched, the
 * host's block mapped afresh elsewhere and the old vvar pages left as an
 * inaccessible reservation (another build).
 */
#include <asm/mman.h>
#include <linux/mman.h>

#include "lib.h"
#include "print.h"
#include "stub.h"
#include "sys.h"
#include "vdso/vdso.h"

/*
 * Move each piece of the host's vvar/vdso block by `delta`. The host's
 * block has the recorded layout (plan_vdso compared the vdso bytes).
 */
static void move_kernel_maps(const struct stub *st, uint64_t from, uint64_t to)
{
	const struct fz_mapping *first = st->vdso.first;

	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		uint64_t off, len;
		long ret;
		if (r->type != FZ_REC_MAPPING ||
		    (m->kind != FZ_MAP_VDSO && m->kind != FZ_MAP_VVAR))
			continue;
		off = m->start - first->start;
		len = m->end - m->start;
		ret = sys_mremap(from + off, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
				 to + off);
		if (ret < 0)
			die_lost("cannot move the vdso to %lx: %s",
			         (unsigned long)(to + off), errname(ret));
	}
}

/* ------------------------------------------------ after the point of no return */

/* Park the host's vdso block inside the stub's reserved range. */
void restore_vdso_park(const struct stub *st)
{
	const struct vdso_plan *p = &st->vdso;

	if (p->mode != VDSO_MOVE)
		return;
	move_kernel_maps(st, st->host_vdso - (p->old->start - p->first->start),
			 st->params->scratch_addr);
}

static void map_fixed(uint64_t start, uint64_t len, int prot)
{
	long ret = sys_mmap(start, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			    -1, 0);

	if (ret < 0)
		die_lost("cannot map %lx-%lx for the vdso: %s", (unsigned long)start,
		         (unsigned long)(start + len), errname(ret));
}

/* The host's vdso at its planned place: its address, or 0 if that failed. */
static uint64_t map_host_block(const struct stub *st)
{
	const struct vdso_plan *p = &st->vdso;
	long ret;

	if (!p->host_ok)
		return 0;
	/* Gone already unless the kernel put it inside the stub's hole. */
	if (!p->host_in_hole)
		sys_munmap(p->host_start, p->host_len);
	ret = arch_map_vdso(p->dest);
	if (ret < 0) {
		warn("cannot map this kernel's vdso at %lx (%s): the process's "
		     "time functions will make system calls",
		     (unsigned long)p->dest, errname(ret));
		return 0;
	}
	return p->dest + p->host_vdso_off;
}

static void redirect(const struct stub *st)
{
	const struct vdso_plan *p = &st->vdso;
	uint64_t host = map_host_block(st);
	uint8_t *old = (uint8_t *)p->old->start;

	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		if (r->type == FZ_REC_MAPPING && m->kind == FZ_MAP_VVAR)
			map_fixed(m->start, m->end - m->start, PROT_NONE);
	}
	map_fixed(p->old->start, p->old->end - p->old->start, PROT_READ | PROT_WRITE);
	memcpy(old, p->old_bytes, p->old_len);
	for (unsigned i = 0; i < p->npatches; i++) {
		const struct vdso_patch *e = &p->patches[i];
		if (host && e->host >= 0)
			arch_vdso_jump(old + e->offset, host + (uint64_t)e->host);
		else
			arch_vdso_fallback(old + e->offset, e->name);
	}
	sys_mprotect(p->old->start, p->old->end - p->old->start, (int)p->old->prot);
}

void restore_vdso_place(const struct stub *st)
{
	if (st->vdso.mode == VDSO_MOVE)
		move_kernel_maps(st, st->params->scratch_addr,
				 st->vdso.first->start);
	else if (st->vdso.mode == VDSO_REDIRECT)
		redirect(st);
}
