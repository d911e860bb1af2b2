/*
 * timerfd: timerfds of several kinds, frozen in sigsuspend().
 *   tick   CLOCK_MONOTONIC, every 100 ms
 *   late   CLOCK_MONOTONIC, one-shot, 1000 s left; O_NONBLOCK, FD_CLOEXEC
 *   past   CLOCK_REALTIME, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
 *          every 100 s from a deadline 550 s ago: 6 expirations are due and
 *          not read, the next one is 50 s away
 *   idle   CLOCK_BOOTTIME, disarmed
 *   until  CLOCK_MONOTONIC, TFD_TIMER_ABSTIME, a deadline 1000 s ahead
 * After the resume: same clocks, flags and intervals; tick fires again
 * and again; late still has most of its 1000 s (the frozen time does not
 * count); past reads exactly its 6 unread expirations; until keeps its
 * deadline (the resume is on the same host: most of the 1000 s are left).
 */
#include "target.h"
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>

#define MS 1000000L

static int tick, late, past, idle, until;

static int make(int clock, int flags, int setflags, time_t vs, long vns, time_t is, long ins)
{
	struct itimerspec its = { { is, ins }, { vs, vns } };
	int fd = timerfd_create(clock, flags);

	if (fd < 0 || timerfd_settime(fd, setflags, &its, NULL))
		target_die("timerfd");
	return fd;
}

static void setup(void)
{
	struct timespec now;

	tick = make(CLOCK_MONOTONIC, 0, 0, 0, 100 * MS, 0, 100 * MS);
	late = make(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC, 0, 1000, 0, 0, 0);
	clock_gettime(CLOCK_REALTIME, &now);
	past = make(CLOCK_REALTIME, TFD_NONBLOCK,
		    TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, now.tv_sec - 550,
		    now.tv_nsec, 100, 0);
	idle = make(CLOCK_BOOTTIME, 0, 0, 0, 0, 0, 0);
	clock_gettime(CLOCK_MONOTONIC, &now);
	until = make(CLOCK_MONOTONIC, 0, TFD_TIMER_ABSTIME, now.tv_sec + 1000, now.tv_nsec, 0, 0);
}

/* A line of /proc/self/fdinfo/FD, e.g. "clockid: 1", is there. */
static int fdinfo_has(int fd, const char *line)
{
	char path[64], buf[1024];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if ((f = open(path, O_RDONLY)) < 0)
		return 1;  /* no /proc: nothing to compare */
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	buf[n > 0 ? n : 0] = 0;
	return strstr(buf, line) != NULL;
}

static struct itimerspec get(int fd)
{
	struct itimerspec its = { { -1, -1 }, { -1, -1 } };

	timerfd_gettime(fd, &its);
	return its;
}

static void check_tick(void)
{
	struct itimerspec its = get(tick);
	uint64_t n1 = 0, n2 = 0;

	target_check(its.it_interval.tv_sec == 0 && its.it_interval.tv_nsec == 100 * MS,
		     "tick: interval %ld.%09ld s, not 0.1 s", (long)its.it_interval.tv_sec,
		     its.it_interval.tv_nsec);
	target_check(read(tick, &n1, 8) == 8 && n1 >= 1 && read(tick, &n2, 8) == 8 && n2 >= 1,
		     "tick does not fire again and again (%llu, %llu)",
		     (unsigned long long)n1, (unsigned long long)n2);
	target_check(fdinfo_has(tick, "clockid: 1\n"), "tick: not CLOCK_MONOTONIC any more");
}

static void check_late(void)
{
	struct itimerspec its = get(late);

	target_check(its.it_value.tv_sec > 900 && its.it_value.tv_sec < 1000 &&
		     its.it_interval.tv_sec == 0 && its.it_interval.tv_nsec == 0,
		     "late: %ld s left, interval %ld s; expected 900-1000 s, none",
		     (long)its.it_value.tv_sec, (long)its.it_interval.tv_sec);
	target_check(fcntl(late, F_GETFL) & O_NONBLOCK, "late: O_NONBLOCK lost");
	target_check(fcntl(late, F_GETFD) & FD_CLOEXEC, "late: FD_CLOEXEC lost");
	target_check(!(fcntl(tick, F_GETFD) & FD_CLOEXEC), "tick: FD_CLOEXEC appeared");
}

static void check_past(void)
{
	struct itimerspec its = get(past);
	uint64_t n = 0;

	target_check(read(past, &n, 8) == 8 && n == 6,
		     "past: read %llu expirations, 6 were due", (unsigned long long)n);
	target_check(its.it_interval.tv_sec == 100 && its.it_value.tv_sec < 100,
		     "past: next in %ld s, every %ld s; expected < 100, 100",
		     (long)its.it_value.tv_sec, (long)its.it_interval.tv_sec);
	target_check(fdinfo_has(past, "settime flags: 03\n") && fdinfo_has(past, "clockid: 0\n"),
		     "past: not an absolute CLOCK_REALTIME timer cancelled on clock changes");
}

static void check_idle(void)
{
	struct itimerspec its = get(idle);
	uint64_t n;

	target_check(!its.it_value.tv_sec && !its.it_value.tv_nsec && !its.it_interval.tv_sec,
		     "idle: armed after resume");
	target_check(fdinfo_has(idle, "clockid: 7\n"), "idle: not CLOCK_BOOTTIME any more");
	fcntl(idle, F_SETFL, O_NONBLOCK);
	target_check(read(idle, &n, 8) < 0 && errno == EAGAIN, "idle: has expirations");
}

static void check_until(void)
{
	struct itimerspec its = get(until);

	target_check(its.it_value.tv_sec > 900 && its.it_value.tv_sec < 1000,
		     "until: %ld s left, expected 900-1000 s", (long)its.it_value.tv_sec);
	target_check(fdinfo_has(until, "settime flags: 01\n") && fdinfo_has(until, "clockid: 1\n"),
		     "until: not an absolute CLOCK_MONOTONIC timer any more");
}

int main(void)
{
	target_init();
	setup();
	target_ready();
	target_wait();
	check_past();
	check_late();
	check_idle();
	check_until();
	check_tick();
	return target_finish();
}
