/*
 * --info: who the process ran as when it was frozen, and a warning when
 * that was root and the image is now run by someone else. Credentials
 * never come from the image: the resumed process has the rights of
 * whoever runs it (the image has no set-id bits, and the stub asks the
 * kernel for no uid, gid or capability; it sets the supplementary groups
 * only where the resumer may set any, see restore_creds.c).
 */
#include "json.h"
#include "print.h"
#include "stub.h"
#include "sys.h"
#include "task/task.h"

void print_creds(const struct stub *st)
{
	const struct fz_creds *c = image_find(&st->img, FZ_REC_CREDS, 0);
	long uid = sys_geteuid();

	if (!c) {
		out(1, "credentials at freeze: not recorded\n");
		return;
	}
	out(1, "credentials at freeze: uid %u (effective %u), gid %u (effective %u); "
	       "on resume: yours (uid %ld)\n", c->uid, c->euid, c->gid, c->egid, uid);
	if ((c->uid == 0 || c->euid == 0 || c->suid == 0) && uid != 0)
		out(1, "warning: the process ran as root when it was frozen; "
		       "resumed by you it runs with your rights (uid %ld), not "
		       "root's, and may fail where it needed them\n", uid);
}

void json_creds(const struct stub *st)
{
	const struct fz_creds *c = image_find(&st->img, FZ_REC_CREDS, 0);
	long uid = sys_geteuid();

	json_i64("resumer_uid", uid);
	if (!c) {
		json_str("credentials", 0);
		return;
	}
	json_obj("credentials");
	json_u64("uid", c->uid);
	json_u64("euid", c->euid);
	json_u64("suid", c->suid);
	json_u64("gid", c->gid);
	json_u64("egid", c->egid);
	json_end();
	if ((c->uid == 0 || c->euid == 0 || c->suid == 0) && uid != 0)
		warn("the process ran as root when it was frozen; resumed by you "
		     "it runs with your rights (uid %ld), not root's, and may fail "
		     "where it needed them",
		     uid);
}
