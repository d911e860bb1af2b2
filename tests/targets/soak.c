/*
 * soak: a computation frozen and resumed many times in a row (the soak
 * case, tests/cases/stacks.sh). A worker thread steps a state of integer
 * and floating-point words, sleeping a little between steps, so a freeze
 * lands in user mode or in a system call; it keeps stepping until SIGUSR1.
 * Then the main thread stops it after some step n, recomputes n steps from
 * scratch in one go, and the two states must be equal: a lost register,
 * a wrong page or a step done twice changes them.
 */
#include "target.h"
#include <fcntl.h>
#include <pthread.h>
#include <time.h>

enum { WORDS = 1 << 16 };   /* 512 KiB of each kind */

struct state {
	uint64_t *ints;
	double *reals;
	uint64_t steps;
};

static struct state live;
static volatile int stop;

static int init_state(struct state *s)
{
	s->ints = malloc(WORDS * sizeof(*s->ints));
	s->reals = malloc(WORDS * sizeof(*s->reals));
	if (!s->ints || !s->reals)
		return -1;
	for (size_t i = 0; i < WORDS; i++) {
		s->ints[i] = i * 0x9e3779b97f4a7c15ULL;
		s->reals[i] = 0.1 + (double)i / (2.0 * WORDS);
	}
	s->steps = 0;
	return 0;
}

/* One step touches a stride of the state, so every page changes over time. */
static void step(struct state *s)
{
	size_t start = (s->steps * 257) % WORDS;
	uint64_t h = s->steps;

	for (size_t k = 0; k < 4096; k++) {
		size_t i = (start + k * 17) % WORDS;
		h = (h ^ s->ints[i]) * 0xff51afd7ed558ccdULL;
		s->ints[i] = h ^ (h >> 29);
		s->reals[i] = 3.97 * s->reals[i] * (1.0 - s->reals[i]);
	}
	s->steps++;
}

static void *worker(void *arg)
{
	struct timespec pause = { 0, 500 * 1000 };

	(void)arg;
	while (!stop) {
		step(&live);
		nanosleep(&pause, NULL);
	}
	return NULL;
}

static int same(const struct state *a, const struct state *b)
{
	return a->steps == b->steps &&
	       !memcmp(a->ints, b->ints, WORDS * sizeof(*a->ints)) &&
	       !memcmp(a->reals, b->reals, WORDS * sizeof(*a->reals));
}

int main(int argc, char **argv)
{
	struct state fresh;
	pthread_t th;
	char path[4096];
	int p[2], fd;

	target_init();
	snprintf(path, sizeof(path), "%s/soak.data", argc > 1 ? argv[1] : ".");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || pipe(p) || write(p[1], "soak", 4) != 4 || write(fd, "data", 4) != 4)
		target_die("setup fds");
	if (init_state(&live) || init_state(&fresh))
		target_die("malloc");
	if (pthread_create(&th, NULL, worker, NULL))
		target_die("pthread_create");
	target_ready();
	target_wait();
	stop = 1;
	pthread_join(th, NULL);
	while (fresh.steps < live.steps)
		step(&fresh);
	target_check(live.steps > 0, "the worker made no step");
	target_check(same(&live, &fresh),
		     "after %llu steps the state differs from a fresh computation's",
		     (unsigned long long)live.steps);
	target_check(lseek(fd, 0, SEEK_CUR) == 4, "the data file's offset changed");
	return target_finish();
}
