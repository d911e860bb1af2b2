/*
 * The few C library functions the stub and liblz4's objects need. The stub
 * is built with -fno-tree-loop-distribute-patterns so these loops are not
 * turned back into calls to themselves.
 */
#include <stddef.h>
#include <stdint.h>

#include "sys.h"

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n >= 8) {
		uint64_t w;
		__builtin_memcpy(&w, s, 8);
		__builtin_memcpy(d, &w, 8);
		d += 8, s += 8, n -= 8;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

/* liblz4 links an allocator for its streaming API; the stub never uses it. */
void *malloc(size_t n) { (void)n; return NULL; }
void *calloc(size_t n, size_t m) { (void)n; (void)m; return NULL; }
void free(void *p) { (void)p; }

/* liblz4 is built with -fstack-protector: a smashed canary ends the stub. */
_Noreturn void __stack_chk_fail(void)
{
	static const char msg[] = "freeze: stub stack corrupted\n";
	sys_write(2, msg, sizeof(msg) - 1);
	sys_exit_group(127);
}
