/*
 * The output: an ELF file (link_elf.c: the stub, placed in a hole of the
 * process's address space) followed by the payload (write_image.c),
 * written to a file that appears whole or not at all, or streamed.
 */
#ifndef FREEZE_OUTPUT_H
#define FREEZE_OUTPUT_H

#include "freeze.h"

/* write_image.c: the payload, written front to back to out. */
struct output;
int write_image(struct target *t, const struct output *out,
		enum fz_encoding enc, unsigned jobs, uint64_t *image_size);

/*
 * link_elf.c: place the stub in a hole of the target's address space and
 * write it, behind an ELF header, up to where the payload starts; the
 * payload may be at most *payload_room bytes.
 */
int link_output(const struct target *t, const struct output *out,
		uint64_t *payload_room);

/* output.c: the output file appears whole or not at all. */
struct output {
	const char *path;     /* final name, or "-" */
	char *tmp_path;       /* NULL for standard output */
	int fd;
};
int output_open(struct output *out, const char *path);
/* "standard output", or the path: for messages. */
const char *output_name(const struct output *out);
int output_commit(struct output *out);
void output_abort(struct output *out);

#endif
