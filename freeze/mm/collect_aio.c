/*
 * Linux AIO contexts (io_setup). A context shows in the maps as its ring,
 * "/[aio] (deleted)": the aio_context_t the process holds is the ring's
 * address. The ring shows the completions not reaped yet (head..tail);
 * the image carries them, and the stub makes a new context and moves its
 * ring to the same address.
 *
 * Requests still in flight cannot be carried, and nothing in /proc or in
 * the ring counts them. The kernel does, as free request slots: a context
 * of nr slots has nr - 1 of them, less one per request in flight and one
 * per completion not yet given back. So freeze counts the free slots, with
 * injected syscalls: on each CPU in turn (the kernel keeps slots in
 * per-CPU batches) it submits poll requests on an eventfd of its own,
 * which stay pending, until the kernel says EAGAIN. What is left over is
 * known: the global count moves only by whole batches, so it ends at
 * (nr - 1) % batch. Writing to the eventfd then completes the probes, and
 * the ring is rewritten so that only the process's own completions remain
 * between head and tail, in their order: the process sees the same
 * completions, at other ring positions. Slots that do not add up mean
 * requests in flight: refused.
 */
#include <errno.h>
#include <linux/aio_abi.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include "core/core.h"
#include "image/image_writer.h"
#include "mm/mm.h"

#define AIO_RING_MAGIC 0xa10a10a1u
#define PROBE_TAG 0xf7ee2e0a10b0e5ULL   /* aio_data of freeze's probes */
#define MAX_CPUS 1024
#define MASK_BYTES (MAX_CPUS / 8)

/* The scratch page: one iocb, the eventfd's increment, two CPU masks, pointers. */
enum {
	IOCB_OFF = 0,
	ONE_OFF = 64,
	SAVED_MASK_OFF = 128,
	MASK_OFF = SAVED_MASK_OFF + MASK_BYTES,
	PTRS_OFF = 512,
	NPTRS = (4096 - PTRS_OFF) / 8,
};

/* struct aio_ring of fs/aio.c, without its io_events. */
struct ring_head {
	uint32_t id, nr, head, tail, magic, compat, incompat, header_length;
};

struct probe {
	struct target *t;
	struct thread *th;
	uint8_t possible[MASK_BYTES];   /* the kernel's batches depend on these */
	unsigned ncpus;
	bool cpu_skipped;               /* a CPU freeze may not run on */
};

bool is_aio_ring(const struct map_entry *m)
{
	return m->shared && m->path && !strcmp(m->path, "/[aio] (deleted)");
}

static int ask(struct probe *p, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
	       long *res)
{
	const uint64_t args[6] = { a0, a1, a2, 0, 0, 0 };
	int err = check_interrupted();

	return err ? err : inject_syscall(p->t, p->th, nr, args, res);
}

/* For undoing: runs even once freeze was told to stop. */
static int must(struct probe *p, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
		long *res)
{
	const uint64_t args[6] = { a0, a1, a2, 0, 0, 0 };

	return inject_syscall(p->t, p->th, nr, args, res);
}

static int put_scratch(struct probe *p, size_t off, const void *buf, size_t len)
{
	int err = remote_rw(p->t->pid, p->t->scratch_addr + off, (void *)buf, len, true);

	return err ? fail(err, "process %d: writing its scratch page", (int)p->t->pid) : 0;
}

/* /sys/devices/system/cpu/possible: "0-3,8" */
static int read_possible(struct probe *p)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	unsigned a, b;
	char sep;

	if (!f)
		return fail(-errno, "reading /sys/devices/system/cpu/possible (AIO "
			    "contexts need it)");
	while (fscanf(f, "%u", &a) == 1) {
		b = a;
		if (fscanf(f, "%c", &sep) == 1 && sep == '-' && fscanf(f, "%u%c", &b, &sep) < 1)
			break;
		for (unsigned c = a; c <= b && c < MAX_CPUS; c++) {
			p->possible[c / 8] |= (uint8_t)(1u << (c % 8));
			p->ncpus++;
		}
		if (sep != ',')
			break;
	}
	fclose(f);
	return p->ncpus ? 0 : fail(-EINVAL, "no CPU in /sys/devices/system/cpu/possible");
}

