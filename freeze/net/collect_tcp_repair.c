/*
 * freeze --tcp-established: an established TCP connection is put in repair
 * mode (TCP_REPAIR, needs CAP_NET_ADMIN), which lets freeze read its
 * sequence numbers, options, window and both queues, and makes the socket
 * close silently when the process is killed, so that the stub can rebuild
 * it on the same host and the peer notices nothing. Segments the peer sends
 * while the process is frozen are not held back (there is no network lock):
 * the peer should be quiet during the freeze.
 */
#include <errno.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "freeze.h"
#include "net/net.h"
#include "net/sockets.h"

#define TCP_ESTABLISHED_STATE 1

static int set_int(int s, int name, int v)
{
	return setsockopt(s, IPPROTO_TCP, name, &v, sizeof(v)) < 0 ? -errno : 0;
}

static int get_u32(int s, int name, uint32_t *v)
{
	socklen_t len = sizeof(*v);

	return getsockopt(s, IPPROTO_TCP, name, v, &len) < 0 ? -errno : 0;
}

/* The send queue: in repair mode a MSG_PEEK reads it from its head. */
static int peek_send_queue(int s, struct socket_entry *e)
{
	int outq = 0;
	ssize_t n;

	if (ioctl(s, SIOCOUTQ, &outq) < 0)
		return -errno;
	if (outq == 0)
		return 0;
	if (!(e->send_queue = malloc((size_t)outq)))
		return -ENOMEM;
	n = recv(s, e->send_queue, (size_t)outq, MSG_PEEK | MSG_DONTWAIT);
	if (n != outq)
		return n < 0 ? -errno : -EIO;
	e->repair.send_len = (uint32_t)outq;
	return 0;
}

static int read_state(int s, struct socket_entry *e)
{
	struct fz_tcp_repair *r = &e->repair;
	struct tcp_repair_window w;
	struct tcp_info info;
	socklen_t len = sizeof(info);
	uint32_t seq;
	int err;

	if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &info, &len) < 0)
		return -errno;
	r->options = info.tcpi_options;
	r->snd_wscale = info.tcpi_snd_wscale;
	r->rcv_wscale = info.tcpi_rcv_wscale;
	len = sizeof(w);
	if ((err = get_u32(s, TCP_MAXSEG, &r->mss)) ||
	    (err = get_u32(s, TCP_TIMESTAMP, &r->timestamp)))
		return err;
	if (getsockopt(s, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, &len) < 0)
		return -errno;
	r->snd_wl1 = w.snd_wl1;
	r->snd_wnd = w.snd_wnd;
	r->max_window = w.max_window;
	r->rcv_wnd = w.rcv_wnd;
	r->rcv_wup = w.rcv_wup;
	if ((err = set_int(s, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE)) ||
	    (err = get_u32(s, TCP_QUEUE_SEQ, &seq)) || (err = peek_send_queue(s, e)))
		return err;
	r->snd_seq = seq - r->send_len;
	if ((err = set_int(s, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE)) ||
	    (err = get_u32(s, TCP_QUEUE_SEQ, &seq)) ||
	    (err = peek_queue(s, SOCK_STREAM, &e->data, &e->rec.data_len, NULL, NULL)))
		return err;
	r->rcv_seq = seq - e->rec.data_len;
	return set_int(s, TCP_REPAIR_QUEUE, TCP_NO_QUEUE);
}

int collect_tcp_repair(pid_t pid, int fd, int s, struct socket_entry *e)
{
	struct tcp_info info;
	socklen_t len = sizeof(info);
	int err;

	if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &info, &len) < 0 ||
	    info.tcpi_state != TCP_ESTABLISHED_STATE)
		return fail(-ENOTSUP, "process %d: fd %d: its TCP connection is not "
			    "established (state %u): --tcp-established cannot keep it",
			    (int)pid, fd, (unsigned)info.tcpi_state);
	len = sizeof(e->reuse);
	if (getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &e->reuse, &len) < 0)
		return fail(-errno, "process %d: fd %d: its SO_REUSEADDR", (int)pid, fd);
	e->held_fd = dup(s);
	if (e->held_fd < 0)
		return fail(-errno, "process %d: fd %d: keeping a copy", (int)pid, fd);
	err = set_int(e->held_fd, TCP_REPAIR, TCP_REPAIR_ON);
	if (err) {
		close(e->held_fd);
		e->held_fd = -1;
		return fail(err, "process %d: fd %d: --tcp-established needs "
			    "CAP_NET_ADMIN (TCP_REPAIR)", (int)pid, fd);
	}
	e->repair.id = e->rec.id;
	e->rec.state = FZ_SOCK_TCP_REPAIR;
	err = read_state(e->held_fd, e);
	if (err) {
		leave_tcp_repair_socket(e, false);
		return fail(err, "process %d: fd %d: reading its TCP connection's state",
			    (int)pid, fd);
	}
	return 0;
}

void leave_tcp_repair_socket(struct socket_entry *e, bool killed)
{
	if (e->held_fd < 0)
		return;
	/*
	 * A live process gets its connection back; no window probe. Leaving
	 * repair mode clears SO_REUSEADDR (the kernel forces it on in repair
	 * mode): the process's own value goes back.
	 */
	if (!killed && !set_int(e->held_fd, TCP_REPAIR, TCP_REPAIR_OFF_NO_WP))
		setsockopt(e->held_fd, SOL_SOCKET, SO_REUSEADDR, &e->reuse, sizeof(e->reuse));
	close(e->held_fd);
	e->held_fd = -1;
}

void leave_tcp_repair(struct target *t, bool killed)
{
	for (size_t i = 0; i < t->nsockets; i++)
		leave_tcp_repair_socket(&t->sockets[i], killed);
}
