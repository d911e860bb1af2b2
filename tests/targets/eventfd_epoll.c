/*
 * eventfd_epoll: eventfds and epoll fds, frozen in sigsuspend().
 *   sem   eventfd in semaphore mode, counter 5, O_NONBLOCK
 *   big   eventfd whose counter needs 64 bits, FD_CLOEXEC; `alias` is a dup
 *         of it (one open file)
 *   ep    epoll fd watching sem (data SEM_DATA), big (edge-triggered,
 *         BIG_DATA), the read end of an empty pipe (PIPE_DATA), and big
 *         again under number 100, closed since (STALE_DATA), and under a
 *         number now reused by /dev/null (REUSED_DATA): the kernel keeps
 *         such registrations while the file lives
 *   outer epoll fd watching ep (OUTER_DATA)
 * After the resume: the same numbers, flags and counters, epoll_wait
 * reports exactly what was ready, the pipe wakes ep when written, and the
 * semaphore hands out its counter one by one.
 *
 * With argv[2] = "unheld", a child process holds `big` and the process
 * closes its own fds of it: ep still watches a file the process cannot
 * name any more, and freeze must refuse.
 */
#include "target.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define SEM_DATA 0x1122334455667788ULL
#define BIG_DATA 7ULL
#define PIPE_DATA 42ULL
#define STALE_DATA 99ULL
#define OUTER_DATA 5ULL
#define REUSED_DATA 0x55ULL
#define STALE_FD 100
#define BIG_COUNT ((1ULL << 33) + 3)

static int sem, big, alias, ep, outer, pfd[2], reused;

static void watch(int epfd, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev))
		target_die("epoll_ctl");
}

static void setup(void)
{
	uint64_t v = BIG_COUNT;
	int stale;

	sem = eventfd(5, EFD_SEMAPHORE | EFD_NONBLOCK);
	big = eventfd(0, EFD_CLOEXEC);
	if (sem < 0 || big < 0 || write(big, &v, 8) != 8)
		target_die("eventfd");
	alias = dup(big);
	ep = epoll_create1(EPOLL_CLOEXEC);
	outer = epoll_create1(0);
	if (alias < 0 || ep < 0 || outer < 0 || pipe(pfd))
		target_die("epoll_create1");
	watch(ep, sem, EPOLLIN, SEM_DATA);
	watch(ep, big, EPOLLIN | EPOLLET, BIG_DATA);
	watch(ep, pfd[0], EPOLLIN, PIPE_DATA);
	if ((stale = fcntl(big, F_DUPFD, STALE_FD)) != STALE_FD)
		target_die("dup");
	watch(ep, stale, EPOLLIN, STALE_DATA);
	close(stale);
	if ((stale = dup(big)) < 0)
		target_die("dup");
	watch(ep, stale, EPOLLIN, REUSED_DATA);
	close(stale);
	if ((reused = open("/dev/null", O_RDONLY)) != stale)
		target_die("reusing an fd number");
	watch(outer, ep, EPOLLIN, OUTER_DATA);
}

/* The data of the ready registrations, as a bit set of the known ones. */
static unsigned ready(int epfd)
{
	static const uint64_t known[] = { SEM_DATA, BIG_DATA, PIPE_DATA, STALE_DATA,
					  OUTER_DATA, REUSED_DATA };
	struct epoll_event evs[8];
	unsigned set = 0;
	int n = epoll_wait(epfd, evs, 8, 0);

	for (int i = 0; i < n; i++)
		for (unsigned k = 0; k < sizeof(known) / sizeof(*known); k++)
			if (evs[i].data.u64 == known[k])
				set |= 1u << k;
	return n < 0 ? ~0u : set;
}

static void check_flags(int fd, int fl, int cloexec, const char *name)
{
	target_check((fcntl(fd, F_GETFL) & O_NONBLOCK) == fl, "%s: O_NONBLOCK %s", name,
		     fl ? "lost" : "appeared");
	target_check(!!(fcntl(fd, F_GETFD) & FD_CLOEXEC) == cloexec, "%s: FD_CLOEXEC %s",
		     name, cloexec ? "lost" : "appeared");
}

static int is_dev_null(int fd)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat("/dev/null", &b) && a.st_rdev == b.st_rdev &&
	       S_ISCHR(a.st_mode);
}

static void check_semaphore(void)
{
	uint64_t v;
	int ones = 0;

	while (read(sem, &v, 8) == 8 && v == 1 && ones < 10)
		ones++;
	target_check(ones == 5 && errno == EAGAIN,
		     "semaphore eventfd gave %d ones, not 5, then %s", ones, strerror(errno));
}

/* Only a child keeps big's file open; ep still watches it. */
static int unheld(void)
{
	pid_t child = fork();

	if (child < 0)
		target_die("fork");
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	close(big);
	close(alias);
	target_ready();
	target_wait();
	target_check(ready(ep) == 0x2b, "epoll lost the registrations of `big`");
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return target_finish();
}

int main(int argc, char **argv)
{
	unsigned before, after;
	uint64_t v = 0;

	target_init();
	setup();
	if (argc > 2 && !strcmp(argv[2], "unheld"))
		return unheld();
	/* Edge-triggered `big` is reported once: take that report now. */
	before = ready(ep);
	target_ready();
	target_wait();

	check_flags(sem, O_NONBLOCK, 0, "semaphore eventfd");
	check_flags(big, 0, 1, "64-bit eventfd");
	check_flags(ep, 0, 1, "epoll fd");
	check_flags(outer, 0, 0, "outer epoll fd");
	after = ready(ep);
	/* An edge-triggered item that is ready is reported once again. */
	target_check((after & ~2u) == (before & ~2u) && before == 0x2b,
		     "epoll reports set %#x after resume, %#x before", after, before);
	target_check(ready(outer) == 0x10, "outer epoll reports %#x, not the inner one",
		     ready(outer));
	target_check(write(pfd[1], "x", 1) == 1 && (ready(ep) & 4),
		     "a write to the watched pipe does not wake epoll");
	check_semaphore();
	target_check(fcntl(STALE_FD, F_GETFD) < 0 && errno == EBADF, "fd %d is open", STALE_FD);
	target_check(is_dev_null(reused), "fd %d is not /dev/null any more", reused);
	target_check(read(alias, &v, 8) == 8 && v == BIG_COUNT,
		     "64-bit eventfd counter %llu through its dup, not %llu",
		     (unsigned long long)v, BIG_COUNT);
	v = 1;
	target_check(write(alias, &v, 8) == 8 && (fcntl(big, F_SETFL, O_NONBLOCK), 1) &&
		     read(big, &v, 8) == 8 && v == 1, "the dup is not the same eventfd");
	return target_finish();
}
