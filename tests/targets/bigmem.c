/*
 * bigmem: argv[2] MiB (default 512) of incompressible data, its sum kept.
 * After resume: the same sum. For freezes that take a while, and for
 * freezing more memory than freeze itself may use.
 */
#include "target.h"
#include <stdint.h>

static uint64_t sum(const uint64_t *p, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++)
		s = s * 31 + p[i];
	return s;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 2 ? strtoul(argv[2], NULL, 10) : 512;
	size_t n = (mib << 20) / sizeof(uint64_t);
	uint64_t *p = malloc(n * sizeof(*p)), x = 88172645463325252ULL, before;

	target_init();
	if (!p)
		target_die("malloc");
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x;
	}
	before = sum(p, n);
	target_ready();
	target_wait();

	target_check(sum(p, n) == before, "the %zu MiB changed", mib);
	return target_finish();
}
