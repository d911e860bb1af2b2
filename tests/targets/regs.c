/*
 * regs: register state across the freeze.  One asm block loads known
 * patterns into ymm0-ymm15 (both halves), eleven general registers the
 * syscall instruction preserves (rbx rdx rsi rdi r8 r9 r10 r12-r15) and two
 * x87 stack slots, then sits in a raw pause() system call until SIGUSR1 has
 * been handled, and stores them all back.  Around it: the rounding mode
 * (FE_UPWARD, both x87 and SSE), the x87 precision control, MXCSR's FTZ and
 * DAZ bits, and a TLS variable (fs_base).
 */
#include "target.h"
#include <fenv.h>
#include <stdint.h>
#include <sys/syscall.h>

enum { NYMM = 16, YMM_BYTES = 32, NGPR = 11 };

static const char *const gpr_name[NGPR] = {
	"rbx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r12", "r13", "r14", "r15",
};

static unsigned char ymm_in[NYMM][YMM_BYTES] __attribute__((aligned(32)));
static unsigned char ymm_out[NYMM][YMM_BYTES] __attribute__((aligned(32)));
static uint64_t gpr_in[NGPR], gpr_out[NGPR];
static double x87_in[2] = { 3.25, -1e300 }, x87_out[2];
static __thread uint64_t tls_word;

#define X87_PC_MASK 0x0300u
#define X87_PC_DOUBLE 0x0200u
#define MXCSR_FTZ 0x8000u
#define MXCSR_DAZ 0x0040u

static uint16_t get_x87_cw(void)
{
	uint16_t cw;

	__asm__ volatile("fnstcw %0" : "=m"(cw));
	return cw;
}

static void set_x87_cw(uint16_t cw)
{
	__asm__ volatile("fldcw %0" : : "m"(cw));
}

static uint32_t get_mxcsr(void)
{
	uint32_t v;

	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}

static void set_mxcsr(uint32_t v)
{
	__asm__ volatile("ldmxcsr %0" : : "m"(v));
}

/* Load the patterns, pause() until SIGUSR1 was handled, store them back. */
static void hold_registers(void)
{
	__asm__ volatile(
		"vmovdqu 0+%[yin], %%ymm0\n\t"
		"vmovdqu 32+%[yin], %%ymm1\n\t"
		"vmovdqu 64+%[yin], %%ymm2\n\t"
		"vmovdqu 96+%[yin], %%ymm3\n\t"
		"vmovdqu 128+%[yin], %%ymm4\n\t"
		"vmovdqu 160+%[yin], %%ymm5\n\t"
		"vmovdqu 192+%[yin], %%ymm6\n\t"
		"vmovdqu 224+%[yin], %%ymm7\n\t"
		"vmovdqu 256+%[yin], %%ymm8\n\t"
		"vmovdqu 288+%[yin], %%ymm9\n\t"
		"vmovdqu 320+%[yin], %%ymm10\n\t"
		"vmovdqu 352+%[yin], %%ymm11\n\t"
		"vmovdqu 384+%[yin], %%ymm12\n\t"
		"vmovdqu 416+%[yin], %%ymm13\n\t"
		"vmovdqu 448+%[yin], %%ymm14\n\t"
		"vmovdqu 480+%[yin], %%ymm15\n\t"
		"mov 0+%[gin], %%rbx\n\t"
		"mov 8+%[gin], %%rdx\n\t"
		"mov 16+%[gin], %%rsi\n\t"
		"mov 24+%[gin], %%rdi\n\t"
		"mov 32+%[gin], %%r8\n\t"
		"mov 40+%[gin], %%r9\n\t"
		"mov 48+%[gin], %%r10\n\t"
		"mov 56+%[gin], %%r12\n\t"
		"mov 64+%[gin], %%r13\n\t"
		"mov 72+%[gin], %%r14\n\t"
		"mov 80+%[gin], %%r15\n\t"
		"fldl 8+%[xin]\n\t"
		"fldl 0+%[xin]\n\t"
		"1:\n\t"
		"mov %[nr], %%eax\n\t"
		"syscall\n\t"		/* clobbers rax, rcx, r11 only */
		"cmpl $0, %[flag]\n\t"
		"je 1b\n\t"
		"fstpl 0+%[xout]\n\t"
		"fstpl 8+%[xout]\n\t"
		"mov %%rbx, 0+%[gout]\n\t"
		"mov %%rdx, 8+%[gout]\n\t"
		"mov %%rsi, 16+%[gout]\n\t"
		"mov %%rdi, 24+%[gout]\n\t"
		"mov %%r8, 32+%[gout]\n\t"
		"mov %%r9, 40+%[gout]\n\t"
		"mov %%r10, 48+%[gout]\n\t"
		"mov %%r12, 56+%[gout]\n\t"
		"mov %%r13, 64+%[gout]\n\t"
		"mov %%r14, 72+%[gout]\n\t"
		"mov %%r15, 80+%[gout]\n\t"
		"vmovdqu %%ymm0, 0+%[yout]\n\t"
		"vmovdqu %%ymm1, 32+%[yout]\n\t"
		"vmovdqu %%ymm2, 64+%[yout]\n\t"
		"vmovdqu %%ymm3, 96+%[yout]\n\t"
		"vmovdqu %%ymm4, 128+%[yout]\n\t"
		"vmovdqu %%ymm5, 160+%[yout]\n\t"
		"vmovdqu %%ymm6, 192+%[yout]\n\t"
		"vmovdqu %%ymm7, 224+%[yout]\n\t"
		"vmovdqu %%ymm8, 256+%[yout]\n\t"
		"vmovdqu %%ymm9, 288+%[yout]\n\t"
		"vmovdqu %%ymm10, 320+%[yout]\n\t"
		"vmovdqu %%ymm11, 352+%[yout]\n\t"
		"vmovdqu %%ymm12, 384+%[yout]\n\t"
		"vmovdqu %%ymm13, 416+%[yout]\n\t"
		"vmovdqu %%ymm14, 448+%[yout]\n\t"
		"vmovdqu %%ymm15, 480+%[yout]\n\t"
		"vzeroupper\n\t"
		: [yout] "=m"(ymm_out), [gout] "=m"(gpr_out), [xout] "=m"(x87_out)
		: [yin] "m"(ymm_in), [gin] "m"(gpr_in), [xin] "m"(x87_in),
		  [flag] "m"(target_usr1), [nr] "i"(SYS_pause)
		: "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
		  "r13", "r14", "r15", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		  "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
		  "st", "st(1)", "memory", "cc");
}

