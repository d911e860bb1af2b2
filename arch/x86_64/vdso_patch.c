/*
 * x86_64 code the stub writes over the entry points of the process's old
 * vdso when the host kernel's vdso is another build: a jump into the
 * host's vdso, or the system call the function stands for.
 *
 * vdso functions take at most three arguments, in rdi, rsi and rdx, the
 * registers the system call takes them in too; rax, rcx and r11 are free
 * to clobber at a function's entry.
 */
#include <asm/unistd.h>

#include "arch.h"

#define ARCH_MAP_VDSO_64 0x2003
#define ENOSYS 38
#define VDSO_PREFIX "__vdso_"

static const struct {
	const char *name;
	long nr;
} syscalls[] = {
	{ "clock_gettime", __NR_clock_gettime },
	{ "gettimeofday", __NR_gettimeofday },
	{ "time", __NR_time },
	{ "getcpu", __NR_getcpu },
	{ "clock_getres", __NR_clock_getres },
	/* The vdso's takes two more arguments (its state): the call ignores them. */
	{ "getrandom", __NR_getrandom },
};

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

long arch_vdso_syscall_nr(const char *name)
{
	const char *p = VDSO_PREFIX;
	const char *n = name;

	while (*p && *n == *p)
		p++, n++;
	if (*p)
		n = name;
	for (unsigned i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (same(n, syscalls[i].name))
			return syscalls[i].nr;
	return -1;
}

/* jmp *0(%rip), then the 8-byte target: no register is touched. */
unsigned arch_vdso_jump(uint8_t *at, uint64_t target)
{
	static const uint8_t jmp[6] = { 0xff, 0x25, 0, 0, 0, 0 };

	__builtin_memcpy(at, jmp, sizeof(jmp));
	__builtin_memcpy(at + sizeof(jmp), &target, sizeof(target));
	return sizeof(jmp) + sizeof(target);
}

/* mov $nr, %eax; syscall; ret -- or mov $-ENOSYS, %rax; ret. */
unsigned arch_vdso_fallback(uint8_t *at, const char *name)
{
	long nr = arch_vdso_syscall_nr(name);
	int32_t imm = nr >= 0 ? (int32_t)nr : -ENOSYS;

	if (nr >= 0) {
		at[0] = 0xb8;
		__builtin_memcpy(at + 1, &imm, 4);
		at[5] = 0x0f, at[6] = 0x05, at[7] = 0xc3;
		return 8;
	}
	at[0] = 0x48, at[1] = 0xc7, at[2] = 0xc0;
	__builtin_memcpy(at + 3, &imm, 4);
	at[7] = 0xc3;
	return 8;
}

/* A fresh vvar+vdso block, vvar first, at addr (needs CONFIG_CHECKPOINT_RESTORE). */
long arch_map_vdso(uint64_t addr)
{
	return arch_syscall6(__NR_arch_prctl, ARCH_MAP_VDSO_64, (long)addr, 0,
			     0, 0, 0);
}
