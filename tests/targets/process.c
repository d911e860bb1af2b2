/*
 * process: per-process settings survive.  The working directory (a
 * directory with a space in its name under argv[1]; the image is resumed
 * from somewhere else), umask 027 (and files created after the resume get
 * mode 0640), every resource limit, with RLIMIT_NOFILE's soft limit lowered
 * and RLIMIT_CORE set to 0.
 */
#include "target.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>

enum { NOFILE_SOFT = 200, NLIMITS = RLIMIT_NLIMITS };

int main(int argc, char **argv)
{
	char dir[PATH_MAX], cwd[PATH_MAX], *got;
	struct rlimit lim[NLIMITS], now, core = { 0, 0 };
	struct stat st;
	mode_t mask;
	int fd;

	if (argc < 2)
		target_die("usage: process SCRATCH_DIR");
	target_init();
	snprintf(dir, sizeof(dir), "%s/work dir", argv[1]);
	if ((mkdir(dir, 0755) && errno != EEXIST) || chdir(dir) || !getcwd(dir, sizeof(dir)))
		target_die("working directory");
	umask(027);
	if (getrlimit(RLIMIT_NOFILE, &now))
		target_die("getrlimit");
	now.rlim_cur = now.rlim_max < NOFILE_SOFT ? now.rlim_max : NOFILE_SOFT;
	if (setrlimit(RLIMIT_NOFILE, &now) || setrlimit(RLIMIT_CORE, &core))
		target_die("setrlimit");
	for (int r = 0; r < NLIMITS; r++)
		if (getrlimit(r, &lim[r]))
			target_die("getrlimit");
	target_ready();
	target_wait();

	got = getcwd(cwd, sizeof(cwd));
	target_check(got && !strcmp(cwd, dir), "cwd is %s, was %s", got ? cwd : strerror(errno),
		     dir);
	mask = umask(027);
	target_check(mask == 027, "umask is %03o, was 027", (unsigned)mask);
	for (int r = 0; r < NLIMITS; r++)
		target_check(!getrlimit(r, &now) && now.rlim_cur == lim[r].rlim_cur &&
			     now.rlim_max == lim[r].rlim_max,
			     "rlimit %d is %llu/%llu, was %llu/%llu", r,
			     (unsigned long long)now.rlim_cur, (unsigned long long)now.rlim_max,
			     (unsigned long long)lim[r].rlim_cur,
			     (unsigned long long)lim[r].rlim_max);
	unlink("new-file");
	fd = open("new-file", O_CREAT | O_WRONLY | O_EXCL, 0666);
	target_check(fd >= 0 && !fstat(fd, &st) && (st.st_mode & 07777) == 0640,
		     "a new file got mode %03o, not 0640", fd >= 0 ? (unsigned)(st.st_mode & 07777) : 0);
	target_check(!stat("../work dir/new-file", &st), "new file is not in the working directory");
	close(fd);
	unlink("new-file");
	return target_finish();
}
