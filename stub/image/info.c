/* ./image --info: what the image holds, without touching the process. */
#include <asm/termbits.h>

#include "core/core.h"
#include "fds/fds.h"
#include "image/payload.h"
#include "mm/mm.h"
#include "net/net.h"
#include "print.h"
#include "stub.h"
#include "task/task.h"
#include "vdso/vdso.h"
#include "writer.h"

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case FZ_MAP_ANON: return "private";
	case FZ_MAP_SHARED_FILE: return "shared file";
	case FZ_MAP_VDSO: return "vdso";
	case FZ_MAP_VVAR: return "vvar";
	case FZ_MAP_SHMEM: return "shared memory";
	case FZ_MAP_AIO: return "AIO ring";
	}
	return "?";
}

static void print_mappings(const struct stub *st)
{
	uint64_t stored = 0, pages = 0;
	unsigned maps = 0;

	for_each_record(&st->img, r) {
		if (r->type == FZ_REC_MAPPING) {
			const struct fz_mapping *m = rec_data(r);
			out(1, "  %lx-%lx %c%c%c %s %s\n", (unsigned long)m->start,
			    (unsigned long)m->end, m->prot & 1 ? 'r' : '-',
			    m->prot & 2 ? 'w' : '-', m->prot & 4 ? 'x' : '-',
			    kind_name(m->kind),
			    m->path_len ? (const char *)(m + 1) : "");
			maps++;
		} else if (r->type == FZ_REC_CHUNK) {
			const struct fz_chunk *c = rec_data(r);
			pages += c->npages;
			stored += c->data_size;
		}
	}
	out(1, "memory: %u mappings, %lu KiB of pages stored in %lu KiB\n", maps,
	    (unsigned long)(pages * FZ_PAGE_SIZE / 1024),
	    (unsigned long)(stored / 1024));
}

static void print_fds(const struct stub *st)
{
	static const char *const kinds[] = {
		[FZ_FD_DEVICE] = "device",
		[FZ_FD_DUP] = "dup",
		[FZ_FD_PROC] = "its own /proc file",
		[FZ_FD_INHERIT] = "the resuming terminal/stream",
		[FZ_FD_NULL] = "/dev/null (replaced)",
		[FZ_FD_PIPE] = "pipe",
		[FZ_FD_REG] = "file",
		[FZ_FD_DIR] = "directory",
		[FZ_FD_OPATH] = "O_PATH",
		[FZ_FD_DEAD_PATH] = "a stand-in for a removed directory or symlink",
		[FZ_FD_MEMFD] = "memfd",
		[FZ_FD_EVENTFD] = "eventfd",
		[FZ_FD_TIMERFD] = "timerfd",
		[FZ_FD_SIGNALFD] = "signalfd",
		[FZ_FD_INOTIFY] = "inotify",
		[FZ_FD_EPOLL] = "epoll",
		[FZ_FD_TTY] = "the resuming terminal, was",
		[FZ_FD_CHARDEV] = "device",
		[FZ_FD_PIDFD] = "pidfd of itself",
		[FZ_FD_PTY_MASTER] = "a new pty's master, was pty",
		[FZ_FD_PTY_SLAVE] = "a new pty's slave, was pty",
		[FZ_FD_SOCKET] = "socket",
	};

	for_each_record(&st->img, r) {
		const struct fz_fd *f = rec_data(r);
		if (r->type != FZ_REC_FD)
			continue;
		out(1, "  fd %d: %s", f->fd, f->kind < sizeof(kinds) / sizeof(kinds[0]) && kinds[f->kind] ? kinds[f->kind] : "?");
		if (f->kind == FZ_FD_PTY_MASTER || f->kind == FZ_FD_PTY_SLAVE)
			out(1, " %lu", (unsigned long)f->object_id);
		if (f->kind == FZ_FD_DEVICE || f->kind == FZ_FD_CHARDEV ||
		    f->kind == FZ_FD_PROC || f->kind == FZ_FD_REG || f->kind == FZ_FD_DIR)
			out(1, " %s at offset %lu", (const char *)(f + 1), (unsigned long)f->pos);
		if (f->kind == FZ_FD_MEMFD)
			out(1, " (shared memory %lu) at offset %lu",
			    (unsigned long)f->object_id, (unsigned long)f->pos);
		if (f->kind == FZ_FD_OPATH || (f->kind == FZ_FD_TTY && f->path_len))
			out(1, " %s", (const char *)(f + 1));
		if (f->kind == FZ_FD_DUP)
			out(1, " of fd %d", f->dup_of);
		if (f->kind == FZ_FD_PIPE)
			out(1, " %lu, %s end", (unsigned long)f->object_id,
			    (f->flags & 3) == 1 ? "write" : "read");
		if (f->kind == FZ_FD_SOCKET)
			print_socket_fd(st, f);
		out(1, "\n");
		print_anon_fd_state(st, f);
	}
}

static void print_lock(const struct fz_lock *l, const char *kind)
{
	out(1, "  fd %d holds a %s %s", l->fd, l->write ? "write" : "read", kind);
	if (l->kind == FZ_LOCK_LEASE)
		; /* the whole file */
	else if (l->kind != FZ_LOCK_FLOCK && l->len)
		out(1, " on bytes %lu to %lu", (unsigned long)l->start,
		    (unsigned long)(l->start + l->len - 1));
	else if (l->kind != FZ_LOCK_FLOCK)
		out(1, " from byte %lu to the end", (unsigned long)l->start);
	out(1, "\n");
}

