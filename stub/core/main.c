/*
 * The stub's entry: read the command line and the auxiliary vector, check
 * the image, then either describe it (--info), check it (--verify) or turn
 * this process into the frozen one.
 */
#include <asm/signal.h>
#include <linux/auxvec.h>
#include <linux/mman.h>

#include "core/core.h"
#include "exit_status.h"
#include "fds/fds.h"
#include "image/payload.h"
#include "json.h"
#include "lib.h"
#include "mm/mm.h"
#include "net/net.h"
#include "print.h"
#include "stub.h"
#include "sys.h"
#include "task/task.h"
#include "tty/tty.h"
#include "vdso/vdso.h"

/* Written by freeze when it links the stub; see struct fz_stub_params. */
__attribute__((used, visibility("default")))
volatile struct fz_stub_params fz_stub_params = { .magic = FZ_STUB_PARAMS_MAGIC };

/*
 * The stub has no .bss (see the Makefile): its zero-initialised state is
 * placed in .data explicitly.
 */
#define IN_DATA __attribute__((section(".data")))

/* A minimal thread control block: fs:0 points to itself, fs:0x28 a canary. */
static uint64_t tls_block[16] IN_DATA __attribute__((aligned(64)));

static struct stub the_stub IN_DATA;

static void setup_tls(uint64_t canary)
{
	tls_block[0] = (uint64_t)tls_block;
	tls_block[5] = canary;
	arch_set_tls(tls_block);
}

/*
 * Block every signal that can be blocked, so a signal sent to the resumed
 * process early waits for the process's own handlers. Faults stay
 * unblocked: a blocked fault would kill us without a message.
 */
static void block_signals(void)
{
	uint64_t faults = (1ULL << (SIGSEGV - 1)) | (1ULL << (SIGBUS - 1)) |
			  (1ULL << (SIGILL - 1)) | (1ULL << (SIGFPE - 1)) |
			  (1ULL << (SIGTRAP - 1));
	uint64_t set = ~faults;

	sys_rt_sigprocmask(SIG_SETMASK, &set, 0);
}

static void usage(void)
{
	/* out() formats at most 512 bytes a call. */
	out(1, "usage: IMAGE [--info | --verify | --help] [--json] "
	       "[--vdso=redirect|syscall] [--cpu=in-use | --cpu=any] [--map-pages]\n"
	       "  (no option)      resume the frozen process in this terminal\n"
	       "  --info           say what is inside, do not resume\n"
	       "  --verify         check checksums and host compatibility\n"
	       "  --json           with --info or --verify: one JSON document on "
	       "stdout\n");
	out(1, "  --vdso=redirect  redirect the old vdso's functions into this "
	       "kernel's\n"
	       "                   even when it is the same build\n"
	       "  --vdso=syscall   make the old vdso's functions do system "
	       "calls\n");
	out(1, "  --cpu=in-use     require only the XSAVE components in use, "
	       "not every\n"
	       "                   CPU feature the process may use\n"
	       "  --cpu=any        do not check the CPU (a warning)\n");
	out(1, "  --map-pages      map uncompressed memory (-z none) from this "
	       "file instead of\n"
	       "                   copying it; the process then reads this "
	       "file: do not\n"
	       "                   change it while it runs (README)\n");
}

/* Options in any order; an unknown one ends the stub with usage. */
static void parse_args(struct stub_opts *o, long argc, char **argv)
{
	o->mode = "";
	for (long i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!*o->mode && (!strcmp(a, "--info") || !strcmp(a, "--verify") ||
				  !strcmp(a, "--help")))
			o->mode = a;
		else if (!strcmp(a, "--vdso=redirect"))
			o->vdso = VDSO_FORCE_REDIRECT;
		else if (!strcmp(a, "--vdso=syscall"))
			o->vdso = VDSO_FORCE_SYSCALL;
		else if (!strcmp(a, "--vdso=auto"))
			o->vdso = VDSO_AUTO;
		else if (!strcmp(a, "--cpu=in-use"))
			o->cpu = CPU_IN_USE;
		else if (!strcmp(a, "--cpu=any"))
			o->cpu = CPU_ANY;
		else if (!strcmp(a, "--cpu=all"))
			o->cpu = CPU_ALL;
		else if (!strcmp(a, "--map-pages"))
			o->map_pages = 1;
		else if (!strcmp(a, "--json"))
			continue; /* seen by want_json() */
		else {
			if (!json_on())
				usage();
			die_with(FZ_EXIT_USAGE, "unknown argument '%s' (try --help)", a);
		}
	}
}

/*
 * --json first, so that every refusal after it, a bad option's too, is a
 * JSON document.
 */
static void want_json(long argc, char **argv)
{
	const char *mode = 0;
	int json = 0;

	for (long i = 1; i < argc; i++) {
		json |= !strcmp(argv[i], "--json");
		if (!mode && !strcmp(argv[i], "--verify"))
			mode = "verify";
		else if (!mode && (!strcmp(argv[i], "--info") || !strcmp(argv[i], "--help")))
			mode = argv[i][2] == 'i' ? "info" : "help";
	}
	if (!json)
		return;
	json_want(mode ? mode : "resume");
	if (!mode || *mode == 'h')
		die_with(FZ_EXIT_USAGE, "--json goes with --info or --verify");
}

/* Entries of the stub's tables the image needs, by kind (see struct stub). */
struct table_sizes {
	uint64_t fds, shared, map_files, pipes, sockets, shmems;
};

