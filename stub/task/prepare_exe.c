/*
 * The executable the process was running, opened before the point of no
 * return when /proc/self/exe can name it again: its file is the one frozen
 * (device, inode, size, mtime) and the stub may change the link, which
 * takes CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE in its user namespace
 * (root, or the user namespace a time namespace brought). Otherwise
 * /proc/self/exe stays the image, as it was. The link can only change once
 * the image is no longer mapped: the trampoline does it (stub_abi.h).
 */
#include <linux/capability.h>
#include <linux/fcntl.h>
#include <linux/stat.h>

#include "fds/fds.h"
#include "print.h"
#include "sys.h"
#include "task/task.h"

#define CAP_CHECKPOINT_RESTORE_BIT 40

static int may_set_exe(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { { 0 } };

	if (sys_capget(&hdr, data) < 0)
		return 0;
	return (data[0].effective >> CAP_SYS_ADMIN & 1) ||
	       (data[1].effective >> (CAP_CHECKPOINT_RESTORE_BIT - 32) & 1);
}

static int same_file(int fd, const struct fz_exe *e)
{
	struct statx sx;

	return sys_statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) == 0 &&
	       sx.stx_ino == e->ino && sx.stx_dev_major == e->dev_major &&
	       sx.stx_dev_minor == e->dev_minor && sx.stx_size == e->size &&
	       sx.stx_mtime.tv_sec == e->mtime_sec &&
	       sx.stx_mtime.tv_nsec == (uint32_t)e->mtime_nsec;
}

void prepare_exe(struct stub *st)
{
	const struct fz_exe *e = image_find(&st->img, FZ_REC_EXE, 0);
	int fd;

	if (!e || !(st->kernel & KF_MM_MAP) || !may_set_exe())
		return;
	fd = open_lifted(st, (const char *)(e + 1), O_RDONLY);
	if (fd >= 0 && !same_file(fd, e)) {
		sys_close(fd);
		fd = -1;
	}
	st->exe_fd = fd;
}
