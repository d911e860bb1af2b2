/*
 * The process's uids and gids, from /proc/PID/status. Recorded so that
 * --info can warn when an image of a root process is run by someone else;
 * the stub never applies them (see the CREDS record in FORMAT.md).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "freeze.h"
#include "task/task.h"

/* "Uid:\t0\t0\t0\t0": the four values after key. */
static int ids(const char *status, const char *key, uint32_t out[4])
{
	const char *p = strstr(status, key);

	if (!p || sscanf(p + strlen(key), "%u %u %u %u", &out[0], &out[1],
			 &out[2], &out[3]) != 4)
		return -EINVAL;
	return 0;
}

int collect_creds(struct target *t)
{
	char buf[8192];
	uint32_t uid[4], gid[4];
	int err = read_proc_file(t->pid, "status", buf, sizeof(buf), NULL);

	if (!err && !(err = ids(buf, "\nUid:", uid)))
		err = ids(buf, "\nGid:", gid);
	if (err)
		return fail(err, "process %d: its uids and gids in /proc/%d/status",
			    (int)t->pid, (int)t->pid);
	t->creds = (struct fz_creds){
		.uid = uid[0], .euid = uid[1], .suid = uid[2], .fsuid = uid[3],
		.gid = gid[0], .egid = gid[1], .sgid = gid[2], .fsgid = gid[3],
	};
	return 0;
}
