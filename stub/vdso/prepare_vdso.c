/*
 * What becomes of the process's vdso, decided before the point of no
 * return (restore_vdso.c acts on it after). The same build as the host's:
 * its vvar+vdso block is moved to the old place. Another build (or
 * --vdso=redirect|syscall): the old vdso's bytes go back and each of its
 * exported functions jumps into the host's vdso, mapped afresh in a free
 * range, or makes its system call. Whatever cannot work is refused here,
 * naming why; whatever only works worse is a warning (check_host.c).
 */
#include <asm/mman.h>
#include <linux/resource.h>

#include "lib.h"
#include "print.h"
#include "stub.h"
#include "sys.h"
#include "vdso/vdso.h"

#define EEXIST 17
#define EINVAL 22
#define MAX_VVAR_PAGES 64       /* far more than any kernel has had */
#define LOW_LIMIT (1UL << 24)
/* The kernel's bounds on the gap its mmap layout leaves below the stack's top. */
#define STACK_GAP_MIN (128UL << 20)
#define STACK_GAP_MAX (ARCH_TASK_SIZE / 6 * 5)
#define STACK_GUARD_GAP (256UL * FZ_PAGE_SIZE)   /* its default stack_guard_gap */

#define is_kernel_map(m) ((m)->kind == FZ_MAP_VDSO || (m)->kind == FZ_MAP_VVAR)

/* The first vvar/vdso mapping: the host's block has the same shape. */
static const struct fz_mapping *first_kernel_map(const struct stub *st)
{
	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		if (r->type == FZ_REC_MAPPING && is_kernel_map(m))
			return m;
	}
	return 0;
}

static const struct fz_mapping *vdso_map(const struct stub *st)
{
	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		if (r->type == FZ_REC_MAPPING && m->kind == FZ_MAP_VDSO)
			return m;
	}
	return 0;
}

/* Bytes the host's vdso image spans, read from its own ELF headers. */
static uint64_t host_vdso_size(uint64_t base)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	uint64_t end = eh->e_shoff + (uint64_t)eh->e_shnum * eh->e_shentsize;

	return (end + FZ_PAGE_SIZE - 1) & ~(FZ_PAGE_SIZE - 1);
}

static int refuse(struct vdso_plan *p, const char *what)
{
	format(p->why, sizeof(p->why), "%s", what);
	return -1;
}

/* ---------------------------------------------------- the same build */

/* 0, or -1 when the block does not fit the stub's scratch range. */
static int plan_move(const struct stub *st, struct vdso_plan *p)
{
	uint64_t span = 0, first = 0;

	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		if (r->type != FZ_REC_MAPPING || !is_kernel_map(m))
			continue;
		if (!first)
			first = m->start;
		span = m->end - first;
	}
	if (span > st->params->scratch_size)
		return -1;
	p->mode = VDSO_MOVE;
	return 0;
}

/* ------------------------------------------------------ another build */

/*
 * Where the host's block starts: vvar pages are raw kernel pages
 * (VM_PFNMAP), which MADV_COLD refuses with EINVAL, while it accepts the
 * vdso's own pages and anything else. No /proc needed. 0 when the kernel
 * cannot tell them apart this way (before 5.4).
 */
static uint64_t host_block_start(uint64_t vdso)
{
	uint64_t p = vdso;

	if (sys_madvise(vdso, FZ_PAGE_SIZE, MADV_COLD) != 0)
		return 0;
	for (int n = 0; n < MAX_VVAR_PAGES; n++, p -= FZ_PAGE_SIZE)
		if (sys_madvise(p - FZ_PAGE_SIZE, FZ_PAGE_SIZE, MADV_COLD) != -EINVAL)
			break;
	return p;
}

static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * How far below its top the stack may come to reach: as far as
 * RLIMIT_STACK lets it grow (within the bounds the kernel's own layout
 * keeps free for it), and the guard gap the kernel wants below it. A
 * mapping put there stops the stack growing: its next fault below, or the
 * signal frame built below a stack used to its end, is a SIGSEGV.
 */