static int read_head(pid_t pid, uint64_t addr, struct ring_head *h)
{
	int err = remote_rw(pid, addr, h, sizeof(*h), false);

	return err ? fail(err, "process %d: reading its AIO ring at %#lx", (int)pid,
			  (unsigned long)addr) : 0;
}

/* n events from slot `from` on, wrapping at nr. */
static int ring_events(pid_t pid, const struct fz_aio_ring *r, uint32_t from,
		       uint32_t n, struct fz_io_event *ev, bool write)
{
	uint32_t first = n < r->nr - from ? n : r->nr - from;
	uint64_t base = r->addr + FZ_AIO_RING_HEADER;
	int err = remote_rw(pid, base + (uint64_t)from * sizeof(*ev), ev,
			    first * sizeof(*ev), write);

	if (!err && n > first)
		err = remote_rw(pid, base, ev + first, (n - first) * sizeof(*ev), write);
	return err ? fail(err, "process %d: %s its AIO ring at %#lx", (int)pid,
			  write ? "writing" : "reading", (unsigned long)r->addr) : 0;
}

static int check_ring(pid_t pid, const struct map_entry *m, const struct ring_head *h)
{
	uint64_t size = m->end - m->start;

	if (h->magic != AIO_RING_MAGIC || h->compat != 1 || h->incompat != 0 ||
	    h->header_length != FZ_AIO_RING_HEADER ||
	    h->nr != (size - FZ_AIO_RING_HEADER) / sizeof(struct io_event) ||
	    h->tail >= h->nr)
		return fail(-ENOTSUP, "process %d: the AIO ring at %#lx has a layout "
			    "freeze does not know (magic %#x, %u slots in %lu bytes)",
			    (int)pid, (unsigned long)m->start, h->magic, h->nr,
			    (unsigned long)size);
	if (m->prot != (PROT_READ | PROT_WRITE))
		return fail(-ENOTSUP, "process %d: the AIO ring at %#lx is not "
			    "read-write (mprotect): not supported", (int)pid,
			    (unsigned long)m->start);
	return 0;
}

/* Take every free slot of the context, CPU by CPU; *taken counts them. */
static int take_slots(struct probe *p, uint64_t ctx, uint32_t nr, long *taken)
{
	uint64_t scratch = p->t->scratch_addr;
	long res, n = nr < NPTRS ? nr : NPTRS;
	int err;

	for (unsigned c = 0; c < MAX_CPUS; c++) {
		uint8_t mask[MASK_BYTES] = { 0 };
		if (!(p->possible[c / 8] & (1u << (c % 8))))
			continue;
		mask[c / 8] = (uint8_t)(1u << (c % 8));
		if ((err = put_scratch(p, MASK_OFF, mask, sizeof(mask))) ||
		    (err = ask(p, SYS_sched_setaffinity, 0, MASK_BYTES, scratch + MASK_OFF, &res)))
			return err;
		if (res < 0) {
			p->cpu_skipped = true;
			continue;
		}
		for (;;) {
			if ((err = ask(p, SYS_io_submit, ctx, (uint64_t)n, scratch + PTRS_OFF, &res)))
				return err;
			if (res == -EAGAIN)
				break;
			if (res <= 0 || *taken + res > nr)
				return fail(res < 0 ? (int)res : -EIO, "process %d: "
					    "counting the free slots of its AIO context "
					    "%#lx", (int)p->t->pid, (unsigned long)ctx);
			*taken += res;
		}
	}
	return 0;
}

static bool is_probe(const struct fz_io_event *e, uint64_t iocb)
{
	return e->data == PROBE_TAG && e->obj == iocb;
}

/*
 * Wait for the probes' completions (the kernel may finish them in a
 * worker, a moment after the eventfd write), then keep the process's own
 * completions only, at the end of head..tail.
 */
