/*
 * Small numbers in the resumed process's own /proc/self files
 * (oom_score_adj, loginuid): read one, write one.
 */
#include <asm/fcntl.h>
#include <linux/errno.h>

#include "print.h"
#include "sys.h"
#include "task/task.h"

long proc_self_read(const char *name, long *value)
{
	char path[64], buf[32];
	long fd, n, v = 0;
	int neg = 0, i = 0;

	format(path, sizeof(path), "/proc/self/%s", name);
	fd = sys_open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	n = sys_read((int)fd, buf, sizeof(buf) - 1);
	sys_close((int)fd);
	if (n < 0)
		return n;
	buf[n] = 0;
	if (buf[0] == '-')
		neg = i = 1;
	if (buf[i] < '0' || buf[i] > '9')
		return -EINVAL;
	for (; buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + (buf[i] - '0');
	*value = neg ? -v : v;
	return 0;
}

long proc_self_write(const char *name, long value)
{
	char path[64], text[32];
	long fd, ret;
	unsigned n = 0;

	format(path, sizeof(path), "/proc/self/%s", name);
	format(text, sizeof(text), "%ld", value);
	while (text[n])
		n++;
	fd = sys_open(path, O_WRONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	ret = sys_write((int)fd, text, n);
	sys_close((int)fd);
	return ret < 0 ? ret : 0;
}
