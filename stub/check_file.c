/*
 * The file must end where the image does. Bytes past the payload were
 * appended (two images joined by cat, a download that kept going); bytes
 * missing mean the copy was cut short. Either way the file is not what
 * freeze wrote, so it is refused before anything else reads it.
 *
 * Where the image ends is in the program headers, which freeze puts behind
 * the entry code (fz_early_phdrs), in memory already.
 */
#include <asm/stat.h>
#include <linux/elf.h>
#include <linux/fcntl.h>

#include "print.h"
#include "stub.h"
#include "sys.h"

extern const Elf64_Phdr fz_early_phdrs[FZ_EARLY_PHDRS];

static uint64_t image_end(void)
{
	uint64_t end = 0;

	for (unsigned i = 0; i < FZ_EARLY_PHDRS && fz_early_phdrs[i].p_type; i++)
		if (fz_early_phdrs[i].p_type == PT_LOAD &&
		    fz_early_phdrs[i].p_offset + fz_early_phdrs[i].p_filesz > end)
			end = fz_early_phdrs[i].p_offset + fz_early_phdrs[i].p_filesz;
	return end;
}

/* Our own file: /proc/self/exe, or the path we were run by without /proc. */
static int open_self(const char *execfn)
{
	long fd = sys_open("/proc/self/exe", O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0 && execfn)
		fd = sys_open(execfn, O_RDONLY | O_CLOEXEC, 0);
	return (int)fd;
}

void check_file_size(const struct stub *st)
{
	static const char elf_magic[4] = { 0x7f, 'E', 'L', 'F' };
	uint64_t end = image_end(), size;
	struct stat sb;
	char head[4] = { 0 };
	int fd = open_self(st->execfn);

	if (fd < 0)
		return;     /* execute-only, or gone: nothing to compare with */
	if (!end || sys_fstat(fd, &sb) < 0) {
		sys_close(fd);
		return;
	}
	size = (uint64_t)sb.st_size;
	if (size > end)
		sys_pread(fd, head, sizeof(head), end);
	sys_close(fd);
	if (size < end)
		die("image is truncated: the file has %lu of its %lu bytes",
		    (unsigned long)size, (unsigned long)end);
	if (size > end && !__builtin_memcmp(head, elf_magic, sizeof(head)))
		die("image has another executable appended to it (%lu bytes "
		    "after its end; two images joined with cat?)",
		    (unsigned long)(size - end));
	if (size > end)
		die("image has %lu unexpected bytes appended after its end",
		    (unsigned long)(size - end));
}
