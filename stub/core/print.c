/* A minimal printf for the stub: buffered per call, written with one write. */
#include <stdarg.h>
#include <stdint.h>

#include "exit_status.h"
#include "json.h"
#include "print.h"
#include "sys.h"

#define OUT_MAX 512

struct buf {
	char s[OUT_MAX];
	unsigned n;
};

static void put(struct buf *b, char c)
{
	if (b->n < OUT_MAX)
		b->s[b->n++] = c;
}

static void put_str(struct buf *b, const char *s)
{
	while (*s)
		put(b, *s++);
}

static void put_num(struct buf *b, uint64_t v, unsigned base, int neg)
{
	char tmp[24];
	int i = 0;

	do {
		tmp[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		put(b, '-');
	while (i)
		put(b, tmp[--i]);
}

static void format_buf(struct buf *b, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int longs = 0;
		if (*fmt != '%') {
			put(b, *fmt);
			continue;
		}
		while (*++fmt == 'l')
			longs++;
		switch (*fmt) {
		case 's': put_str(b, va_arg(ap, const char *)); break;
		case 'c': put(b, (char)va_arg(ap, int)); break;
		case 'd': {
			int64_t v = longs ? va_arg(ap, long) : va_arg(ap, int);
			put_num(b, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = longs ? va_arg(ap, unsigned long)
					   : va_arg(ap, unsigned);
			put_num(b, v, *fmt == 'x' ? 16 : 10, 0);
			break;
		}
		case '%': put(b, '%'); break;
		default: return;
		}
	}
}

void out(int fd, const char *fmt, ...)
{
	struct buf b = { .n = 0 };
	va_list ap;

	va_start(ap, fmt);
	format_buf(&b, fmt, ap);
	va_end(ap);
	sys_write(fd, b.s, b.n);
}

void vformat(char *dst, unsigned cap, const char *fmt, va_list ap)
{
	struct buf b = { .n = 0 };
	unsigned n;

	format_buf(&b, fmt, ap);
	n = b.n < cap ? b.n : cap - 1;
	__builtin_memcpy(dst, b.s, n);
	dst[n] = 0;
}

void format(char *dst, unsigned cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(dst, cap, fmt, ap);
	va_end(ap);
}

/*
 * A message on stderr; with --json kept for the document instead
 * (json_kind: 'w' a warning, 'd' a line explaining a refusal, 'e' the
 * refusal itself, which ends the stub with `status`).
 */
static void report(const char *prefix, char json_kind, int status, const char *fmt, va_list ap)
{
	struct buf b = { .n = 0 };

	if (json_on()) {
		char msg[OUT_MAX];
		vformat(msg, sizeof(msg), fmt, ap);
		if (json_kind == 'e')
			json_fail(status, msg);
		(json_kind == 'w' ? json_warn : json_detail)(msg);
		return;
	}
	put_str(&b, prefix);
	format_buf(&b, fmt, ap);
	if (b.n == OUT_MAX)
		b.n--;
	put(&b, '\n');
	sys_write(2, b.s, b.n);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("freeze: ", 'e', FZ_EXIT_FAILURE, fmt, ap);
	va_end(ap);
	sys_exit_group(FZ_EXIT_FAILURE);
}

void die_with(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("freeze: ", 'e', status, fmt, ap);
	va_end(ap);
	sys_exit_group(status);
}

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("freeze: ", 'd', 0, fmt, ap);
	va_end(ap);
}

void die_lost(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("freeze: the process is lost: ", 'e', 1, fmt, ap);
	va_end(ap);
	sys_exit_group(1);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("freeze: warning: ", 'w', 0, fmt, ap);
	va_end(ap);
}

const char *errname(long err)
{
	static const struct { int no; const char *name; } names[] = {
		{ 1, "operation not permitted" }, { 2, "no such file or directory" },
		{ 9, "bad file descriptor" },     { 12, "out of memory" },
		{ 13, "permission denied" },      { 14, "bad address" },
		{ 16, "device or resource busy" }, { 17, "file exists" },
		{ 20, "not a directory" },        { 21, "is a directory" },
		{ 22, "invalid argument" },       { 24, "too many open files" },
		{ 28, "no space left on device" }, { 30, "read-only file system" },
		{ 38, "function not implemented" },
		{ 98, "address already in use" },
		{ 99, "cannot assign requested address" },
		{ 105, "no buffer space available" },
		{ 110, "timed out" },     { 111, "connection refused" },
	};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].no == -err)
			return names[i].name;
	return "error";
}
