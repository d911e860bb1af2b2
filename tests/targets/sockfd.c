/*
 * sockfd: holds one end of a socketpair at fd 5, which freeze does not
 * support.  argv[2] says what fd 5 must be when SIGUSR1 comes:
 *   socket  still the socket (no freeze, or freeze refused)
 *   null    /dev/null (frozen with --unsupported-fds=null, then resumed)
 */
#include "target.h"
#include <sys/socket.h>

enum { SOCK_FD = 5 };

int main(int argc, char **argv)
{
	const char *expect = argc > 2 ? argv[2] : "socket";
	char link[64];
	ssize_t n;
	int sv[2], type = 0;
	socklen_t len = sizeof(type);

	target_init();
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || dup2(sv[0], SOCK_FD) != SOCK_FD)
		target_die("socketpair");
	close(sv[0]);
	close(sv[1]);
	target_ready();
	target_wait();

	n = readlink("/proc/self/fd/5", link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	if (!strcmp(expect, "null")) {
		target_check(!strcmp(link, "/dev/null"), "fd 5 is %s, not /dev/null", link);
	} else {
		target_check(!strncmp(link, "socket:", 7), "fd 5 is %s, not a socket", link);
		target_check(!getsockopt(SOCK_FD, SOL_SOCKET, SO_TYPE, &type, &len) &&
			     type == SOCK_STREAM, "fd 5 is no longer a stream socket");
	}
	return target_finish();
}