static int settle_ring(struct probe *p, struct aio_entry *e, uint32_t head,
		       long probes)
{
	pid_t pid = p->t->pid;
	uint64_t iocb = p->t->scratch_addr + IOCB_OFF;
	struct fz_io_event *ev = calloc(e->rec.nr, sizeof(*ev));
	struct ring_head h = { 0 };
	uint32_t n = 0, kept;
	long seen = -1;
	int err = ev ? 0 : -ENOMEM;

	for (int waited = 0; !err && seen != probes; waited++) {
		if (waited == 10000) {
			err = fail(-ETIMEDOUT, "process %d: freeze's probes of its AIO "
				   "context %#lx did not complete; it may see them as "
				   "completions", (int)pid, (unsigned long)e->rec.addr);
			break;
		}
		if (waited)
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
		if ((err = read_head(pid, e->rec.addr, &h)))
			break;
		if (h.tail >= e->rec.nr) {
			err = fail(-EIO, "process %d: its AIO ring at %#lx has a tail "
				   "past its end", (int)pid, (unsigned long)e->rec.addr);
			break;
		}
		n = (h.tail + e->rec.nr - head) % e->rec.nr;
		if ((err = ring_events(pid, &e->rec, head, n, ev, false)))
			break;
		seen = 0;
		for (uint32_t i = 0; i < n; i++)
			seen += is_probe(&ev[i], iocb);
	}
	kept = 0;
	for (uint32_t i = 0; !err && i < n; i++)
		if (!is_probe(&ev[i], iocb))
			ev[kept++] = ev[i];
	head = (h.tail + e->rec.nr - kept) % e->rec.nr;
	if (!err && (err = ring_events(pid, &e->rec, head, kept, ev, true)) == 0 &&
	    (err = remote_rw(pid, e->rec.addr + offsetof(struct ring_head, head),
			     &head, sizeof(head), true)))
		err = fail(err, "process %d: writing its AIO ring's head", (int)pid);
	e->events = ev;
	e->rec.nevents = kept;
	return err;
}

/* Requests the free slots say are in flight, after the probe took them all. */
static long in_flight(const struct probe *p, const struct aio_entry *e, long free)
{
	uint32_t batch = (e->rec.nr - 1) / (p->ncpus * 4);
	uint32_t left = (e->rec.nr - 1) % (batch ? batch : 1);

	return (long)e->rec.nr - 1 - left - free - e->rec.nevents;
}

static int refuse_in_flight(const struct probe *p, const struct aio_entry *e, long n)
{
	if (n < 0)
		return fail(-ENOTSUP, "process %d: AIO context %#lx: its free request "
			    "slots do not add up (%ld too many): cannot tell whether "
			    "requests are in flight", (int)p->t->pid,
			    (unsigned long)e->rec.addr, -n);
	return fail(-EBUSY, "process %d: AIO context %#lx has %ld request%s in "
		    "flight%s: freeze cannot carry them (freeze it again once they "
		    "completed)", (int)p->t->pid, (unsigned long)e->rec.addr, n,
		    n == 1 ? "" : "s", p->cpu_skipped ? " (or slots held by a CPU "
		    "freeze may not run on)" : "");
}

static int make_eventfd(struct probe *p, int *efd)
{
	long res;
	int err = ask(p, SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK, 0, &res);

	if (!err && res < 0)
		err = fail((int)res, "process %d: an eventfd for counting AIO slots",
			   (int)p->t->pid);
	*efd = (int)res;
	return err;
}

