/*
 * loadmem - the floor of a resume: put a memory dump back into fresh
 * anonymous memory, the way the resume stub has to.
 *
 *   loadmem [-z] FILE SIZE
 *
 * Maps FILE (read-only, shared: page cache pages, as the kernel maps the
 * image for the stub), maps SIZE bytes of fresh private anonymous memory,
 * and copies the dump into it (memcpy), or with -z decodes the LZ4 frame
 * FILE (as written by `lz4 -1`) into it with LZ4F_decompress.  Checks that
 * exactly SIZE bytes came out.  Exit status 0, or 1 with a message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what, const char *why)
{
	fprintf(stderr, "loadmem: %s: %s\n", what, why);
	exit(1);
}

int main(int argc, char **argv)
{
	int lz = argc > 1 && !strcmp(argv[1], "-z");
	size_t size, done = 0;
	const char *src;
	struct stat st;
	char *dst;
	int fd;

	if (argc - lz != 3) {
		fprintf(stderr, "usage: loadmem [-z] FILE SIZE\n");
		return 2;
	}
	size = strtoull(argv[2 + lz], NULL, 10);
	if ((fd = open(argv[1 + lz], O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st))
		die(argv[1 + lz], strerror(errno));
	src = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	dst = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED)
		die("mmap", strerror(errno));
	if (!lz) {
		if ((size_t)st.st_size != size)
			die(argv[1], "not SIZE bytes");
		memcpy(dst, src, size);
		return 0;
	}
	LZ4F_dctx *dctx;
	size_t in_off = 0;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
		die("LZ4F", "no context");
	while (in_off < (size_t)st.st_size) {
		size_t out_len = size - done, in_len = (size_t)st.st_size - in_off;
		size_t r = LZ4F_decompress(dctx, dst + done, &out_len, src + in_off,
					   &in_len, NULL);
		if (LZ4F_isError(r))
			die(argv[2], LZ4F_getErrorName(r));
		done += out_len;
		in_off += in_len;
		if (!r)
			break;
		if (!in_len && !out_len)
			die(argv[2], "decoding stalled");
	}
	LZ4F_freeDecompressionContext(dctx);
	if (done != size)
		die(argv[2], "decoded size is not SIZE");
	return 0;
}
