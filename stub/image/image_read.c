/*
 * Verification of the image. Runs before the point of no return, on data
 * that may be damaged, truncated or hostile: every offset is bounds-checked
 * before it is used, every record and chunk checksum is compared.
 */
#include "checksum.h"
#include "image/image_read.h"
#include "writer.h"

#define EBADMSG 74
#define ALIGN8(x) (((x) + 7) & ~7ULL)

const struct fz_record *rec_first(const struct image *img)
{
	if (!img->trailer->record_count)
		return 0;
	return (const struct fz_record *)(img->base + img->trailer->records_offset);
}

const struct fz_record *rec_next(const struct image *img,
				 const struct fz_record *r)
{
	const uint8_t *next = (const uint8_t *)(r + 1) + ALIGN8(r->size);
	const uint8_t *end = img->base + img->trailer->records_offset +
			     img->trailer->records_size;
	return next < end ? (const struct fz_record *)next : 0;
}

const void *image_find(const struct image *img, uint32_t type, uint32_t *size)
{
	for_each_record(img, r) {
		if (r->type == type) {
			if (size)
				*size = r->size;
			return rec_data(r);
		}
	}
	return 0;
}

static int check_trailer(const struct image *img, const char **why)
{
	const struct fz_trailer *t = img->trailer;

	if (!t || __builtin_memcmp(t->magic, FZ_MAGIC, FZ_MAGIC_LEN)) {
		*why = "no image trailer (not made by freeze, or cut short?)";
		return -EBADMSG;
	}
	if (t->version > FZ_VERSION) {
		*why = "image format is newer than this stub understands";
		return -EBADMSG;
	}
	if (t->version != FZ_VERSION || t->trailer_size != sizeof(*t) ||
	    fz_csum(t, __builtin_offsetof(struct fz_trailer, trailer_csum)) !=
		    t->trailer_csum) {
		*why = "trailer checksum mismatch";
		return -EBADMSG;
	}
	/* The records end where the trailer starts. */
	if (t->image_size != img->size || t->records_offset % 8 ||
	    t->records_offset > img->size - sizeof(*t) ||
	    t->records_size != img->size - sizeof(*t) - t->records_offset) {
		*why = "trailer describes other data than the image holds";
		return -EBADMSG;
	}
	return 0;
}

/* Walk the record list: heads in bounds, checksums right, count right. */
static int check_records(const struct image *img, const char **why)
{
	uint64_t off = img->trailer->records_offset;
	uint64_t end = off + img->trailer->records_size;
	uint32_t n = 0;

	while (off < end) {
		const struct fz_record *r = (const void *)(img->base + off);
		if (end - off < sizeof(*r) ||
		    r->size > end - off - sizeof(*r)) {
			*why = "record runs past the end of the image";
			return -EBADMSG;
		}
		if (fz_csum(r + 1, r->size) != r->csum) {
			*why = "record checksum mismatch";
			return -EBADMSG;
		}
		off += sizeof(*r) + ALIGN8(r->size);
		n++;
	}
	if (n != img->trailer->record_count || off != end) {
		*why = "record count does not match the trailer";
		return -EBADMSG;
	}
	return 0;
}

static int has_nul_at_end(const char *s, uint32_t len)
{
	return len > 0 && s[len - 1] == 0;
}

int image_check_chunk_data(const struct image *img, const struct fz_chunk *c,
			   const char **why)
{
	uint64_t data_end = img->trailer->records_offset;
	uint64_t raw = (uint64_t)c->npages * FZ_PAGE_SIZE;

	if (c->data_offset > data_end || c->data_size > data_end - c->data_offset ||
	    (c->encoding == FZ_ENC_NONE &&
	     (c->data_size != raw || c->data_offset % FZ_PAGE_SIZE)) ||
	    (c->encoding != FZ_ENC_NONE && c->encoding != FZ_ENC_LZ4)) {
		*why = "page chunk data out of bounds";
		return -EBADMSG;
	}
	if (fz_csum(img->base + c->data_offset, c->data_size) != c->data_csum) {
		*why = "page data checksum mismatch";
		return -EBADMSG;
	}
	/* Decoding happens after the point of no return: it must not fail. */
	if (writer_check(c->encoding, img->base + c->data_offset, c->data_size,
			 raw)) {
		*why = "page chunk data does not decode";
		return -EBADMSG;
	}
	return 0;
}