static uint64_t stack_reach(const struct stub *st)
{
	uint64_t lim = st->rlimits ? st->rlimits[RLIMIT_STACK].cur : 0;

	if (lim < STACK_GAP_MIN)
		lim = STACK_GAP_MIN;
	if (lim > STACK_GAP_MAX)
		lim = STACK_GAP_MAX;
	return lim + STACK_GUARD_GAP;
}

/* The lowest address m claims: a stack claims the room it may grow into. */
static uint64_t claim_start(const struct stub *st, const struct fz_mapping *m)
{
	uint64_t reach;

	if (!(m->flags & FZ_MAPF_GROWSDOWN))
		return m->start;
	reach = stack_reach(st);
	if (m->end <= reach)
		return 0;
	return m->end - reach < m->start ? m->end - reach : m->start;
}

/* Is [start, start+len) free in the process's layout and outside the hole? */
static int range_free(const struct stub *st, uint64_t start, uint64_t len)
{
	if (start < LOW_LIMIT || start > ARCH_TASK_SIZE - len ||
	    overlaps(start, len, st->params->hole_start,
		     st->hole_end - st->params->hole_start))
		return 0;
	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		uint64_t claim;
		if (r->type != FZ_REC_MAPPING)
			continue;
		claim = claim_start(st, m);
		if (overlaps(start, len, claim, m->end - claim))
			return 0;
	}
	return 1;
}

/*
 * A free place for the host's block: beside the old one if possible, else
 * the highest free place just below a mapping (or below a stack's room).
 */
static uint64_t pick_dest(const struct stub *st, uint64_t len)
{
	const struct fz_mapping *first = first_kernel_map(st), *vdso = vdso_map(st);
	uint64_t best = 0;

	if (range_free(st, first->start - len, len))
		return first->start - len;
	if (range_free(st, vdso->end, len))
		return vdso->end;
	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		uint64_t claim;
		if (r->type != FZ_REC_MAPPING)
			continue;
		claim = claim_start(st, m);
		if (claim > len && claim - len > best &&
		    range_free(st, claim - len, len))
			best = claim - len;
	}
	return best;
}

/* Find the host's vdso and a place for it; on failure every call falls back. */
static void plan_host(const struct stub *st, struct vdso_plan *p)
{
	const char *why;
	uint64_t start, len;
	long ret;

	if (st->opt.vdso == VDSO_FORCE_SYSCALL) {
		format(p->host_why, sizeof(p->host_why), "--vdso=syscall");
		return;
	}
	if (!st->host_vdso) {
		format(p->host_why, sizeof(p->host_why), "this kernel maps no vdso");
		return;
	}
	len = host_vdso_size(st->host_vdso);
	if (vdso_elf_open(&p->host, (const void *)st->host_vdso, len, &why)) {
		format(p->host_why, sizeof(p->host_why), "this kernel's vdso: %s", why);
		return;
	}
	start = host_block_start(st->host_vdso);
	if (!start) {
		format(p->host_why, sizeof(p->host_why), "cannot find this "
		       "kernel's vvar pages (MADV_COLD, Linux 5.4)");
		return;
	}
	p->host_start = start;
	p->host_len = st->host_vdso + len - start;
	p->host_vdso_off = st->host_vdso - start;
	p->host_in_hole = overlaps(start, p->host_len, st->params->hole_start,
				   st->hole_end - st->params->hole_start);
	p->dest = pick_dest(st, p->host_len);
	if (!p->dest) {
		format(p->host_why, sizeof(p->host_why), "no free room for this "
		       "kernel's vdso in the process's address space");
		return;
	}
	/* With a vdso mapped the call says EEXIST; without support, EINVAL. */
	ret = arch_map_vdso(p->dest);
	if (ret != -EEXIST) {
		format(p->host_why, sizeof(p->host_why), "this kernel cannot map "
		       "its vdso elsewhere (ARCH_MAP_VDSO: %s)", errname(ret));
		p->dest = 0;
		return;
	}
	p->host_ok = 1;
}

