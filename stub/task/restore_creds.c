/*
 * The parts of the process's credentials that the stub sets again where
 * the host lets it: its supplementary groups (setgroups takes CAP_SETGID:
 * a resumer without it keeps its own, and is warned when they differ)
 * and its audit login uid (a set one can only be changed with
 * CAP_AUDIT_CONTROL). The uids and gids are never taken from the image.
 */
#include <linux/errno.h>

#include "print.h"
#include "sys.h"
#include "task/task.h"

#define COMPARE_MAX 256     /* more groups than that: set, not compared */

static int same_groups(const uint32_t *want, uint32_t n)
{
	uint32_t now[COMPARE_MAX];
	long have = sys_getgroups(COMPARE_MAX, now);

	if (have < 0 || (uint32_t)have != n)
		return 0;
	/* The kernel keeps them sorted, and /proc listed them so at freeze. */
	for (uint32_t i = 0; i < n; i++)
		if (now[i] != want[i])
			return 0;
	return 1;
}

static void restore_groups(const struct stub *st)
{
	uint32_t size = 0;
	const uint32_t *want = image_find(&st->img, FZ_REC_GROUPS, &size);
	uint32_t n = size / 4;
	long ret;

	if (!want || same_groups(want, n))
		return;
	ret = sys_setgroups(n, want);
	if (ret < 0)
		warn("the process had %u other supplementary groups (first %ld) at "
		     "freeze time; it keeps yours: setgroups: %s", n, n ? (long)want[0] : -1L,
		     errname(ret));
}

static void restore_loginuid(const struct stub *st)
{
	const struct fz_creds *c = image_find(&st->img, FZ_REC_CREDS, 0);
	long now = 0xffffffffL, ret;

	if (!c)
		return;
	ret = proc_self_read("loginuid", &now);
	if (!ret && (uint32_t)now == c->loginuid)
		return;
	if (ret == -ENOENT && c->loginuid == 0xffffffffu)
		return;   /* no audit here, and none was set */
	if (!ret)
		ret = proc_self_write("loginuid", (long)c->loginuid);
	if (ret < 0)
		warn("cannot restore the audit login uid %u (it is %ld here): %s%s",
		     c->loginuid, now, errname(ret),
		     ret == -EPERM ? ": changing a set one takes CAP_AUDIT_CONTROL" : "");
}

void restore_creds(const struct stub *st)
{
	restore_groups(st);
	restore_loginuid(st);
}
