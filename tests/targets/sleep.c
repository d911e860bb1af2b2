/*
 * sleep: frozen in the middle of nanosleep(3 s).  After the resume the
 * sleep must end normally: return 0 (no EINTR: no handler ran), and not
 * before 3 s of CLOCK_MONOTONIC have passed since it started.
 */
#include "target.h"
#include <time.h>

#define SLEEP_SECONDS 3
#define SLACK_SECONDS 0.05	/* clock granularity, not scheduling */

static double seconds(const struct timespec *t)
{
	return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

int main(void)
{
	struct timespec req = { SLEEP_SECONDS, 0 }, rem = { 0, 0 }, t0, t1;
	int ret, err;

	target_init();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	target_ready();
	ret = nanosleep(&req, &rem);
	err = errno;
	clock_gettime(CLOCK_MONOTONIC, &t1);

	target_check(ret == 0, "nanosleep returned %d (%s), %ld.%09ld s left", ret,
		     strerror(err), (long)rem.tv_sec, rem.tv_nsec);
	target_check(seconds(&t1) - seconds(&t0) >= SLEEP_SECONDS - SLACK_SECONDS,
		     "slept only %.3f s of %d", seconds(&t1) - seconds(&t0), SLEEP_SECONDS);
	target_wait();
	return target_finish();
}