/* 0 with e filled, 1 for a ring of no context of this process, or an error. */
static int probe_ring(struct probe *p, struct map_entry *m, struct aio_entry *e)
{
	uint64_t scratch = p->t->scratch_addr;
	struct iocb cb = { .aio_data = PROBE_TAG, .aio_lio_opcode = IOCB_CMD_POLL,
			   .aio_buf = POLLIN };
	struct ring_head h;
	long res, taken = 0;
	int efd, err, err2;

	if ((err = read_head(p->t->pid, m->start, &h)) || (err = check_ring(p->t->pid, m, &h)))
		return err;
	/* A context of another process's (a ring fork copied): no context here. */
	if ((err = ask(p, SYS_io_submit, m->start, 0, 0, &res)))
		return err;
	if (res == -EINVAL)
		return 1;
	e->rec = (struct fz_aio_ring){ .addr = m->start, .size = m->end - m->start,
				       .nr = h.nr };
	if ((err = make_eventfd(p, &efd)))
		return err;
	cb.aio_fildes = (uint32_t)efd;
	err = put_scratch(p, IOCB_OFF, &cb, sizeof(cb));
	if (!err)
		err = take_slots(p, m->start, h.nr, &taken);
	/* Complete the probes whatever happened, and put the ring in order. */
	err2 = must(p, SYS_write, (uint64_t)efd, scratch + ONE_OFF, 8, &res);
	if (!err2 && res != 8)
		err2 = fail(res < 0 ? (int)res : -EIO, "process %d: completing "
			    "freeze's AIO probes", (int)p->t->pid);
	if (!err2)
		err2 = settle_ring(p, e, h.head % h.nr, taken);
	must(p, SYS_close, (uint64_t)efd, 0, 0, &res);
	if (err || err2)
		return err ? err : err2;
	res = in_flight(p, e, taken);
	return res ? refuse_in_flight(p, e, res) : 0;
}

static int probe_rings(struct probe *p)
{
	struct target *t = p->t;
	int err = 0;

	for (size_t i = 0; !err && i < t->nmaps; i++) {
		struct map_entry *m = &t->maps[i];
		struct aio_entry e = { 0 };
		if (m->kind != FZ_MAP_AIO)
			continue;
		err = probe_ring(p, m, &e);
		if (err == 1) {
			/* Plain shared memory then, as any deleted file mapped shared. */
			m->kind = FZ_MAP_SHMEM;
			err = 0;
		} else if (!err) {
			err = append_item(&t->aios, &t->naios, sizeof(e), &e);
		}
		if (err)
			free(e.events);
	}
	return err;
}

static int setup_scratch(struct probe *p, long *mask_len)
{
	uint64_t ptrs[NPTRS], one = 1, scratch = p->t->scratch_addr;
	int err;

	for (size_t i = 0; i < NPTRS; i++)
		ptrs[i] = scratch + IOCB_OFF;
	if ((err = put_scratch(p, PTRS_OFF, ptrs, sizeof(ptrs))) ||
	    (err = put_scratch(p, ONE_OFF, &one, sizeof(one))) ||
	    (err = ask(p, SYS_sched_getaffinity, 0, MASK_BYTES, scratch + SAVED_MASK_OFF,
		       mask_len)))
		return err;
	return *mask_len < 0 ? fail((int)*mask_len, "process %d: reading its CPU "
				    "affinity", (int)p->t->pid) : 0;
}

int collect_aio(struct target *t)
{
	struct probe p = { .t = t, .th = &t->threads[0] };
	long mask_len = -1, res;
	bool any = false;
	int err, err2;

	for (size_t i = 0; i < t->nmaps; i++)
		any |= t->maps[i].kind == FZ_MAP_AIO;
	if (!any)
		return 0;
	if ((err = read_possible(&p)) || (err = inject_init(t)))
		return err;
	err = setup_scratch(&p, &mask_len);
	if (!err)
		err = probe_rings(&p);
	/* Undo even when a step above failed. */
	err2 = 0;
	if (mask_len > 0) {
		err2 = must(&p, SYS_sched_setaffinity, 0, (uint64_t)mask_len,
			   t->scratch_addr + SAVED_MASK_OFF, &res);
		if (!err2 && res < 0)
			err2 = fail((int)res, "process %d: setting its CPU affinity back",
				    (int)t->pid);
	}
	if (!err2)
		err2 = inject_finish(t);
	else
		inject_finish(t);
	return err ? err : err2;
}

int write_aio(struct target *t, struct image_writer *w)
{
	int err = 0;

	for (size_t i = 0; !err && i < t->naios; i++) {
		const struct aio_entry *e = &t->aios[i];
		err = iw_record(w, FZ_REC_AIO_RING, &e->rec, sizeof(e->rec), e->events,
				e->rec.nevents * sizeof(*e->events));
	}
	return err ? iw_failed(w, err) : 0;
}
