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
