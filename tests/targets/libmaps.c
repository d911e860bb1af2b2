/*
 * libmaps: private file mappings come back as mappings of their file.
 *   keep     pages 1-12 of keep.dat (14 pages), MAP_PRIVATE rw: mapping
 *            pages 0-2 written, 3 overwritten with zeros (copied on write),
 *            4-7 only read, 8-11 never touched
 *   changed  changed.dat (4 pages), MAP_PRIVATE rw: page 0 written, 1 read;
 *            the runner rewrites the file between the freeze and the resume
 *            (after_freeze_libmaps), so the image's copy must be used
 * After the resume: every byte as before; every line of /proc/self/maps that
 * named a file (the executable, libc and ld.so, the data files) is there
 * again, same range, permissions, offset, device, inode and path, except
 * that a data file changed since the freeze must not be mapped again (its
 * range is the image's anonymous copy). Then, keep.dat unchanged, a write
 * to it through an fd shows in the pages the process never wrote (they are
 * the file's page cache, not a copy) and not in those it wrote.
 */
#include "target.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>

enum {
	KEEP_FILE_PAGES = 14, KEEP_OFF = 1, KEEP_PAGES = 12,
	CHANGED_PAGES = 4, MAX_LINES = 256, PROBE = 10,
};

static size_t page;
static char keep_path[PATH_MAX], changed_path[PATH_MAX];
static char *lines[MAX_LINES];
static size_t nlines;

static unsigned char file_byte(size_t i, unsigned seed)
{
	return (unsigned char)(i * 7 + seed + i / 4096 + 1);
}

/* What byte i of a mapping at file offset `off` holds after the setup. */
static unsigned char keep_byte(size_t i)
{
	size_t pg = i / page;

	if (pg < 3)
		return (unsigned char)('W' + pg);
	if (pg == 3)
		return 0;
	return file_byte(i + KEEP_OFF * page, 1);
}

static unsigned char changed_byte(size_t i)
{
	return i < page ? 'C' : file_byte(i, 2);
}

static void make_file(const char *path, size_t pages, unsigned seed)
{
	unsigned char *buf = malloc(pages * page);
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);

	for (size_t i = 0; buf && i < pages * page; i++)
		buf[i] = file_byte(i, seed);
	if (fd < 0 || !buf || write(fd, buf, pages * page) != (ssize_t)(pages * page) ||
	    close(fd))
		target_die(path);
	free(buf);
}

static unsigned char *map_file(const char *path, size_t pages, size_t off)
{
	int fd = open(path, O_RDONLY);
	void *p;

	if (fd < 0)
		target_die(path);
	p = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		 (off_t)(off * page));
	if (p == MAP_FAILED)
		target_die("mmap");
	close(fd);
	return p;
}

/* Each line of /proc/self/maps that names a file (not deleted). */
static void save_file_lines(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[PATH_MAX + 128];

	while (f && fgets(line, sizeof(line), f) && nlines < MAX_LINES)
		if (strchr(line, '/') && !strstr(line, "(deleted)"))
			lines[nlines++] = strdup(line);
	if (!f)
		target_die("/proc/self/maps");
	fclose(f);
}

/* The line of /proc/self/maps whose range holds addr (into buf), or "". */
static void line_at(uintptr_t addr, char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/maps", "r");
	uintptr_t start, end;

	buf[0] = 0;
	while (f && fgets(buf, (int)len, f))
		if (sscanf(buf, "%lx-%lx", &start, &end) == 2 && start <= addr &&
		    addr < end)
			break;
		else
			buf[0] = 0;
	if (f)
		fclose(f);
}

static int has_line(const char *want)
{
	char line[PATH_MAX + 128];
	uintptr_t start;

	sscanf(want, "%lx", &start);
	line_at(start, line, sizeof(line));
	return !strcmp(line, want);
}

