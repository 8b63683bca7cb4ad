/* SPDX-License-Identifier: MIT */
/* gzip.c: whole gzip members with zlib's deflate. */
#include "config.h"

#include <errno.h>
#include <zlib.h>

#include "agent.h"
#include "gzip.h"

int
gzip_member(struct buf *out, const char *in, size_t n, int level)
{
	z_stream z = { 0 };
	size_t bound;
	int rc;

	/* windowBits 15 + 16: a gzip header and trailer, not raw zlib. */
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	bound = deflateBound(&z, (uLong)n) + 32;
	if (buf_reserve(out, bound) != 0) {
		deflateEnd(&z);
		return AGENT_E_TOOBIG;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out->p + out->len;
	z.avail_out = (uInt)bound;
	rc = deflate(&z, Z_FINISH);
	if (rc == Z_STREAM_END)
		out->len += bound - z.avail_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -ENOMEM;
}

int
gunzip_member(struct buf *out, const char *in, size_t n)
{
	unsigned char chunk[16384];
	z_stream z = { 0 };
	int rc;

	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END)
			break;
		if (buf_append(out, chunk, sizeof chunk - z.avail_out) != 0) {
			rc = Z_MEM_ERROR;
			break;
		}
	} while (rc != Z_STREAM_END);
	inflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : AGENT_E_PARSE;
}
