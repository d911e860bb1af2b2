/*
 * compute: a deterministic computation long enough (a few seconds) to be
 * frozen in the middle of it, in user mode.  It uses the heap (an array of
 * logistic-map states, stepped with 4-wide double vectors: AVX2 when the
 * CPU has it), the stack (a table of partial sums) and integer mixing.
 * No SIGUSR1 here: it prints READY, computes, prints RESULT <sum> <hash>;
 * the runner compares that line with the one of an uninterrupted run.
 */
#include "target.h"
#include <stdint.h>

enum { NVEC = 1 << 14, PASSES = 250000, NPARTIAL = 64 };

typedef double v4d __attribute__((vector_size(32)));

#define LOGISTIC_R 3.99

static void step_generic(v4d *x, size_t n)
{
	const v4d r = { LOGISTIC_R, LOGISTIC_R, LOGISTIC_R, LOGISTIC_R };
	const v4d one = { 1, 1, 1, 1 };

	for (size_t i = 0; i < n; i++)
		x[i] = r * x[i] * (one - x[i]);
}

__attribute__((target("avx2")))
static void step_avx2(v4d *x, size_t n)
{
	const v4d r = { LOGISTIC_R, LOGISTIC_R, LOGISTIC_R, LOGISTIC_R };
	const v4d one = { 1, 1, 1, 1 };

	for (size_t i = 0; i < n; i++)
		x[i] = r * x[i] * (one - x[i]);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

int main(void)
{
	v4d *x = aligned_alloc(32, NVEC * sizeof(v4d));
	double partial[NPARTIAL] = { 0 };
	void (*step)(v4d *, size_t) = step_generic;
	uint64_t hash = 1;
	double sum = 0;

	if (!x)
		target_die("aligned_alloc");
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
		step = step_avx2;
	for (size_t i = 0; i < NVEC; i++)
		for (int l = 0; l < 4; l++)
			x[i][l] = 0.1 + 0.8 * (double)(i * 4 + (size_t)l) / (NVEC * 4.0);
	target_ready();

	for (int pass = 0; pass < PASSES; pass++) {
		step(x, NVEC);
		double s = 0;
		for (size_t i = 0; i < NVEC; i += 97)
			s += x[i][0] + x[i][1] + x[i][2] + x[i][3];
		partial[pass % NPARTIAL] += s;
		uint64_t bits;
		memcpy(&bits, &s, sizeof(bits));
		hash = mix(hash, bits);
	}
	for (int i = 0; i < NPARTIAL; i++)
		sum += partial[i];
	printf("RESULT %.17g %016llx\n", sum, (unsigned long long)hash);
	free(x);
	return 0;
}
