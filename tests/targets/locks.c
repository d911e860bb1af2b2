/*
 * locks: file locks are held again after the resume.
 *   fl    flock.lck  flock(LOCK_EX)
 *   sh    shared.lck flock(LOCK_SH)
 *   px    posix.lck  F_SETLK: write lock on [10, 20), read lock on [100, EOF)
 *   px2   posix.lck  again (another open file: the same POSIX locks)
 *   ofd   ofd.lck    F_OFD_SETLK write lock on [0, 100)
 *   dir   the scratch directory, flock(LOCK_EX)
 * After the resume a child process, and another open file of the process
 * itself for flock, cannot take what is held, and can take what is not.
 */
#include "target.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/wait.h>

enum { FL, SH, PX, PX2, OFD, DIRFD, NFDS };
static const char *const file[NFDS] = { "flock.lck", "shared.lck", "posix.lck", "posix.lck",
					"ofd.lck", "." };
static int fds[NFDS];
static char paths[NFDS][PATH_MAX];

static int range_lock(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* F_GETLK / F_OFD_GETLK: the pid holding a conflicting lock, 0 if free, -1 on error. */
static int holder(const char *path, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	int fd = open(path, O_RDWR), r;

	if (fd < 0 || fcntl(fd, cmd, &fl))
		r = -1;
	else
		r = fl.l_type == F_UNLCK ? 0 : cmd == F_OFD_GETLK ? 1 : fl.l_pid;
	if (fd >= 0)
		close(fd);
	return r;
}

static int flock_nb(const char *path, int op)
{
	int fd = open(path, O_RDONLY), r;

	r = fd < 0 ? -1 : flock(fd, op | LOCK_NB);
	if (fd >= 0)
		close(fd);
	return r;
}

static const char *const child_check_name[] = {
	"flock.lck: a child could take the LOCK_EX flock",
	"shared.lck: a child could not share the LOCK_SH flock",
	"shared.lck: a child could take it LOCK_EX",
	"posix.lck: [10, 20) is not write-locked by this process",
	"posix.lck: [50, 60) is locked",
	"posix.lck: [100, EOF) is not read-locked by this process",
	"posix.lck: [100, EOF) cannot be shared",
	"ofd.lck: [0, 100) is not OFD-locked",
	"ofd.lck: [200, 210) is locked",
	"the directory: a child could take its flock",
};

/* In a child: 0, or 1 + the index of the first check that went wrong. */
static int child_checks(pid_t parent)
{
	int ok[] = {
		flock_nb(paths[FL], LOCK_EX) != 0,
		flock_nb(paths[SH], LOCK_SH) == 0,
		flock_nb(paths[SH], LOCK_EX) != 0,
		holder(paths[PX], F_GETLK, F_WRLCK, 10, 10) == parent,
		holder(paths[PX], F_GETLK, F_WRLCK, 50, 10) == 0,
		holder(paths[PX], F_GETLK, F_WRLCK, 150, 10) == parent,
		holder(paths[PX], F_GETLK, F_RDLCK, 150, 10) == 0,
		holder(paths[OFD], F_OFD_GETLK, F_WRLCK, 0, 10) == 1,
		holder(paths[OFD], F_OFD_GETLK, F_WRLCK, 200, 10) == 0,
		flock_nb(paths[DIRFD], LOCK_EX) != 0,
	};

	for (unsigned i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		if (!ok[i])
			return (int)i + 1;
	return 0;
}

static void check_from_child(void)
{
	pid_t parent = getpid(), pid = fork();
	int status, bad;

	if (pid == 0)
		_exit(child_checks(parent));
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		target_check(0, "the checking child failed");
		return;
	}
	bad = WEXITSTATUS(status);
	target_check(!bad, "%s", bad > 0 && bad <= 10 ? child_check_name[bad - 1] : "?");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		target_die("usage: locks SCRATCH_DIR");
	target_init();
	for (int i = 0; i < NFDS; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", argv[1], file[i]);
		fds[i] = i == DIRFD ? open(paths[i], O_RDONLY | O_DIRECTORY) :
				      open(paths[i], O_RDWR | O_CREAT, 0644);
		if (fds[i] < 0)
			target_die(paths[i]);
	}
	if (ftruncate(fds[PX], 200) || flock(fds[FL], LOCK_EX) || flock(fds[SH], LOCK_SH) ||
	    range_lock(fds[PX], F_SETLK, F_WRLCK, 10, 10) ||
	    range_lock(fds[PX], F_SETLK, F_RDLCK, 100, 0) ||
	    range_lock(fds[OFD], F_OFD_SETLK, F_WRLCK, 0, 100) || flock(fds[DIRFD], LOCK_EX))
		target_die("taking the locks");
	target_ready();
	target_wait();

	check_from_child();
	target_check(flock_nb(paths[FL], LOCK_EX) != 0 && errno == EWOULDBLOCK,
		     "flock.lck: another open file of this process could take the flock");
	return target_finish();
}