/*
 * The file of a private file mapping: right after the mapping, which ends
 * within the file's last page.
 */
static int check_map_file(const struct fz_map_file *f, const struct fz_mapping *m,
			  uint32_t prev_type, const char **why)
{
	uint64_t end = (f->size + FZ_PAGE_SIZE - 1) & ~(FZ_PAGE_SIZE - 1);

	if (prev_type != FZ_REC_MAPPING || m->kind != FZ_MAP_ANON ||
	    !(m->flags & FZ_MAPF_FROM_FILE) || !m->path_len ||
	    f->size > (1ULL << 62) || m->offset % FZ_PAGE_SIZE ||
	    m->offset > end || m->end - m->start > end - m->offset) {
		*why = "bad mapped file record";
		return -EBADMSG;
	}
	return 0;
}

static int check_chunk(const struct image *img, const struct fz_chunk *c,
		       const struct fz_mapping *m, const struct fz_map_file *f,
		       const char **why)
{
	uint64_t raw = (uint64_t)c->npages * FZ_PAGE_SIZE;

	if ((c->flags & ~FZ_CHUNKF_FILE) || ((c->flags & FZ_CHUNKF_FILE) && !f)) {
		*why = "page chunk with unknown flags";
		return -EBADMSG;
	}
	if (!m || m->kind != FZ_MAP_ANON || c->npages == 0 ||
	    c->npages > FZ_CHUNK_MAX_PAGES || c->addr % FZ_PAGE_SIZE ||
	    c->addr < m->start || c->addr > m->end || raw > m->end - c->addr) {
		*why = "page chunk outside its mapping";
		return -EBADMSG;
	}
	return img->defer_data || img->records_only ? 0 :
	       image_check_chunk_data(img, c, why);
}

/* A SHMEM_CHUNK: right after its object, inside it (addr is an offset). */
static int check_shmem_chunk(const struct image *img, const struct fz_chunk *c,
			     const struct fz_shmem *s, const char **why)
{
	uint64_t raw = (uint64_t)c->npages * FZ_PAGE_SIZE;
	uint64_t size = s ? (s->size + FZ_PAGE_SIZE - 1) & ~(FZ_PAGE_SIZE - 1) : 0;

	if (!s || c->npages == 0 || c->npages > FZ_CHUNK_MAX_PAGES || c->flags ||
	    c->addr % FZ_PAGE_SIZE || c->addr > size || raw > size - c->addr) {
		*why = "page chunk outside its shared memory object";
		return -EBADMSG;
	}
	return img->defer_data || img->records_only ? 0 :
	       image_check_chunk_data(img, c, why);
}

/* Guard pages: page-aligned, inside the mapping before them, not the kernel's. */
static int check_guard(const struct fz_range *g, const struct fz_mapping *m, const char **why)
{
	if (!m || m->kind == FZ_MAP_VDSO || m->kind == FZ_MAP_VVAR ||
	    g->start % FZ_PAGE_SIZE || g->end % FZ_PAGE_SIZE || g->start >= g->end ||
	    g->start < m->start || g->end > m->end) {
		*why = "guard pages outside their mapping";
		return -EBADMSG;
	}
	return 0;
}

static int check_shmem(const struct fz_record *r, const char **why)
{
	const struct fz_shmem *s = rec_data(r);

	if (r->size < sizeof(*s) || s->name_len != r->size - sizeof(*s) ||
	    (s->name_len && !has_nul_at_end((const char *)(s + 1), s->name_len)) ||
	    s->kind < FZ_SHMEM_ANON || s->kind > FZ_SHMEM_SYSV ||
	    s->size > (1ULL << 47)) {
		*why = "bad shared memory record";
		return -EBADMSG;
	}
	return 0;
}

