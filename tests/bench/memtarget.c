/*
 * memtarget - the memory-heavy process `make bench` freezes and resumes.
 *
 *   memtarget [MIB [ticker]]
 *
 * Maps MIB MiB (default 1024) of ordinary private anonymous memory: the
 * first third is filled with a xorshift64* stream (incompressible), the
 * second third with a repeating paragraph of text, the last third is never
 * touched.  Prints READY once set up.
 *
 * Default mode: waits for SIGUSR1.  The handler itself reads CLOCK_REALTIME
 * (the first code of the process that runs after a resume, since the bench
 * sends the signal before the image has finished restoring and the signal
 * stays pending until the process's own mask lets it in).  The main loop
 * then prints "RESUMED <ns>" and "VSTART <ns>" (when the main loop saw the
 * flag), verifies every byte (the PRNG stream again, the text, zeros in the
 * untouched third), prints "VERIFIED <ns>" (CLOCK_REALTIME) and "PASS" or
 * "FAIL: <what>", and exits 0 or 1.
 *
 * ticker mode: no waiting; the main loop spins reading CLOCK_MONOTONIC and
 * keeps the largest gap between two consecutive iterations.  Each SIGUSR1
 * prints "MAXGAP <ns>" (the largest gap since the previous report) and
 * starts a new interval.  A freeze that leaves the process running shows up
 * as one long gap: the time the process was stopped.  Ends on SIGTERM.
 *
 * Single-threaded on purpose: freeze refuses multi-threaded processes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define SEED 0x9e3779b97f4a7c15ULL

static const char text[] =
	"It is a truth universally acknowledged, that a single process in "
	"possession of a good address space, must be in want of a checkpoint.\n"
	"However little known the feelings or views of such a process may be on "
	"its first entering a neighbourhood, this truth is so well fixed in the "
	"minds of the surrounding daemons, that it is considered the rightful "
	"property of some one or other of their schedulers.\n"
	"0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\n";
#define TEXT_LEN (sizeof(text) - 1)

static volatile sig_atomic_t got_usr1;
static volatile int64_t usr1_ns;	/* CLOCK_REALTIME when the handler ran */

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void on_usr1(int sig)
{
	(void)sig;
	if (!got_usr1)
		usr1_ns = now_ns(CLOCK_REALTIME);
	got_usr1 = 1;
}

static uint64_t xorshift64s(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static void fill_random(uint64_t *p, size_t n)
{
	uint64_t s = SEED;

	for (size_t i = 0; i < n; i++)
		p[i] = xorshift64s(&s);
}

static void fill_text(char *p, size_t len)
{
	for (size_t off = 0; off < len; off += TEXT_LEN)
		memcpy(p + off, text, len - off < TEXT_LEN ? len - off : TEXT_LEN);
}

/* Returns NULL when all is well, or what is wrong. */
static const char *verify(const char *base, size_t third, size_t total,
			  size_t *where)
{
	const uint64_t *r = (const uint64_t *)base;
	const char *t = base + third;
	const uint64_t *z = (const uint64_t *)(base + 2 * third);
	uint64_t s = SEED, acc = 0;

	for (size_t i = 0; i < third / 8; i++)
		if (r[i] != xorshift64s(&s)) {
			*where = i * 8;
			return "random third differs";
		}
	for (size_t off = 0; off < third; off += TEXT_LEN) {
		size_t n = third - off < TEXT_LEN ? third - off : TEXT_LEN;
		if (memcmp(t + off, text, n)) {
			*where = third + off;
			return "text third differs";
		}
	}
	for (size_t i = 0; i < (total - 2 * third) / 8; i++)
		acc |= z[i];
	if (acc) {
		*where = 2 * third;
		return "untouched third is not zero";
	}
	return NULL;
}

static void die(const char *what)
{
	printf("FAIL: setup: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

static void ticker(void)
{
	int64_t prev = now_ns(CLOCK_MONOTONIC), max = 0;

	for (;;) {
		int64_t now = now_ns(CLOCK_MONOTONIC);
		if (now - prev > max)
			max = now - prev;
		prev = now;
		if (got_usr1) {
			got_usr1 = 0;
			printf("MAXGAP %lld\n", (long long)max);
			fflush(stdout);
			max = 0;
			prev = now_ns(CLOCK_MONOTONIC);
		}
	}
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1024;
	int tick = argc > 2 && !strcmp(argv[2], "ticker");
	size_t total, third, where = 0;
	struct sigaction sa;
	sigset_t usr1, waitmask;
	const char *why;
	int64_t vstart;
	char *base;

	if (mib < 1 || mib > (1UL << 20)) {
		fprintf(stderr, "usage: memtarget [MIB [ticker]]\n");
		return 2;
	}
	total = mib << 20;
	third = (total / 3) & ~(PAGE - 1);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		die("sigaction");
	/* SIGUSR1 is let in only where the process waits for it. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (!tick && sigprocmask(SIG_BLOCK, &usr1, &waitmask))
		die("sigprocmask");
	sigdelset(&waitmask, SIGUSR1);

	base = mmap(NULL, total, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		die("mmap");
	fill_random((uint64_t *)base, third / 8);
	fill_text(base + third, third);

	printf("READY %zu %zu\n", total, third);
	fflush(stdout);

	if (tick)
		ticker();

	/*
	 * ppoll lets SIGUSR1 in atomically, like sigsuspend.  The timeout
	 * bounds the wait should the signal ever be taken just before a
	 * restarted call (the flag is then set but the call still sleeps);
	 * VSTART shows it.  It is long enough for the waiting process not to
	 * disturb the measurements around it.
	 */
	while (!got_usr1) {
		struct timespec ts = { 0, 100000000 };
		ppoll(NULL, 0, &ts, &waitmask);
	}
	vstart = now_ns(CLOCK_REALTIME);
	printf("RESUMED %lld\nVSTART %lld\n", (long long)usr1_ns, (long long)vstart);
	fflush(stdout);
	why = verify(base, third, total, &where);
	printf("VERIFIED %lld\n", (long long)now_ns(CLOCK_REALTIME));
	if (why)
		printf("FAIL: %s at offset %zu\n", why, where);
	else
		printf("PASS\n");
	fflush(stdout);
	return why ? 1 : 0;
}
