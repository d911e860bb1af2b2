/*
 * heap: small malloc'd blocks (from brk), big ones (> 128 KiB, which glibc
 * serves with mmap), a realloc'd block and a calloc'd one survive; after
 * the resume the kernel's program break is where it was, malloc keeps
 * working (many small blocks, so brk must grow) and brk can still be moved.
 */
#include "target.h"
#include <stdint.h>
#include <sys/syscall.h>

enum {
	NSMALL = 2000,
	NBIG = 3,
	NMANY = 50000,
	MANY_SIZE = 48,
	BRK_STEP = 64 << 10,
	CALLOC_SIZE = 64 << 10,
	REALLOC_SIZE = 300 << 10,
};

static const size_t big_size[NBIG] = { 200 << 10, 1 << 20, 8 << 20 };

static unsigned char pattern(size_t block, size_t i)
{
	return (unsigned char)(block * 131 + i * 7 + 1);
}

static void fill(unsigned char *p, size_t n, size_t block)
{
	for (size_t i = 0; i < n; i++)
		p[i] = pattern(block, i);
}

static int intact(const unsigned char *p, size_t n, size_t block)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern(block, i))
			return 0;
	return 1;
}

static size_t small_len(size_t i)
{
	return 16 + (i * 37) % 1000;
}

static long kernel_brk(void)
{
	return syscall(SYS_brk, 0);
}

static void check_malloc_still_works(long brk_before)
{
	unsigned char **many = malloc(NMANY * sizeof(*many));
	size_t bad = 0;

	target_check(many != NULL, "malloc of the pointer array failed");
	if (!many)
		return;
	for (size_t i = 0; i < NMANY; i++) {
		many[i] = malloc(MANY_SIZE);
		if (!many[i]) {
			target_check(0, "malloc #%zu of %d bytes failed", i, MANY_SIZE);
			return;
		}
		fill(many[i], MANY_SIZE, i);
	}
	for (size_t i = 0; i < NMANY; i++)
		bad += !intact(many[i], MANY_SIZE, i);
	target_check(bad == 0, "%zu of the new small blocks were corrupted", bad);
#ifdef __GLIBC__
	/* glibc serves small blocks from the brk heap: it must have grown. */
	target_check(kernel_brk() > brk_before, "brk did not grow for %d new small blocks",
		     NMANY);
#else
	(void)brk_before;
#endif
	for (size_t i = 0; i < NMANY; i++)
		free(many[i]);
	free(many);
}

/* Move the break by hand (and back, so malloc's idea of it stays true). */
static void check_brk_moves(void)
{
	long cur = kernel_brk();
	long want = cur + BRK_STEP;

	target_check(syscall(SYS_brk, want) == want, "brk cannot grow from %#lx", cur);
	if (kernel_brk() == want) {
		memset((void *)cur, 0x5a, BRK_STEP);
		target_check(syscall(SYS_brk, cur) == cur, "brk cannot shrink back");
	}
}

int main(void)
{
	unsigned char *small[NSMALL], *big[NBIG], *grown, *zeroed;
	size_t bad = 0;

	target_init();
	for (size_t i = 0; i < NSMALL; i++) {
		small[i] = malloc(small_len(i));
		if (!small[i])
			target_die("malloc");
		fill(small[i], small_len(i), i);
	}
	for (size_t i = 0; i < NSMALL; i += 3) {	/* holes in the heap */
		free(small[i]);
		small[i] = NULL;
	}
	for (size_t i = 0; i < NBIG; i++) {
		big[i] = malloc(big_size[i]);
		if (!big[i])
			target_die("malloc big");
		fill(big[i], big_size[i], 10000 + i);
	}
	grown = malloc(100);
	if (!grown || !(grown = realloc(grown, REALLOC_SIZE)))
		target_die("realloc");
	fill(grown, REALLOC_SIZE, 20000);
	zeroed = calloc(1, CALLOC_SIZE);
	if (!zeroed)
		target_die("calloc");
	long brk_before = kernel_brk();

	target_ready();
	target_wait();

	for (size_t i = 0; i < NSMALL; i++)
		bad += small[i] && !intact(small[i], small_len(i), i);
	target_check(bad == 0, "%zu small blocks changed", bad);
	for (size_t i = 0; i < NBIG; i++)
		target_check(intact(big[i], big_size[i], 10000 + i), "big block of %zu bytes changed",
			     big_size[i]);
	target_check(intact(grown, REALLOC_SIZE, 20000), "realloc'd block changed");
	for (size_t i = 0; i < CALLOC_SIZE; i++)
		if (zeroed[i]) {
			target_check(0, "calloc'd block no longer zero at %zu", i);
			break;
		}
	target_check(kernel_brk() == brk_before, "program break moved: %#lx, was %#lx",
		     kernel_brk(), brk_before);

	check_malloc_still_works(brk_before);
	check_brk_moves();
	for (size_t i = 0; i < NSMALL; i++)
		free(small[i]);
	for (size_t i = 0; i < NBIG; i++)
		free(big[i]);
	free(grown);
	free(zeroed);
	return target_finish();
}