static int check_thread(const struct fz_record *r, unsigned *count,
			const char **why)
{
	const struct fz_thread *t = rec_data(r);

	if (r->size < sizeof(*t) || t->xstate_len != r->size - sizeof(*t) ||
	    t->comm[15] || ++*count > FZ_MAX_THREADS) {
		*why = "bad thread record";
		return -EBADMSG;
	}
	return 0;
}

/* The one executable record: its path, and no second one. */
static int check_exe(const struct fz_record *r, unsigned *count,
		     const char **why)
{
	const struct fz_exe *e = rec_data(r);

	if (r->size < sizeof(*e) || e->path_len != r->size - sizeof(*e) ||
	    e->path_len < 2 || !has_nul_at_end((const char *)(e + 1), e->path_len) ||
	    ++*count > 1) {
		*why = "bad executable record";
		return -EBADMSG;
	}
	return 0;
}

/* The one terminal record: its path, and no second one. */
static int check_tty(const struct fz_record *r, unsigned *count,
		     const char **why)
{
	const struct fz_tty *t = rec_data(r);

	if (r->size < sizeof(*t) || t->path_len != r->size - sizeof(*t) ||
	    !has_nul_at_end((const char *)(t + 1), t->path_len) || ++*count > 1) {
		*why = "bad terminal record";
		return -EBADMSG;
	}
	return 0;
}

static const uint32_t fixed_size[] = {
	[FZ_REC_PROCESS] = sizeof(struct fz_process),
	[FZ_REC_CHUNK] = sizeof(struct fz_chunk),
	[FZ_REC_SIGACTIONS] = sizeof(struct fz_sigaction) * FZ_NSIG,
	[FZ_REC_RLIMITS] = sizeof(struct fz_rlimit) * FZ_NRLIMITS,
	[FZ_REC_CPU] = sizeof(struct fz_cpu),
	[FZ_REC_SIGINFO] = sizeof(struct fz_siginfo),
	[FZ_REC_POSIX_TIMER] = sizeof(struct fz_posix_timer),
	[FZ_REC_ITIMERS] = sizeof(struct fz_itimer) * FZ_NITIMERS,
	[FZ_REC_SHMEM_CHUNK] = sizeof(struct fz_chunk),
	[FZ_REC_XSAVE_LAYOUT] = sizeof(struct fz_xsave_layout),
	[FZ_REC_GUARD] = sizeof(struct fz_range),
	[FZ_REC_MAP_FILE] = sizeof(struct fz_map_file),
	[FZ_REC_EVENTFD] = sizeof(struct fz_eventfd),
	[FZ_REC_TIMERFD] = sizeof(struct fz_timerfd),
	[FZ_REC_SIGNALFD] = sizeof(struct fz_signalfd),
	[FZ_REC_EPOLL_TARGET] = sizeof(struct fz_epoll_target),
	[FZ_REC_CREDS] = sizeof(struct fz_creds),
	[FZ_REC_PTY] = sizeof(struct fz_pty),
};

