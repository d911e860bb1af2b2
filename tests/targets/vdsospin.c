/*
 * vdsospin: a thread calls the vDSO's clock functions in a tight loop, so
 * the freeze most likely stops it inside the vDSO (freeze steps it out;
 * see freeze/vdso/leave_vdso.c).  After the resume the loop goes on: the
 * clocks never go back and it makes progress; then it is stopped and
 * joined.  The main thread waits for SIGUSR1 as usual.
 */
#include "target.h"
#include <pthread.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

enum { PROGRESS = 100000, WAIT_STEPS = 2000 };

static volatile int stop;
static volatile uint64_t loops;
static volatile int went_back;

static int64_t now(clockid_t clk)
{
	struct timespec t;

	clock_gettime(clk, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void *spin(void *arg)
{
	int64_t last = now(CLOCK_MONOTONIC);
	struct timeval tv;

	(void)arg;
	while (!stop) {
		int64_t m = now(CLOCK_MONOTONIC);
		if (m < last)
			went_back = 1;
		last = m;
		gettimeofday(&tv, NULL);
		loops++;
	}
	return NULL;
}

int main(void)
{
	pthread_t th;
	struct timespec pause = { 0, 5000000 };
	uint64_t before;
	int i;

	target_init();
	if (pthread_create(&th, NULL, spin, NULL))
		target_die("pthread_create");
	while (loops < PROGRESS)
		nanosleep(&pause, NULL);
	target_ready();
	target_wait();

	before = loops;
	for (i = 0; i < WAIT_STEPS && loops < before + PROGRESS; i++)
		nanosleep(&pause, NULL);
	target_check(loops >= before + PROGRESS, "the spinning thread made no "
		     "progress after the resume (%llu loops)",
		     (unsigned long long)(loops - before));
	stop = 1;
	pthread_join(th, NULL);
	target_check(!went_back, "CLOCK_MONOTONIC went back in the spinning thread");
	return target_finish();
}
