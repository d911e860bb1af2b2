/*
 * readmem - the I/O floor of a freeze: copy the populated memory of a live
 * process into a file, as fast as plain system calls allow.
 *
 *   readmem [-a] PID OUTPUT      OUTPUT may be - (standard output)
 *
 * Reads /proc/PID/maps and takes the private writable anonymous regions
 * (no file: [heap], [stack] and nameless mappings), or with -a every
 * readable private mapping except [vvar*] and [vsyscall].  For each region,
 * /proc/PID/pagemap says which pages are present (or swapped); runs of such
 * pages are read with process_vm_readv in chunks of at most 1 MiB and
 * written out back to back.  A named OUTPUT is fsync'ed before exit, as
 * freeze does with its image.  The target is not stopped.
 *
 * Prints "BYTES <n> REGIONS <n>" on stderr.  Exit status 0, or 1 with a
 * message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define PAGE 4096UL
#define CHUNK (1UL << 20)
#define PM_BATCH 4096	/* pagemap entries read at once */
#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)

static pid_t pid;
static int pagemap_fd, out_fd;
static char *buf;
static uint64_t total;

static void die(const char *what)
{
	fprintf(stderr, "readmem: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(out_fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write");
		p += w;
		n -= (size_t)w;
	}
}

/* Copy [addr, addr+len) of the target (all pages present) to the output. */
static void copy_range(uint64_t addr, uint64_t len)
{
	while (len) {
		size_t n = len < CHUNK ? len : CHUNK;
		struct iovec local = { buf, n }, remote = { (void *)addr, n };
		ssize_t r = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("process_vm_readv");
		write_all(buf, (size_t)r);
		total += (uint64_t)r;
		addr += (uint64_t)r;
		len -= (uint64_t)r;
	}
}

static void copy_region(uint64_t start, uint64_t end)
{
	static uint64_t pm[PM_BATCH];
	uint64_t run_start = 0, run_len = 0;

	for (uint64_t a = start; a < end;) {
		uint64_t npages = (end - a) / PAGE;
		if (npages > PM_BATCH)
			npages = PM_BATCH;
		ssize_t r = pread(pagemap_fd, pm, npages * 8, (off_t)(a / PAGE * 8));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || r % 8)
			die("reading pagemap");
		for (size_t i = 0; i < (size_t)r / 8; i++, a += PAGE) {
			if (pm[i] & (PM_PRESENT | PM_SWAPPED)) {
				if (!run_len)
					run_start = a;
				run_len += PAGE;
			} else if (run_len) {
				copy_range(run_start, run_len);
				run_len = 0;
			}
		}
	}
	if (run_len)
		copy_range(run_start, run_len);
}

static int wanted(const char *perms, const char *path, int all)
{
	if (perms[0] != 'r' || perms[3] != 'p')
		return 0;
	if (all)
		return strncmp(path, "[vvar", 5) && strcmp(path, "[vsyscall]");
	return perms[1] == 'w' && (!*path || !strcmp(path, "[heap]") ||
				   !strcmp(path, "[stack]"));
}

int main(int argc, char **argv)
{
	int all = argc > 1 && !strcmp(argv[1], "-a");
	char path[64], line[4096];
	unsigned regions = 0;
	FILE *maps;

	if (argc - all != 3) {
		fprintf(stderr, "usage: readmem [-a] PID OUTPUT\n");
		return 2;
	}
	pid = (pid_t)atoi(argv[1 + all]);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (!(maps = fopen(path, "re")))
		die(path);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	if ((pagemap_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		die(path);
	if (!strcmp(argv[2 + all], "-"))
		out_fd = STDOUT_FILENO;
	else if ((out_fd = open(argv[2 + all], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				0600)) < 0)
		die(argv[2 + all]);
	if (!(buf = malloc(CHUNK)))
		die("malloc");

	while (fgets(line, sizeof(line), maps)) {
		unsigned long long start, end;
		char perms[8], mpath[4096] = "";
		if (sscanf(line, "%llx-%llx %7s %*s %*s %*s %4095[^\n]", &start, &end,
			   perms, mpath) < 3)
			continue;
		char *p = mpath;
		while (*p == ' ')
			p++;
		if (!wanted(perms, p, all))
			continue;
		regions++;
		copy_region(start, end);
	}
	fclose(maps);
	if (out_fd != STDOUT_FILENO && (fsync(out_fd) || close(out_fd)))
		die("fsync");
	fprintf(stderr, "BYTES %" PRIu64 " REGIONS %u\n", total, regions);
	return 0;
}
