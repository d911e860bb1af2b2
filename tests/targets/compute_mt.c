/*
 * compute_mt: a deterministic multi-threaded computation, a few seconds
 * long, to be frozen midway. Four threads step their slices of a shared
 * array in phases separated by a barrier; each keeps a thread-local
 * checksum and adds it under a mutex at the end of each phase; the main
 * thread waits on a condition variable for all phases to finish. No
 * SIGUSR1: it prints READY, computes, prints RESULT; the runner compares
 * with an uninterrupted run.
 */
#include "target.h"
#include <pthread.h>
#include <stdint.h>

enum { NTHREADS = 4, N = 1 << 16, PHASES = 45000 };

static uint64_t cells[N];
static uint64_t total;
static int done;
static pthread_barrier_t barrier;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_done = PTHREAD_COND_INITIALIZER;
static __thread uint64_t local_sum;

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	return x * 0x81dadef4bc2dd44dULL;
}

static void *worker(void *arg)
{
	long id = (long)arg;
	size_t lo = (size_t)id * (N / NTHREADS), hi = lo + N / NTHREADS;

	for (int phase = 0; phase < PHASES; phase++) {
		local_sum = 0;
		for (size_t i = lo; i < hi; i++) {
			cells[i] = mix(cells[i] + (uint64_t)phase);
			local_sum += cells[i] >> 32;
		}
		pthread_mutex_lock(&lock);
		total += local_sum;
		pthread_mutex_unlock(&lock);
		pthread_barrier_wait(&barrier);
	}
	pthread_mutex_lock(&lock);
	done++;
	pthread_cond_signal(&all_done);
	pthread_mutex_unlock(&lock);
	return NULL;
}

int main(void)
{
	pthread_t th[NTHREADS];
	uint64_t hash = 0;

	for (size_t i = 0; i < N; i++)
		cells[i] = i;
	pthread_barrier_init(&barrier, NULL, NTHREADS);
	target_ready();
	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)i))
			target_die("pthread_create");
	pthread_mutex_lock(&lock);
	while (done < NTHREADS)
		pthread_cond_wait(&all_done, &lock);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < N; i++)
		hash = mix(hash ^ cells[i]);
	printf("RESULT %llu %llu\n", (unsigned long long)total,
	       (unsigned long long)hash);
	return 0;
}
