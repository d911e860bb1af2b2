/*
 * freeze [OPTIONS] OUTPUT PID: turn a running process into a standalone
 * executable that resumes it.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"
#include "exit_status.h"
#include "fds/fds.h"
#include "freeze.h"
#include "image/image_writer.h"
#include "image/output.h"
#include "mm/mm.h"
#include "net/net.h"
#include "task/task.h"
#include "tty/tty.h"
#include "vdso/vdso.h"

#define FREEZE_VERSION "0.1"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: freeze [OPTIONS] OUTPUT PID\n"
		"Freeze process PID into the executable OUTPUT (- for standard output);\n"
		"running ./OUTPUT resumes it.\n\n"
		"  -k, --kill          kill the process once the image is safely written\n"
		"  -s, --stop          leave the process stopped (SIGSTOP)\n"
		"  -z, --compress=M    none or lz4 (default lz4)\n"
		"  -j, --jobs=N        compress on N threads (default: all CPUs)\n"
		"      --unsupported-fds=null\n"
		"                      replace fds of unsupported kinds by /dev/null\n"
		"                      (default: refuse to freeze)\n"
		"      --tcp-established\n"
		"                      keep established TCP connections, for a resume\n"
		"                      on this host (TCP_REPAIR: needs CAP_NET_ADMIN);\n"
		"                      default: they come back reset by the peer\n"
		"      --save-files    put the contents of every open regular file in\n"
		"                      the image; resuming recreates the missing ones\n"
		"      --alone         freeze a process that has children without them\n"
		"                      (default: refuse; they keep running, and the\n"
		"                      resumed process has no children)\n"
		"  -q, --quiet         no warnings\n"
		"  -v, --verbose       say what is done\n"
		"  -h, --help          this text\n"
		"  -V, --version       print the version\n");
}

static int bad_usage(const char *fmt, const char *arg)
{
	fputs("freeze: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (try --help)\n", stderr);
	return 1;
}

enum { OPT_UNSUPPORTED_FDS = 256, OPT_TCP_ESTABLISHED, OPT_SAVE_FILES, OPT_ALONE };

static int parse_args(int argc, char **argv, struct options *o, int *done)
{
	static const struct option longopts[] = {
		{ "kill", no_argument, NULL, 'k' },
		{ "stop", no_argument, NULL, 's' },
		{ "compress", required_argument, NULL, 'z' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "unsupported-fds", required_argument, NULL, OPT_UNSUPPORTED_FDS },
		{ "tcp-established", no_argument, NULL, OPT_TCP_ESTABLISHED },
		{ "save-files", no_argument, NULL, OPT_SAVE_FILES },
		{ "alone", no_argument, NULL, OPT_ALONE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long pid;
	int c;

	*o = (struct options){ .encoding = FZ_ENC_LZ4 };
	o->jobs = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (o->jobs < 1 || o->jobs > IW_BATCH)
		o->jobs = o->jobs < 1 ? 1 : IW_BATCH;
	*done = 0;
	while ((c = getopt_long(argc, argv, "ksz:j:qvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': o->kill = true; break;
		case 's': o->stop = true; break;
		case 'q': o->quiet = true; break;
		case 'v': o->verbose = true; break;
		case 'z':
			if (!strcmp(optarg, "lz4"))
				o->encoding = FZ_ENC_LZ4;
			else if (!strcmp(optarg, "none"))
				o->encoding = FZ_ENC_NONE;
			else
				return bad_usage("unknown compression '%s'", optarg);
			break;
		case 'j':
			o->jobs = (unsigned)strtoul(optarg, &end, 10);
			if (*end || o->jobs < 1 || o->jobs > IW_BATCH)
				return bad_usage("-j takes a number of threads "
						 "from 1 to 32, not '%s'", optarg);
			break;
		case OPT_UNSUPPORTED_FDS:
			if (strcmp(optarg, "null"))
				return bad_usage("--unsupported-fds takes 'null', not '%s'", optarg);
			o->unsupported_fds = FD_TO_NULL;
			break;
		case OPT_TCP_ESTABLISHED: o->tcp_established = true; break;
		case OPT_SAVE_FILES: o->save_files = true; break;
		case OPT_ALONE: o->alone = true; break;
		case 'h': usage(stdout); *done = 1; return 0;
		case 'V': printf("freeze %s\n", FREEZE_VERSION); *done = 1; return 0;
		default: return bad_usage("%s", "bad option");
		}
	}
	if (o->kill && o->stop)
		return bad_usage("%s", "-k and -s exclude each other");
	if (argc - optind != 2)
		return bad_usage("%s", "expected OUTPUT and PID");
	o->output = argv[optind];
	errno = 0;
	pid = strtol(argv[optind + 1], &end, 10);
	if (errno || *end || end == argv[optind + 1] || pid <= 0 || pid > 0x3fffffff)
		return bad_usage("invalid pid '%s'", argv[optind + 1]);
	o->pid = (pid_t)pid;
	return 0;
}

/*
 * A step that reads the process's state fails when the state is one freeze
 * cannot carry (the message names it): a refusal, whatever errno the step
 * chose. Running out of memory or being interrupted is not; a process that
 * ended meanwhile is told apart later (explain_target_change).
 */
