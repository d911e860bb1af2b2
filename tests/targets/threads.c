/*
 * threads: eight threads, each frozen in a different place: waiting on a
 * condition variable, in nanosleep, in pause, spinning on a mutex-protected
 * counter, and parked at a barrier. Each has thread-local data and its own
 * blocked mask. After resume: every thread runs on, pthread_kill reaches
 * each one (its handler sees its own TLS), the barrier and the condition
 * variable release, and pthread_join returns each thread's own value.
 */
#include "target.h"
#include <pthread.h>
#include <time.h>

enum { NTHREADS = 8 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static int released;
static long spins;
static volatile sig_atomic_t poked[NTHREADS];
static __thread long my_index = -1;
static __thread char my_tls[64];

static void on_usr2(int sig)
{
	(void)sig;
	if (my_index >= 0 && my_index < NTHREADS)
		poked[my_index] = 1;
}

static void wait_released(void)
{
	pthread_mutex_lock(&lock);
	while (!released)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

static void *worker(void *arg)
{
	long i = (long)arg;
	struct timespec nap = { 0, 50 * 1000 * 1000 };
	sigset_t mask;

	my_index = i;
	snprintf(my_tls, sizeof(my_tls), "thread %ld", i);
	sigemptyset(&mask);
	sigaddset(&mask, SIGRTMIN + (int)i);   /* a mask of its own */
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	switch (i % 4) {
	case 0: wait_released(); break;
	case 1: while (!__atomic_load_n(&released, __ATOMIC_ACQUIRE)) nanosleep(&nap, NULL); break;
	case 2: pthread_barrier_wait(&barrier); break;
	case 3:
		while (!__atomic_load_n(&released, __ATOMIC_ACQUIRE)) {
			pthread_mutex_lock(&lock);
			spins++;
			pthread_mutex_unlock(&lock);
		}
		break;
	}
	while (!poked[i])
		nanosleep(&nap, NULL);
	pthread_sigmask(SIG_SETMASK, NULL, &mask);
	if (!sigismember(&mask, SIGRTMIN + (int)i))
		return (void *)-1L;
	char want[64];
	snprintf(want, sizeof(want), "thread %ld", i);
	return strcmp(my_tls, want) ? (void *)-2L : (void *)(i * 10 + 7);
}

int main(void)
{
	pthread_t th[NTHREADS];
	struct sigaction sa = { .sa_handler = on_usr2 };
	long spins_before;

	target_init();
	sigaction(SIGUSR2, &sa, NULL);
	/* the NTHREADS/4 threads of case 2, and main */
	pthread_barrier_init(&barrier, NULL, NTHREADS / 4 + 1);
	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)i))
			target_die("pthread_create");
	target_ready();
	target_wait();

	/* The spinning threads run on: their counter moves (within 10 s). */
	pthread_mutex_lock(&lock);
	spins_before = spins;
	pthread_mutex_unlock(&lock);
	for (int tries = 0; tries < 1000; tries++) {
		struct timespec ms10 = { 0, 10 * 1000 * 1000 };
		long now;
		pthread_mutex_lock(&lock);
		now = spins;
		pthread_mutex_unlock(&lock);
		if (now > spins_before)
			break;
		nanosleep(&ms10, NULL);
	}
	target_check(spins > spins_before, "the spinning threads do not run");
	pthread_barrier_wait(&barrier);
	pthread_mutex_lock(&lock);
	__atomic_store_n(&released, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < NTHREADS; i++)
		target_check(pthread_kill(th[i], SIGUSR2) == 0, "pthread_kill(%d) failed", i);
	for (int i = 0; i < NTHREADS; i++) {
		void *ret = NULL;
		target_check(pthread_join(th[i], &ret) == 0, "pthread_join(%d) failed", i);
		target_check(ret == (void *)(long)(i * 10 + 7),
			     "thread %d returned %ld (mask or TLS lost?)", i, (long)ret);
	}
	return target_finish();
}