/* Per-type contents: sizes, strings terminated, mappings sorted. */
static int check_contents(const struct image *img, const char **why)
{
	const struct fz_mapping *map = 0;
	const struct fz_map_file *map_file = 0;  /* of map, if it has one */
	const struct fz_shmem *shm = 0;   /* while its chunks follow it */
	uint32_t prev_type = 0;
	uint64_t last_end = 0;
	unsigned seen = 0, threads = 0, ttys = 0, groups = 0, exes = 0;

	for_each_record(img, r) {
		const void *d = rec_data(r);
		if (r->type < sizeof(fixed_size) / sizeof(fixed_size[0]) &&
		    fixed_size[r->type] && r->size != fixed_size[r->type]) {
			*why = "record has the wrong size";
			return -EBADMSG;
		}
		if (r->type < 32)
			seen |= 1u << r->type;
		if (r->type == FZ_REC_PROCESS &&
		    ((const struct fz_process *)d)->comm[15]) {
			*why = "bad process record";
			return -EBADMSG;
		}
		if (r->type == FZ_REC_THREAD && check_thread(r, &threads, why))
			return -EBADMSG;
		if (r->type != FZ_REC_SHMEM_CHUNK)
			shm = 0;
		if (r->type == FZ_REC_SHMEM) {
			if (check_shmem(r, why))
				return -EBADMSG;
			shm = d;
		} else if (r->type == FZ_REC_SHMEM_CHUNK) {
			if (check_shmem_chunk(img, d, shm, why))
				return -EBADMSG;
		} else if (r->type == FZ_REC_MAPPING) {
			map = d;
			if (r->size < sizeof(*map) ||
			    map->path_len != r->size - sizeof(*map) ||
			    (map->path_len && !has_nul_at_end((const char *)(map + 1), map->path_len)) ||
			    map->start % FZ_PAGE_SIZE || map->end % FZ_PAGE_SIZE ||
			    map->start >= map->end || map->start < last_end) {
				*why = "bad mapping record";
				return -EBADMSG;
			}
			last_end = map->end;
			map_file = 0;
		} else if (r->type == FZ_REC_MAP_FILE) {
			if (check_map_file(d, map, prev_type, why))
				return -EBADMSG;
			map_file = d;
		} else if (r->type == FZ_REC_CHUNK) {
			if (check_chunk(img, d, map, map_file, why))
				return -EBADMSG;
		} else if (r->type == FZ_REC_GROUPS) {
			if (r->size % 4 || r->size / 4 > FZ_NGROUPS_MAX || ++groups > 1) {
				*why = "bad supplementary groups record";
				return -EBADMSG;
			}
		} else if (r->type == FZ_REC_GUARD) {
			if (check_guard(d, map, why))
				return -EBADMSG;
		} else if (r->type == FZ_REC_FD) {
			const struct fz_fd *f = d;
			if (r->size < sizeof(*f) ||
			    f->path_len != r->size - sizeof(*f) || f->fd < 0 ||
			    (f->path_len && !has_nul_at_end((const char *)(f + 1), f->path_len))) {
				*why = "bad file descriptor record";
				return -EBADMSG;
			}
		} else if (r->type == FZ_REC_PIPE) {
			const struct fz_pipe *p = d;
			if (r->size < sizeof(*p) || p->data_len != r->size - sizeof(*p) ||
			    p->data_len > p->capacity) {
				*why = "bad pipe record";
				return -EBADMSG;
			}
		} else if (r->type == FZ_REC_TTY) {
			if (check_tty(r, &ttys, why))
				return -EBADMSG;
		} else if (r->type == FZ_REC_EXE) {
			if (check_exe(r, &exes, why))
				return -EBADMSG;
		} else if (r->type >= FZ_REC_EVENTFD && r->type <= FZ_REC_EPOLL_TARGET) {
			if (check_anon_fd_record(r, why))
				return -EBADMSG;
		} else if (r->type == FZ_REC_SOCKET || r->type == FZ_REC_TCP_REPAIR) {
			if (check_socket_record(r)) {
				*why = "bad socket record";
				return -EBADMSG;
			}
		} else if (r->type == FZ_REC_AIO_RING) {
			if (check_aio_record(img, r, why))
				return -EBADMSG;
		} else if (r->type == FZ_REC_CWD) {
			if (!has_nul_at_end(d, r->size)) {
				*why = "bad cwd record";
				return -EBADMSG;
			}
		}
		prev_type = r->type;
	}
	if (!(seen & (1u << FZ_REC_PROCESS)) || !threads) {
		*why = "image lacks the process or thread records";
		return -EBADMSG;
	}
	return 0;
}

uint32_t image_version(const struct image *img)
{
	if (!img->trailer ||
	    __builtin_memcmp(img->trailer->magic, FZ_MAGIC, FZ_MAGIC_LEN))
		return 0;
	return img->trailer->version;
}

int image_verify(struct image *img, const void *base, uint64_t size,
		 const char **why)
{
	img->base = base;
	img->size = size;
	img->trailer = size >= sizeof(struct fz_trailer) && size % 8 == 0 ?
		(const void *)(img->base + size - sizeof(struct fz_trailer)) : 0;
	if (check_trailer(img, why) || check_records(img, why) ||
	    check_contents(img, why) || verify_files(img, why) ||
	    verify_links(img, why))
		return -EBADMSG;
	return 0;
}
