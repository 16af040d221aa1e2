/* SPDX-License-Identifier: Apache-2.0 */
/* bytes.h: what both IKE codecs (msg.c for IKEv2, v1msg.c for ISAKMP), and the exchanges that
 * put SPIs and selectors into messages (ts.c, v1quick.c, v1info.c), read and write with:
 * big-endian fields read from a buffer already checked to hold them, chunks that point into
 * the message, and a writer that never goes past its buffer (a write that does not fit marks
 * the whole result garbage instead).  Private to controld/ike/. */
#ifndef GW_IKE_BYTES_H
#define GW_IKE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "controld/ike/msg.h"

static inline uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline struct ike_chunk
chunk(const uint8_t *p, size_t len)
{
	return (struct ike_chunk){ .p = p, .len = len };
}

static inline bool
chunk_eq(struct ike_chunk a, struct ike_chunk b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

struct wbuf {
	uint8_t		*p;
	size_t		cap, len;
	bool		over;		/* something did not fit: the result is garbage */
};

static inline void
put(struct wbuf *w, const void *src, size_t n)
{
	if (w->over || w->cap - w->len < n) {
		w->over = true;
		return;
	}
	if (n > 0)
		memcpy(w->p + w->len, src, n);
	w->len += n;
}

static inline void
put8(struct wbuf *w, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(w, &b, 1);
}

static inline void
put16(struct wbuf *w, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 2);
}

static inline void
put32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 4);
}

#endif
