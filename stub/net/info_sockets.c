/* ./image --info: a socket fd, its kind, names, state and queued bytes. */
#include "net/net.h"
#include "net/sockets.h"
#include "net/sys_socket.h"
#include "json.h"
#include "lib.h"
#include "print.h"
#include "stub.h"

static const char *family_name(uint32_t f)
{
	return f == AF_UNIX ? "UNIX" : f == AF_INET ? "IPv4" : f == AF_INET6 ? "IPv6" : "?";
}

static const char *type_name(uint32_t t)
{
	return t == SOCK_STREAM ? "stream" : t == SOCK_DGRAM ? "datagram" :
	       t == SOCK_SEQPACKET ? "seqpacket" : "?";
}

static const char *state_name(uint32_t s)
{
	static const char *const names[] = {
		[FZ_SOCK_UNBOUND] = "unbound",
		[FZ_SOCK_BOUND] = "bound to",
		[FZ_SOCK_LISTEN] = "listening on",
		[FZ_SOCK_CONNECTED] = "bound to",
		[FZ_SOCK_PAIR] = "socketpair end",
		[FZ_SOCK_PEER_GONE] = "connection at",
		[FZ_SOCK_TCP_REPAIR] = "connection at",
		[FZ_SOCK_PENDING] = "client at",
	};
	return s < sizeof(names) / sizeof(names[0]) && names[s] ? names[s] : "?";
}

static unsigned port_of(const uint8_t *a)
{
	return (unsigned)a[2] << 8 | a[3];
}

static void print_addr(const uint8_t *a, uint32_t len)
{
	uint32_t family = (uint32_t)a[0] | (uint32_t)a[1] << 8;

	if (len <= 2) {
		out(1, " (unnamed)");
	} else if (family == AF_UNIX) {
		out(1, " %s", a[2] ? "" : "@");
		for (uint32_t i = a[2] ? 2 : 3; i < len && (a[i] || !a[2]); i++)
			out(1, "%c", a[i]);
	} else if (family == AF_INET) {
		out(1, " %u.%u.%u.%u:%u", a[4], a[5], a[6], a[7], port_of(a));
	} else {
		out(1, " [");
		for (int i = 0; i < 8; i++)
			out(1, "%s%x", i ? ":" : "", (unsigned)a[8 + 2 * i] << 8 | a[9 + 2 * i]);
		out(1, "]:%u", port_of(a));
	}
}

/* How many fds are in flight in its queue (PASSED_FD records). */
static void print_passed(const struct stub *st, const struct fz_socket *s)
{
	unsigned n = 0;

	for_each_record(&st->img, r) {
		const struct fz_passed_fd *p = rec_data(r);
		n += r->type == FZ_REC_PASSED_FD && p->socket_id == s->id;
	}
	if (n)
		out(1, " with %u fd%s in flight", n, n == 1 ? "" : "s");
}

void print_socket_fd(const struct stub *st, const struct fz_fd *f)
{
	for_each_record(&st->img, r) {
		const struct fz_socket *s = rec_data(r);
		if (r->type != FZ_REC_SOCKET || s->id != f->object_id)
			continue;
		out(1, " %s %s, %s", family_name(s->family), type_name(s->type),
		    state_name(s->state));
		if (s->state != FZ_SOCK_UNBOUND && s->state != FZ_SOCK_PAIR)
			print_addr(s->addr, s->addr_len);
		if (s->state == FZ_SOCK_LISTEN)
			out(1, " (backlog %u)", s->backlog);
		if (s->state >= FZ_SOCK_CONNECTED && s->state != FZ_SOCK_PAIR) {
			out(1, ", connected to");
			print_addr(s->peer, s->peer_len);
		}
		if (s->state == FZ_SOCK_PEER_GONE)
			out(1, " (comes back reset by the peer)");
		if (s->state == FZ_SOCK_TCP_REPAIR)
			out(1, " (restored with TCP_REPAIR)");
		if (s->state == FZ_SOCK_PENDING)
			out(1, " (not accepted yet: connected to it again)");
		unsigned n = 0;
		for_each_sock_opt(s, o) n++;
		if (n)
			out(1, ", %u option%s", n, n == 1 ? "" : "s");
		if (s->data_len)
			out(1, ", %u bytes queued", s->data_len);
		print_passed(st, s);
		return;
	}
	out(1, " (its record is missing)");
}

