/*
 * Filling the process's memory from the image's page chunks, on every CPU
 * the resumer may use (workers.c): each thread claims chunks in record
 * order until none are left.
 *
 * Each chunk's pages are populated in one call before they are written: on
 * many hosts (virtual machines above all) the first touch of fresh memory,
 * one 4 KiB fault at a time, costs more than decoding the data into it.
 *
 * With --map-pages, an uncompressed chunk is not copied but mapped from the
 * image file (MAP_PRIVATE): its pages are read from the file when the
 * process first touches them.
 */
#include <linux/mman.h>

#include "core/core.h"
#include "mm/mm.h"
#include "print.h"
#include "stub.h"
#include "sys.h"
#include "writer.h"

/*
 * Smaller chunks are copied even with --map-pages: each mapped chunk that
 * does not continue the previous one is a mapping of its own, and a process
 * may only have so many (vm.max_map_count).
 */
#define MAP_MIN_PAGES 16

static uint32_t next_chunk = 0;                /* the next index to claim */

/*
 * Memory stays anonymous where that is what the process asked for: the
 * stack keeps growing down only as one anonymous mapping, wiping on fork
 * and huge-page advice are for anonymous memory.
 */
#define KEEP_ANON (FZ_MAPF_GROWSDOWN | FZ_MAPF_WIPEONFORK | FZ_MAPF_HUGEPAGE | \
		   FZ_MAPF_NOHUGEPAGE)

static int can_map(const struct stub *st, const struct fz_mapping *m,
		   const struct fz_chunk *c)
{
	return st->self_fd >= 0 && c->encoding == FZ_ENC_NONE &&
	       c->npages >= MAP_MIN_PAGES && !(m->flags & KEEP_ANON);
}

/* 0, or -errno: then the range is anonymous memory again, to copy into. */
static long map_chunk(const struct stub *st, const struct fz_chunk *c,
		      uint64_t len)
{
	long ret = sys_mmap(c->addr, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_FIXED, st->self_fd,
			    st->params->payload_offset + c->data_offset);

	if (ret >= 0)
		return 0;
	/* A failed MAP_FIXED may have left the range unmapped. */
	if (sys_mmap(c->addr, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		     -1, 0) < 0)
		die_lost("cannot map %lx-%lx again: %s", (unsigned long)c->addr,
		         (unsigned long)(c->addr + len), errname(ret));
	return ret;
}

/*
 * Over a mapping made from its file (prepare_map_files.c), the chunks of
 * the file's own pages are not written: the file has those bytes, and its
 * page cache shares them. The others are copied, not mapped from the
 * image, so that the mapping stays one mapping of the file.
 */
static void fill_chunk(const struct stub *st, const struct fz_mapping *m,
		       int over_file, const struct fz_chunk *c)
{
	uint64_t len = (uint64_t)c->npages * FZ_PAGE_SIZE;

	if (over_file && (c->flags & FZ_CHUNKF_FILE))
		return;
	if (!over_file && can_map(st, m, c) && !map_chunk(st, c, len))
		return;
	/* Advisory: a kernel without it faults the pages in one by one. */
	sys_madvise(c->addr, len, MADV_POPULATE_WRITE);
	if (writer_decode(c->encoding, st->img.base + c->data_offset,
			  c->data_size, (void *)c->addr, len))
		die_lost("page data at %lx does not decode", (unsigned long)c->addr);
}

static uint32_t claim(void)
{
	return __atomic_fetch_add(&next_chunk, 1, __ATOMIC_RELAXED);
}

/*
 * Claims only grow, so one walk over the records finds every claim. A
 * chunk's mapping is the MAPPING record before it.
 */
static void fill_claimed(const struct stub *st)
{
	const struct fz_mapping *m = 0;
	uint32_t index = 0, mine = claim();
	int over_file = 0;

	for_each_record(&st->img, r) {
		if (r->type == FZ_REC_MAPPING) {
			m = rec_data(r);
			over_file = find_map_file(st, m) != 0;
		}
		if (r->type != FZ_REC_CHUNK || index++ != mine)
			continue;
		fill_chunk(st, m, over_file, rec_data(r));
		mine = claim();
	}
}

void fill_pages(const struct stub *st)
{
	run_on_cpus(st, fill_claimed);
}