static void print_files(const struct stub *st)
{
	static const char *const locks[] = {
		[FZ_LOCK_FLOCK] = "flock",
		[FZ_LOCK_POSIX] = "POSIX lock",
		[FZ_LOCK_OFD] = "OFD lock",
		[FZ_LOCK_LEASE] = "lease",
	};
	uint64_t stored = 0;

	for_each_record(&st->img, r) {
		const struct fz_file *f = rec_data(r);
		const struct fz_lock *l = rec_data(r);
		if (r->type == FZ_REC_FILE)
			out(1, "  file %lu: %s, %lu bytes%s\n", (unsigned long)f->id,
			    (const char *)(f + 1), (unsigned long)f->size,
			    (f->flags & FZ_FILEF_DELETED) ? ", deleted: its bytes are in the image" :
			    (f->flags & FZ_FILEF_CONTENT) ? ", its bytes are in the image" : "");
		else if (r->type == FZ_REC_FILE_BLOCK)
			stored += ((const struct fz_file_block *)rec_data(r))->data_size;
		else if (r->type == FZ_REC_LOCK)
			print_lock(l, locks[l->kind]);
	}
	if (stored)
		out(1, "  file contents stored in %lu KiB\n", (unsigned long)(stored / 1024));
}

static void print_tty(const struct stub *st)
{
	const struct fz_tty *t = image_find(&st->img, FZ_REC_TTY, 0);

	if (!t)
		return;
	out(1, "terminal: %s, %ux%u, %s%s, %s, echo %s; resumes on the "
	       "terminal the image is run from, with these settings and a SIGWINCH\n",
	    (const char *)(t + 1), t->cols, t->rows,
	    t->flags & FZ_TTYF_CTTY ? "controlling" : "not controlling",
	    t->flags & FZ_TTYF_FOREGROUND ? ", foreground" : "",
	    t->lflag & ICANON ? "line mode" : "raw mode",
	    t->lflag & ECHO ? "on" : "off");
}

static void print_feature(const char *name, void *ctx)
{
	(void)ctx;
	out(1, " %s", name);
}

static void print_clocks(const struct stub *st)
{
	int64_t mono, boot;

	if (clocks_behind(st, &mono, &boot))
		out(1, "clocks: this host's CLOCK_MONOTONIC is %ld s behind the "
		       "process's: a time namespace will hide it (needs /proc)\n",
		    (long)mono);
	else
		out(1, "clocks: this host's are ahead of the process's; used as they are\n");
}

static void print_xsave_layout(const struct stub *st)
{
	const struct fz_xsave_layout *l = st->xsave_layout;

	if (!l)
		return;
	out(1, "cpu: XSAVE layout of the freezing CPU (component at offset+size):");
	for (unsigned i = 0; i < FZ_XSAVE_COMPONENTS; i++)
		if (l->size[i])
			out(1, " %u@%u+%u", i, l->offset[i], l->size[i]);
	out(1, "\n");
}

static void print_name(const char *name, void *ctx)
{
	(void)ctx;
	out(1, " %s", name);
}

/* The same decision the restore makes, told rather than acted on. */
static void print_vdso(struct stub *st)
{
	const struct vdso_plan *p = &st->vdso;
	unsigned n;

	if (plan_vdso(st)) {
		out(1, "vdso: resume refused: %s\n", p->why);
		return;
	}
	if (p->mode == VDSO_NONE) {
		out(1, "vdso: the process had none\n");
		return;
	}
	if (p->mode == VDSO_MOVE) {
		out(1, "vdso: the same build as this kernel's: moved into place\n");
		return;
	}
	n = vdso_fallbacks(st, 0, 0);
	out(1, "vdso: %s: %u of its %u entry points jump into this kernel's vdso",
	    st->opt.vdso != VDSO_AUTO ? "redirected (forced)"
				      : "another build than this kernel's",
	    p->npatches - n, p->npatches);
	if (p->host_ok)
		out(1, ", mapped at %lx", (unsigned long)(p->dest + p->host_vdso_off));
	out(1, "\n");
	if (n) {
		out(1, "vdso: system calls instead (%s) for:",
		    p->host_ok ? "this kernel's vdso lacks them" : p->host_why);
		vdso_fallbacks(st, print_name, 0);
		out(1, "\n");
	}
}

void print_info(struct stub *st)
{
	const struct fz_process *p = st->proc;

	out(1, "freeze image, format version %u, %lu bytes, pages: %s\n",
	    st->img.trailer->version, (unsigned long)st->img.trailer->image_size,
	    writer_name(st->img.trailer->encoding));
	out(1, "process: pid %lu (%s), %u thread%s\n", (unsigned long)p->pid,
	    p->comm, st->nthreads, st->nthreads == 1 ? "" : "s");
	for (unsigned i = 0; i < st->nthreads; i++)
		out(1, "  thread %lu (%s): stopped at pc %lx\n",
		    (unsigned long)st->threads[i]->tid, st->threads[i]->comm,
		    (unsigned long)st->threads[i]->regs.rip);
	out(1, "cwd: %s\n", st->cwd ? st->cwd : "(not recorded)");
	print_creds(st);
	out(1, "ids on resume: new pid (the stub's own) and new thread ids\n");
	print_clocks(st);
	print_mappings(st);
	print_shmem(st);
	out(1, "file descriptors:\n");
	print_fds(st);
	print_files(st);
	print_tty(st);
	if (st->cpu) {
		out(1, "cpu features needed:");
		arch_cpu_describe(st->cpu, print_feature, 0);
		out(1, "\n");
	}
	print_xsave_layout(st);
	print_cpu_verdict(st);
	print_vdso(st);
	probe_kernel(st, 1);
}
