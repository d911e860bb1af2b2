/*
 * subreaper LOG COMMAND...: run COMMAND as the child of a child subreaper,
 * so that whatever it leaves behind comes back here to be reaped, and say
 * in LOG (one line each, as it happens):
 *   child PID              COMMAND started
 *   orphan PID NAME STATUS another process ended under us (NAME its comm)
 *   exit STATUS            COMMAND ended
 *   done                   no descendant is left at all
 * STATUS is an exit status, or "signal N". Exits with COMMAND's status.
 * The runner uses it to check that the resume stub's exit cleaner ends,
 * and that nothing else of the stub is left.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void status_text(int st, char *buf, size_t cap)
{
	if (WIFEXITED(st))
		snprintf(buf, cap, "%d", WEXITSTATUS(st));
	else
		snprintf(buf, cap, "signal %d", WTERMSIG(st));
}

/* The comm of pid, a zombie not reaped yet. */
static void comm_of(pid_t pid, char *buf, size_t cap)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	snprintf(buf, cap, "?");
	if ((f = fopen(path, "r"))) {
		if (fgets(buf, (int)cap, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	pid_t child;
	FILE *log;
	int rc = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: subreaper LOG COMMAND...\n");
		return 2;
	}
	if (!(log = fopen(argv[1], "w")) || prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		perror("subreaper");
		return 2;
	}
	setvbuf(log, NULL, _IOLBF, 0);
	fcntl(fileno(log), F_SETFD, FD_CLOEXEC);
	if ((child = fork()) == 0) {
		execvp(argv[2], argv + 2);
		perror("subreaper: exec");
		_exit(127);
	}
	fprintf(log, "child %d\n", (int)child);
	for (;;) {
		siginfo_t si = { 0 };
		char name[64], st[32];
		int status;
		if (waitid(P_ALL, 0, &si, WEXITED | WNOWAIT | __WALL)) {
			if (errno == EINTR)
				continue;
			break;  /* ECHILD: nothing left */
		}
		comm_of(si.si_pid, name, sizeof(name));
		if (waitpid(si.si_pid, &status, __WALL) != si.si_pid)
			continue;
		status_text(status, st, sizeof(st));
		if (si.si_pid == child) {
			fprintf(log, "exit %s\n", st);
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
		} else {
			fprintf(log, "orphan %d %s %s\n", (int)si.si_pid, name, st);
		}
	}
	fprintf(log, "done\n");
	return rc;
}
