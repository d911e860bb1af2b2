/*
 * The process's uids and gids, from /proc/PID/status. Recorded so that
 * --info can warn when an image of a root process is run by someone else;
 * the stub never applies them (see the CREDS record in FORMAT.md). Its
 * supplementary groups and audit login uid, which the stub sets again
 * where the host lets it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "freeze.h"
#include "task/task.h"

/* 65536 groups of up to 10 digits and a space, and the rest of status. */
#define STATUS_MAX (1 << 20)

/* "Uid:\t0\t0\t0\t0": the four values after key. */
static int ids(const char *status, const char *key, uint32_t out[4])
{
	const char *p = strstr(status, key);

	if (!p || sscanf(p + strlen(key), "%u %u %u %u", &out[0], &out[1],
			 &out[2], &out[3]) != 4)
		return -EINVAL;
	return 0;
}

/* "Groups:\t4 24 27 \n", maybe empty. */
static int groups(struct target *t, const char *status)
{
	const char *p = strstr(status, "\nGroups:");
	char *end;

	if (!p)
		return -EINVAL;
	for (p += 8; *p && *p != '\n'; p = end) {
		unsigned long g = strtoul(p, &end, 10);
		uint32_t gid = (uint32_t)g;
		int err;
		if (end == p) {
			end++;
			continue;
		}
		if (t->ngroups >= FZ_NGROUPS_MAX)
			return -E2BIG;
		if ((err = append_item(&t->groups, &t->ngroups, sizeof(gid), &gid)))
			return err;
	}
	return 0;
}

/* Without audit support there is no such file: unset, as for everyone. */
static uint32_t loginuid(pid_t pid)
{
	char buf[32];

	if (read_proc_file(pid, "loginuid", buf, sizeof(buf), NULL))
		return 0xffffffffu;
	return (uint32_t)strtoul(buf, NULL, 10);
}

int collect_creds(struct target *t)
{
	char *buf = malloc(STATUS_MAX);
	uint32_t uid[4], gid[4];
	size_t len = 0;
	int err = buf ? read_proc_file(t->pid, "status", buf, STATUS_MAX, &len) : -ENOMEM;

	if (!err && len >= STATUS_MAX - 1)
		err = -E2BIG;
	if (!err && !(err = ids(buf, "\nUid:", uid)) && !(err = ids(buf, "\nGid:", gid)))
		err = groups(t, buf);
	free(buf);
	if (err)
		return fail(err, "process %d: its uids, gids and groups in /proc/%d/status",
			    (int)t->pid, (int)t->pid);
	t->creds = (struct fz_creds){
		.uid = uid[0],
		.euid = uid[1],
		.suid = uid[2],
		.fsuid = uid[3],
		.gid = gid[0],
		.egid = gid[1],
		.sgid = gid[2],
		.fsgid = gid[3],
		.loginuid = loginuid(t->pid),
	};
	return 0;
}
