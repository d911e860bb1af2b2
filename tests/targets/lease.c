/*
 * lease: fd 10 holds a read lease (F_SETLEASE F_RDLCK) on a file of its
 * own, which it must still hold after the resume. argv[2] = "write": fd 11
 * holds a write lease, which freeze refuses (bad/lease-write).
 */
#include "target.h"
#include <fcntl.h>

static int open_at(const char *dir, const char *name, int at)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "lease", 5) != 5)
		target_die(path);
	close(fd);
	fd = open(path, O_RDONLY);
	if (fd < 0 || dup2(fd, at) != at)
		target_die(path);
	close(fd);
	return at;
}

int main(int argc, char **argv)
{
	target_init();
	open_at(argv[1], "read", 10);
	if (fcntl(10, F_SETLEASE, F_RDLCK)) {
		if (errno == EACCES || errno == EINVAL)
			target_skip("no leases here");
		target_die("F_SETLEASE F_RDLCK");
	}
	if (argc > 2 && !strcmp(argv[2], "write")) {
		open_at(argv[1], "write", 11);
		if (fcntl(11, F_SETLEASE, F_WRLCK))
			target_die("F_SETLEASE F_WRLCK");
	}
	target_ready();
	target_wait();

	target_check(fcntl(10, F_GETLEASE) == F_RDLCK, "fd 10 holds no read lease "
		     "(F_GETLEASE %d)", fcntl(10, F_GETLEASE));
	return target_finish();
}
