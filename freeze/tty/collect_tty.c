/*
 * The process's terminal. collect_fds() marks every fd on a terminal
 * FZ_FD_TTY; here one terminal is chosen (the controlling one if the
 * process holds an fd on it, else the one of its lowest such fd), and its
 * settings are read through freeze's own copy of the fd: the resumed
 * process gets them back on whatever terminal it is resumed in. Fds on any
 * other terminal fall back to the standard-stream policy (fds 0-2) or are
 * refused like any unsupported fd.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "fds/fds.h"
#include "freeze.h"
#include "tty/tty.h"

int tty_read_ctty(pid_t pid, dev_t *ctty, bool *foreground, bool *leader)
{
	char buf[1024], state, *s;
	int ppid, pgrp, sid, tpgid;
	unsigned long nr;
	int err = read_proc_file(pid, "stat", buf, sizeof(buf), NULL);

	if (err)
		return err;
	s = strrchr(buf, ')');
	if (!s || sscanf(s + 1, " %c %d %d %d %lu %d", &state, &ppid, &pgrp,
			 &sid, &nr, &tpgid) != 6)
		return -EINVAL;
	*ctty = (dev_t)nr;
	*foreground = nr && tpgid > 0 && tpgid == pgrp;
	if (leader)
		*leader = nr && sid == pid;
	return 0;
}

static int fd_rdev(pid_t pid, int fd, dev_t *rdev)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	if (stat(path, &st) < 0)
		return -errno;
	*rdev = st.st_rdev;
	return 0;
}

/*
 * An fd on a terminal that is not recorded (`what`: a second one, or one
 * that was hung up): fds 0-2 get the standard-stream policy; above them, a
 * second terminal is reopened at its path (the device keeps its settings),
 * a hung-up one cannot be.
 */
static int unrecorded_terminal(const struct target *t, const struct options *o,
			       struct fd_entry *e, const char *what)
{
	int err = 0;

	if (e->rec.fd <= 2) {
		e->rec.kind = FZ_FD_INHERIT;
	} else if (t->tty && e->path && e->path[0] == '/') {
		e->rec.kind = FZ_FD_CHARDEV;
		return 0;
	} else if (o->unsupported_fds == FD_TO_NULL) {
		warning("fd %d (%s, %s) will be /dev/null after resume",
			e->rec.fd, what, e->path);
		e->rec.kind = FZ_FD_NULL;
	} else {
		err = fail(-ENOTSUP, "process %d: fd %d is on %s (%s): not "
			   "supported yet (--unsupported-fds=null replaces it by "
			   "/dev/null)", (int)t->pid, e->rec.fd, what, e->path);
	}
	if (!err) {
		free(e->path);
		e->path = NULL;
	}
	return err;
}

/* Index in t->fds of the terminal fd to record, or -1 when there is none. */
static int choose(const struct target *t, dev_t ctty, dev_t *chosen)
{
	int first = -1;

	for (size_t i = 0; i < t->nfds; i++) {
		dev_t rdev;
		if (t->fds[i].rec.kind != FZ_FD_TTY ||
		    fd_rdev(t->pid, t->fds[i].rec.fd, &rdev))
			continue;
		if (first < 0 || rdev == ctty) {
			first = (int)i;
			*chosen = rdev;
		}
		if (rdev == ctty)
			break;
	}
	return first;
}

static int read_settings(struct tty_state *tty)
{
	struct fz_tty *r = &tty->rec;
	struct termios tio;
	struct winsize ws;

	if (tcgetattr(tty->fd, &tio) < 0)
		return -errno;
	r->iflag = tio.c_iflag;
	r->oflag = tio.c_oflag;
	r->cflag = tio.c_cflag;
	r->lflag = tio.c_lflag;
	r->line = tio.c_line;
	for (int i = 0; i < FZ_TTY_NCC && i < NCCS; i++)
		r->cc[i] = tio.c_cc[i];
	if (ioctl(tty->fd, TIOCGWINSZ, &ws) == 0) {
		r->rows = ws.ws_row;
		r->cols = ws.ws_col;
		r->xpixel = ws.ws_xpixel;
		r->ypixel = ws.ws_ypixel;
	}
	r->path_len = (uint32_t)strlen(tty->path) + 1;
	return 0;
}

