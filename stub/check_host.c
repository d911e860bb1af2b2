/*
 * Can this host run the image? Checked before the point of no return:
 * the CPU must have every feature the process could have started to use, and
 * the kernel's vdso must be the build the process knew.
 */
#include <linux/elf.h>

#include "lib.h"
#include "print.h"
#include "stub.h"

static void say_missing(const char *name, void *ctx)
{
	unsigned *n = ctx;

	out(2, "%s%s", (*n)++ ? " " : "freeze: this CPU lacks features the process may use: ", name);
}

static void check_cpu(const struct stub *st)
{
	unsigned n = 0;

	if (!st->cpu)
		return;
	arch_cpu_missing(&st->host, st->cpu, say_missing, &n);
	if (n) {
		out(2, "\n");
		die("refusing to resume on this host");
	}
}

/* Bytes the host's vdso image spans, read from its own ELF headers. */
static uint64_t host_vdso_size(uint64_t base)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	uint64_t end = eh->e_shoff + (uint64_t)eh->e_shnum * eh->e_shentsize;

	return (end + FZ_PAGE_SIZE - 1) & ~(FZ_PAGE_SIZE - 1);
}

static void check_vdso(const struct stub *st)
{
	uint32_t len;
	const uint8_t *old = image_find(&st->img, FZ_REC_VDSO, &len);
	uint64_t span = 0, first = 0;

	if (!old)
		return;
	if (!st->host_vdso)
		die("this kernel maps no vdso; the process needs one");
	if (host_vdso_size(st->host_vdso) != len ||
	    memcmp(old, (const void *)st->host_vdso, len))
		die("this kernel's vdso differs from the one the process was "
		    "frozen with (a different kernel build); not supported yet");
	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		if (r->type != FZ_REC_MAPPING ||
		    (m->kind != FZ_MAP_VDSO && m->kind != FZ_MAP_VVAR))
			continue;
		if (!first)
			first = m->start;
		span = m->end - first;
	}
	if (span > st->params->scratch_size)
		die("vdso and vvar span %lu bytes, more than the stub reserved",
		    (unsigned long)span);
}

void check_host(const struct stub *st)
{
	check_cpu(st);
	check_vdso(st);
	check_limits(st);
}
