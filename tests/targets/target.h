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
