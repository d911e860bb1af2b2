/*
 * cpu_work: work done through the routines glibc picked for this CPU at
 * startup (string functions and libm resolved by ifunc, an AVX2 or generic
 * kernel chosen by CPUID) gives the same digest after the resume as before
 * the freeze.  On a host lacking an instruction those routines use, the
 * resumed process dies of SIGILL instead of printing PASS: this is the
 * process the qemu test starts with features disabled through
 * GLIBC_TUNABLES and resumes under the relaxed CPU check.
 */
#include "../targets/target.h"
#include <math.h>
#include <stdint.h>

enum { BUF_BYTES = 256 << 10, CHUNK = 4096, NVEC = 4096, ROUNDS = 4 };

typedef double v4d __attribute__((vector_size(32)));

static unsigned char src[BUF_BYTES], dst[BUF_BYTES];
static v4d vec[NVEC];

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

static uint64_t bits_of(double d)
{
	uint64_t b;

	memcpy(&b, &d, sizeof(b));
	return b;
}

static void step_generic(v4d *x, size_t n)
{
	const v4d r = { 3.99, 3.99, 3.99, 3.99 }, one = { 1, 1, 1, 1 };

	for (size_t i = 0; i < n; i++)
		x[i] = r * x[i] * (one - x[i]);
}

__attribute__((target("avx2,fma")))
static void step_avx2(v4d *x, size_t n)
{
	const v4d r = { 3.99, 3.99, 3.99, 3.99 }, one = { 1, 1, 1, 1 };

	for (size_t i = 0; i < n; i++)
		x[i] = r * x[i] * (one - x[i]);
}

/* Bytes with zeros sprinkled in, so the str* functions stop early. */
static void fill_source(void)
{
	uint64_t s = 0x1234567;

	for (size_t i = 0; i < BUF_BYTES; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		src[i] = (unsigned char)(s >> 56);
	}
}

static uint64_t string_work(uint64_t h)
{
	memcpy(dst, src, BUF_BYTES);
	memmove(dst + 3, dst, BUF_BYTES - 3);
	memset(dst + BUF_BYTES / 2, 0x5a, CHUNK);
	for (size_t off = 0; off + CHUNK <= BUF_BYTES; off += CHUNK) {
		const char *p = (const char *)dst + off;
		const void *c = memchr(p, 0x7f, CHUNK);

		h = mix(h, strnlen(p, CHUNK));
		h = mix(h, c ? (uint64_t)((const char *)c - p) : CHUNK);
		h = mix(h, (uint64_t)(memcmp(p, src + off, CHUNK) > 0));
	}
	return h;
}

static uint64_t math_work(uint64_t h, void (*step)(v4d *, size_t))
{
	for (size_t i = 0; i < NVEC; i++)
		for (int l = 0; l < 4; l++)
			vec[i][l] = 0.1 + 0.8 * (double)(i * 4 + (size_t)l) / (NVEC * 4.0);
	for (int r = 0; r < ROUNDS; r++) {
		step(vec, NVEC);
		h = mix(h, bits_of(exp(vec[r][0]) + log(vec[r][1] + 1) + sin(vec[r][2]) +
				   pow(vec[r][3], 1.5)));
	}
	for (size_t i = 0; i < NVEC; i += 61)
		h = mix(h, bits_of(vec[i][0] + vec[i][1] + vec[i][2] + vec[i][3]));
	return h;
}

static uint64_t digest(void (*step)(v4d *, size_t))
{
	return math_work(string_work(1), step);
}

int main(void)
{
	void (*step)(v4d *, size_t) = step_generic;
	uint64_t before, after;

	target_init();
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		step = step_avx2;
	fill_source();
	before = digest(step);
	target_ready();
	target_wait();

	after = digest(step);
	target_check(after == before, "digest %016llx after the resume, %016llx before",
		     (unsigned long long)after, (unsigned long long)before);
	return target_finish();
}
