/* ./image --info: what the image holds, without touching the process. */
#include "print.h"
#include "stub.h"
#include "writer.h"

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case FZ_MAP_ANON: return "private";
	case FZ_MAP_SHARED_FILE: return "shared file";
	case FZ_MAP_VDSO: return "vdso";
	case FZ_MAP_VVAR: return "vvar";
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
		[FZ_FD_FILE] = "file", [FZ_FD_DUP] = "dup",
		[FZ_FD_INHERIT] = "the resuming terminal/stream",
		[FZ_FD_NULL] = "/dev/null (replaced)",
		[FZ_FD_PIPE] = "pipe",
	};

	for_each_record(&st->img, r) {
		const struct fz_fd *f = rec_data(r);
		if (r->type != FZ_REC_FD)
			continue;
		out(1, "  fd %d: %s", f->fd, f->kind < sizeof(kinds) / sizeof(kinds[0]) && kinds[f->kind] ? kinds[f->kind] : "?");
		if (f->kind == FZ_FD_FILE)
			out(1, " %s at offset %lu", (const char *)(f + 1), (unsigned long)f->pos);
		if (f->kind == FZ_FD_DUP)
			out(1, " of fd %d", f->dup_of);
		if (f->kind == FZ_FD_PIPE)
			out(1, " %lu, %s end", (unsigned long)f->pipe_id,
			    (f->flags & 3) == 1 ? "write" : "read");
		out(1, "\n");
	}
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

void print_info(const struct stub *st)
{
	const struct fz_process *p = st->proc;

	out(1, "freeze image, format version %u, %lu bytes, pages: %s\n",
	    st->img.hdr->version, (unsigned long)st->img.hdr->image_size,
	    writer_name(st->img.hdr->encoding));
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
	out(1, "file descriptors:\n");
	print_fds(st);
	if (st->cpu) {
		out(1, "cpu features needed:");
		arch_cpu_describe(st->cpu, print_feature, 0);
		out(1, "\n");
	}
}
