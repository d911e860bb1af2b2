/*
 * Finding the payload. freeze writes an image front to back (to a pipe, if
 * asked), so what describes the payload, its trailer, ends the file. The
 * stub reads its own file, checks that the payload starts where freeze
 * linked the stub to expect it and ends with the file, and maps it at its
 * place in the hole. A file cut short, or with bytes appended (two images
 * joined by cat, a download that kept going), is not what freeze wrote: it
 * is refused before anything else reads it.
 */
#include <asm/stat.h>
#include <linux/fcntl.h>
#include <linux/mman.h>

#include "checksum.h"
#include "exit_status.h"
#include "image/payload.h"
#include "print.h"
#include "stub.h"
#include "sys.h"

#define TAIL_SCAN 4096     /* how far back a trailer is looked for */

/* Our own file: /proc/self/exe, or the path we were run by without /proc. */
static long open_self(const char *execfn)
{
	long fd = sys_open("/proc/self/exe", O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0 && execfn)
		fd = sys_open(execfn, O_RDONLY | O_CLOEXEC, 0);
	return fd;
}

static int is_trailer(const struct fz_trailer *t)
{
	return !__builtin_memcmp(t->magic, FZ_MAGIC, FZ_MAGIC_LEN) &&
	       fz_csum(t, __builtin_offsetof(struct fz_trailer, trailer_csum)) ==
		       t->trailer_csum;
}

/* No trailer at the end: one a little before it means bytes were appended. */
static __attribute__((noreturn)) void no_trailer(int fd, uint64_t size)
{
	char tail[TAIL_SCAN];
	uint64_t from = size > TAIL_SCAN ? size - TAIL_SCAN : 0;
	long n = sys_pread(fd, tail, size - from, from);

	for (long at = n - (long)sizeof(struct fz_trailer); at >= 0; at--) {
		struct fz_trailer t;
		__builtin_memcpy(&t, tail + at, sizeof(t));
		if (is_trailer(&t))
			die_with(FZ_EXIT_DAMAGED,
				 "image has %lu unexpected bytes appended after its end",
				 (unsigned long)(n - at - (long)sizeof(t)));
	}
	die_with(FZ_EXIT_DAMAGED, "image is truncated or damaged: its file does not end with an "
				  "image trailer");
}

/* The trailer ends the file, and says where the payload starts. */
static void check_place(int fd, uint64_t size, const struct fz_trailer *t,
			uint64_t payload_offset)
{
	static const char elf_magic[4] = { 0x7f, 'E', 'L', 'F' };
	uint64_t start = size - t->image_size;
	char head[4] = { 0 };

	if (t->image_size > size - payload_offset)
		die_with(FZ_EXIT_DAMAGED, "image is truncated: the file has %lu of its %lu bytes",
			 (unsigned long)size,
			 (unsigned long)(payload_offset + t->image_size));
	if (start == payload_offset)
		return;
	/* Another image's trailer ends the file: is that image appended? */
	sys_pread(fd, head, sizeof(head), start - payload_offset);
	if (!__builtin_memcmp(head, elf_magic, sizeof(head)))
		die_with(FZ_EXIT_DAMAGED,
			 "image has another executable appended to it (%lu bytes "
			 "after its end; two images joined with cat?)",
			 (unsigned long)(size - (start - payload_offset)));
	die_with(FZ_EXIT_DAMAGED, "image is damaged: its payload does not start where its resume "
				  "code expects");
}

void map_payload(struct stub *st)
{
	const struct fz_stub_params *p = st->params;
	struct fz_trailer t;
	struct stat sb;
	uint64_t size;
	long fd = open_self(st->execfn), addr;

	if (fd < 0)
		die("cannot read this image's own file (%s): whoever runs an image "
		    "must be able to read it", errname(fd));
	if (sys_fstat((int)fd, &sb) < 0)
		die("cannot read this image's own file");
	size = (uint64_t)sb.st_size;
	if (size < p->payload_offset + sizeof(t))
		die_with(FZ_EXIT_DAMAGED,
			 "image is truncated: the file has %lu bytes, less than its "
			 "resume code and an image trailer",
			 (unsigned long)size);
	if (sys_pread((int)fd, &t, sizeof(t), size - sizeof(t)) != sizeof(t))
		die("cannot read this image's own file");
	if (__builtin_memcmp(t.magic, FZ_MAGIC, FZ_MAGIC_LEN))
		no_trailer((int)fd, size);
	if (t.version > FZ_VERSION)
		die_with(FZ_EXIT_DAMAGED,
			 "image format version %u is newer than this stub's (%u): it "
			 "cannot be resumed by it",
			 t.version, FZ_VERSION);
	if (!is_trailer(&t))
		die_with(FZ_EXIT_DAMAGED, "image is damaged: trailer checksum mismatch");
	check_place((int)fd, size, &t, p->payload_offset);
	if (t.image_size > p->payload_room)
		die_with(FZ_EXIT_DAMAGED,
			 "image is damaged: its payload is larger than the room its "
			 "resume code has for it");
	addr = sys_mmap(p->payload_addr, t.image_size, PROT_READ,
			MAP_PRIVATE | MAP_FIXED_NOREPLACE, (int)fd, p->payload_offset);
	st->self_fd = st->opt.map_pages ? (int)fd : -1;
	if (st->self_fd < 0)
		sys_close((int)fd);
	if (addr != (long)p->payload_addr)
		die("cannot map the image at %lx: %s", (unsigned long)p->payload_addr,
		    addr < 0 ? errname(addr) : "the kernel put it elsewhere");
	st->payload_size = t.image_size;
	st->hole_end = p->payload_addr +
		       ((t.image_size + FZ_PAGE_SIZE - 1) & ~(FZ_PAGE_SIZE - 1));
}
