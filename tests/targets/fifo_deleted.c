/*
 * fifo_deleted: FIFOs unlinked while the process holds them: one with a
 * read end and a write end, one open once for both (O_RDWR), each with
 * bytes not read yet.  After the resume both carry their bytes and new
 * ones, and the O_RDWR fd is still open for both.  (Rebuilt as pipes: no
 * path leads to them any more.)
 */
#include "target.h"
#include <fcntl.h>
#include <sys/stat.h>

static const char queued[] = "written before the freeze";
static const char later[] = "written after the resume";

static int open_unlinked(const char *dir, const char *name, int flags)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mkfifo(path, 0600) || (fd = open(path, flags)) < 0)
		target_die("mkfifo and open");
	return fd;
}

/* rd gives the bytes queued, then what wr writes now. */
static void check_carries(int rd, int wr, const char *what)
{
	char buf[128];
	ssize_t n = read(rd, buf, sizeof(buf));

	target_check(n == sizeof(queued) && !memcmp(buf, queued, sizeof(queued)),
		     "%s: unread bytes: read %zd", what, n);
	target_check(write(wr, later, sizeof(later)) == sizeof(later), "%s: write", what);
	n = read(rd, buf, sizeof(buf));
	target_check(n == sizeof(later) && !memcmp(buf, later, sizeof(later)),
		     "%s: bytes written after the resume: read %zd", what, n);
}

int main(int argc, char **argv)
{
	char path[4096];
	int rd, wr, rw;

	if (argc < 2)
		target_die("usage: fifo_deleted SCRATCH_DIR");
	target_init();
	rd = open_unlinked(argv[1], "pair.fifo", O_RDONLY | O_NONBLOCK);
	snprintf(path, sizeof(path), "%s/pair.fifo", argv[1]);
	wr = open(path, O_WRONLY);
	rw = open_unlinked(argv[1], "both.fifo", O_RDWR | O_NONBLOCK);
	if (wr < 0 || unlink(path))
		target_die("the write end");
	snprintf(path, sizeof(path), "%s/both.fifo", argv[1]);
	if (unlink(path) || write(wr, queued, sizeof(queued)) != sizeof(queued) ||
	    write(rw, queued, sizeof(queued)) != sizeof(queued))
		target_die("unlink and write");
	target_ready();
	target_wait();

	check_carries(rd, wr, "the unlinked FIFO's ends");
	check_carries(rw, rw, "the unlinked FIFO open for both");
	target_check((fcntl(rw, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) == (O_RDWR | O_NONBLOCK),
		     "the O_RDWR fd's flags are %#x", fcntl(rw, F_GETFL));
	return target_finish();
}
