/*
 * aio: two Linux AIO contexts (io_setup) of different sizes, used through
 * raw syscalls (musl has no libaio). Before the freeze, reads and writes
 * of a file in the scratch dir complete on both; three completions of the
 * small context are left unreaped. After the resume io_getevents must
 * return exactly those three (same data, obj and res), new requests must
 * work on both contexts through the same ids, and io_destroy must succeed.
 *
 * With the argument "inflight" a poll request on an empty pipe stays in
 * flight instead: freeze must refuse (bad/aio-inflight), and afterwards
 * the request must still complete once the pipe has data.
 * With "uring" the process holds an io_uring instance: freeze must refuse
 * it (bad/io-uring), and the instance must still answer afterwards.
 */
#include "target.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

/* <linux/aio_abi.h>, which musl's headers do not carry. */
struct k_iocb {
	uint64_t data;
	uint32_t key, rw_flags;
	uint16_t opcode;
	int16_t reqprio;
	uint32_t fildes;
	uint64_t buf, nbytes;
	int64_t offset;
	uint64_t reserved2;
	uint32_t flags, resfd;
};

struct k_event {
	uint64_t data, obj;
	int64_t res, res2;
};

/* The head of the ring an aio_context_t points to (fs/aio.c). */
struct k_ring {
	uint32_t id, nr, head, tail, magic;
};

enum { CMD_PREAD = 0, CMD_PWRITE = 1, CMD_POLL = 5 };
enum { BLK = 512, UNREAPED = 3 };

static long io_setup(unsigned n, uint64_t *ctx)
{
	return syscall(SYS_io_setup, n, ctx);
}

static long io_destroy(uint64_t ctx)
{
	return syscall(SYS_io_destroy, ctx);
}

static long io_submit(uint64_t ctx, long n, struct k_iocb **cbs)
{
	return syscall(SYS_io_submit, ctx, n, cbs);
}

static long io_getevents(uint64_t ctx, long min, long max, struct k_event *ev,
			 long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	return syscall(SYS_io_getevents, ctx, min, max, ev, &ts);
}

static void prep(struct k_iocb *cb, uint16_t op, int fd, void *buf, size_t len,
		 off_t off, uint64_t data)
{
	memset(cb, 0, sizeof(*cb));
	cb->opcode = op;
	cb->fildes = (uint32_t)fd;
	cb->buf = (uintptr_t)buf;
	cb->nbytes = len;
	cb->offset = off;
	cb->data = data;
}

static long submit_one(uint64_t ctx, struct k_iocb *cb)
{
	return io_submit(ctx, 1, &cb);
}

/* Events completed and not reaped: what the ring itself shows. */
static unsigned ring_pending(uint64_t ctx)
{
	const volatile struct k_ring *r = (const void *)(uintptr_t)ctx;

	return (r->tail + r->nr - r->head) % r->nr;
}

static int fd;
static char bufs[8][BLK];
static struct k_iocb cbs[8];

/* n requests on ctx, all reaped: they move the ring's head and tail. */
static void warm_up(uint64_t ctx, int n)
{
	struct k_event ev[8];

	for (int i = 0; i < n; i++) {
		prep(&cbs[i], CMD_PREAD, fd, bufs[i], BLK, (off_t)i * BLK, 100 + i);
		if (submit_one(ctx, &cbs[i]) != 1)
			target_die("io_submit (warm-up)");
	}
	if (io_getevents(ctx, n, n, ev, 5000) != n)
		target_die("io_getevents (warm-up)");
}

