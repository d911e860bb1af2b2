/* --info: the shared memory objects, and what resuming does with each. */
#include <linux/fcntl.h>

#include "json.h"
#include "lib.h"
#include "mm/mm.h"
#include "print.h"
#include "stub.h"

#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

static void print_seals(uint32_t seals)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ F_SEAL_SEAL, "seal" }, { F_SEAL_SHRINK, "shrink" },
		{ F_SEAL_GROW, "grow" }, { F_SEAL_WRITE, "write" },
		{ F_SEAL_FUTURE_WRITE, "future-write" }, { F_SEAL_EXEC, "exec" },
	};

	out(1, ", seals:");
	if (!seals)
		out(1, " none");
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (seals & names[i].bit)
			out(1, " %s", names[i].name);
}

static void print_sysv(const struct fz_shmem *s)
{
	out(1, "SysV segment key %x (shmid %d), mode %u%u%u", s->sysv_key,
	    s->sysv_id, (s->mode >> 6) & 7, (s->mode >> 3) & 7, s->mode & 7);
	if (s->flags & FZ_SHMEMF_SYSV_REMOVED)
		out(1, ", marked removed: a new private segment, removed again "
		       "once the process detaches it");
	else if (s->sysv_key)
		out(1, ": the segment with this key if this host has one, "
		       "else a new one with this key");
	else
		out(1, ": a new private segment");
	out(1, " (a new one gets a new shmid unless the stub may set "
	       "kernel.shm_next_id)");
}

/* How many mappings and fds of the process name object id. */
static void count_users(const struct stub *st, uint64_t id, unsigned *maps,
			unsigned *fds)
{
	*maps = *fds = 0;
	for_each_record(&st->img, r) {
		const struct fz_mapping *m = rec_data(r);
		const struct fz_fd *f = rec_data(r);
		if (r->type == FZ_REC_MAPPING && m->kind == FZ_MAP_SHMEM && m->shmem_id == id)
			++*maps;
		else if (r->type == FZ_REC_FD && f->kind == FZ_FD_MEMFD && f->object_id == id)
			++*fds;
	}
}

static void print_object(const struct stub *st, const struct fz_shmem *s)
{
	const char *name = s->name_len ? (const char *)(s + 1) : "";
	unsigned maps, fds;

	count_users(st, s->id, &maps, &fds);
	out(1, "  shared memory %lu: %lu bytes, %u mapping%s, %u fd%s, ",
	    (unsigned long)s->id, (unsigned long)s->size, maps, maps == 1 ? "" : "s",
	    fds, fds == 1 ? "" : "s");
	switch (s->kind) {
	case FZ_SHMEM_ANON:
		out(1, "MAP_SHARED anonymous memory");
		break;
	case FZ_SHMEM_MEMFD:
		out(1, "memfd \"%s\"", name);
		if (s->flags & FZ_SHMEMF_SEALS_UNKNOWN)
			out(1, ", seals and mode unknown (resumes unsealed)");
		else
			print_seals(s->seals);
		break;
	case FZ_SHMEM_DELETED:
		out(1, "deleted file %s: its shared mappings come back as shared "
		       "memory holding its bytes; the file is not recreated", name);
		break;
	case FZ_SHMEM_SYSV:
		print_sysv(s);
		break;
	default:
		out(1, "unknown kind %u", s->kind);
	}
	out(1, "\n");
}

void print_shmem(const struct stub *st)
{
	uint64_t stored = 0, pages = 0;
	unsigned n = 0;

	for_each_record(&st->img, r) {
		const struct fz_chunk *c = rec_data(r);
		if (r->type == FZ_REC_SHMEM) {
			print_object(st, rec_data(r));
			n++;
		} else if (r->type == FZ_REC_SHMEM_CHUNK) {
			pages += c->npages;
			stored += c->data_size;
		}
	}
	if (n)
		out(1, "shared memory: %u objects, %lu KiB of pages stored in %lu KiB\n",
		    n, (unsigned long)(pages * FZ_PAGE_SIZE / 1024),
		    (unsigned long)(stored / 1024));
}

/* --json: one object of "shared_memory"."objects". */
static void json_object(const struct stub *st, const struct fz_shmem *s)
{
	static const char *const kinds[] = {
		[FZ_SHMEM_ANON] = "anonymous",
		[FZ_SHMEM_MEMFD] = "memfd",
		[FZ_SHMEM_DELETED] = "deleted_file",
		[FZ_SHMEM_SYSV] = "sysv",
	};
	static const struct {
		uint32_t bit;
		const char *name;
	} seals[] = {
		{ F_SEAL_SEAL, "seal" },
		{ F_SEAL_SHRINK, "shrink" },
		{ F_SEAL_GROW, "grow" },
		{ F_SEAL_WRITE, "write" },
		{ F_SEAL_FUTURE_WRITE, "future-write" },
		{ F_SEAL_EXEC, "exec" },
	};
	unsigned maps, fds;

	count_users(st, s->id, &maps, &fds);
	json_obj(0);
	json_u64("id", s->id);
	json_str("kind", s->kind < sizeof(kinds) / sizeof(kinds[0]) && kinds[s->kind] ?
				 kinds[s->kind] :
				 "?");
	json_strn("name", (const char *)(s + 1),
		  s->name_len ? strlen((const char *)(s + 1)) : 0);
	json_u64("size", s->size);
	json_u64("mappings", maps);
	json_u64("fds", fds);
	if (s->kind == FZ_SHMEM_MEMFD && !(s->flags & FZ_SHMEMF_SEALS_UNKNOWN)) {
		json_arr("seals");
		for (unsigned i = 0; i < sizeof(seals) / sizeof(seals[0]); i++)
			if (s->seals & seals[i].bit)
				json_str(0, seals[i].name);
		json_end();
	} else {
		json_str("seals", 0);
	}
	if (s->kind == FZ_SHMEM_SYSV) {
		json_hex("sysv_key", s->sysv_key);
		json_i64("sysv_id", s->sysv_id);
		json_fmt("mode", "%u%u%u", (s->mode >> 6) & 7, (s->mode >> 3) & 7,
			 s->mode & 7);
		json_bool("removed", s->flags & FZ_SHMEMF_SYSV_REMOVED);
	}
	json_end();
}

void json_shmem(const struct stub *st)
{
	uint64_t stored = 0, pages = 0;

	json_obj("shared_memory");
	json_arr("objects");
	for_each_record(&st->img, r) {
		const struct fz_chunk *c = rec_data(r);
		if (r->type == FZ_REC_SHMEM) {
			json_object(st, rec_data(r));
		} else if (r->type == FZ_REC_SHMEM_CHUNK) {
			pages += c->npages;
			stored += c->data_size;
		}
	}
	json_end();
	json_u64("page_bytes", pages * FZ_PAGE_SIZE);
	json_u64("stored_bytes", stored);
	json_end();
}
