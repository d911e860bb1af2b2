/*
 * groups: supplementary groups set with setgroups, which takes CAP_SETGID:
 * as root the resumed process must have exactly these again. A user can
 * set none, so as a user this is a skip (the stub keeps the resumer's).
 */
#include "target.h"
#include <grp.h>

static const gid_t want[] = { 0, 4242, 4343, 60001 };
enum { NWANT = sizeof(want) / sizeof(want[0]) };

static int has(const gid_t *list, int n, gid_t g)
{
	for (int i = 0; i < n; i++)
		if (list[i] == g)
			return 1;
	return 0;
}

int main(void)
{
	gid_t now[64];
	int n;

	target_init();
	if (geteuid() != 0)
		target_skip("setgroups takes CAP_SETGID: the supplementary groups are "
			    "root's check only");
	if (setgroups(NWANT, want))
		target_die("setgroups");
	target_ready();
	target_wait();

	n = getgroups(64, now);
	target_check(n == NWANT, "%d supplementary groups, not %d", n, NWANT);
	for (int i = 0; i < NWANT; i++)
		target_check(n > 0 && has(now, n, want[i]), "group %u lost", (unsigned)want[i]);
	return target_finish();
}
