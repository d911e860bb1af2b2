/*
 * One error convention: a step that fails returns -errno and calls fail()
 * to name what failed; main() prints "freeze: <what>: <why>". Warnings all
 * go through warning(), which -q silences; note() speaks only with -v.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "core/core.h"
#include "exit_status.h"
#include "freeze.h"

static char message[1024];
static int failure_class; /* an FZ_EXIT_* named by fail_class(), or 0 */
static bool quiet;     /* -q: warning() says nothing */

int fail(int err, const char *fmt, ...)
{
	va_list ap;

	/* The innermost failure names the cause best; keep the first one. */
	if (!message[0]) {
		va_start(ap, fmt);
		vsnprintf(message, sizeof(message), fmt, ap);
		va_end(ap);
	}
	return err;
}

int fail_replace(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return err;
}

const char *fail_message(void)
{
	return message;
}

void fail_class(int status)
{
	if (!failure_class)
		failure_class = status;
}

void fail_class_replace(int status)
{
	failure_class = status;
}

int exit_status(int err)
{
	if (failure_class)
		return failure_class;
	return err == -ENOTSUP ? FZ_EXIT_REFUSED : FZ_EXIT_FAILURE;
}

void note(const struct options *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->verbose)
		return;
	va_start(ap, fmt);
	fputs("freeze: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void quiet_warnings(void)
{
	quiet = true;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	fputs("freeze: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
