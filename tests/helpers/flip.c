/*
 * flip FILE PERMILLE: damage FILE by inverting one byte, the first non-zero
 * byte at or after PERMILLE/1000 of its size (zero bytes may be alignment
 * padding that no checksum covers).  flip FILE @OFFSET: the same from byte
 * OFFSET.  Prints the offset it changed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct stat st;
	unsigned char c = 0;
	off_t off;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: flip FILE PERMILLE|@OFFSET\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || fstat(fd, &st)) {
		perror(argv[1]);
		return 1;
	}
	off = argv[2][0] == '@' ? (off_t)strtoll(argv[2] + 1, NULL, 0)
				: st.st_size / 1000 * atoi(argv[2]);
	for (; off < st.st_size; off++)
		if (pread(fd, &c, 1, off) != 1 || c)
			break;
	c ^= 0xff;
	if (off >= st.st_size || pwrite(fd, &c, 1, off) != 1) {
		fprintf(stderr, "flip: no non-zero byte to flip\n");
		return 1;
	}
	printf("%lld\n", (long long)off);
	return 0;
}
