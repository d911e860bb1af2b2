/*
 * An established TCP connection rebuilt with TCP_REPAIR (freeze
 * --tcp-established): a socket in repair mode takes the old sequence
 * numbers, connects without a handshake, gets its options, queues and
 * window back. It leaves repair mode only after the point of no return
 * (restore_tcp_repair.c): if the resume stops earlier, it closes without a
 * word to the peer and the image can be run again.
 */
#include <linux/tcp.h>

#include "net/sockets.h"
#include "net/sys_socket.h"
#include "print.h"

/* TCP option kinds (RFC 793, 1323, 2018), as TCP_REPAIR_OPTIONS takes them. */
#define TCPOPT_MSS_ 2
#define TCPOPT_WINDOW_ 3
#define TCPOPT_SACK_PERM_ 4
#define TCPOPT_TIMESTAMP_ 8

static const struct fz_tcp_repair *find_repair(const struct stub *st, uint64_t id)
{
	for_each_record(&st->img, r) {
		const struct fz_tcp_repair *t = rec_data(r);
		if (r->type == FZ_REC_TCP_REPAIR && t->id == id)
			return t;
	}
	return 0;
}

static long set_int(int s, int name, int v)
{
	return sys_setsockopt(s, IPPROTO_TCP, name, &v, sizeof(v));
}

/* Put bytes in the queue TCP_REPAIR_QUEUE selected. */
static long fill(int s, int queue, const uint8_t *p, uint32_t len)
{
	long ret = set_int(s, TCP_REPAIR_QUEUE, queue);

	while (ret >= 0 && len) {
		ret = sys_sendto(s, p, len, MSG_DONTWAIT | MSG_NOSIGNAL, 0, 0);
		if (ret > 0) {
			p += ret;
			len -= (uint32_t)ret;
		}
	}
	return ret < 0 ? ret : 0;
}

static long set_options(int s, const struct fz_tcp_repair *t)
{
	struct tcp_repair_opt opts[4];
	unsigned n = 0;

	opts[n++] = (struct tcp_repair_opt){ TCPOPT_MSS_, t->mss };
	if (t->options & TCPI_OPT_WSCALE)
		opts[n++] = (struct tcp_repair_opt){ TCPOPT_WINDOW_,
						     t->snd_wscale | t->rcv_wscale << 16 };
	if (t->options & TCPI_OPT_SACK)
		opts[n++] = (struct tcp_repair_opt){ TCPOPT_SACK_PERM_, 0 };
	if (t->options & TCPI_OPT_TIMESTAMPS)
		opts[n++] = (struct tcp_repair_opt){ TCPOPT_TIMESTAMP_, 0 };
	return sys_setsockopt(s, IPPROTO_TCP, TCP_REPAIR_OPTIONS, opts,
			      n * sizeof(opts[0]));
}

static long rebuild(int s, const struct fz_socket *r, const struct fz_tcp_repair *t)
{
	struct tcp_repair_window w = { t->snd_wl1, t->snd_wnd, t->max_window,
				       t->rcv_wnd, t->rcv_wup };
	long ret;

	if ((ret = set_int(s, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE)) < 0 ||
	    (ret = set_int(s, TCP_QUEUE_SEQ, (int)t->snd_seq)) < 0 ||
	    (ret = set_int(s, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE)) < 0 ||
	    (ret = set_int(s, TCP_QUEUE_SEQ, (int)t->rcv_seq)) < 0 ||
	    (ret = sys_bind(s, r->addr, r->addr_len)) < 0 ||
	    (ret = sys_connect(s, r->peer, r->peer_len)) < 0 ||
	    (ret = set_options(s, t)) < 0)
		return ret;
	if ((t->options & TCPI_OPT_TIMESTAMPS) &&
	    (ret = set_int(s, TCP_TIMESTAMP, (int)t->timestamp)) < 0)
		return ret;
	if ((ret = fill(s, TCP_RECV_QUEUE, sock_data(r), r->data_len)) < 0 ||
	    (ret = fill(s, TCP_SEND_QUEUE, (const uint8_t *)(t + 1), t->send_len)) < 0 ||
	    (ret = set_int(s, TCP_REPAIR_QUEUE, TCP_NO_QUEUE)) < 0)
		return ret;
	return sys_setsockopt(s, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, sizeof(w));
}

void repair_connection(const struct stub *st, const struct fz_socket *r, int s, int fd)
{
	const struct fz_tcp_repair *t = find_repair(st, r->id);
	long ret;

	if (!t || r->family == AF_UNIX || r->type != SOCK_STREAM)
		die("image is damaged: fd %d is a TCP connection without its state", fd);
	ret = set_int(s, TCP_REPAIR, TCP_REPAIR_ON);
	if (ret < 0)
		die("fd %d: its TCP connection can only be restored with CAP_NET_ADMIN "
		    "(TCP_REPAIR): %s", fd, errname(ret));
	ret = rebuild(s, r, t);
	if (ret < 0)
		die("fd %d: cannot restore its TCP connection (same host, original "
		    "gone?): %s", fd, errname(ret));
}
