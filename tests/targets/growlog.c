/*
 * growlog: a log another writer appends to while the process is frozen,
 * the normal case for a log: log.txt open O_WRONLY|O_APPEND (fd 3), with
 * the process's own lines in it, and app.log open O_RDONLY at offset 4, a
 * file someone else writes that the process reads.  The hook
 * after_freeze_growlog appends to both between freeze and resume; the
 * resume must be quiet about them (files-policy/log-grew checks stderr).
 * argv[2] "shrank": the runner empties log.txt instead, and only the
 * appending is checked (files-policy/log-shrank checks the warning).
 * After the resume: the process's lines still lead log.txt (unless
 * shrank), its next line lands at the end, after whatever was appended,
 * and app.log reads on from offset 4.  (The checks hold with or without
 * the hook: TESTS_NOFREEZE runs none.)
 */
#include "target.h"
#include <fcntl.h>
#include <sys/stat.h>

static const char mine[] = "frozen: line 1\nfrozen: line 2\n";
static const char after[] = "resumed: line 3\n";
static const char app[] = "app: 0123\n";

static int open_or_die(const char *dir, const char *name, int flags, char *path)
{
	int fd;

	snprintf(path, 512, "%s/%s", dir, name);
	fd = open(path, flags | O_CLOEXEC, 0644);
	if (fd < 0)
		target_die(path);
	return fd;
}

/* The whole file at path into buf (NUL-terminated); its length, or -1. */
static ssize_t slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, cap - 1);

	if (fd >= 0)
		close(fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

int main(int argc, char **argv)
{
	char log_path[512], app_path[512], buf[4096];
	int shrank = argc > 2 && !strcmp(argv[2], "shrank");
	int log, in;
	ssize_t n;

	if (argc < 2)
		target_die("usage: growlog SCRATCH_DIR [grew|shrank]");
	target_init();
	log = open_or_die(argv[1], "log.txt", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, log_path);
	in = open_or_die(argv[1], "app.log", O_RDWR | O_CREAT | O_TRUNC, app_path);
	if (write(log, mine, strlen(mine)) != (ssize_t)strlen(mine) ||
	    write(in, app, strlen(app)) != (ssize_t)strlen(app) ||
	    lseek(in, 4, SEEK_SET) != 4)
		target_die("writing the files");
	close(in);
	in = open_or_die(argv[1], "app.log", O_RDONLY, app_path);
	if (lseek(in, 4, SEEK_SET) != 4)
		target_die("lseek app.log");
	target_ready();
	target_wait();

	target_check(write(log, after, strlen(after)) == (ssize_t)strlen(after),
		     "write log.txt: %s", strerror(errno));
	n = slurp(log_path, buf, sizeof(buf));
	target_check(n >= (ssize_t)strlen(after) && !strcmp(buf + n - strlen(after), after),
		     "log.txt does not end with the line written after the resume");
	target_check(shrank || !strncmp(buf, mine, strlen(mine)),
		     "log.txt lost its first lines");
	target_check(lseek(in, 0, SEEK_CUR) == 4, "app.log: offset %lld, was 4",
		     (long long)lseek(in, 0, SEEK_CUR));
	n = read(in, buf, sizeof(buf) - 1);
	target_check(n >= (ssize_t)strlen(app) - 4 && !memcmp(buf, app + 4, strlen(app) - 4),
		     "app.log: does not read on from offset 4 (%zd bytes)", n);
	return target_finish();
}
