/*
 * Checking an LZ4 block without decoding it, so the stub can refuse a chunk
 * before its point of no return instead of failing to decode it after.
 *
 * The rules are the block format's own, applied strictly: every match
 * refers back into bytes already produced, the last sequence is literals
 * only, the last 5 bytes are literals and the last match starts 12 bytes or
 * more before the end. LZ4's compressor always obeys them; LZ4's safe
 * decoder refuses less, so a block accepted here always decodes (make fuzz
 * checks that). Runs in the freestanding stub: reads src only.
 */
#include <stdint.h>

#include "writer.h"

#define EINVAL 22
#define MIN_MATCH 4
#define LAST_LITERALS 5   /* the block ends with at least this many literals */
#define MATCH_LIMIT 12    /* no match starts this close to the end */
#define LEN_MASK 15

/*
 * A length that did not fit its 4 bits: 255-valued bytes then a last one.
 * The read must end at least `room` bytes before the end of the input.
 */
static int read_length(const uint8_t *src, size_t n, size_t *ip, size_t room,
		       size_t *len)
{
	uint8_t b;

	do {
		if (*ip >= n)
			return -EINVAL;
		b = src[(*ip)++];
		*len += b;
		if (n - *ip < room)
			return -EINVAL;
	} while (b == 255);
	return 0;
}

long lz4_check(const uint8_t *src, size_t n, size_t raw)
{
	size_t ip = 0, op = 0;

	for (;;) {
		size_t lit, match, offset;
		uint8_t token;

		if (ip >= n)
			return -EINVAL;
		token = src[ip++];
		lit = token >> 4;
		if (lit == LEN_MASK && read_length(src, n, &ip, LEN_MASK, &lit))
			return -EINVAL;
		if (lit > n - ip || lit > raw - op)
			return -EINVAL;
		ip += lit;
		op += lit;
		if (ip == n)
			return op == raw ? 0 : -EINVAL;
		/* Not the last sequence: a match follows, far enough from the end. */
		if (raw - op < MATCH_LIMIT || n - ip < 2 + 1 + LAST_LITERALS)
			return -EINVAL;
		offset = src[ip] | (size_t)src[ip + 1] << 8;
		ip += 2;
		if (offset == 0 || offset > op)
			return -EINVAL;
		match = token & LEN_MASK;
		if (match == LEN_MASK &&
		    read_length(src, n, &ip, LAST_LITERALS - 1, &match))
			return -EINVAL;
		match += MIN_MATCH;
		if (match > raw - op || raw - op - match < LAST_LITERALS)
			return -EINVAL;
		op += match;
	}
}
