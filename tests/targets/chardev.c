/*
 * chardev: fd 10 is /dev/console, a terminal device that is not the
 * process's terminal: it is reopened at its path. Only root may open it
 * here (a skip as a user).
 */
#include "target.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

int main(void)
{
	struct stat st;
	int fd;

	target_init();
	fd = open("/dev/console", O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		target_skip("cannot open /dev/console as this user");
	if (dup2(fd, 10) != 10)
		target_die("dup2");
	close(fd);
	target_ready();
	target_wait();

	target_check(fstat(10, &st) == 0 && S_ISCHR(st.st_mode) &&
		     st.st_rdev == makedev(5, 1), "fd 10 is not /dev/console");
	target_check((fcntl(10, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) ==
		     (O_RDONLY | O_NONBLOCK), "fd 10 has other flags (%#x)",
		     fcntl(10, F_GETFL));
	return target_finish();
}
