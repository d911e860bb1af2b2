/* Encoding page data; runs in the freezer. */
#include <errno.h>
#include <lz4.h>
#include <string.h>

#include "writer.h"

size_t writer_bound(enum fz_encoding enc, size_t raw_size)
{
	if (enc == FZ_ENC_LZ4)
		return (size_t)LZ4_compressBound((int)raw_size);
	return raw_size;
}

long writer_encode(enum fz_encoding enc, const void *src, size_t raw_size,
		   void *dst, size_t cap, enum fz_encoding *used)
{
	if (enc == FZ_ENC_LZ4) {
		int n = LZ4_compress_default(src, dst, (int)raw_size, (int)cap);
		if (n > 0 && (size_t)n < raw_size) {
			*used = FZ_ENC_LZ4;
			return n;
		}
	} else if (enc != FZ_ENC_NONE) {
		return -EINVAL;
	}
	if (cap < raw_size)
		return -ENOSPC;
	memcpy(dst, src, raw_size);
	*used = FZ_ENC_NONE;
	return (long)raw_size;
}
