/* The image payload: process state records, then mappings with their pages. */
#include <string.h>

#include "fds/fds.h"
#include "freeze.h"
#include "image/image_writer.h"
#include "image/output.h"
#include "mm/mm.h"
#include "net/net.h"

static int write_state(struct target *t, struct image_writer *w)
{
	int err = 0;

	err = err ? err : iw_record(w, FZ_REC_PROCESS, &t->proc, sizeof(t->proc), NULL, 0);
	for (size_t i = 0; !err && i < t->nthreads; i++) {
		const struct thread *th = &t->threads[i];
		err = iw_record(w, FZ_REC_THREAD, &th->rec, sizeof(th->rec),
				th->xstate, th->rec.xstate_len);
	}
	err = err ? err : iw_record(w, FZ_REC_SIGACTIONS, t->sigactions,
				    sizeof(t->sigactions), NULL, 0);
	err = err ? err : iw_record(w, FZ_REC_ITIMERS, t->itimers, sizeof(t->itimers),
				    NULL, 0);
	for (size_t i = 0; !err && i < t->ntimers; i++)
		err = iw_record(w, FZ_REC_POSIX_TIMER, &t->timers[i], sizeof(t->timers[i]),
				NULL, 0);
	for (size_t i = 0; !err && i < t->npending; i++)
		err = iw_record(w, FZ_REC_SIGINFO, &t->pending[i], sizeof(t->pending[i]),
				NULL, 0);
	err = err ? err : iw_record(w, FZ_REC_RLIMITS, t->rlimits, sizeof(t->rlimits),
				    NULL, 0);
	err = err ? err : iw_record(w, FZ_REC_CWD, t->cwd, strlen(t->cwd) + 1, NULL, 0);
	if (!err && t->exe_path)
		err = iw_record(w, FZ_REC_EXE, &t->exe, sizeof(t->exe), t->exe_path,
				t->exe.path_len);
	err = err ? err : iw_record(w, FZ_REC_AUXV, t->auxv, t->auxv_len, NULL, 0);
	err = err ? err : iw_record(w, FZ_REC_CPU, &t->cpu, sizeof(t->cpu), NULL, 0);
	err = err ? err : iw_record(w, FZ_REC_CREDS, &t->creds, sizeof(t->creds),
				    NULL, 0);
	err = err ? err :
		    iw_record(w, FZ_REC_GROUPS, t->groups,
			      t->ngroups * sizeof(*t->groups), NULL, 0);
	err = err ? err : iw_record(w, FZ_REC_XSAVE_LAYOUT, &t->xsave_layout,
				    sizeof(t->xsave_layout), NULL, 0);
	if (!err && t->vdso)
		err = iw_record(w, FZ_REC_VDSO, t->vdso, t->vdso_len, NULL, 0);
	if (!err && t->tty)
		err = iw_record(w, FZ_REC_TTY, &t->tty->rec, sizeof(t->tty->rec),
				t->tty->path, t->tty->rec.path_len);
	for (size_t i = 0; !err && i < t->nptys; i++)
		if (!t->ptys[i].dropped)
			err = iw_record(w, FZ_REC_PTY, &t->ptys[i].rec,
					sizeof(t->ptys[i].rec), NULL, 0);
	for (size_t i = 0; !err && i < t->npipes; i++)
		err = iw_record(w, FZ_REC_PIPE, &t->pipes[i].rec, sizeof(t->pipes[i].rec),
				t->pipes[i].data, t->pipes[i].rec.data_len);
	err = err ? err : write_anon_fds(t, w);
	for (size_t i = 0; !err && i < t->nsockets; i++) {
		const struct socket_entry *s = &t->sockets[i];
		err = iw_record(w, FZ_REC_SOCKET, &s->rec, sizeof(s->rec), s->data,
				(size_t)s->rec.opts_len + s->rec.data_len);
		if (!err && s->rec.state == FZ_SOCK_TCP_REPAIR)
			err = iw_record(w, FZ_REC_TCP_REPAIR, &s->repair, sizeof(s->repair),
					s->send_queue, s->repair.send_len);
	}
	if (!err && (err = write_files(t, w)))
		return err;
	err = err ? err : write_dead_paths(t, w);
	for (size_t i = 0; !err && i < t->nfds; i++) {
		const struct fd_entry *f = &t->fds[i];
		struct fz_fd rec = f->rec;
		size_t plen = f->path ? strlen(f->path) + 1 : 0;
		rec.path_len = (uint32_t)plen;
		err = iw_record(w, FZ_REC_FD, &rec, sizeof(rec), f->path, plen);
	}
	err = err ? err : write_passed_fds(t, w);
	for (size_t i = 0; !err && i < t->nlocks; i++)
		err = iw_record(w, FZ_REC_LOCK, &t->locks[i], sizeof(t->locks[i]), NULL, 0);
	return err ? iw_failed(w, err) : 0;
}

int write_image(struct target *t, const struct output *out,
		enum fz_encoding enc, unsigned jobs, uint64_t *image_size)
{
	struct image_writer w;
	int err = iw_begin(&w, out->fd, output_name(out), enc, jobs);

	if (err)
		return fail(err, "starting the image");
	err = write_state(t, &w);
	if (!err)
		err = write_shmem(t, &w);
	if (!err)
		err = write_memory(t, &w);
	if (!err)
		err = write_aio(t, &w);
	if (!err && (err = iw_finish(&w, image_size)))
		err = iw_failed(&w, err);
	if (!err)
		err = iw_check(&w);
	iw_free(&w);
	return err;
}
