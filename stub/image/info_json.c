/*
 * ./image --info --json (and --verify --json): what print_info tells, as
 * the members of one JSON document; schema "freeze-image-info/1",
 * described field by field in include/INFO_JSON.md. Names are stable
 * tokens, not the prose of --info; sizes are bytes; addresses are "0x..."
 * strings (they need not fit a JSON reader's doubles).
 */
#include <asm/termbits.h>

#include "core/core.h"
#include "fds/fds.h"
#include "image/payload.h"
#include "json.h"
#include "mm/mm.h"
#include "net/net.h"
#include "stub.h"
#include "task/task.h"
#include "vdso/vdso.h"
#include "writer.h"

/* A record's trailing string of at most cap bytes (cap 0: none, null). */
static void json_path(const char *key, const void *s, uint32_t cap)
{
	uint32_t n = 0;

	if (!cap) {
		json_str(key, 0);
		return;
	}
	while (n < cap && ((const char *)s)[n])
		n++;
	json_strn(key, s, n);
}

static void json_threads(const struct stub *st)
{
	json_arr("threads");
	for (unsigned i = 0; i < st->nthreads; i++) {
		json_obj(0);
		json_u64("tid", st->threads[i]->tid);
		json_str("comm", st->threads[i]->comm);
		json_hex("pc", st->threads[i]->regs.rip);
		json_end();
	}
	json_end();
}

static void json_process(const struct stub *st)
{
	const struct fz_process *p = st->proc;

	json_obj("process");
	json_u64("pid", p->pid);
	json_str("comm", p->comm);
	json_u64("thread_count", st->nthreads);
	json_threads(st);
	json_str("cwd", st->cwd);
	json_creds(st);
	json_end();
}

static void json_clocks(const struct stub *st)
{
	int64_t mono, boot;
	int behind = clocks_behind(st, &mono, &boot);

	json_obj("clocks");
	json_bool("host_behind", behind);
	json_i64("monotonic_behind_s", behind ? mono : 0);
	json_end();
}

static const char *map_kind(uint32_t kind)
{
	static const char *const kinds[] = {
		[FZ_MAP_ANON] = "private", [FZ_MAP_SHARED_FILE] = "shared_file",
		[FZ_MAP_VDSO] = "vdso",    [FZ_MAP_VVAR] = "vvar",
		[FZ_MAP_SHMEM] = "shmem",  [FZ_MAP_AIO] = "aio_ring",
	};
	return kind < sizeof(kinds) / sizeof(kinds[0]) && kinds[kind] ? kinds[kind] : "?";
}

static void json_mappings(const struct stub *st)
{
	uint64_t stored = 0, pages = 0;

	json_obj("memory");
	json_arr("mappings");
	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		const struct fz_chunk *c = rec_data(r);
		if (r->type == FZ_REC_CHUNK) {
			pages += c->npages;
			stored += c->data_size;
		}
		if (r->type != FZ_REC_MAPPING)
			continue;
		json_obj(0);
		json_hex("start", m->start);
		json_hex("end", m->end);
		json_fmt("prot", "%c%c%c", m->prot & 1 ? 'r' : '-',
			 m->prot & 2 ? 'w' : '-', m->prot & 4 ? 'x' : '-');
		json_str("kind", map_kind(m->kind));
		json_path("path", m + 1, m->path_len);
		if (m->kind == FZ_MAP_SHMEM)
			json_u64("shmem_id", m->shmem_id);
		json_end();
	}
	json_end();
	json_u64("page_bytes", pages * FZ_PAGE_SIZE);
	json_u64("stored_bytes", stored);
	json_end();
}

static const char *fd_kind(uint32_t kind)
{
	static const char *const kinds[] = {
		[FZ_FD_DEVICE] = "device",
		[FZ_FD_DUP] = "dup",
		[FZ_FD_PROC] = "proc",
		[FZ_FD_INHERIT] = "inherit",
		[FZ_FD_NULL] = "null",
		[FZ_FD_PIPE] = "pipe",
		[FZ_FD_REG] = "file",
		[FZ_FD_DIR] = "directory",
		[FZ_FD_OPATH] = "opath",
		[FZ_FD_MEMFD] = "memfd",
		[FZ_FD_EVENTFD] = "eventfd",
		[FZ_FD_TIMERFD] = "timerfd",
		[FZ_FD_SIGNALFD] = "signalfd",
		[FZ_FD_INOTIFY] = "inotify",
		[FZ_FD_EPOLL] = "epoll",
		[FZ_FD_TTY] = "tty",
		[FZ_FD_CHARDEV] = "chardev",
		[FZ_FD_PIDFD] = "pidfd",
		[FZ_FD_PTY_MASTER] = "pty_master",
		[FZ_FD_PTY_SLAVE] = "pty_slave",
		[FZ_FD_SOCKET] = "socket",
	};
	return kind < sizeof(kinds) / sizeof(kinds[0]) && kinds[kind] ? kinds[kind] : "?";
}