static int file_unchanged(const char *path, size_t pages, unsigned seed)
{
	unsigned char *buf = malloc(pages * page);
	int fd = open(path, O_RDONLY), same = 0;

	if (fd >= 0 && buf && read(fd, buf, pages * page) == (ssize_t)(pages * page)) {
		same = 1;
		for (size_t i = 0; i < pages * page; i++)
			same = same && buf[i] == file_byte(i, seed);
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return same;
}

static void check_bytes(const char *name, const unsigned char *p, size_t len,
			unsigned char (*want)(size_t))
{
	size_t bad = 0, first = 0;

	for (size_t i = 0; i < len; i++)
		if (p[i] != want(i) && !bad++)
			first = i;
	target_check(!bad, "%s: %zu bytes differ, the first at %#zx", name, bad, first);
}

/*
 * The saved line of the data file `name`: there again if the file is as it
 * was frozen, else the range must be anonymous (the image's copy).
 */
static void check_data_line(const char *name, const unsigned char *p, int same)
{
	char line[PATH_MAX + 128];
	int named;

	line_at((uintptr_t)p, line, sizeof(line));
	named = strstr(line, name) != NULL;
	if (same)
		target_check(named, "%s (unchanged): maps says %.*s", name,
			     (int)strcspn(line, "\n"), line);
	else
		target_check(!named, "%s was changed, yet it is mapped from the file "
			     "again", name);
}

static void check_maps(const unsigned char *keep, const unsigned char *changed,
		       int keep_same, int changed_same)
{
	for (size_t i = 0; i < nlines; i++) {
		if ((strstr(lines[i], "/keep.dat") && !keep_same) ||
		    (strstr(lines[i], "/changed.dat") && !changed_same))
			continue;
		target_check(has_line(lines[i]), "maps lost the line %.*s",
			     (int)strcspn(lines[i], "\n"), lines[i]);
	}
	check_data_line("/keep.dat", keep, keep_same);
	check_data_line("/changed.dat", changed, changed_same);
}

/* A byte written to keep.dat now shows where the process never wrote. */
static void check_follows_file(const unsigned char *keep)
{
	static const size_t pages[] = { 1, 3, 5, 9 };
	int fd = open(keep_path, O_WRONLY);
	char c = 'N';

	for (size_t k = 0; k < sizeof(pages) / sizeof(pages[0]); k++) {
		size_t at = pages[k] * page + PROBE;
		if (fd < 0 || pwrite(fd, &c, 1, (off_t)(at + KEEP_OFF * page)) != 1)
			target_die("pwrite keep.dat");
		if (pages[k] < 4)
			target_check(keep[at] == keep_byte(at), "keep page %zu (copied on "
				     "write) shows a write to the file", pages[k]);
		else
			target_check(keep[at] == 'N', "keep page %zu (the file's) does not "
				     "show a write to the file: not its page cache", pages[k]);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	unsigned char *keep, *changed;
	volatile unsigned char sink = 0;
	int keep_same;

	if (argc < 2)
		target_die("usage: libmaps SCRATCH_DIR");
	target_init();
	page = (size_t)sysconf(_SC_PAGESIZE);
	snprintf(keep_path, sizeof(keep_path), "%s/keep.dat", argv[1]);
	snprintf(changed_path, sizeof(changed_path), "%s/changed.dat", argv[1]);
	make_file(keep_path, KEEP_FILE_PAGES, 1);
	make_file(changed_path, CHANGED_PAGES, 2);
	keep = map_file(keep_path, KEEP_PAGES, KEEP_OFF);
	changed = map_file(changed_path, CHANGED_PAGES, 0);
	for (size_t pg = 0; pg < 3; pg++)
		memset(keep + pg * page, 'W' + (int)pg, page);
	memset(keep + 3 * page, 0, page);
	for (size_t pg = 4; pg < 8; pg++)
		sink += keep[pg * page + 1];
	memset(changed, 'C', page);
	sink += changed[page + 1];
	(void)sink;
	save_file_lines();

	target_ready();
	target_wait();

	check_bytes("keep", keep, KEEP_PAGES * page, keep_byte);
	check_bytes("changed", changed, CHANGED_PAGES * page, changed_byte);
	/* Left running (freeze without -k), it ran this and wrote to keep.dat. */
	keep_same = file_unchanged(keep_path, KEEP_FILE_PAGES, 1);
	check_maps(keep, changed, keep_same,
		   file_unchanged(changed_path, CHANGED_PAGES, 2));
	if (keep_same)
		check_follows_file(keep);
	return target_finish();
}
