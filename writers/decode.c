/* Decoding page data; runs in the freestanding stub. */
#include <lz4.h>

#include "writer.h"

#define EINVAL 22

long writer_decode(enum fz_encoding enc, const void *src, size_t stored_size,
		   void *dst, size_t raw_size)
{
	switch (enc) {
	case FZ_ENC_NONE:
		if (stored_size != raw_size)
			return -EINVAL;
		__builtin_memcpy(dst, src, raw_size);
		return 0;
	case FZ_ENC_LZ4:
		if (stored_size > LZ4_MAX_INPUT_SIZE || raw_size > LZ4_MAX_INPUT_SIZE)
			return -EINVAL;
		if (LZ4_decompress_safe(src, dst, (int)stored_size,
					(int)raw_size) != (int)raw_size)
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

long writer_check(enum fz_encoding enc, const void *src, size_t stored_size,
		  size_t raw_size)
{
	switch (enc) {
	case FZ_ENC_NONE:
		return stored_size == raw_size ? 0 : -EINVAL;
	case FZ_ENC_LZ4:
		if (stored_size > LZ4_MAX_INPUT_SIZE || raw_size > LZ4_MAX_INPUT_SIZE)
			return -EINVAL;
		return lz4_check(src, stored_size, raw_size);
	}
	return -EINVAL;
}

const char *writer_name(enum fz_encoding enc)
{
	switch (enc) {
	case FZ_ENC_NONE:
		return "none";
	case FZ_ENC_LZ4:
		return "lz4";
	}
	return "?";
}
