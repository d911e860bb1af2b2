/*
 * deadcwd: a process whose working directory was removed (c/, mode 0750,
 * an old mtime), and an O_PATH fd on it. After the resume its cwd is still a
 * removed directory like that one: stat(".") gives its mode, mtime and
 * nlink 0, getcwd() fails with ENOENT, creating a file in it fails with
 * ENOENT, /proc/self/cwd says "path (deleted)"; and the scratch directory
 * holds what it did before the freeze (no stand-in left behind); the
 * O_PATH fd is on that same directory.
 */
#include "target.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#define OLD_MTIME 1234567890

static void list_dir(const char *dir, char *out, size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t len = 0;

	out[0] = 0;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s/", e->d_name);
	if (d)
		closedir(d);
}

int main(int argc, char **argv)
{
	struct timespec t[2] = { { 0, UTIME_OMIT }, { OLD_MTIME, 700 } };
	char dir[PATH_MAX], want[PATH_MAX + 16], name[PATH_MAX + 16], buf[PATH_MAX];
	char listing[4096], now[4096];
	struct stat before, st, held;
	ssize_t n;
	int fd, opath;

	if (argc < 2)
		target_die("usage: deadcwd SCRATCH_DIR");
	target_init();
	if (argv[1][0] != '/')
		target_die("the scratch directory must be an absolute path");
	snprintf(dir, sizeof(dir), "%s/c", argv[1]);
	if (mkdir(dir, 0700) || chmod(dir, 0750) || utimensat(AT_FDCWD, dir, t, 0) ||
	    chdir(dir) || (opath = open(".", O_PATH)) < 0 || rmdir(dir) || stat(".", &before))
		target_die(dir);
	list_dir(argv[1], listing, sizeof(listing));
	target_ready();
	target_wait();

	target_check(!stat(".", &st), "stat(\".\"): %s", strerror(errno));
	target_check(S_ISDIR(st.st_mode) && st.st_mode == before.st_mode, "cwd: mode %o, was %o",
		     st.st_mode, before.st_mode);
	target_check(st.st_nlink == 0, "cwd: nlink %lu, not 0", (unsigned long)st.st_nlink);
	target_check(st.st_uid == before.st_uid && st.st_gid == before.st_gid,
		     "cwd: owner %u:%u, was %u:%u", st.st_uid, st.st_gid, before.st_uid, before.st_gid);
	target_check(st.st_mtim.tv_sec == OLD_MTIME && st.st_mtim.tv_nsec == 700,
		     "cwd: mtime %ld.%09ld, not the one set", (long)st.st_mtim.tv_sec,
		     st.st_mtim.tv_nsec);
	target_check(!fstatat(opath, "", &held, AT_EMPTY_PATH) && held.st_ino == st.st_ino &&
			     held.st_dev == st.st_dev,
		     "the O_PATH fd is not on the working directory any more");
	errno = 0;
	target_check(!getcwd(buf, sizeof(buf)) && errno == ENOENT,
		     "getcwd gives '%s' (%s), not ENOENT", errno ? "" : buf, strerror(errno));
	fd = open("new", O_CREAT | O_WRONLY, 0600);
	target_check(fd < 0 && errno == ENOENT, "creating a file in the cwd: %s",
		     fd < 0 ? strerror(errno) : "it worked");
	n = readlink("/proc/self/cwd", name, sizeof(name) - 1);
	name[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof(want), "%s (deleted)", dir);
	target_check(!strcmp(name, want), "/proc/self/cwd says '%s', not '%s'", name, want);
	list_dir(argv[1], now, sizeof(now));
	target_check(!strcmp(now, listing), "the scratch directory holds '%s', held '%s'", now,
		     listing);
	return target_finish();
}
