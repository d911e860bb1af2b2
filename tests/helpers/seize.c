/*
 * seize PID: become PID's tracer (PTRACE_SEIZE, the target keeps running),
 * print SEIZED, and sleep.  Killing this process detaches the target.
 * The runner uses it to check that freeze refuses an already-traced target.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t pid = argc == 2 ? (pid_t)atoi(argv[1]) : 0;

	if (pid <= 0) {
		fprintf(stderr, "usage: seize PID\n");
		return 2;
	}
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL)) {
		perror("seize: PTRACE_SEIZE");
		return 1;
	}
	puts("SEIZED");
	fflush(stdout);
	for (;;)
		pause();
}