/* --json: a socket name as {"unix": path, "abstract": bool} or {"host", "port"}; null if unnamed. */
static void json_addr(const char *key, const uint8_t *a, uint32_t len)
{
	uint32_t family = (uint32_t)a[0] | (uint32_t)a[1] << 8;
	char host[48];
	unsigned n = 0;

	if (len <= 2) {
		json_str(key, 0);
		return;
	}
	json_obj(key);
	if (family == AF_UNIX) {
		int abstract = !a[2];
		uint32_t end = 2 + abstract;
		while (end < len && (a[end] || abstract))
			end++;
		json_strn("unix", (const char *)a + 2 + abstract, end - 2 - abstract);
		json_bool("abstract", abstract);
	} else if (family == AF_INET) {
		format(host, sizeof(host), "%u.%u.%u.%u", a[4], a[5], a[6], a[7]);
		json_str("host", host);
		json_u64("port", port_of(a));
	} else {
		for (int i = 0; i < 8; i++) {
			format(host + n, sizeof(host) - n, "%s%x", i ? ":" : "",
			       (unsigned)a[8 + 2 * i] << 8 | a[9 + 2 * i]);
			n += (unsigned)strlen(host + n);
		}
		json_str("host", host);
		json_u64("port", port_of(a));
	}
	json_end();
}

static const char *state_key(uint32_t s)
{
	static const char *const keys[] = {
		[FZ_SOCK_UNBOUND] = "unbound",
		[FZ_SOCK_BOUND] = "bound",
		[FZ_SOCK_LISTEN] = "listening",
		[FZ_SOCK_CONNECTED] = "connected",
		[FZ_SOCK_PAIR] = "pair",
		[FZ_SOCK_PEER_GONE] = "peer_gone",
		[FZ_SOCK_TCP_REPAIR] = "tcp_repair",
		[FZ_SOCK_PENDING] = "pending",
	};
	return s < sizeof(keys) / sizeof(keys[0]) && keys[s] ? keys[s] : "?";
}

void json_socket_fd(const struct stub *st, const struct fz_fd *f)
{
	for_each_record(&st->img, r) {
		const struct fz_socket *s = rec_data(r);
		unsigned n = 0;
		if (r->type != FZ_REC_SOCKET || s->id != f->object_id)
			continue;
		json_obj("socket");
		json_u64("id", s->id);
		json_str("family", s->family == AF_UNIX  ? "unix" :
				   s->family == AF_INET  ? "ipv4" :
				   s->family == AF_INET6 ? "ipv6" :
							   "?");
		json_str("type", s->type == SOCK_STREAM    ? "stream" :
				 s->type == SOCK_DGRAM     ? "datagram" :
				 s->type == SOCK_SEQPACKET ? "seqpacket" :
							     "?");
		json_str("state", state_key(s->state));
		if (s->state != FZ_SOCK_UNBOUND && s->state != FZ_SOCK_PAIR)
			json_addr("address", s->addr, s->addr_len);
		else
			json_str("address", 0);
		if (s->state >= FZ_SOCK_CONNECTED && s->state != FZ_SOCK_PAIR)
			json_addr("peer", s->peer, s->peer_len);
		else
			json_str("peer", 0);
		json_u64("backlog", s->state == FZ_SOCK_LISTEN ? s->backlog : 0);
		for_each_sock_opt(s, o) n++;
		json_u64("options", n);
		json_u64("queued_bytes", s->data_len);
		json_end();
		return;
	}
	json_str("socket", 0);
}
