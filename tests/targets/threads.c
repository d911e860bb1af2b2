/*
 * threads: a second thread (blocked in pause) makes this target
 * multi-threaded.  freeze must refuse it and leave it untouched; the
 * runner then signals it and it must still pass: both threads alive.
 */
#include "target.h"
#include <pthread.h>

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(void)
{
	pthread_t thread;

	target_init();	/* the thread inherits the mask: SIGUSR1 goes to main */
	if (pthread_create(&thread, NULL, idle, NULL))
		target_die("pthread_create");
	target_ready();
	target_wait();
	target_check(pthread_kill(thread, 0) == 0, "the second thread is gone");
	return target_finish();
}
