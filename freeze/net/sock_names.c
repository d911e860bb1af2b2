/* Socket kinds and addresses in words, for freeze's messages. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "net/sockets.h"

const char *family_name(int family)
{
	switch (family) {
	case AF_UNIX: return "UNIX";
	case AF_INET: return "IPv4";
	case AF_INET6: return "IPv6";
	case AF_NETLINK: return "netlink";
	case AF_PACKET: return "packet";
	}
	return "other-family";
}

const char *type_name(int type)
{
	switch (type) {
	case SOCK_STREAM: return "stream";
	case SOCK_DGRAM: return "datagram";
	case SOCK_SEQPACKET: return "seqpacket";
	case SOCK_RAW: return "raw";
	}
	return "other-type";
}

/* A socket address for messages: /path, @abstract, 1.2.3.4:5, [::1]:5. */
const char *addr_str(const uint8_t *a, uint32_t len, char *buf, size_t cap)
{
	const struct sockaddr *sa = (const void *)a;
	char ip[INET6_ADDRSTRLEN] = "?";

	if (len <= sizeof(sa_family_t)) {
		snprintf(buf, cap, "(unnamed)");
	} else if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *u = (const void *)a;
		int n = (int)(len - offsetof(struct sockaddr_un, sun_path));
		if (u->sun_path[0])
			snprintf(buf, cap, "%.*s", n, u->sun_path);
		else
			snprintf(buf, cap, "@%.*s", n - 1, u->sun_path + 1);
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)a;
		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		snprintf(buf, cap, "%s:%u", ip, ntohs(in->sin_port));
	} else {
		const struct sockaddr_in6 *in6 = (const void *)a;
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, cap, "[%s]:%u", ip, ntohs(in6->sin6_port));
	}
	return buf;
}
