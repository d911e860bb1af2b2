/*
 * The x86_64 rt_sigframe the stub hands to rt_sigreturn, which restores in
 * one step every general register, rflags, the FPU/SSE/AVX state, the blocked
 * signal mask and the alternate signal stack.
 *
 * rt_sigreturn reads the frame at rsp - 8 (a handler's `ret` has popped
 * pretcode by then), so the stack pointer we return is frame + 8.
 */
#include <stddef.h>

#include "arch.h"

struct x86_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;                 /* 64-byte aligned XSAVE area */
	uint64_t reserved1[8];
};
_Static_assert(sizeof(struct x86_sigcontext) == 256, "sigcontext size");

struct x86_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t ss_pad;
	uint64_t ss_size;
	struct x86_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};
_Static_assert(offsetof(struct x86_ucontext, uc_mcontext) == 40, "ucontext");

struct x86_rt_sigframe {
	uint64_t pretcode;
	struct x86_ucontext uc;
	uint8_t info[128];
};

#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
#define USER_CS 0x33
#define USER_DS 0x2b
#define SS_ONSTACK 1

/* The software-reserved words of the FXSAVE area that describe XSAVE. */
#define FX_SW_OFFSET 464
#define XSTATE_BV_OFFSET 512
#define FP_XSTATE_MAGIC1 0x46505853U
#define FP_XSTATE_MAGIC2 0x46505845U
#define LEGACY_XSAVE_SIZE 576          /* FXSAVE area + XSAVE header */
#define XFEATURE_AMX_TILEDATA 18       /* dynamic: not in the default frame */

struct fx_sw_bytes {
	uint32_t magic1, extended_size;
	uint64_t xfeatures;
	uint32_t xstate_size;
	uint32_t padding[7];
};

/* Which general register of fz_regs goes to which sigcontext slot. */
#define R(name) { offsetof(struct x86_sigcontext, name), offsetof(struct fz_regs, name) }
static const struct { uint16_t sc, regs; } gp_map[] = {
	R(r8),  R(r9),  R(r10), R(r11), R(r12), R(r13), R(r14), R(r15),
	R(rdi), R(rsi), R(rbp), R(rbx), R(rdx), R(rax), R(rcx), R(rsp),
	R(rip), R(eflags),
};
#undef R

static void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/*
 * The size of the host kernel's user XSAVE frame: the end of the last
 * enabled component, leaving out AMX tile data, which a process only has
 * after asking for it.
 */
static uint32_t host_xstate_size(uint64_t xcr0)
{
	uint32_t size = LEGACY_XSAVE_SIZE;

	for (unsigned i = 2; i < 63; i++) {
		uint32_t r[4];
		if (!(xcr0 & (1ULL << i)) || i == XFEATURE_AMX_TILEDATA)
			continue;
		cpuid_count(0xd, i, r);
		if (r[1] + r[0] > size)
			size = r[1] + r[0];
	}
	return size;
}

/*
 * Copy component i from the recorded area to the host's place for it.
 * Its bit of XSTATE_BV stays set only if it was copied whole: a component
 * the recording CPU lacked, or that does not fit, starts in its initial
 * state instead.
 */
static int put_component(uint8_t *area, uint32_t size,
			 const struct arch_frame_args *a, unsigned i)
{
	uint32_t r[4], src_off, src_size, len;

	cpuid_count(0xd, i, r);
	src_off = r[1], src_size = r[0];
	if (a->layout) {
		if (i >= FZ_XSAVE_COMPONENTS)
			return 0;
		src_off = a->layout->offset[i], src_size = a->layout->size[i];
	}
	len = src_size < r[0] ? src_size : r[0];
	if (!len || src_off < LEGACY_XSAVE_SIZE || src_off > a->xstate_len ||
	    len > a->xstate_len - src_off || r[1] < LEGACY_XSAVE_SIZE ||
	    r[1] > size || len > size - r[1])
		return 0;
	__builtin_memcpy(area + r[1], (const uint8_t *)a->xstate + src_off, len);
	return 1;
}

static void put_xstate(uint8_t *area, const struct arch_frame_args *a,
		       uint32_t size)
{
	uint64_t xfeatures = a->host->xcr0 & ~(1ULL << XFEATURE_AMX_TILEDATA);
	size_t n = a->xstate_len < LEGACY_XSAVE_SIZE ? a->xstate_len : LEGACY_XSAVE_SIZE;
	struct fx_sw_bytes sw = {
		.magic1 = FP_XSTATE_MAGIC1,
		.extended_size = size + sizeof(uint32_t),
		.xfeatures = xfeatures,
		.xstate_size = size,
	};
	uint32_t magic2 = FP_XSTATE_MAGIC2;
	uint64_t bv = 0;

	__builtin_memset(area, 0, size);
	/* The legacy area and the header: the same on every CPU. */
	__builtin_memcpy(area, a->xstate, n);
	if (n == LEGACY_XSAVE_SIZE)
		__builtin_memcpy(&bv, area + XSTATE_BV_OFFSET, sizeof(bv));
	bv &= xfeatures;
	for (unsigned i = 2; i < 64; i++)
		if ((bv & (1ULL << i)) && !put_component(area, size, a, i))
			bv &= ~(1ULL << i);
	__builtin_memcpy(area + FX_SW_OFFSET, &sw, sizeof(sw));
	__builtin_memcpy(area + XSTATE_BV_OFFSET, &bv, sizeof(bv));
	/* xcomp_bv = 0 (the standard format signals use), the rest reserved. */
	__builtin_memset(area + XSTATE_BV_OFFSET + 8, 0,
			 LEGACY_XSAVE_SIZE - XSTATE_BV_OFFSET - 8);
	__builtin_memcpy(area + size, &magic2, sizeof(magic2));
}

/* Where the frame and its XSAVE area go: below frame_top, aligned. */
static uint64_t frame_at(const struct arch_frame_args *a, uint32_t xsize,
			 uint64_t *xarea)
{
	*xarea = (a->frame_top - xsize - sizeof(uint32_t)) & ~63ULL;
	return (*xarea - sizeof(struct x86_rt_sigframe)) & ~15ULL;
}

uint64_t arch_sigframe_room(const struct fz_cpu *host)
{
	/* The XSAVE area and its magic, the frame, and both alignments. */
	return host_xstate_size(host->xcr0) + sizeof(uint32_t) + 63 +
	       sizeof(struct x86_rt_sigframe) + 15;
}

uint64_t arch_build_sigframe(const struct arch_frame_args *a)
{
	uint32_t xsize = host_xstate_size(a->host->xcr0);
	uint64_t xarea;
	uint64_t at = frame_at(a, xsize, &xarea);
	struct x86_rt_sigframe *f = (struct x86_rt_sigframe *)at;
	struct x86_sigcontext *sc = &f->uc.uc_mcontext;

	__builtin_memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < sizeof(gp_map) / sizeof(gp_map[0]); i++)
		__builtin_memcpy((char *)sc + gp_map[i].sc,
				 (const char *)a->regs + gp_map[i].regs, 8);
	sc->cs = USER_CS;
	sc->ss = USER_DS;
	sc->fpstate = xarea;
	put_xstate((uint8_t *)xarea, a, xsize);

	f->uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f->uc.ss_sp = a->altstack_sp;
	f->uc.ss_flags = (int32_t)(a->altstack_flags & ~SS_ONSTACK);
	f->uc.ss_size = a->altstack_size;
	f->uc.uc_sigmask = a->sigmask;
	return at + sizeof(f->pretcode);
}
