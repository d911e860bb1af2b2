/*
 * bulkmem: memory the stub fills in bulk, and memory a forked copy would
 * not hold.
 *   dense      24 MiB, every page filled with a pattern: restored on huge
 *              pages by several fill threads; contents checked.
 *   nohuge     4 MiB filled, madvise(MADV_NOHUGEPAGE): the advice is kept
 *              ("nh" in smaps) and the contents.
 *   dontfork   8 pages filled, MADV_DONTFORK: a freeze that leaves the
 *   wipefork   process running cannot read these from a forked copy (it
 *              lacks the first and sees zeros in the second), so it must
 *              read them from the process itself. Contents checked.
 */
#include "target.h"
#include <stdint.h>
#include <sys/mman.h>

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

enum { DENSE_MIB = 24, NOHUGE_MIB = 4, FORK_PAGES = 8 };

static size_t page;

static unsigned char *filled(size_t len, unsigned seed, int advice)
{
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		target_die("mmap");
	if (advice >= 0 && madvise(p, len, advice))
		target_die("madvise");
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * seed + (i >> 12));
	return p;
}

static size_t count_bad(const unsigned char *p, size_t len, unsigned seed)
{
	size_t bad = 0;

	for (size_t i = 0; i < len; i++)
		bad += p[i] != (unsigned char)(i * seed + (i >> 12));
	return bad;
}

/* Does the smaps entry of the mapping at p list this VmFlags flag? */
static int has_vmflag(const void *p, const char *flag)
{
	char line[512], want[32];
	int in = 0, found = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), " %s", flag);
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 && strchr(line, ' ') &&
		    line[strspn(line, "0123456789abcdef")] == '-')
			in = (uintptr_t)p >= start && (uintptr_t)p < end;
		else if (in && !strncmp(line, "VmFlags:", 8))
			found = strstr(line, want) != NULL;
	}
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	unsigned char *dense, *nohuge, *dontfork, *wipefork;

	(void)argc, (void)argv;
	target_init();
	page = (size_t)sysconf(_SC_PAGESIZE);
	dense = filled((size_t)DENSE_MIB << 20, 7, -1);
	nohuge = filled((size_t)NOHUGE_MIB << 20, 11, MADV_NOHUGEPAGE);
	dontfork = filled(FORK_PAGES * page, 13, MADV_DONTFORK);
	wipefork = filled(FORK_PAGES * page, 17, MADV_WIPEONFORK);
	target_ready();
	target_wait();

	target_check(count_bad(dense, (size_t)DENSE_MIB << 20, 7) == 0, "dense changed");
	target_check(count_bad(nohuge, (size_t)NOHUGE_MIB << 20, 11) == 0, "nohuge changed");
	target_check(count_bad(dontfork, FORK_PAGES * page, 13) == 0, "dontfork changed");
	target_check(count_bad(wipefork, FORK_PAGES * page, 17) == 0, "wipefork changed");
	target_check(has_vmflag(nohuge, "nh") == 1, "nohuge lost MADV_NOHUGEPAGE");
	target_check(has_vmflag(dontfork, "dc") == 1, "dontfork lost MADV_DONTFORK");
	target_check(has_vmflag(wipefork, "wf") == 1, "wipefork lost MADV_WIPEONFORK");
	return target_finish();
}
