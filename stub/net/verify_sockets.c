/* Verification of SOCKET and TCP_REPAIR records: what the restore walks is in bounds. */
#include "image/image_read.h"
#include "lib.h"

#define EBADMSG 74
#define SOCK_STREAM 1

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

	if (r->type == FZ_REC_TCP_REPAIR)
		return check_tcp_repair(r);
	if (r->size < sizeof(*s) || s->data_len != r->size - sizeof(*s) ||
	    s->addr_len > FZ_SOCK_ADDR_MAX || s->peer_len > FZ_SOCK_ADDR_MAX ||
	    s->nopts > FZ_SOCK_MAX_OPTS || s->state < FZ_SOCK_UNBOUND ||
	    s->state > FZ_SOCK_TCP_REPAIR)
		return -EBADMSG;
	if (s->type != SOCK_STREAM && !messages_fit((const uint8_t *)(s + 1), s->data_len))
		return -EBADMSG;
	return 0;
}
