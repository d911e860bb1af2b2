/*
 * sock_binds: sockets whose names cannot simply be bound again.
 *   - a UNIX listener whose socket file was removed: nothing at its path;
 *   - a UNIX listener whose file was removed and replaced by a regular
 *     file the process wrote (it must still be there, unchanged, after);
 *   - a UNIX datagram socket whose directory was removed (it must still be
 *     gone after);
 *   - two TCP listeners sharing a port with SO_REUSEPORT;
 *   - a UDP socket with IP_FREEBIND bound to 192.0.2.1 (TEST-NET-1, on no
 *     host).
 * After SIGUSR1 each has its name (getsockname) and its options back, the
 * listeners accept, and the paths are as the process left them.
 */
#include "target.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/un.h>

static int gone, taken, nodir, rp1, rp2, fb;
static struct sockaddr_un gone_addr, taken_addr, nodir_addr;
static struct sockaddr_in rp_addr, fb_addr;
static char dir_path[200];

static void set_path(struct sockaddr_un *a, const char *dir, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s", dir, name);
	unlink(a->sun_path);
}

static int unix_bound(int type, const struct sockaddr_un *a)
{
	int s = socket(AF_UNIX, type, 0);

	if (s < 0 || bind(s, (const struct sockaddr *)a, sizeof(*a)) ||
	    (type == SOCK_STREAM && listen(s, 3)))
		target_die(a->sun_path);
	return s;
}

static int reuseport_listener(struct sockaddr_in *a)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), on = 1;
	socklen_t len = sizeof(*a);

	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) ||
	    bind(s, (struct sockaddr *)a, len) || listen(s, 3) ||
	    getsockname(s, (struct sockaddr *)a, &len))
		target_die("a SO_REUSEPORT listener");
	return s;
}

static void setup(const char *dir)
{
	int f, on = 1;

	set_path(&gone_addr, dir, "gone.sock");
	gone = unix_bound(SOCK_STREAM, &gone_addr);
	unlink(gone_addr.sun_path);

	set_path(&taken_addr, dir, "taken.sock");
	taken = unix_bound(SOCK_STREAM, &taken_addr);
	unlink(taken_addr.sun_path);
	f = open(taken_addr.sun_path, O_WRONLY | O_CREAT | O_EXCL, 0640);
	if (f < 0 || write(f, "mine", 4) != 4)
		target_die("a file at the path");
	close(f);

	snprintf(dir_path, sizeof(dir_path), "%s/sub", dir);
	if (mkdir(dir_path, 0755) && errno != EEXIST)
		target_die("mkdir");
	set_path(&nodir_addr, dir_path, "dgram.sock");
	nodir = unix_bound(SOCK_DGRAM, &nodir_addr);
	if (unlink(nodir_addr.sun_path) || rmdir(dir_path))
		target_die("removing the directory");

	memset(&rp_addr, 0, sizeof(rp_addr));
	rp_addr.sin_family = AF_INET;
	rp_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rp1 = reuseport_listener(&rp_addr);
	rp2 = reuseport_listener(&rp_addr);

	memset(&fb_addr, 0, sizeof(fb_addr));
	fb_addr.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &fb_addr.sin_addr);
	fb = socket(AF_INET, SOCK_DGRAM, 0);
	socklen_t len = sizeof(fb_addr);
	if (fb < 0 || setsockopt(fb, IPPROTO_IP, IP_FREEBIND, &on, sizeof(on)) ||
	    bind(fb, (struct sockaddr *)&fb_addr, len) ||
	    getsockname(fb, (struct sockaddr *)&fb_addr, &len))
		target_die("an IP_FREEBIND socket");
}

static void unix_named(int s, const struct sockaddr_un *want, const char *what)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);

	memset(&a, 0, sizeof(a));
	target_check(!getsockname(s, (struct sockaddr *)&a, &len) &&
		     !strcmp(a.sun_path, want->sun_path), "%s: named '%s', not %s", what,
		     a.sun_path, want->sun_path);
}

static void inet_named(int s, const struct sockaddr_in *want, const char *what)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	target_check(!getsockname(s, (struct sockaddr *)&a, &len) &&
		     a.sin_addr.s_addr == want->sin_addr.s_addr && a.sin_port == want->sin_port,
		     "%s has another name", what);
}

static int get_int(int s, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	getsockopt(s, level, name, &v, &len);
	return v;
}

static void listening(int s, const char *what)
{
	target_check(get_int(s, SOL_SOCKET, SO_ACCEPTCONN) == 1, "%s is not listening", what);
}

/* A client of the shared port is accepted by one of the two. */
static void shared_port_accepts(void)
{
	int c = socket(AF_INET, SOCK_STREAM, 0), s;

	if (c < 0 || connect(c, (struct sockaddr *)&rp_addr, sizeof(rp_addr))) {
		target_check(0, "connecting to the shared port: %s", strerror(errno));
		return;
	}
	fcntl(rp1, F_SETFL, O_NONBLOCK);
	fcntl(rp2, F_SETFL, O_NONBLOCK);
	s = accept(rp1, NULL, NULL);
	if (s < 0)
		s = accept(rp2, NULL, NULL);
	target_check(s >= 0, "neither SO_REUSEPORT listener accepted a client");
	close(s);
	close(c);
}

static void check(void)
{
	struct stat st;
	char buf[8] = { 0 };
	int f;

	unix_named(gone, &gone_addr, "the listener whose file was removed");
	listening(gone, "the listener whose file was removed");
	target_check(lstat(gone_addr.sun_path, &st) && errno == ENOENT,
		     "something is at %s now", gone_addr.sun_path);
	unix_named(taken, &taken_addr, "the listener whose path is taken");
	listening(taken, "the listener whose path is taken");
	f = open(taken_addr.sun_path, O_RDONLY);
	target_check(f >= 0 && read(f, buf, sizeof(buf)) == 4 && !strcmp(buf, "mine") &&
		     !fstat(f, &st) && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0640,
		     "the file at %s is not as it was", taken_addr.sun_path);
	close(f);
	unix_named(nodir, &nodir_addr, "the datagram socket whose directory was removed");
	target_check(lstat(dir_path, &st) && errno == ENOENT, "%s is there again", dir_path);
	inet_named(rp1, &rp_addr, "the first SO_REUSEPORT listener");
	inet_named(rp2, &rp_addr, "the second SO_REUSEPORT listener");
	target_check(get_int(rp1, SOL_SOCKET, SO_REUSEPORT) == 1 &&
		     get_int(rp2, SOL_SOCKET, SO_REUSEPORT) == 1, "SO_REUSEPORT lost");
	listening(rp1, "the first SO_REUSEPORT listener");
	listening(rp2, "the second SO_REUSEPORT listener");
	shared_port_accepts();
	inet_named(fb, &fb_addr, "the IP_FREEBIND socket");
	target_check(get_int(fb, IPPROTO_IP, IP_FREEBIND) == 1, "IP_FREEBIND lost");
}

int main(int argc, char **argv)
{
	target_init();
	setup(argc > 1 ? argv[1] : ".");
	target_ready();
	target_wait();
	check();
	return target_finish();
}
