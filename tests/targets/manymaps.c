/*
 * manymaps: N separate mappings (argv[2], default 60000): one region whose
 * pages alternate read-write and read-only, so no two neighbours merge.
 * Every 64th page holds a marker. After resume: the markers, and at least
 * N mappings in /proc/self/maps (when /proc is there).
 */
#include "target.h"
#include <fcntl.h>
#include <sys/mman.h>

#define PAGE 4096
#define MARK_EVERY 64

static long count_maps(void)
{
	char buf[65536];
	long lines = 0, n;
	int fd = open("/proc/self/maps", O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (long i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 60000, maps;
	char *region;

	target_init();
	region = mmap(NULL, (size_t)n * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		target_die("mmap");
	for (long i = 0; i < n; i += MARK_EVERY)
		*(long *)(region + i * PAGE) = i * 7 + 1;
	for (long i = 1; i < n; i += 2)
		if (mprotect(region + i * PAGE, PAGE, PROT_READ))
			target_die("mprotect");
	maps = count_maps();
	if (maps >= 0 && maps < n)
		target_die("the mappings merged");
	target_ready();
	target_wait();

	for (long i = 0; i < n; i += MARK_EVERY)
		target_check(*(long *)(region + i * PAGE) == i * 7 + 1,
			     "page %ld lost its marker", i);
	maps = count_maps();
	target_check(maps < 0 || maps >= n, "%ld mappings after resume, not %ld",
		     maps, n);
	return target_finish();
}
