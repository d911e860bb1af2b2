/*
 * exe: /proc/self/exe names the program again after the resume, not the
 * image, so a program that re-executes itself runs itself: a child exec'd
 * through /proc/self/exe answers as this program. Relinking it takes
 * CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE: as a user this is a skip (the
 * link stays the image's).
 */
#include "target.h"
#include <limits.h>
#include <sys/wait.h>

#define ANSWER "exe: the program itself"

static char self[PATH_MAX];

static int read_self(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);

	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* What a child exec'd through /proc/self/exe prints. */
static void reexec_answer(char *got, size_t len)
{
	int p[2];
	pid_t pid;
	ssize_t n;

	got[0] = 0;
	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execl("/proc/self/exe", "exe", "--answer", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	n = pid < 0 ? -1 : read(p[0], got, len - 1);
	got[n > 0 ? n : 0] = 0;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	char now[PATH_MAX], got[128];

	if (argc > 1 && !strcmp(argv[1], "--answer")) {
		fputs(ANSWER, stdout);
		return 0;
	}
	if (geteuid() != 0)
		target_skip("relinking /proc/self/exe takes CAP_SYS_ADMIN or "
			    "CAP_CHECKPOINT_RESTORE: as a user it stays the image");
	target_init();
	if (read_self(self, sizeof(self)))
		target_die("readlink /proc/self/exe");
	target_ready();
	target_wait();
	target_check(!read_self(now, sizeof(now)) && !strcmp(now, self),
		     "/proc/self/exe is %s, was %s", now, self);
	reexec_answer(got, sizeof(got));
	target_check(!strcmp(got, ANSWER), "a child exec'd through /proc/self/exe says '%s'",
		     got);
	return target_finish();
}