static struct vdso_patch *patch_at(struct vdso_plan *p, uint64_t offset)
{
	for (unsigned i = 0; i < p->npatches; i++)
		if (p->patches[i].offset == offset)
			return &p->patches[i];
	return 0;
}

/* One patch per entry point; aliases (time, __vdso_time) share it. */
static int add_patch(struct vdso_plan *p, const char *name, uint64_t offset,
		     uint64_t size)
{
	struct vdso_patch *e = patch_at(p, offset);
	int64_t host = p->host_ok ? vdso_elf_find(&p->host, name) : -1;

	if (e) {
		if (e->host < 0 && host >= 0)
			e->host = host, e->name = name;
		return 0;
	}
	if (size < ARCH_VDSO_PATCH_MAX) {
		format(p->why, sizeof(p->why), "vdso function %s is %lu bytes, "
		       "too short to redirect", name, (unsigned long)size);
		return -1;
	}
	if (p->npatches == STUB_MAX_VDSO_PATCHES)
		return refuse(p, "the process's vdso exports too many functions");
	p->patches[p->npatches++] = (struct vdso_patch){ offset, host, name };
	return 0;
}

/* Old code would read the old vvar, which is gone: refuse such a thread. */
static int check_threads_outside(const struct stub *st, struct vdso_plan *p)
{
	for (unsigned i = 0; i < st->nthreads; i++) {
		uint64_t pc = arch_pc(&st->threads[i]->regs);
		if (pc >= p->old->start && pc < p->old->end) {
			format(p->why, sizeof(p->why), "thread %lu was frozen "
			       "inside the vdso (pc %lx), whose old code cannot "
			       "run redirected: freeze it again",
			       (unsigned long)st->threads[i]->tid, (unsigned long)pc);
			return -1;
		}
	}
	return 0;
}

static int plan_redirect(const struct stub *st, struct vdso_plan *p)
{
	const char *why;
	struct vdso_elf old;

	p->mode = VDSO_REDIRECT;
	if (p->old_len > p->old->end - p->old->start)
		return refuse(p, "the recorded vdso is larger than its mapping");
	if (vdso_elf_open(&old, p->old_bytes, p->old_len, &why)) {
		format(p->why, sizeof(p->why), "the process's vdso: %s", why);
		return -1;
	}
	if (check_threads_outside(st, p))
		return -1;
	plan_host(st, p);
	for (uint32_t i = 0; i < old.nsyms; i++) {
		const char *name;
		uint64_t off, size;
		if (!vdso_elf_func(&old, i, &name, &off, &size) &&
		    add_patch(p, name, off, size))
			return -1;
	}
	return 0;
}

int plan_vdso(struct stub *st)
{
	struct vdso_plan *p = &st->vdso;

	p->old_bytes = image_find(&st->img, FZ_REC_VDSO, &p->old_len);
	p->old = vdso_map(st);
	p->first = first_kernel_map(st);
	if (!p->old_bytes || !p->old)
		return 0;       /* VDSO_NONE: the process had none */
	if (st->opt.vdso == VDSO_AUTO && st->host_vdso &&
	    host_vdso_size(st->host_vdso) == p->old_len &&
	    !memcmp(p->old_bytes, (const void *)st->host_vdso, p->old_len) &&
	    !plan_move(st, p))
		return 0;
	return plan_redirect(st, p);
}

/* How many entry points fall back to system calls; names them to fn. */
unsigned vdso_fallbacks(const struct stub *st, void (*fn)(const char *, void *),
			void *ctx)
{
	unsigned n = 0;

	for (unsigned i = 0; i < st->vdso.npatches; i++) {
		if (st->vdso.patches[i].host >= 0)
			continue;
		n++;
		if (fn)
			fn(st->vdso.patches[i].name, ctx);
	}
	return n;
}