static void make_patterns(void)
{
	for (int r = 0; r < NYMM; r++)
		for (int b = 0; b < YMM_BYTES; b++)
			ymm_in[r][b] = (unsigned char)(0x11 * r + 7 * b + (b >= 16 ? 0x80 : 1));
	for (int r = 0; r < NGPR; r++)
		gpr_in[r] = 0x0123456789abcdefULL * (uint64_t)(r + 1) ^ (0xa5ULL << (r * 4));
}

int main(void)
{
	volatile double one = 1.0, three = 3.0;
	volatile long double lone = 1.0L, lthree = 3.0L;
	double nearest = one / three, up;
	long double lup;
	uint16_t cw;
	uint32_t mxcsr;
	sigset_t usr1;

	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx"))
		target_skip("the CPU has no AVX: the ymm test needs it");
	target_init();
	make_patterns();
	tls_word = 0x1122334455667788ULL;
	if (fesetround(FE_UPWARD))
		target_die("fesetround");
	set_x87_cw((get_x87_cw() & ~X87_PC_MASK) | X87_PC_DOUBLE);
	set_mxcsr(get_mxcsr() | MXCSR_FTZ | MXCSR_DAZ);
	cw = get_x87_cw();
	mxcsr = get_mxcsr();
	up = one / three;
	lup = lone / lthree;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	target_ready();
	hold_registers();

	for (int r = 0; r < NYMM; r++)
		target_check(!memcmp(ymm_in[r], ymm_out[r], YMM_BYTES), "ymm%d changed%s", r,
			     memcmp(ymm_in[r], ymm_out[r], 16) ? "" : " (upper half)");
	for (int r = 0; r < NGPR; r++)
		target_check(gpr_in[r] == gpr_out[r], "%s changed: %#llx, was %#llx", gpr_name[r],
			     (unsigned long long)gpr_out[r], (unsigned long long)gpr_in[r]);
	target_check(!memcmp(x87_in, x87_out, sizeof(x87_in)), "x87 stack changed");
	target_check(tls_word == 0x1122334455667788ULL, "TLS variable changed (fs_base?)");
	target_check(get_x87_cw() == cw, "x87 control word %#x, was %#x", get_x87_cw(), cw);
	target_check(get_mxcsr() == mxcsr, "MXCSR %#x, was %#x", get_mxcsr(), mxcsr);
	target_check(fegetround() == FE_UPWARD, "rounding mode is no longer FE_UPWARD");
	target_check(one / three == up && up != nearest, "SSE division no longer rounds up");
	target_check(lone / lthree == lup, "x87 division rounds differently");
	return target_finish();
}
