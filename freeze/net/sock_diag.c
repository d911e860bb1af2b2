/*
 * Questions only the kernel's sock_diag netlink interface answers: which
 * socket a UNIX socket is connected to (its inode), a listening socket's
 * backlog and pending connections, a socket's shutdown state. It works
 * unprivileged, for the sockets of freeze's own network namespace.
 */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/sockets.h"

#define TCP_LISTEN_STATE 10

struct diag_reply {
	union {
		struct nlmsghdr h;
		char buf[16384];
	};
};

static int diag_open(const void *req, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	if (s < 0)
		return -errno;
	if (sendto(s, req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) !=
	    (ssize_t)len) {
		int err = -errno;
		close(s);
		return err;
	}
	return s;
}

static void unix_attrs(const struct unix_diag_msg *m, size_t len, struct sock_diag *out)
{
	const struct nlattr *a = (const void *)(m + 1);
	size_t left = len - NLMSG_ALIGN(sizeof(*m));

	while (left >= sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= left) {
		const void *v = (const char *)a + NLA_HDRLEN;
		if (a->nla_type == UNIX_DIAG_PEER)
			memcpy(&out->peer_ino, v, sizeof(uint32_t));
		else if (a->nla_type == UNIX_DIAG_RQLEN) {
			const struct unix_diag_rqlen *q = v;
			out->pending = q->udiag_rqueue;
			out->backlog = q->udiag_wqueue;
		} else if (a->nla_type == UNIX_DIAG_SHUTDOWN) {
			out->shutdown = *(const uint8_t *)v;
		} else if (a->nla_type == UNIX_DIAG_VFS) {
			const struct unix_diag_vfs *f = v;
			out->vfs_ino = f->udiag_vfs_ino;
			out->vfs_dev = f->udiag_vfs_dev;
		} else if (a->nla_type == UNIX_DIAG_ICONS) {
			size_t n = (a->nla_len - NLA_HDRLEN) / sizeof(uint32_t);
			out->nicons = (uint32_t)(n < 256 ? n : 256);
			memcpy(out->icons, v, out->nicons * sizeof(uint32_t));
		}
		size_t step = (size_t)NLA_ALIGN(a->nla_len);
		if (step >= left)
			break;
		left -= step;
		a = (const void *)((const char *)a + step);
	}
}

int unix_diag(uint32_t ino, struct sock_diag *out)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} req = {
		.h = { .nlmsg_len = sizeof(req),
		       .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST },
		.r = { .sdiag_family = AF_UNIX,
		       .udiag_states = ~0u,
		       .udiag_ino = ino,
		       .udiag_show = UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_VFS | UDIAG_SHOW_ICONS,
		       .udiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE } },
	};
	static struct diag_reply reply;
	int s = diag_open(&req, sizeof(req));
	ssize_t n;

	if (s < 0)
		return s;
	memset(out, 0, sizeof(*out));
	n = recv(s, reply.buf, sizeof(reply.buf), 0);
	close(s);
	if (n < 0)
		return -errno;
	if (!NLMSG_OK(&reply.h, (size_t)n))
		return -EPROTO;
	if (reply.h.nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(&reply.h);
		return e->error ? e->error : -EPROTO;
	}
	if (reply.h.nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
		return -EPROTO;
	unix_attrs(NLMSG_DATA(&reply.h), reply.h.nlmsg_len - NLMSG_HDRLEN, out);
	return 0;
}

static void inet_attrs(const struct nlmsghdr *h, const struct inet_diag_msg *m,
		       struct sock_diag *out)
{
	const struct nlattr *a = (const void *)((const char *)m + NLMSG_ALIGN(sizeof(*m)));
	size_t left = h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(*m)));

	while (left >= sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= left) {
		if (a->nla_type == INET_DIAG_SHUTDOWN && a->nla_len > NLA_HDRLEN)
			out->shutdown = *((const uint8_t *)a + NLA_HDRLEN);
		size_t step = (size_t)NLA_ALIGN(a->nla_len);
		if (step >= left)
			break;
		left -= step;
		a = (const void *)((const char *)a + step);
	}
}

/* One message of an inet dump: 1 if it is the socket `ino`. */
static int match_inet(const struct nlmsghdr *h, uint32_t ino, struct sock_diag *out)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);

	if (h->nlmsg_len < NLMSG_LENGTH(NLMSG_ALIGN(sizeof(*m))) || m->idiag_inode != ino)
		return 0;
	memset(out, 0, sizeof(*out));
	out->pending = m->idiag_rqueue;
	out->backlog = m->idiag_wqueue;
	inet_attrs(h, m, out);
	return 1;
}

int tcp_listen_diag(int family, uint32_t ino, struct sock_diag *out)
{
	return inet_diag(family, IPPROTO_TCP, 1u << TCP_LISTEN_STATE, ino, out);
}

int inet_diag(int family, int protocol, uint32_t states, uint32_t ino, struct sock_diag *out)
{
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} req = {
		.h = { .nlmsg_len = sizeof(req),
		       .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = (uint8_t)family,
		       .sdiag_protocol = (uint8_t)protocol,
		       .idiag_states = states },
	};
	static struct diag_reply reply;
	int s = diag_open(&req, sizeof(req)), found = 0, err = -ENOENT;

	if (s < 0)
		return s;
	for (;;) {
		ssize_t n = recv(s, reply.buf, sizeof(reply.buf), 0);
		const struct nlmsghdr *h = &reply.h;
		if (n < 0) {
			err = -errno;
			break;
		}
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				goto done;
			found |= match_inet(h, ino, out);
		}
		if (n == 0)
			break;
	}
done:
	close(s);
	return found ? 0 : err;
}