static struct table_sizes table_sizes(const struct stub *st)
{
	struct table_sizes n = { 0 };

	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		n.fds += r->type == FZ_REC_FD;
		n.pipes += r->type == FZ_REC_PIPE;
		n.sockets += r->type == FZ_REC_SOCKET;
		n.shmems += r->type == FZ_REC_SHMEM;
		n.map_files += r->type == FZ_REC_MAP_FILE;
		n.shared += r->type == FZ_REC_MAPPING && m->kind == FZ_MAP_SHARED_FILE;
	}
	return n;
}

/* Carve n entries of `size` bytes off the tables at *at. */
static void *table(uint64_t *at, uint64_t n, uint64_t size)
{
	void *t = (void *)*at;

	*at += n * size;
	return t;
}

/*
 * The stub's stacks and tables, in the hole freeze reserved for them: the
 * kernel's stack goes with everything else outside the hole.
 */
static void map_stub_stacks(struct stub *st)
{
	uint64_t stacks = fz_stub_stacks_size(st->nthreads), at;
	struct table_sizes n = table_sizes(st);
	uint64_t entries = n.fds + n.shared + n.map_files + n.pipes + n.sockets +
			   n.shmems;

	if (st->params->stack_size < stacks ||
	    (st->params->stack_size - stacks) / FZ_STUB_TABLE_ROOM < entries)
		die_with(FZ_EXIT_DAMAGED,
			 "image is damaged: too little stack reserved for %u threads "
			 "and %lu records",
			 st->nthreads, (unsigned long)entries);
	if (st->params->exit_size < fz_stub_exit_size(st->nthreads))
		die_with(FZ_EXIT_DAMAGED,
			 "image is damaged: too small an exit area for %u threads",
			 st->nthreads);
	if (sys_mmap(st->params->stack_addr, st->params->stack_size,
		     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		     -1, 0) < 0)
		die("cannot map the stub's stack");
	at = st->params->stack_addr + stacks;
	st->fds = table(&at, n.fds, sizeof(*st->fds));
	st->shared = table(&at, n.shared, sizeof(*st->shared));
	st->map_files = table(&at, n.map_files, sizeof(*st->map_files));
	st->pipes = table(&at, n.pipes, sizeof(*st->pipes));
	st->sockets = table(&at, n.sockets, sizeof(*st->sockets));
	st->shmems = table(&at, n.shmems, sizeof(*st->shmems));
}

static _Noreturn void resume(void *arg)
{
	struct stub *st = arg;

	/* The point of no return: from here on there is no process to go back to. */
	restore_vdso_park(st);
	unmap_all_but_stub(st);
	restore_vdso_place(st);
	restore_mappings(st);
	restore_shmem_finish(st);
	restore_aio(st);
	restore_mm_fields(st);
	restore_tty(st);
	restore_signals(st);
	restore_process_attrs(st);
	leave_tcp_repair(st);
	place_fds(st);
	restore_epoll(st);
	restore_timerfds(st);
	restore_posix_locks(st);
	restore_mm_locks(st);
	resume_threads(st);
}

void stub_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	uint64_t *auxv;
	struct stub *st = &the_stub;
	const char *mode;

	block_signals();
	while (*envp)
		envp++;
	setup_tls((uint64_t)sp ^ 0x5f7a5f7a5f7a5f7aULL);
	for (auxv = (uint64_t *)(envp + 1); auxv[0] != AT_NULL; auxv += 2)
		if (auxv[0] == AT_SYSINFO_EHDR)
			st->host_vdso = auxv[1];
		else if (auxv[0] == AT_EXECFN)
			st->execfn = (const char *)auxv[1];

	want_json(argc, argv);
	parse_args(&st->opt, argc, argv);
	mode = st->opt.mode;
	if (!strcmp(mode, "--help")) {
		usage();
		sys_exit_group(0);
	}
	load_image(st);
	map_stub_stacks(st);
	if (json_on())
		json_open();
	if (!strcmp(mode, "--info")) {
		verify_page_data(st);
		if (json_on()) {
			json_info(st);
			json_finish();
		}
		print_info(st);
		sys_exit_group(0);
	}
	check_host(st);
	if (strcmp(mode, "--verify"))
		prepare_clocks(st);   /* single-threaded, before fds are opened */
	/*
	 * After prepare_clocks, which must be single-threaded: the workers
	 * of the check may still be exiting for a moment once joined.
	 */
	verify_page_data(st);
	if (strcmp(mode, "--verify"))
		start_exit_cleaner(st); /* before any fd, in a small address space */
	if (strcmp(mode, "--verify"))
		prepare_pgrp(st);       /* so, too: it forks */
	prepare_fds(st);  /* first: it learns the highest fd number in use */
	prepare_tty(st);
	if (strcmp(mode, "--verify")) {
		prepare_files(st);
		prepare_locks(st);
		finish_sockets(st); /* queues with fds in flight: all fds open */
	} else {
		check_files(st);  /* changes nothing on the host */
	}
	prepare_cwd(st);
	prepare_exe(st);
	prepare_shared_maps(st);
	prepare_map_files(st);
	prepare_aio(st);
	if (!strcmp(mode, "--verify") && json_on()) {
		json_info(st);
		json_finish();
	}
	if (!strcmp(mode, "--verify")) {
		out(1, "image OK: checksums verified, this host can resume it\n");
		sys_exit_group(0);
	}
	prepare_sysv(st);
	arch_switch_stack((void *)(st->params->stack_addr + FZ_STUB_MAIN_STACK),
			  resume, st);
}
