/*
 * clocks: time keeps working after the resume, through the vDSO the libc
 * found at startup.  clock_gettime (REALTIME, MONOTONIC and others),
 * clock_getres, gettimeofday, time and sched_getcpu (musl asks the vDSO's
 * getcpu; glibc reads its rseq area) succeed; realtime is not before the value read
 * before the freeze; each libc clock read brackets a raw system call read
 * (a vDSO left reading stale data fails that); AT_SYSINFO_EHDR still points
 * at a mapped ELF image.
 */
#include "target.h"
#include <stdint.h>
#include <sched.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

enum { REPEAT = 1000 };

static const clockid_t other_clocks[] = {
	CLOCK_BOOTTIME, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
	CLOCK_MONOTONIC_COARSE, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_RAW,
};

static int64_t ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t libc_now(clockid_t clk)
{
	struct timespec t;

	return clock_gettime(clk, &t) ? -1 : ns(&t);
}

static int64_t syscall_now(clockid_t clk)
{
	struct timespec t;

	return syscall(SYS_clock_gettime, clk, &t) ? -1 : ns(&t);
}

/* libc (vDSO) reads before and after a system call read must bracket it. */
static void check_brackets(clockid_t clk, const char *name)
{
	int64_t a = libc_now(clk), b = syscall_now(clk), c = libc_now(clk);

	target_check(a >= 0 && a <= b && b <= c, "%s: libc %lld, syscall %lld, libc %lld", name,
		     (long long)a, (long long)b, (long long)c);
}

static void check_monotonic(void)
{
	int64_t last = libc_now(CLOCK_MONOTONIC), now;

	for (int i = 0; i < REPEAT; i++, last = now) {
		now = libc_now(CLOCK_MONOTONIC);
		if (now < last) {
			target_check(0, "CLOCK_MONOTONIC went back by %lld ns", (long long)(last - now));
			return;
		}
	}
}

/* Is the page at addr mapped?  (mincore: no /proc in an empty chroot) */
static int mapped(uintptr_t addr)
{
	unsigned char vec;

	return mincore((void *)addr, 1, &vec) == 0;
}

int main(void)
{
	struct timeval tv0, tv1;
	time_t t0, t1;
	int64_t rt0, rt1;
	uintptr_t vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);

	target_init();
	rt0 = libc_now(CLOCK_REALTIME);
	gettimeofday(&tv0, NULL);
	t0 = time(NULL);
	if (rt0 < 0)
		target_die("clock_gettime");
	target_ready();
	target_wait();

	rt1 = libc_now(CLOCK_REALTIME);
	target_check(rt1 >= rt0, "CLOCK_REALTIME %lld is before %lld", (long long)rt1,
		     (long long)rt0);
	target_check(!gettimeofday(&tv1, NULL) && timercmp(&tv1, &tv0, >=),
		     "gettimeofday went back");
	t1 = time(NULL);
	target_check(t1 >= t0, "time() went back: %lld < %lld", (long long)t1, (long long)t0);
	target_check(libc_now(CLOCK_MONOTONIC) >= 0, "CLOCK_MONOTONIC fails");
	for (size_t i = 0; i < sizeof(other_clocks) / sizeof(other_clocks[0]); i++)
		target_check(libc_now(other_clocks[i]) >= 0, "clock %d fails", (int)other_clocks[i]);
	{
		struct timespec res;
		target_check(!clock_getres(CLOCK_MONOTONIC, &res) && res.tv_nsec > 0,
			     "clock_getres(CLOCK_MONOTONIC) fails");
	}
	target_check(sched_getcpu() >= 0, "sched_getcpu fails");
	check_brackets(CLOCK_REALTIME, "CLOCK_REALTIME");
	check_brackets(CLOCK_MONOTONIC, "CLOCK_MONOTONIC");
	check_brackets(CLOCK_BOOTTIME, "CLOCK_BOOTTIME");
	check_monotonic();
	if (vdso) {
		target_check(mapped(vdso), "AT_SYSINFO_EHDR %#lx is not mapped", (unsigned long)vdso);
		target_check(!mapped(vdso) || !memcmp((void *)vdso, "\177ELF", 4),
			     "no ELF image at AT_SYSINFO_EHDR");
	}
	return target_finish();
}
