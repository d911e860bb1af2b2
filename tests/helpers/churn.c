/*
 * churn DIR exit MS: print READY, exit after MS milliseconds.
 * churn DIR exec MS [GEN]: print READY, then a second thread executes this
 * program again every MS milliseconds (exec from a thread that is not the
 * leader, so the kernel also kills and replaces the leader), 1000 times.
 *
 * Targets that end or change under freeze at moments it cannot predict.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char **args;

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

static void *exec_later(void *arg)
{
	char gen[16];

	sleep_ms(atol(args[3]));
	snprintf(gen, sizeof(gen), "%d", (int)(long)arg + 1);
	execl("/proc/self/exe", args[0], args[1], args[2], args[3], gen, (char *)NULL);
	perror("churn: exec");
	exit(1);
}

int main(int argc, char **argv)
{
	long gen = argc > 4 ? atol(argv[4]) : 0;
	pthread_t t;

	if (argc < 4 || (strcmp(argv[2], "exit") && strcmp(argv[2], "exec"))) {
		fprintf(stderr, "usage: churn DIR exit|exec MS [GEN]\n");
		return 2;
	}
	args = argv;
	if (gen == 0) {
		puts("READY");
		fflush(stdout);
	}
	if (!strcmp(argv[2], "exit") || gen >= 1000) {
		sleep_ms(atol(argv[3]));
		return 0;
	}
	if (pthread_create(&t, NULL, exec_later, (void *)gen))
		return 1;
	for (;;)
		pause();
}
