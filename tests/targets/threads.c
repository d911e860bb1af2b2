/*
 * threads: N threads (argv[2], default 8) frozen in different places:
 * waiting on a condition variable, in nanosleep, parked at a barrier,
 * spinning on a mutex-protected counter, blocked in read() on a pipe. Each
 * has thread-local data and its own blocked mask. One more thread holds a
 * robust mutex and a robust priority-inheritance mutex across the freeze.
 * After resume: every thread runs on, pthread_kill reaches each one, the
 * barrier, the condition variable and the pipe release them, the holder
 * can unlock its mutexes and main can take them, and pthread_join returns
 * each thread's own value.
 */
#include "target.h"
#include <pthread.h>
#include <time.h>

enum { MAX_THREADS = 64, KINDS = 5 };

static int nthreads = 8;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static pthread_mutex_t robust, robust_pi;
static int released, pipe_fds[2];
static long spins;
static volatile sig_atomic_t poked[MAX_THREADS];
static __thread long my_index = -1;
static __thread char my_tls[64];

static void on_usr2(int sig)
{
	(void)sig;
	if (my_index >= 0 && my_index < MAX_THREADS)
		poked[my_index] = 1;
}

static int is_released(void)
{
	return __atomic_load_n(&released, __ATOMIC_ACQUIRE);
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
	char want[64], c;
	sigset_t mask;

	my_index = i;
	snprintf(my_tls, sizeof(my_tls), "thread %ld", i);
	sigemptyset(&mask);
	sigaddset(&mask, SIGRTMIN + (int)(i % 8));   /* a mask of its own */
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	switch (i % KINDS) {
	case 0: wait_released(); break;
	case 1: while (!is_released()) nanosleep(&nap, NULL); break;
	case 2: pthread_barrier_wait(&barrier); break;
	case 3:
		while (!is_released()) {
			pthread_mutex_lock(&lock);
			spins++;
			pthread_mutex_unlock(&lock);
		}
		break;
	case 4:
		if (read(pipe_fds[0], &c, 1) != 1)
			return (void *)-3L;
		break;
	}
	while (!poked[i])
		nanosleep(&nap, NULL);
	pthread_sigmask(SIG_SETMASK, NULL, &mask);
	if (!sigismember(&mask, SIGRTMIN + (int)(i % 8)))
		return (void *)-1L;
	snprintf(want, sizeof(want), "thread %ld", i);
	return strcmp(my_tls, want) ? (void *)-2L : (void *)(i * 10 + 7);
}

/* Holds both robust mutexes across the freeze, unlocks them after. */
static void *holder(void *arg)
{
	long ok;

	(void)arg;
	pthread_mutex_lock(&robust);
	pthread_mutex_lock(&robust_pi);
	wait_released();
	ok = pthread_mutex_unlock(&robust_pi) == 0 && pthread_mutex_unlock(&robust) == 0;
	return (void *)ok;
}

static void init_robust(pthread_mutex_t *m, int protocol)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_setprotocol(&a, protocol);
	if (pthread_mutex_init(m, &a))
		target_die("pthread_mutex_init");
}

/* The spinning threads run on: their counter moves (within 10 s). */
static int spinners_run(long before)
{
	for (int tries = 0; tries < 1000; tries++) {
		struct timespec ms10 = { 0, 10 * 1000 * 1000 };
		long now;
		pthread_mutex_lock(&lock);
		now = spins;
		pthread_mutex_unlock(&lock);
		if (now > before)
			return 1;
		nanosleep(&ms10, NULL);
	}
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS], hold;
	struct sigaction sa = { .sa_handler = on_usr2 };
	int parked = 0, readers = 0;
	void *held_ok = NULL;
	long before;

	if (argc > 2)
		nthreads = atoi(argv[2]);
	if (nthreads < 1 || nthreads > MAX_THREADS)
		target_die("thread count out of range");
	target_init();
	sigaction(SIGUSR2, &sa, NULL);
	for (int i = 0; i < nthreads; i++) {
		parked += i % KINDS == 2;
		readers += i % KINDS == 4;
	}
	if (pipe(pipe_fds))
		target_die("pipe");
	pthread_barrier_init(&barrier, NULL, (unsigned)parked + 1);
	init_robust(&robust, PTHREAD_PRIO_NONE);
	init_robust(&robust_pi, PTHREAD_PRIO_INHERIT);
	if (pthread_create(&hold, NULL, holder, NULL))
		target_die("pthread_create");
	for (long i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)i))
			target_die("pthread_create");
	target_ready();
	target_wait();

	pthread_mutex_lock(&lock);
	before = spins;
	pthread_mutex_unlock(&lock);
	if (nthreads > 3)
		target_check(spinners_run(before), "the spinning threads do not run");
	if (parked)
		pthread_barrier_wait(&barrier);
	pthread_mutex_lock(&lock);
	__atomic_store_n(&released, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < readers; i++)
		target_check(write(pipe_fds[1], "x", 1) == 1, "write to the pipe failed");
	for (int i = 0; i < nthreads; i++)
		target_check(pthread_kill(th[i], SIGUSR2) == 0, "pthread_kill(%d) failed", i);
	for (int i = 0; i < nthreads; i++) {
		void *ret = NULL;
		target_check(pthread_join(th[i], &ret) == 0, "pthread_join(%d) failed", i);
		target_check(ret == (void *)(long)(i * 10 + 7),
			     "thread %d returned %ld (mask, TLS or its syscall lost?)", i, (long)ret);
	}
	pthread_join(hold, &held_ok);
#ifdef __GLIBC__
	/* The stub rewrites glibc's owner ids only (see README: musl's are not). */
	target_check(held_ok == (void *)1L, "the holder could not unlock its robust mutexes");
	target_check(pthread_mutex_lock(&robust) == 0, "main cannot take the robust mutex");
	target_check(pthread_mutex_lock(&robust_pi) == 0, "main cannot take the robust PI mutex");
#endif
	return target_finish();
}
