/* Formatted messages from the stub: %s %c %d %u %x with l/ll, and %%. */
#ifndef FREEZE_STUB_PRINT_H
#define FREEZE_STUB_PRINT_H

#include <stdarg.h>

__attribute__((format(printf, 2, 3))) void out(int fd, const char *fmt, ...);
/* Like out(), into buf (always NUL-terminated, cut to cap). */
__attribute__((format(printf, 3, 4))) void format(char *buf, unsigned cap,
						 const char *fmt, ...);
void vformat(char *buf, unsigned cap, const char *fmt, va_list ap);
/*
 * Ending the stub with "freeze: ...\n" on stderr and exit status 1
 * (FZ_EXIT_FAILURE); die_with() with another of include/exit_status.h:
 * FZ_EXIT_DAMAGED for an image that is not whole, FZ_EXIT_HOST for a host
 * that cannot resume it, FZ_EXIT_USAGE for a bad option.
 * die(): before the point of no return, when nothing of the process has
 * been touched and the image can simply be run again. die_lost(): after
 * it (restore_*.c), when the old world is gone and the process with it;
 * the Makefile refuses a die() in a restore_*.c file.
 */
__attribute__((format(printf, 1, 2), noreturn)) void die(const char *fmt, ...);
__attribute__((format(printf, 2, 3), noreturn)) void die_with(int status, const char *fmt, ...);
__attribute__((format(printf, 1, 2), noreturn)) void die_lost(const char *fmt, ...);
/*
 * "freeze: warning: <message>\n" on stderr. With --json, warn() and die*()
 * go into the document instead (stub/json.h).
 */
__attribute__((format(printf, 1, 2))) void warn(const char *fmt, ...);
/* "freeze: <message>\n" on stderr: a line explaining the refusal that follows. */
__attribute__((format(printf, 1, 2))) void say(const char *fmt, ...);
/* A short name for a -errno value, for messages. */
const char *errname(long err);

#endif
