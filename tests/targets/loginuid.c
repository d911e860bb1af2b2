/*
 * loginuid: the audit login uid (/proc/self/loginuid), which a process
 * whose login uid is unset may set once, and only CAP_AUDIT_CONTROL may
 * change after that. The target sets it; the resumed process must have
 * it. Where it cannot be set (no audit support, or already set by a
 * login), this is a skip.
 */
#include "target.h"

enum { LOGINUID = 4242 };

static long read_loginuid(void)
{
	FILE *f = fopen("/proc/self/loginuid", "r");
	long v = -2;

	if (f && fscanf(f, "%ld", &v) != 1)
		v = -2;
	if (f)
		fclose(f);
	return v;
}

int main(void)
{
	char why[128];
	FILE *f;

	target_init();
	if (read_loginuid() != 4294967295L) {
		snprintf(why, sizeof(why), "the login uid is %ld, not unset: it cannot be set",
			 read_loginuid());
		target_skip(why);
	}
	f = fopen("/proc/self/loginuid", "w");
	if (!f || fprintf(f, "%d", LOGINUID) < 0 || fclose(f) || read_loginuid() != LOGINUID) {
		snprintf(why, sizeof(why), "cannot set the login uid: %s", strerror(errno));
		target_skip(why);
	}
	target_ready();
	target_wait();

	target_check(read_loginuid() == LOGINUID, "login uid %ld, not %d", read_loginuid(),
		     LOGINUID);
	return target_finish();
}
