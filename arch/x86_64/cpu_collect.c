/* Read this host's CPU feature words (CPUID, XCR0); used by freeze and stub. */
#include "arch.h"

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

void arch_cpu_collect(struct fz_cpu *cpu)
{
	uint32_t r[4];
	uint32_t max, max_ext;

	*cpu = (struct fz_cpu){ 0 };
	cpuid(0, 0, r);
	max = r[0];
	cpuid(1, 0, r);
	cpu->leaf1_ecx = r[2];
	cpu->leaf1_edx = r[3];
	if (max >= 7) {
		cpuid(7, 0, r);
		cpu->leaf7_ebx = r[1];
		cpu->leaf7_ecx = r[2];
		cpu->leaf7_edx = r[3];
		cpuid(7, 1, r);
		cpu->leaf7_1_eax = r[0];
		cpu->leaf7_1_edx = r[3];
	}
	cpuid(0x80000000, 0, r);
	max_ext = r[0];
	if (max_ext >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		cpu->ext1_ecx = r[2];
		cpu->ext1_edx = r[3];
	}
	/* OSXSAVE (leaf 1 ecx bit 27): the OS enabled XSAVE and XGETBV. */
	if ((cpu->leaf1_ecx >> 27) & 1) {
		uint32_t lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		cpu->xcr0 = ((uint64_t)hi << 32) | lo;
		cpuid(0xd, 0, r);
		cpu->xsave_size = r[1];
		cpuid(0xd, 1, r);
		cpu->leafd_1_eax = r[0];
	}
}

void arch_xsave_layout(uint64_t xcr0, struct fz_xsave_layout *layout)
{
	*layout = (struct fz_xsave_layout){ 0 };
	for (unsigned i = 2; i < FZ_XSAVE_COMPONENTS; i++) {
		uint32_t r[4];
		if (!(xcr0 & (1ULL << i)))
			continue;
		cpuid(0xd, i, r);
		layout->offset[i] = r[1];
		layout->size[i] = r[0];
	}
}
