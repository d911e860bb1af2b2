/*
 * sysvshm: SysV shared memory segments stay attached, with their contents,
 * sizes and attach modes, and their attachments still share them.
 *   a   IPC_PRIVATE, 3 pages + 123 bytes, attached twice read-write (the
 *       second attachment's first page unmapped again), then IPC_RMID
 *   b   keyed (ftok of the scratch directory; the key is written to
 *       SCRATCH/sysv.key), 2 pages, attached SHM_RDONLY and read-write
 * The runner may remove b between the freeze and the resume (it does as
 * root): then the image recreates it. Segment ids are read from
 * /proc/self/maps (the inode of an attachment is its shmid); as root the
 * ids must be the old ones. b is removed at the end.
 */
#include "target.h"
#include <limits.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

static size_t page;

static unsigned char pattern(size_t i, unsigned seed)
{
	return (unsigned char)(i * 5 + seed + (i >> 12));
}

static size_t bad_bytes(const unsigned char *p, size_t len, unsigned seed, size_t base)
{
	size_t bad = 0;

	for (size_t i = 0; i < len; i++)
		bad += p[i] != pattern(base + i, seed);
	return bad;
}

/* Permissions and inode of the mapping at p (perms "none" if there is none). */
static long maps_entry(const void *p, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long start, end, ino;
	char line[512];

	strcpy(perms, "none");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %4s %*s %*s %lu", &start, &end, perms, &ino) == 4 &&
		    start <= (uintptr_t)p && (uintptr_t)p < end) {
			fclose(f);
			return (long)ino;
		}
		strcpy(perms, "none");
	}
	if (f)
		fclose(f);
	return -1;
}

static void *attach(int id, int flags)
{
	void *p = shmat(id, NULL, flags);

	if (p == (void *)-1)
		target_die("shmat");
	return p;
}

static void check_perms(const char *name, const void *p, const char *want)
{
	char perms[5];

	maps_entry(p, perms);
	target_check(!strcmp(perms, want), "%s: maps says %s, want %s", name, perms, want);
}

static int check_segment(const char *name, const void *p, int old_id, size_t size,
			 unsigned long nattch)
{
	char perms[5];
	int id = (int)maps_entry(p, perms);
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds)) {
		target_check(0, "%s: IPC_STAT of shmid %d: %s", name, id, strerror(errno));
		return id;
	}
	target_check(ds.shm_segsz == size, "%s: size %zu, want %zu", name,
		     (size_t)ds.shm_segsz, size);
	target_check(ds.shm_nattch == nattch, "%s: %lu attachments, want %lu", name,
		     (unsigned long)ds.shm_nattch, nattch);
	target_check(geteuid() != 0 || id == old_id, "%s: shmid %d, was %d", name, id, old_id);
	return id;
}

int main(int argc, char **argv)
{
	unsigned char *a1, *a2, *b_ro, *b_rw;
	size_t a_size, b_size;
	char path[PATH_MAX];
	int a, b, b_now;
	key_t key;
	FILE *f;

	if (argc < 2)
		target_die("usage: sysvshm SCRATCH_DIR");
	target_init();
	page = (size_t)sysconf(_SC_PAGESIZE);
	a_size = 3 * page + 123;
	b_size = 2 * page;

	a = shmget(IPC_PRIVATE, a_size, IPC_CREAT | 0600);
	if (a < 0)
		target_die("shmget a");
	a1 = attach(a, 0);
	a2 = attach(a, 0);
	for (size_t i = 0; i < a_size; i++)
		a1[i] = pattern(i, 1);
	if (munmap(a2, page) || shmctl(a, IPC_RMID, NULL))
		target_die("munmap/IPC_RMID a");

	key = ftok(argv[1], 'S');
	b = shmget(key, b_size, IPC_CREAT | IPC_EXCL | 0600);
	if (key == -1 || b < 0)
		target_die("shmget b");
	snprintf(path, sizeof(path), "%s/sysv.key", argv[1]);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%d\n", (int)key) < 0 || fclose(f))
		target_die(path);
	b_ro = attach(b, SHM_RDONLY);
	b_rw = attach(b, 0);
	for (size_t i = 0; i < b_size; i++)
		b_rw[i] = pattern(i, 2);

	target_ready();
	target_wait();

	check_segment("a", a1, a, a_size, 2);
	target_check(bad_bytes(a1, a_size, 1, 0) == 0, "a: contents changed");
	target_check(bad_bytes(a2 + page, a_size - page, 1, page) == 0,
		     "a, second attachment: contents changed");
	a1[page + 9] = 'A';
	target_check(a2[page + 9] == 'A', "a: its attachments no longer share it");
	check_perms("a", a1, "rw-s");
	check_perms("a, second attachment", a2 + page, "rw-s");

	b_now = check_segment("b", b_rw, b, b_size, 2);
	target_check(bad_bytes(b_ro, b_size, 2, 0) == 0, "b: contents changed");
	b_rw[3] = 'B';
	target_check(b_ro[3] == 'B', "b: its attachments no longer share it");
	check_perms("b read-only", b_ro, "r--s");
	check_perms("b", b_rw, "rw-s");
	target_check(mprotect(b_ro, b_size, PROT_READ | PROT_WRITE) < 0,
		     "b: the SHM_RDONLY attachment can be made writable");
	target_check(shmget(key, 0, 0) == b_now, "b: its key names another segment");
	target_check(shmdt(b_ro) == 0, "b: shmdt: %s", strerror(errno));
	shmctl(b_now, IPC_RMID, NULL);
	return target_finish();
}
