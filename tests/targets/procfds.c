/*
 * procfds: fds on files of the process's own /proc directory, opened as
 * /proc/self/status (read part-way) and /proc/PID/maps. After resume each
 * must be the resumed process's own file, at the same offset: status names
 * its pid as it is now, maps lists its stack. With argv[2] = "other" it
 * also holds /proc/1/status, another process's file, and with "thread"
 * /proc/thread-self/status, whose thread id would change: freeze refuses
 * both (bad/proc-other, bad/proc-thread).
 */
#include "target.h"
#include <fcntl.h>

#define STATUS_READ 10

/* The whole file behind fd, from its start, into buf (cap bytes). */
static ssize_t read_from_start(int fd, char *buf, size_t cap)
{
	ssize_t n, total = 0;

	while ((size_t)total < cap - 1 &&
	       (n = pread(fd, buf + total, cap - 1 - (size_t)total, total)) > 0)
		total += n;
	buf[total > 0 ? total : 0] = 0;
	return total;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	char path[64], line[64];
	int status, maps, other = -1;
	off_t at;

	target_init();
	status = open("/proc/self/status", O_RDONLY);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)getpid());
	maps = open(path, O_RDONLY | O_CLOEXEC);
	if (status < 0 || maps < 0)
		target_die("open /proc files");
	if (read(status, buf, STATUS_READ) != STATUS_READ)
		target_die("read /proc/self/status");
	if (argc > 2 && !strcmp(argv[2], "other") &&
	    (other = open("/proc/1/status", O_RDONLY)) < 0)
		target_die("open /proc/1/status");
	if (argc > 2 && !strcmp(argv[2], "thread") &&
	    (other = open("/proc/thread-self/status", O_RDONLY)) < 0)
		target_die("open /proc/thread-self/status");
	target_ready();
	target_wait();

	at = lseek(status, 0, SEEK_CUR);
	target_check(at == STATUS_READ, "status fd at offset %ld, was %d", (long)at,
		     STATUS_READ);
	read_from_start(status, buf, sizeof(buf));
	snprintf(line, sizeof(line), "\nPid:\t%d\n", (int)getpid());
	target_check(strstr(buf, line) != NULL, "the status fd is not this process's "
		     "(no \"Pid: %d\" in it)", (int)getpid());
	read_from_start(maps, buf, sizeof(buf));
	target_check(strstr(buf, "[stack]") != NULL, "the maps fd lists no [stack]");
	target_check(fcntl(maps, F_GETFD) == FD_CLOEXEC, "the maps fd lost FD_CLOEXEC");
	return target_finish();
}
