/*
 * sparse: a 1 TiB private reservation (argv[2] GiB, default 1024) with 16
 * pages written, spread over it. After resume: the pages hold their
 * markers and an untouched page reads zero. The runner checks that the
 * image holds only the touched pages.
 */
#include "target.h"
#include <sys/mman.h>

#define PAGE 4096UL
#define TOUCHED 16

int main(int argc, char **argv)
{
	unsigned long gib = argc > 2 ? strtoul(argv[2], NULL, 10) : 1024;
	unsigned long size = gib << 30, step = size / TOUCHED;
	char *region;

	target_init();
	region = mmap(NULL, size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (region == MAP_FAILED)
		target_die("mmap of the reservation");
	for (unsigned long i = 0; i < TOUCHED; i++)
		*(unsigned long *)(region + i * step) = i * 31 + 7;
	target_ready();
	target_wait();

	for (unsigned long i = 0; i < TOUCHED; i++)
		target_check(*(unsigned long *)(region + i * step) == i * 31 + 7,
			     "page at +%lu lost its marker", i * step);
	target_check(*(unsigned long *)(region + step / 2) == 0,
		     "an untouched page is not zero");
	return target_finish();
}
