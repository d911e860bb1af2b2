/*
 * Before an image is kept, and before -k kills the process for it: the
 * stub's own checks of the records (stub/image/image_read.c and the
 * verify_*.c it calls, built into freeze as they are) run on the records
 * just written. An image they refuse would refuse to resume; finding that
 * out now leaves the process running instead of lost.
 *
 * The page data is not read back (it may have gone down a pipe), and its
 * bytes were checksummed as they were written. The view checked holds the
 * records and the trailer only, placed as if the page data came before
 * them: with records_only set, image_verify() reads nothing below
 * records_offset, so that part of the view is never mapped (under a tight
 * ulimit -v it could not be).
 */
#include <errno.h>
#include <string.h>
#include <stdint.h>
#include <stdlib.h>

#include "freeze.h"
#include "image/image_read.h"
#include "image/image_writer.h"

int iw_check(const struct image_writer *w)
{
	const struct fz_trailer *t = &w->trailer;
	struct image img = { .records_only = 1 };
	const char *why = "";
	uint8_t *view;
	int err;

	view = malloc(w->records_len + sizeof(*t));
	if (!view)
		return fail(-ENOMEM, "checking the image before keeping it");
	memcpy(view, w->records, w->records_len);
	memcpy(view + w->records_len, t, sizeof(*t));
	err = image_verify(&img, (const void *)((uintptr_t)view - t->records_offset),
			   t->image_size, &why);
	free(view);
	if (err)
		return fail(err, "the image would not resume (%s); it is not kept "
			    "and the process is left as it was: a bug of freeze, "
			    "please report it", why);
	return 0;
}