static int record_terminal(struct target *t, const struct fd_entry *e,
			   dev_t rdev, dev_t ctty, bool foreground)
{
	struct tty_state *tty = calloc(1, sizeof(*tty));
	int err;

	if (!tty || !(tty->path = strdup(e->path))) {
		free(tty);
		return fail(-ENOMEM, "collecting the terminal");
	}
	tty->fd = pidfd_dup(t->pid, e->rec.fd);
	err = tty->fd < 0 ? tty->fd : read_settings(tty);
	if (err) {
		if (tty->fd >= 0)
			close(tty->fd);
		free(tty->path);
		free(tty);
		/* A hung-up terminal has no settings left: the caller copes. */
		return err == -EIO ? err :
		       fail(err, "process %d: fd %d: reading the settings of "
			    "terminal %s", (int)t->pid, e->rec.fd, e->path);
	}
	if (rdev == ctty)
		tty->rec.flags = FZ_TTYF_CTTY | (foreground ? FZ_TTYF_FOREGROUND : 0);
	t->tty = tty;
	return 0;
}

/* Fds on a terminal that is not the recorded one (or on a hung-up one). */
static int settle_unrecorded(struct target *t, const struct options *o,
			     dev_t chosen)
{
	for (size_t i = 0; i < t->nfds; i++) {
		dev_t rdev;
		int err = 0;
		if (t->fds[i].rec.kind != FZ_FD_TTY)
			continue;
		if (fd_rdev(t->pid, t->fds[i].rec.fd, &rdev))
			rdev = 0;
		if (!t->tty)
			err = unrecorded_terminal(t, o, &t->fds[i], "a hung-up terminal");
		else if (rdev != chosen)
			err = unrecorded_terminal(t, o, &t->fds[i], "a second terminal");
		if (err)
			return err;
	}
	return 0;
}

int collect_tty(struct target *t, const struct options *o)
{
	dev_t ctty = 0, chosen = 0;
	bool foreground = false, leader = false;
	int err, pick;

	if (choose(t, 0, &chosen) < 0)
		return 0;
	if ((err = tty_read_ctty(t->pid, &ctty, &foreground, &leader)))
		return fail(err, "process %d: reading its controlling terminal",
			    (int)t->pid);
	/* Its PID, so its session and group ids, change at resume (README). */
	if (leader)
		warning("process %d leads its terminal's session (an interactive "
			"shell?): it resumes with a new PID, and its process group "
			"comes back only where the resumer may choose PIDs (root); "
			"elsewhere a job-control shell that gives the terminal back "
			"to its old group fails", (int)t->pid);
	pick = choose(t, ctty, &chosen);
	err = record_terminal(t, &t->fds[pick], chosen, ctty, foreground);
	if (err == -EIO)
		warning("terminal %s of process %d is hung up: its settings are "
			"not kept", t->fds[pick].path, (int)t->pid);
	else if (err)
		return err;
	return settle_unrecorded(t, o, chosen);
}

static bool is_cooked(const struct termios *tio)
{
	tcflag_t lflags = ICANON | ECHO | ISIG;

	return (tio->c_lflag & lflags) == lflags && (tio->c_oflag & OPOST);
}

/* What `stty sane` would give, keeping the line's own hardware settings. */
static void make_sane(struct termios *tio)
{
	static const struct { int index; cc_t c; } keys[] = {
		{ VINTR, 3 }, { VQUIT, 034 }, { VERASE, 0177 }, { VKILL, 025 },
		{ VEOF, 4 }, { VSTART, 021 }, { VSTOP, 023 }, { VSUSP, 032 },
	};

	tio->c_lflag |= ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | ISIG | IEXTEN;
	tio->c_lflag &= ~(tcflag_t)(ECHONL | NOFLSH | XCASE);
	tio->c_iflag |= ICRNL | BRKINT | IMAXBEL | IXON;
	tio->c_iflag &= ~(tcflag_t)(INLCR | IGNCR | ISTRIP | IUCLC | IXOFF);
	tio->c_oflag |= OPOST | ONLCR;
	tio->c_oflag &= ~(tcflag_t)(OLCUC | OCRNL | ONLRET);
	tio->c_cc[VMIN] = 1;
	tio->c_cc[VTIME] = 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (!tio->c_cc[keys[i].index])
			tio->c_cc[keys[i].index] = keys[i].c;
}

/*
 * The shell that started the process gets the terminal back in whatever
 * mode the process left it: an editor's raw mode would leave it unusable
 * (no echo, no line editing). Only a terminal the process had in its
 * foreground is touched: otherwise its mode belongs to someone else.
 */
void tty_leave_sane(const struct target *t, const struct options *o)
{
	struct termios tio;

	if (!t->tty || !(t->tty->rec.flags & FZ_TTYF_FOREGROUND) ||
	    tcgetattr(t->tty->fd, &tio) < 0 || is_cooked(&tio))
		return;
	make_sane(&tio);
	if (tcsetattr(t->tty->fd, TCSANOW, &tio) < 0)
		warning("cannot set terminal %s back to cooked mode: %s",
			t->tty->path, strerror(errno));
	else
		note(o, "terminal %s was in raw mode: set back to cooked mode",
		     t->tty->path);
}
