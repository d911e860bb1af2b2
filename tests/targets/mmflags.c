/*
 * mmflags: what madvise, mlock and mseal set on single mappings, and guard
 * regions. After the resume, /proc/self/smaps must list the same VmFlags
 * and each region behaves as before:
 *   dontdump  MADV_DONTDUMP ("dd")
 *   merge     MADV_MERGEABLE ("mg", KSM)
 *   locked    mlock ("lo")
 *   onfault   mlock2(MLOCK_ONFAULT) ("lo lf"), one page of four touched:
 *             the other three must still not be resident
 *   sealed    mseal ("sl"): munmap and mprotect must still fail (EPERM)
 *   guarded   8 pages, MADV_GUARD_INSTALL on pages 3-4: touching them must
 *             fault (SIGSEGV), the pages around them keep their bytes
 * Every region holds a pattern that must come back.
 */
#include "target.h"
#include <setjmp.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef SYS_mseal
#define SYS_mseal 462
#endif

enum { PAGE = 4096, GUARDED_PAGES = 8, GUARD_FIRST = 3, GUARD_PAGES = 2 };

static sigjmp_buf fault_jmp;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(fault_jmp, 1);
}

static unsigned char *region(size_t pages, unsigned seed, int fill)
{
	unsigned char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		target_die("mmap");
	for (size_t i = 0; fill && i < pages * PAGE; i++)
		p[i] = (unsigned char)(i * seed + (i >> 12));
	return p;
}

static size_t count_bad(const unsigned char *p, size_t from, size_t to, unsigned seed)
{
	size_t bad = 0;

	for (size_t i = from; i < to; i++)
		bad += p[i] != (unsigned char)(i * seed + (i >> 12));
	return bad;
}

/* The VmFlags of the mapping holding p, as one string. */
static void vmflags(const void *p, char *out, size_t cap)
{
	char line[512];
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	snprintf(out, cap, "(no smaps)");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		if (line[strspn(line, "0123456789abcdef")] == '-' &&
		    sscanf(line, "%lx-%lx ", &start, &end) == 2)
			in = (uintptr_t)p >= start && (uintptr_t)p < end;
		else if (in && !strncmp(line, "VmFlags:", 8))
			snprintf(out, cap, "%s", line + 8);
	}
	if (f)
		fclose(f);
	out[strcspn(out, "\n")] = 0;
}

static int has(const char *flags, const char *flag)
{
	char padded[600], want[8];

	snprintf(padded, sizeof(padded), " %s ", flags);
	snprintf(want, sizeof(want), " %s ", flag);
	return strstr(padded, want) != NULL;
}

static void check_flags(const char *name, const void *p, const char *want, const char *unwanted)
{
	char flags[512], w[64], *tok, *save;

	vmflags(p, flags, sizeof(flags));
	snprintf(w, sizeof(w), "%s", want);
	for (tok = strtok_r(w, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		target_check(has(flags, tok), "%s lost VmFlag %s (VmFlags:%s)", name, tok, flags);
	snprintf(w, sizeof(w), "%s", unwanted);
	for (tok = strtok_r(w, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		target_check(!has(flags, tok), "%s gained VmFlag %s (VmFlags:%s)", name, tok,
			     flags);
}

/* Does reading the byte at p fault? */
static int faults(const volatile unsigned char *p)
{
	if (sigsetjmp(fault_jmp, 1))
		return 1;
	(void)*p;
	return 0;
}

static void check_guarded(const unsigned char *g)
{
	struct sigaction sa = { .sa_handler = on_segv }, old;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old);
	for (int i = 0; i < GUARDED_PAGES; i++) {
		int guard = i >= GUARD_FIRST && i < GUARD_FIRST + GUARD_PAGES;
		int f = faults(g + (size_t)i * PAGE + 17);
		target_check(f == guard, "guarded page %d %s", i,
			     guard ? "does not fault: its guard is gone" : "faults");
		if (!guard && !f)
			target_check(count_bad(g, (size_t)i * PAGE, (size_t)(i + 1) * PAGE, 29) == 0,
				     "guarded page %d changed", i);
	}
	sigaction(SIGSEGV, &old, NULL);
}

int main(void)
{
	unsigned char *dontdump, *merge, *locked, *onfault, *sealed, *guarded;
	unsigned char resident[4];

	target_init();
	dontdump = region(4, 3, 1);
	merge = region(4, 5, 1);
	locked = region(2, 7, 1);
	onfault = region(4, 11, 0);
	sealed = region(4, 13, 1);
	guarded = region(GUARDED_PAGES, 29, 1);
	if (madvise(dontdump, 4 * PAGE, MADV_DONTDUMP))
		target_die("madvise(MADV_DONTDUMP)");
	if (madvise(merge, 4 * PAGE, MADV_MERGEABLE))
		target_skip("madvise(MADV_MERGEABLE) failed: no KSM in this kernel");
	if (mlock(locked, 2 * PAGE))
		target_die("mlock");
	if (syscall(SYS_mlock2, onfault, 4 * PAGE, MLOCK_ONFAULT))
		target_die("mlock2(MLOCK_ONFAULT)");
	memset(onfault, 11, PAGE);
	if (madvise(guarded + GUARD_FIRST * PAGE, GUARD_PAGES * PAGE, MADV_GUARD_INSTALL))
		target_skip("madvise(MADV_GUARD_INSTALL) failed: this kernel has no guard "
			    "regions (6.13+)");
	if (syscall(SYS_mseal, sealed, 4 * PAGE, 0))
		target_skip("mseal failed: this kernel cannot seal memory (6.10+)");
	target_ready();
	target_wait();

	check_flags("dontdump", dontdump, "dd", "lo");
	check_flags("merge", merge, "mg", "");
	check_flags("locked", locked, "lo", "lf");
	check_flags("onfault", onfault, "lo lf", "");
	check_flags("sealed", sealed, "sl", "");
	target_check(count_bad(dontdump, 0, 4 * PAGE, 3) == 0, "dontdump changed");
	target_check(count_bad(merge, 0, 4 * PAGE, 5) == 0, "merge changed");
	target_check(count_bad(locked, 0, 2 * PAGE, 7) == 0, "locked changed");
	target_check(count_bad(sealed, 0, 4 * PAGE, 13) == 0, "sealed changed");
	target_check(onfault[0] == 11 && onfault[PAGE - 1] == 11, "onfault's page 0 changed");
	if (mincore(onfault, 4 * PAGE, resident))
		target_check(0, "mincore: %s", strerror(errno));
	else
		target_check(!(resident[1] & 1) && !(resident[3] & 1),
			     "onfault's untouched pages are resident: locked, not on fault");
	errno = 0;
	target_check(munmap(sealed, PAGE) && errno == EPERM, "munmap of sealed memory: %s",
		     errno ? strerror(errno) : "it worked");
	errno = 0;
	target_check(mprotect(sealed, PAGE, PROT_READ) && errno == EPERM,
		     "mprotect of sealed memory: %s", errno ? strerror(errno) : "it worked");
	check_guarded(guarded);
	return target_finish();
}
