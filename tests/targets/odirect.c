/*
 * odirect: an O_DIRECT file whose file system, at resume, refuses O_DIRECT
 * (tests/run.sh, files-policy/o-direct-refused, mounts a ramfs over its
 * directory). fd: od/f.bin O_RDWR|O_DIRECT, one aligned block written.
 * argv[2] = "kept" (default) or "dropped": whether O_DIRECT must still be
 * set after the resume. Either way the fd still reads its block back.
 */
#include "target.h"
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	int fd, kept;

	if (argc < 2)
		target_die("usage: odirect SCRATCH_DIR [kept|dropped]");
	kept = argc < 3 || strcmp(argv[2], "dropped");
	target_init();
	snprintf(dir, sizeof(dir), "%s/od", argv[1]);
	snprintf(path, sizeof(path), "%s/f.bin", dir);
	if (mkdir(dir, 0755) && errno != EEXIST)
		target_die(dir);
	fd = open(path, O_RDWR | O_CREAT | O_DIRECT, 0644);
	if (fd < 0 && errno == EINVAL)
		target_skip("this file system refuses O_DIRECT");
	if (fd < 0 || !target_direct_block(fd, 1))
		target_die(path);
	target_ready();
	target_wait();

	target_check(!!(fcntl(fd, F_GETFL) & O_DIRECT) == kept, "O_DIRECT is %s",
		     kept ? "gone" : "still set");
	target_check(target_direct_block(fd, 0), "the block does not read back: %s", strerror(errno));
	return target_finish();
}
