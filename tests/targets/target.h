/*
 * target.h - what every freeze test target shares.
 *
 * A target sets up one kind of state, calls target_ready() (prints READY),
 * and then target_wait(): it sleeps in sigsuspend() until SIGUSR1 arrives.
 * The runner freezes and resumes the process while it sleeps there, then
 * sends SIGUSR1 (repeatedly, every 0.2 s, until the verdict appears).  The
 * target checks that its state survived with target_check() and ends with
 * `return target_finish();`, which prints PASS or FAIL: <what> (exit 0/1).
 *
 * SIGUSR1 stays blocked except inside sigsuspend(): a signal that arrives
 * while the process is still being restored, or while it does something
 * else, stays pending instead of interrupting an unrelated system call.
 *
 * Every target takes argv[1] = a scratch directory it may create files in
 * (the runner creates it; targets that need no files ignore it).
 */
#ifndef FREEZE_TEST_TARGET_H
#define FREEZE_TEST_TARGET_H

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t target_usr1;
static char target_why[1024];

static inline void target_on_usr1(int sig)
{
	(void)sig;
	target_usr1 = 1;
}

/* Setup failed before READY: the runner reports the message. */
static inline void target_die(const char *what)
{
	printf("FAIL: setup: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

static inline void target_init(void)
{
	struct sigaction sa;
	sigset_t usr1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = target_on_usr1;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		target_die("sigaction(SIGUSR1)");
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &usr1, NULL))
		target_die("sigprocmask");
}

static inline void target_ready(void)
{
	fputs("READY\n", stdout);
	fflush(stdout);
}

/* Sleep until SIGUSR1; the process is frozen and resumed in here. */
static inline void target_wait(void)
{
	sigset_t mask;

	sigprocmask(SIG_BLOCK, NULL, &mask);
	sigdelset(&mask, SIGUSR1);
	while (!target_usr1)
		sigsuspend(&mask);
}

/* Record a failure (all failures are reported, separated by "; "). */
__attribute__((format(printf, 2, 3)))
static inline void target_check(int ok, const char *fmt, ...)
{
	size_t len = strlen(target_why);
	va_list ap;

	if (ok || len + 8 >= sizeof(target_why))
		return;
	if (len)
		len += (size_t)snprintf(target_why + len, sizeof(target_why) - len, "; ");
	va_start(ap, fmt);
	vsnprintf(target_why + len, sizeof(target_why) - len, fmt, ap);
	va_end(ap);
}

/* Protection string ("rw-p") of the mapping holding [p, p+len), or "none". */
static inline void target_maps_perms(const void *p, size_t len, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	uintptr_t a = (uintptr_t)p, start, end;
	char line[512];

	strcpy(perms, "none");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) == 3 && start <= a &&
		    a + len <= end)
			break;
		else
			strcpy(perms, "none");
	if (f)
		fclose(f);
}

/* [p, p+len) lies in one mapping whose protection string is `want`. */
static inline void target_check_perms(const char *name, const void *p, size_t len,
				      const char *want)
{
	char perms[5];

	target_maps_perms(p, len, perms);
	target_check(!strcmp(perms, want), "%s: maps says %s, want %s", name, perms, want);
}

/*
 * One 4 KiB block at offset 0 of an O_DIRECT fd, which wants aligned
 * buffers and sizes: write it full of 'D', or read it back and check it.
 * 1 on success.
 */
static inline int target_direct_block(int fd, int write)
{
	enum { BLOCK = 4096 };
	void *buf;
	int ok;

	if (posix_memalign(&buf, BLOCK, BLOCK))
		return 0;
	memset(buf, write ? 'D' : 0, BLOCK);
	ok = write ? pwrite(fd, buf, BLOCK, 0) == BLOCK :
		     pread(fd, buf, BLOCK, 0) == BLOCK && ((char *)buf)[BLOCK - 1] == 'D';
	free(buf);
	return ok;
}

/* The socket fd has exactly `want` to read now (no waiting), as `what`. */
static inline void target_expect_read(int fd, const char *want, const char *what)
{
	char buf[64] = { 0 };
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	target_check(n == (ssize_t)strlen(want) && !memcmp(buf, want, strlen(want)),
		     "%s: read %zd bytes '%s', wanted '%s' (%s)", what, n, n > 0 ? buf : "",
		     want, n < 0 ? strerror(errno) : "");
}

static inline int target_finish(void)
{
	if (target_why[0])
		printf("FAIL: %s\n", target_why);
	else
		puts("PASS");
	fflush(stdout);
	return target_why[0] ? 1 : 0;
}

/* The host cannot run this test at all: not a failure of the freezer. */
static inline void target_skip(const char *why)
{
	printf("SKIP: %s\n", why);
	fflush(stdout);
	exit(0);
}

#endif
