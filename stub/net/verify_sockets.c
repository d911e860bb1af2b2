/* Verification of SOCKET and TCP_REPAIR records: what the restore walks is in bounds. */
#include "image/image_read.h"
#include "lib.h"

#define EBADMSG 74
#define SOCK_STREAM 1
#define AF_UNIX 1

static int messages_fit(const uint8_t *p, uint32_t len)
{
	while (len) {
		uint32_t n;
		if (len < sizeof(n))
			return 0;
		memcpy(&n, p, sizeof(n));
		if (n > len - sizeof(n))
			return 0;
		p += sizeof(n) + n;
		len -= (uint32_t)sizeof(n) + n;
	}
	return 1;
}

/* The options fill opts_len exactly, each value within FZ_SOCKOPT_MAX. */
static int options_fit(const uint8_t *p, uint32_t len)
{
	while (len) {
		struct fz_sockopt o;
		uint32_t step;
		if (len < sizeof(o))
			return 0;
		memcpy(&o, p, sizeof(o));
		if (o.len > FZ_SOCKOPT_MAX)
			return 0;
		step = (uint32_t)sizeof(o) + ((o.len + 3) & ~3u);
		if (step > len)
			return 0;
		p += step;
		len -= step;
	}
	return 1;
}

static int check_tcp_repair(const struct fz_record *r)
{
	const struct fz_tcp_repair *t = rec_data(r);

	if (r->size < sizeof(*t) || t->send_len != r->size - sizeof(*t))
		return -EBADMSG;
	return 0;
}

int check_socket_record(const struct fz_record *r)
{
	const struct fz_socket *s = rec_data(r);
	const uint8_t *tail = (const uint8_t *)(s + 1);

	if (r->type == FZ_REC_TCP_REPAIR)
		return check_tcp_repair(r);
	if (r->size < sizeof(*s) ||
	    (uint64_t)s->opts_len + s->data_len != r->size - sizeof(*s) ||
	    s->addr_len > FZ_SOCK_ADDR_MAX || s->peer_len > FZ_SOCK_ADDR_MAX ||
	    s->state < FZ_SOCK_UNBOUND || s->state > FZ_SOCK_STATE_MAX ||
	    (s->flags & ~FZ_SOCKF_UNLINKED) ||
	    ((s->flags & FZ_SOCKF_UNLINKED) && s->family != AF_UNIX) || s->shutdown > 3)
		return -EBADMSG;
	if (!options_fit(tail, s->opts_len))
		return -EBADMSG;
	if (s->type != SOCK_STREAM && !messages_fit(tail + s->opts_len, s->data_len))
		return -EBADMSG;
	return 0;
}

#define FZ_FD_DUP_ 2

static const struct fz_socket *socket_record(const struct image *img, uint64_t id)
{
	for_each_record(img, r) {
		const struct fz_socket *s = rec_data(r);
		if (r->type == FZ_REC_SOCKET && r->size >= sizeof(*s) && s->id == id)
			return s;
	}
	return 0;
}

static const struct fz_fd *fd_owner(const struct image *img, int32_t fd, int follow)
{
	for_each_record(img, r) {
		const struct fz_fd *f = rec_data(r);
		if (r->type != FZ_REC_FD || f->fd != fd)
			continue;
		return follow && f->kind == FZ_FD_DUP_ ? fd_owner(img, f->dup_of, 0) : f;
	}
	return 0;
}

/* The kinds whose prepared fd is the process's open file, as freeze sends. */
static int held_ok(const struct image *img, int32_t fd)
{
	const struct fz_fd *f = fd_owner(img, fd, 1);

	return f && (f->kind == FZ_FD_PIPE || f->kind == FZ_FD_SOCKET ||
		     f->kind == FZ_FD_REG || f->kind == FZ_FD_DEVICE ||
		     f->kind == FZ_FD_CHARDEV || f->kind == FZ_FD_MEMFD);
}

/* The length of datagram `index` of s's data, or -1 past the last one. */
static int64_t message_len(const struct fz_socket *s, uint32_t index)
{
	const uint8_t *p = (const uint8_t *)(s + 1) + s->opts_len;
	uint32_t off = 0, n;

	for (;;) {
		if (off >= s->data_len)
			return -1;
		memcpy(&n, p + off, sizeof(n));
		if (!index--)
			return n;
		off += (uint32_t)sizeof(n) + n;
	}
}

static int passed_fits(const struct image *img, const struct fz_record *r)
{
	const struct fz_passed_fd *p = rec_data(r);
	const char *path = (const char *)(p + 1);
	const struct fz_socket *s;

	if (r->size < sizeof(*p) || p->path_len != r->size - sizeof(*p) ||
	    !(s = socket_record(img, p->socket_id)) || s->family != AF_UNIX)
		return 0;
	if (p->kind == FZ_PASSED_HELD ?
		    p->path_len || !held_ok(img, p->held_fd) :
		    p->kind != FZ_PASSED_FILE && p->kind != FZ_PASSED_DEVICE)
		return 0;
	if (p->kind != FZ_PASSED_HELD &&
	    (p->path_len < 2 || path[0] != '/' || path[p->path_len - 1] ||
	     strlen(path) != p->path_len - 1))
		return 0;
	if (s->type == SOCK_STREAM)
		return p->len && p->at <= s->data_len && p->len <= s->data_len - p->at;
	return message_len(s, p->at) == p->len;
}

/*
 * Each PASSED_FD record fits its socket's data; one socket's messages come
 * in queue order (a stream's do not overlap), each with at most
 * FZ_PASSED_MAX fds.
 */
int check_passed_fds(const struct image *img)
{
	const struct fz_passed_fd *last = 0;
	unsigned count = 0;

	for_each_record(img, r) {
		const struct fz_passed_fd *p = rec_data(r);
		if (r->type != FZ_REC_PASSED_FD)
			continue;
		if (!passed_fits(img, r))
			return -EBADMSG;
		if (last && last->socket_id == p->socket_id && last->at == p->at) {
			if (last->len != p->len || ++count > FZ_PASSED_MAX)
				return -EBADMSG;
		} else {
			const struct fz_socket *s = socket_record(img, p->socket_id);
			uint64_t end = last ? (uint64_t)last->at +
						       (s->type == SOCK_STREAM ? last->len : 1) :
					      0;
			if (last && last->socket_id == p->socket_id && p->at < end)
				return -EBADMSG;
			count = 1;
		}
		last = p;
	}
	return 0;
}