static void json_fd(const struct stub *st, const struct fz_fd *f)
{
	json_obj(0);
	json_i64("fd", f->fd);
	json_str("kind", fd_kind(f->kind));
	json_path("path", f + 1, f->path_len);
	json_u64("offset", f->pos);
	json_str("access", (f->flags & 3) == 0 ? "read" :
			   (f->flags & 3) == 1 ? "write" :
						 "read_write");
	json_bool("cloexec", f->cloexec);
	if (f->kind == FZ_FD_DUP)
		json_i64("dup_of", f->dup_of);
	if (f->object_id)
		json_u64("object_id", f->object_id);
	if (f->kind == FZ_FD_SOCKET)
		json_socket_fd(st, f);
	json_anon_fd_state(st, f);
	json_end();
}

static void json_files(const struct stub *st)
{
	static const char *const locks[] = {
		[FZ_LOCK_FLOCK] = "flock",
		[FZ_LOCK_POSIX] = "posix",
		[FZ_LOCK_OFD] = "ofd",
		[FZ_LOCK_LEASE] = "lease",
	};
	uint64_t stored = 0;

	json_arr("files");
	for_each_record(&st->img, r) {
		const struct fz_file *f = rec_data(r);
		if (r->type == FZ_REC_FILE_BLOCK)
			stored += ((const struct fz_file_block *)rec_data(r))->data_size;
		if (r->type != FZ_REC_FILE)
			continue;
		json_obj(0);
		json_u64("id", f->id);
		json_str("path", (const char *)(f + 1));
		json_u64("size", f->size);
		json_bool("deleted", f->flags & FZ_FILEF_DELETED);
		json_bool("content_in_image",
			  f->flags & (FZ_FILEF_DELETED | FZ_FILEF_CONTENT));
		json_end();
	}
	json_end();
	json_u64("file_stored_bytes", stored);
	json_arr("locks");
	for_each_record(&st->img, r) {
		const struct fz_lock *l = rec_data(r);
		if (r->type != FZ_REC_LOCK)
			continue;
		json_obj(0);
		json_i64("fd", l->fd);
		json_str("kind",
			 l->kind < sizeof(locks) / sizeof(locks[0]) ? locks[l->kind] : "?");
		json_bool("write", l->write);
		json_u64("start", l->start);
		json_u64("len", l->len);
		json_end();
	}
	json_end();
}

static void json_tty(const struct stub *st)
{
	const struct fz_tty *t = image_find(&st->img, FZ_REC_TTY, 0);

	if (!t) {
		json_str("terminal", 0);
		return;
	}
	json_obj("terminal");
	json_str("path", (const char *)(t + 1));
	json_u64("cols", t->cols);
	json_u64("rows", t->rows);
	json_bool("controlling", t->flags & FZ_TTYF_CTTY);
	json_bool("foreground", t->flags & FZ_TTYF_FOREGROUND);
	json_bool("canonical", t->lflag & ICANON);
	json_bool("echo", t->lflag & ECHO);
	json_end();
}

static void json_xsave_layout(const struct stub *st)
{
	const struct fz_xsave_layout *l = st->xsave_layout;

	json_arr("xsave_layout");
	for (unsigned i = 0; l && i < FZ_XSAVE_COMPONENTS; i++) {
		if (!l->size[i])
			continue;
		json_obj(0);
		json_u64("component", i);
		json_u64("offset", l->offset[i]);
		json_u64("size", l->size[i]);
		json_end();
	}
	json_end();
}

static void json_name(const char *name, void *ctx)
{
	(void)ctx;
	json_str(0, name);
}

/* The decision print_vdso tells. */
static void json_vdso(struct stub *st)
{
	const struct vdso_plan *p = &st->vdso;
	int refused = plan_vdso(st);

	json_obj("vdso");
	json_bool("can_resume", !refused);
	json_str("plan", refused              ? "refused" :
			 p->mode == VDSO_NONE ? "none" :
			 p->mode == VDSO_MOVE ? "move" :
						"redirect");
	json_str("reason", refused ? p->why : 0);
	if (!refused && p->mode == VDSO_REDIRECT) {
		json_bool("forced", st->opt.vdso != VDSO_AUTO);
		json_u64("entry_points", p->npatches);
		json_arr("syscall_fallbacks");
		vdso_fallbacks(st, json_name, 0);
		json_end();
		if (p->host_ok)
			json_hex("host_vdso_address", p->dest + p->host_vdso_off);
		else
			json_str("host_vdso_unusable", p->host_why);
	}
	json_end();
}

void json_info(struct stub *st)
{
	json_obj("image");
	json_u64("format_version", st->img.trailer->version);
	json_u64("size", st->img.trailer->image_size);
	json_str("pages_encoding", writer_name(st->img.trailer->encoding));
	json_end();
	json_process(st);
	json_clocks(st);
	json_mappings(st);
	json_shmem(st);
	json_arr("fds");
	for_each_record(&st->img, r)
		if (r->type == FZ_REC_FD)
			json_fd(st, rec_data(r));
	json_end();
	json_files(st);
	json_tty(st);
	json_cpu_verdict(st);
	json_xsave_layout(st);
	json_vdso(st);
	json_arr("kernel");
	probe_kernel(st, 1);
	json_end();
}