static int refusal(int err)
{
	if (err && err != -ENOMEM && err != -EINTR)
		fail_class(FZ_EXIT_REFUSED);
	return err;
}

static int collect(struct target *t, const struct options *o)
{
	int err;

	/* Maps first: leave_vdso needs the vdso's range, collect_threads its result. */
	if ((err = check_interrupted()) || (err = collect_maps(t)) ||
	    (err = leave_vdso(t, o)) || (err = collect_threads(t)) ||
	    (err = collect_process(t)) || (err = collect_creds(t)) ||
	    (err = collect_injected(t)) || (err = collect_aio(t)) ||
	    (err = collect_pending_signals(t)) || (err = collect_fds(t, o)) ||
	    (err = collect_tty(t, o)) || (err = collect_shmem(t)) ||
	    (err = collect_map_files(t)) || (err = check_children(t, o)))
		return refusal(err);
	note(o, "collected %zu threads, %zu mappings, %zu fds", t->nthreads,
	     t->nmaps, t->nfds);
	return 0;
}

static int write_output(struct target *t, const struct options *o,
			struct output *out)
{
	uint64_t room, payload_size;
	int err;

	if ((err = link_output(t, out, &room)) ||
	    (err = write_image(t, out, o->encoding, o->jobs, &payload_size)))
		return err;
	if (payload_size > room)
		return fail(-ENOMEM, "the image (%llu bytes) is larger than the "
			    "free address range process %d has for it when it "
			    "resumes (%llu bytes)", (unsigned long long)payload_size,
			    (int)t->pid, (unsigned long long)room);
	note(o, "image payload: %llu bytes", (unsigned long long)payload_size);
	/*
	 * The last moment to back out. Once the image is in place the freeze
	 * has succeeded: -k kills the target even if a signal comes now.
	 */
	if ((err = check_interrupted()))
		return err;
	return output_commit(out);
}

/*
 * Left running (no -k, no -s): once its state is collected the process
 * goes on, and its memory is read from a copy-on-write copy. Not when file
 * contents go into the image: they are read while it is written, and the
 * process must not change them meanwhile.
 */
static bool release_early(struct target *t, const struct options *o)
{
	if (o->kill || o->stop || snapshot_start(t, o))
		return false;
	leave_tcp_repair(t, false);
	detach(t, 0);
	return true;
}

static int run(const struct options *o)
{
	struct target t = { .pid = o->pid, .exec_mark = target_exec_mark(o->pid) };
	struct output out;
	bool released = false;
	int err, err2 = 0;

	/* check_target names its own cause: the process may never have existed. */
	if ((err = check_target(o->pid))) {
		fail_class(FZ_EXIT_PROCESS);
		return err;
	}
	if ((err = output_open(&out, o->output)))
		return explain_target_change(o->pid, t.exec_mark, err);
	err = attach(&t);
	if (!err)
		err = collect(&t, o);
	if (!err)
		released = release_early(&t, o);
	if (!err)
		err = write_output(&t, o, &out);
	/* No temporary file is left once the process is seen to be let go. */
	if (err)
		output_abort(&out);
	if (!err && o->kill) {
		tty_leave_sane(&t, o);
		kill_target(&t);
	}
	leave_tcp_repair(&t, !err && o->kill);
	if (released)
		snapshot_end(&t, o);
	else
		err2 = detach(&t, !err && o->stop ? SIGSTOP : 0);
	if (err)
		err = explain_target_change(o->pid, t.exec_mark, err);
	return err ? err : err2;
}

int main(int argc, char **argv)
{
	struct options o;
	int done, err;

	if (parse_args(argc, argv, &o, &done))
		return FZ_EXIT_USAGE;
	if (done)
		return 0;
	if (o.quiet)
		quiet_warnings();
	guard_start();
	err = run(&o);
	if (err) {
		fprintf(stderr, "freeze: %s: %s\n", fail_message(), strerror(-err));
		return exit_status(err);
	}
	return 0;
}
