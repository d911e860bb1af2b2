/* Reading and checking the image payload the stub mapped. */
#ifndef FREEZE_STUB_IMAGE_READ_H
#define FREEZE_STUB_IMAGE_READ_H

#include <stdint.h>

#include "image.h"

struct image {
	const uint8_t *base;      /* the payload's first byte */
	uint64_t size;            /* bytes of payload at base */
	const struct fz_trailer *trailer;  /* its last bytes; NULL if too short
					      or not a multiple of 8 */
	int defer_data;           /* set by the caller: image_verify leaves
				     each chunk's stored data to
				     image_check_chunk_data() */
	int records_only;         /* set by the caller: the page data is not
				     there (freeze checks the records it is
				     about to commit); no stored bytes are
				     checked, only where they lie */
};

/*
 * Check everything the restore will trust: trailer, bounds, every record's
 * and every chunk's checksum, record sizes and ordering. 0 or -EBADMSG with
 * *why saying what is wrong.
 */
int image_verify(struct image *img, const void *base, uint64_t size,
		 const char **why);

/* A CHUNK's or SHMEM_CHUNK's stored data: inside the page data, checksum
 * right, decodable to its pages. 0 or -EBADMSG with *why. */
int image_check_chunk_data(const struct image *img, const struct fz_chunk *c,
			   const char **why);

/* verify_aio.c: one FZ_REC_AIO_RING record. */
int check_aio_record(const struct image *img, const struct fz_record *r,
		     const char **why);
/* verify_files.c: the FILE, FILE_BLOCK and LOCK records, within image_verify. */
int verify_files(const struct image *img, const char **why);
/* verify_links.c: every id or fd number a record names is a record of the
   right kind; last in image_verify. */
int verify_links(const struct image *img, const char **why);
/* verify_anon_fds.c: an eventfd, timerfd, signalfd, inotify watch
   or epoll registration record of the right size has sane contents. */
int check_anon_fd_record(const struct fz_record *r, const char **why);
/* verify_sockets.c: a SOCKET or TCP_REPAIR record's sizes and queued
 * messages. 0 or -EBADMSG. */
int check_socket_record(const struct fz_record *r);
/* verify_sockets.c: the PASSED_FD records fit the sockets they name. */
int check_passed_fds(const struct image *img);

/* The format version the trailer claims, 0 without one (after verify). */
uint32_t image_version(const struct image *img);

const struct fz_record *rec_first(const struct image *img);
const struct fz_record *rec_next(const struct image *img,
				 const struct fz_record *r);
static inline const void *rec_data(const struct fz_record *r)
{
	return r + 1;
}

/* The first record of a type, its size in *size; NULL if there is none. */
const void *image_find(const struct image *img, uint32_t type,
		       uint32_t *size);

#define for_each_record(img, r) \
	for (const struct fz_record *r = rec_first(img); r; r = rec_next(img, r))

#endif
