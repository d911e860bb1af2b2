/*
 * fifo: a named pipe (FIFO) whose both ends the process holds, with bytes
 * written and not read yet; the read end non-blocking, the write end
 * blocking and close-on-exec, a third fd open for both.  After the resume:
 * the same FIFO (by inode; as root the runner removes it before the resume,
 * so the stub makes it again), the unread bytes first, then new bytes
 * written through each writing fd, the flags as they were.
 */
#include "target.h"
#include <fcntl.h>
#include <sys/stat.h>

static const char queued[] = "written before the freeze";
static const char later[] = "written after the resume";

int main(int argc, char **argv)
{
	char path[4096], buf[128];
	struct stat by_path, by_fd;
	int rd, wr, rw;
	ssize_t n;

	if (argc < 2)
		target_die("usage: fifo SCRATCH_DIR");
	target_init();
	snprintf(path, sizeof(path), "%s/queue.fifo", argv[1]);
	if (mkfifo(path, 0600))
		target_die("mkfifo");
	rd = open(path, O_RDONLY | O_NONBLOCK);
	if (rd < 0)
		target_die("open read end");
	wr = open(path, O_WRONLY | O_CLOEXEC);
	if (wr < 0)
		target_die("open write end");
	rw = open(path, O_RDWR);
	if (rw < 0)
		target_die("open both ends");
	if (write(wr, queued, sizeof(queued)) != sizeof(queued))
		target_die("write");
	target_ready();
	target_wait();

	target_check(fstat(rd, &by_fd) == 0 && stat(path, &by_path) == 0 &&
		     S_ISFIFO(by_fd.st_mode) && by_fd.st_ino == by_path.st_ino,
		     "the read end is not the FIFO at %s", path);
	target_check((fcntl(rd, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) == (O_RDONLY | O_NONBLOCK),
		     "read end flags %#x", fcntl(rd, F_GETFL));
	target_check((fcntl(wr, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) == O_WRONLY,
		     "write end flags %#x", fcntl(wr, F_GETFL));
	target_check(fcntl(wr, F_GETFD) == FD_CLOEXEC, "write end lost FD_CLOEXEC");
	n = read(rd, buf, sizeof(buf));
	target_check(n == sizeof(queued) && !memcmp(buf, queued, sizeof(queued)),
		     "unread bytes: read %zd", n);
	target_check(write(wr, later, sizeof(later)) == sizeof(later), "write after resume");
	n = read(rd, buf, sizeof(buf));
	target_check(n == sizeof(later) && !memcmp(buf, later, sizeof(later)),
		     "bytes written after the resume: read %zd", n);
	target_check((fcntl(rw, F_GETFL) & O_ACCMODE) == O_RDWR, "the O_RDWR fd lost its mode");
	target_check(write(rw, later, sizeof(later)) == sizeof(later), "write through O_RDWR");
	n = read(rd, buf, sizeof(buf));
	target_check(n == sizeof(later) && !memcmp(buf, later, sizeof(later)),
		     "bytes written through the O_RDWR fd: read %zd", n);
	n = read(rd, buf, sizeof(buf));
	target_check(n < 0 && errno == EAGAIN, "the FIFO is not empty at the end");
	return target_finish();
}