static void fill_file(const char *dir)
{
	char path[4096], block[BLK];

	snprintf(path, sizeof(path), "%s/aio.data", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		target_die("open");
	for (int i = 0; i < 8; i++) {
		memset(block, 'a' + i, BLK);
		if (write(fd, block, BLK) != BLK)
			target_die("write");
	}
}

/* The three completions left unreaped: a write and two reads. */
static void leave_unreaped(uint64_t ctx)
{
	static char wbuf[BLK];

	memset(wbuf, 'W', BLK);
	prep(&cbs[4], CMD_PWRITE, fd, wbuf, BLK, 7 * BLK, 0xaaa);
	prep(&cbs[5], CMD_PREAD, fd, bufs[5], BLK, 2 * BLK, 0xbbb);
	prep(&cbs[6], CMD_PREAD, fd, bufs[6], 100, 3 * BLK, 0xccc);
	for (int i = 4; i < 7; i++)
		if (submit_one(ctx, &cbs[i]) != 1)
			target_die("io_submit");
	/* Buffered file I/O completes inside io_submit. */
	if (ring_pending(ctx) != UNREAPED)
		target_die("the completions are not in the ring");
}

static void check_unreaped(uint64_t ctx)
{
	struct k_event ev[8];
	const uint64_t data[UNREAPED] = { 0xaaa, 0xbbb, 0xccc };
	const int64_t res[UNREAPED] = { BLK, BLK, 100 };
	long n = io_getevents(ctx, UNREAPED, 8, ev, 2000);

	target_check(n == UNREAPED, "io_getevents on the small context gave %ld "
		     "(%s), wanted %d", n, n < 0 ? strerror(errno) : "", UNREAPED);
	for (long i = 0; i < n && i < UNREAPED; i++)
		target_check(ev[i].data == data[i] &&
			     ev[i].obj == (uintptr_t)&cbs[4 + i] && ev[i].res == res[i] &&
			     ev[i].res2 == 0,
			     "event %ld: data %#llx obj %#llx res %lld, wanted %#llx %p %lld",
			     i, (unsigned long long)ev[i].data,
			     (unsigned long long)ev[i].obj, (long long)ev[i].res,
			     (unsigned long long)data[i], (void *)&cbs[4 + i],
			     (long long)res[i]);
	target_check(bufs[5][0] == 'c' && bufs[6][99] == 'd',
		     "the reads before the freeze lost their data");
}

/* A read of the block written before the freeze, through ctx. */
static void check_new_request(uint64_t ctx, const char *name)
{
	char buf[BLK] = { 0 };
	struct k_iocb cb;
	struct k_event ev;
	long n;

	prep(&cb, CMD_PREAD, fd, buf, BLK, 7 * BLK, 0x5eed);
	n = submit_one(ctx, &cb);
	target_check(n == 1, "io_submit on the %s context: %ld (%s)", name, n,
		     n < 0 ? strerror(errno) : "");
	if (n != 1)
		return;
	n = io_getevents(ctx, 1, 1, &ev, 2000);
	target_check(n == 1 && ev.data == 0x5eed && ev.obj == (uintptr_t)&cb &&
		     ev.res == BLK && buf[0] == 'W' && buf[BLK - 1] == 'W',
		     "the new request on the %s context: %ld events, res %lld", name,
		     n, n == 1 ? (long long)ev.res : 0LL);
}

static int run_rings(const char *dir)
{
	uint64_t small = 0, big = 0;
	struct k_event ev;

	fill_file(dir);
	if (io_setup(8, &small) || io_setup(200, &big))
		target_die("io_setup");
	warm_up(small, 4);
	warm_up(big, 6);
	leave_unreaped(small);
	target_ready();
	target_wait();

	target_check(((struct k_ring *)(uintptr_t)small)->magic == 0xa10a10a1,
		     "no AIO ring at the small context's address");
	target_check(io_getevents(big, 0, 1, &ev, 0) == 0,
		     "the big context has events it did not have");
	check_unreaped(small);
	check_new_request(small, "small");
	check_new_request(big, "big");
	target_check(io_destroy(small) == 0, "io_destroy(small): %s", strerror(errno));
	target_check(io_destroy(big) == 0, "io_destroy(big): %s", strerror(errno));
	return target_finish();
}

/* A poll request that stays in flight until the pipe has data. */
static int run_inflight(void)
{
	static struct k_iocb cb;
	uint64_t ctx = 0;
	struct k_event ev;
	int p[2];
	long n;

	if (pipe(p) || io_setup(4, &ctx))
		target_die("pipe or io_setup");
	prep(&cb, CMD_POLL, p[0], 0, 0, 0, 0x9011);
	cb.buf = POLLIN;
	if (submit_one(ctx, &cb) != 1)
		target_die("io_submit (poll)");
	if (ring_pending(ctx) != 0)
		target_die("the poll request completed at once");
	target_ready();
	target_wait();

	target_check(ring_pending(ctx) == 0, "the poll request completed without data");
	target_check(write(p[1], "x", 1) == 1, "write to the pipe");
	n = io_getevents(ctx, 1, 1, &ev, 5000);
	target_check(n == 1 && ev.data == 0x9011 && ev.obj == (uintptr_t)&cb &&
		     (ev.res & POLLIN), "the poll request did not complete: %ld", n);
	target_check(io_destroy(ctx) == 0, "io_destroy: %s", strerror(errno));
	return target_finish();
}

/* An io_uring instance, its rings mapped as liburing would. */
static int run_uring(void)
{
	uint32_t params[30] = { 0 };   /* struct io_uring_params */
	int ufd = (int)syscall(SYS_io_uring_setup, 4, params);
	void *sq;
	long n;

	if (ufd < 0) {
		if (errno == ENOSYS || errno == EPERM)
			target_skip("io_uring is disabled on this host");
		target_die("io_uring_setup");
	}
	/* sq_off.array (params[16]) + sq_entries (params[0]) * 4: the SQ ring. */
	sq = mmap(0, params[16] + params[0] * 4, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, ufd, 0);
	if (sq == MAP_FAILED)
		target_die("mmap of the io_uring SQ ring");
	target_ready();
	target_wait();

	n = syscall(SYS_io_uring_enter, ufd, 0, 0, 0, 0, 0);
	target_check(n == 0, "io_uring_enter: %ld (%s)", n, n < 0 ? strerror(errno) : "");
	return target_finish();
}

int main(int argc, char **argv)
{
	target_init();
	if (argc > 2 && !strcmp(argv[2], "inflight"))
		return run_inflight();
	if (argc > 2 && !strcmp(argv[2], "uring"))
		return run_uring();
	return run_rings(argc > 1 ? argv[1] : ".");
}
