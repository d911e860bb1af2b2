/*
 * x86_64 CPU features a process may have started to use: which CPUID bits
 * and XSAVE components must exist on the host that resumes it. Stub side
 * (see sides.mk): it compares the image's with the host's, so no libc.
 */
#include <stddef.h>

#include "arch.h"

struct feature {
	const char *name;
	size_t word;          /* offsetof(struct fz_cpu, ...) of a 32-bit word */
	unsigned bit;
};

#define F(n, w, b) { n, offsetof(struct fz_cpu, w), b }
static const struct feature features[] = {
	F("sse3", leaf1_ecx, 0),      F("pclmulqdq", leaf1_ecx, 1),
	F("ssse3", leaf1_ecx, 9),     F("fma", leaf1_ecx, 12),
	F("cx16", leaf1_ecx, 13),     F("sse4_1", leaf1_ecx, 19),
	F("sse4_2", leaf1_ecx, 20),   F("movbe", leaf1_ecx, 22),
	F("popcnt", leaf1_ecx, 23),   F("aes", leaf1_ecx, 25),
	F("xsave", leaf1_ecx, 26),    F("avx", leaf1_ecx, 28),
	F("f16c", leaf1_ecx, 29),     F("rdrand", leaf1_ecx, 30),
	F("cmov", leaf1_edx, 15),     F("mmx", leaf1_edx, 23),
	F("sse", leaf1_edx, 25),      F("sse2", leaf1_edx, 26),
	F("fsgsbase", leaf7_ebx, 0),  F("bmi1", leaf7_ebx, 3),
	F("hle", leaf7_ebx, 4),       F("avx2", leaf7_ebx, 5),
	F("bmi2", leaf7_ebx, 8),      F("erms", leaf7_ebx, 9),
	F("rtm", leaf7_ebx, 11),      F("avx512f", leaf7_ebx, 16),
	F("avx512dq", leaf7_ebx, 17), F("rdseed", leaf7_ebx, 18),
	F("adx", leaf7_ebx, 19),      F("avx512ifma", leaf7_ebx, 21),
	F("clflushopt", leaf7_ebx, 23), F("clwb", leaf7_ebx, 24),
	F("avx512pf", leaf7_ebx, 26), F("avx512er", leaf7_ebx, 27),
	F("avx512cd", leaf7_ebx, 28), F("sha_ni", leaf7_ebx, 29),
	F("avx512bw", leaf7_ebx, 30), F("avx512vl", leaf7_ebx, 31),
	F("avx512vbmi", leaf7_ecx, 1), F("pku", leaf7_ecx, 3),
	F("waitpkg", leaf7_ecx, 5),
	F("avx512_vbmi2", leaf7_ecx, 6), F("gfni", leaf7_ecx, 8),
	F("vaes", leaf7_ecx, 9),      F("vpclmulqdq", leaf7_ecx, 10),
	F("avx512_vnni", leaf7_ecx, 11), F("avx512_bitalg", leaf7_ecx, 12),
	F("avx512_vpopcntdq", leaf7_ecx, 14), F("rdpid", leaf7_ecx, 22),
	F("movdiri", leaf7_ecx, 27),  F("movdir64b", leaf7_ecx, 28),
	F("avx512_4vnniw", leaf7_edx, 2), F("avx512_4fmaps", leaf7_edx, 3),
	F("fsrm", leaf7_edx, 4),      F("avx512_vp2intersect", leaf7_edx, 8),
	F("serialize", leaf7_edx, 14), F("amx_bf16", leaf7_edx, 22),
	F("avx512_fp16", leaf7_edx, 23), F("amx_tile", leaf7_edx, 24),
	F("amx_int8", leaf7_edx, 25), F("sha512", leaf7_1_eax, 0),
	F("sm3", leaf7_1_eax, 1),     F("sm4", leaf7_1_eax, 2),
	F("avx_vnni", leaf7_1_eax, 4), F("avx512_bf16", leaf7_1_eax, 5),
	F("cmpccxadd", leaf7_1_eax, 7), F("amx_fp16", leaf7_1_eax, 21),
	F("avx_ifma", leaf7_1_eax, 23), F("avx_vnni_int8", leaf7_1_edx, 4),
	F("avx_ne_convert", leaf7_1_edx, 5), F("amx_complex", leaf7_1_edx, 8),
	F("avx_vnni_int16", leaf7_1_edx, 10), F("avx10", leaf7_1_edx, 19),
	F("apx_f", leaf7_1_edx, 21),  F("xsaveopt", leafd_1_eax, 0),
	F("xsavec", leafd_1_eax, 1),  F("xgetbv1", leafd_1_eax, 2),
	F("lahf_lm", ext1_ecx, 0),    F("abm", ext1_ecx, 5),
	F("sse4a", ext1_ecx, 6),      F("prefetchw", ext1_ecx, 8),
	F("xop", ext1_ecx, 11),       F("fma4", ext1_ecx, 16),
	F("tbm", ext1_ecx, 21),       F("rdtscp", ext1_edx, 27),
};
#undef F

/* XSAVE components by bit number, as the kernel names them. */
static const char *const xstate_names[] = {
	"x87", "sse", "avx", "mpx_bndregs", "mpx_bndcsr", "avx512_opmask",
	"avx512_zmm_hi256", "avx512_hi16_zmm", "pt", "pkru", "pasid",
	"cet_user", "cet_supervisor", "hdc", "uintr", "lbr", "hwp",
	"amx_tilecfg", "amx_tiledata", "apx",
};
#define NXSTATE (sizeof(xstate_names) / sizeof(xstate_names[0]))

static unsigned word_bit(const struct fz_cpu *cpu, const struct feature *f)
{
	const uint32_t *w = (const uint32_t *)((const char *)cpu + f->word);
	return (*w >> f->bit) & 1;
}

int arch_cpu_missing(const struct fz_cpu *have, const struct fz_cpu *need,
		     arch_missing_fn report, void *ctx)
{
	int missing = 0;

	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		if (word_bit(need, &features[i]) && !word_bit(have, &features[i])) {
			report(features[i].name, ctx);
			missing++;
		}
	}
	for (unsigned b = 0; b < NXSTATE; b++) {
		uint64_t m = 1ULL << b;
		if ((need->xcr0 & m) && !(have->xcr0 & m)) {
			report(xstate_names[b] ? xstate_names[b] : "xstate", ctx);
			missing++;
		}
	}
	return missing;
}

void arch_cpu_describe(const struct fz_cpu *cpu, arch_missing_fn each,
		       void *ctx)
{
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (word_bit(cpu, &features[i]))
			each(features[i].name, ctx);
}

void arch_xstate_describe(uint64_t mask, arch_missing_fn each, void *ctx)
{
	for (unsigned b = 0; b < 64; b++)
		if (mask & (1ULL << b))
			each(b < NXSTATE && xstate_names[b] ? xstate_names[b] : "xstate", ctx);
}

/* XSTATE_BV: the components the XSAVE header says are not in their initial state. */
#define XSTATE_BV_OFFSET 512
uint64_t arch_xstate_in_use(const void *xstate, size_t len)
{
	uint64_t bv = 0;

	if (len >= XSTATE_BV_OFFSET + sizeof(bv))
		__builtin_memcpy(&bv, (const uint8_t *)xstate + XSTATE_BV_OFFSET, sizeof(bv));
	return bv;
}
