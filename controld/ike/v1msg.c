/* SPDX-License-Identifier: Apache-2.0 */
/* v1msg.c: parse and build ISAKMP messages for IKEv1 (RFC 2408 §3, RFC 2407 §4, RFC 3947).
 * Every message is hostile until authenticated (docs/design.md "IKE", Untrusted input): each
 * length is checked against what is left before a byte is read, a message can make us hold no
 * more than the fixed pools of struct v1_msg, and nothing here allocates.  The struct points into
 * the caller's buffer; nothing is copied but the numbers.
 *
 * Strictness: the chains RFC 2408 defines are checked exactly (a Proposal's Next Payload is 2 or,
 * for the last, 0; a Transform's 3 or 0 and their count the proposal's; top-level Next Payloads
 * never 2 or 3 nor an unassigned number), as are the lengths RFC 2407 fixes (identification data
 * of each ID type, a Delete's SPIs against its count, NAT-OA addresses) and the nonce size of
 * RFC 2409 §5, so a builder never writes something else than it read.  Reserved fields are
 * ignored when read and written as zero (RFC 2408 §3.2), so a message with nonzero reserved
 * bits rebuilds to other bytes but the same struct.  XXX: an unencrypted message must end with
 * its last payload; peers that pad those to 4 bytes (libreswan's ikepad) are refused. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "controld/ike/bytes.h"
#include "controld/ike/v1msg.h"

static const struct {
	uint16_t	notify;
	const char	*text;
} perr[V1_PERR_MAX] = {
	[V1_PERR_OK] = { 0, "parsed" },
#define X(n, nt, t) [V1_PERR_##n] = { nt, t },
	V1_PERR_LIST(X)
#undef X
};

const char *
v1_perr_text(enum v1_perr e)
{
	return (unsigned)e < V1_PERR_MAX ? perr[e].text : "?";
}

uint16_t
v1_perr_notify(enum v1_perr e)
{
	return (unsigned)e < V1_PERR_MAX ? perr[e].notify : 0;
}

/* ------------------------------------------------------------------ parsing payload bodies */

/* RFC 2408 §3.3: the data attributes of one transform, b[0 .. len). */
static enum v1_perr
parse_attrs(struct v1_msg *m, struct v1_transform *t, const uint8_t *b, size_t len)
{
	size_t off = 0;

	t->attr = m->n_attr;
	t->n_attr = 0;
	while (off < len) {
		struct v1_attr *a;
		uint16_t at;

		if (len - off < 4)
			return V1_PERR_PROPOSAL;
		if (m->n_attr == V1_MSG_MAX_ATTR)
			return V1_PERR_TOO_MANY;
		a = &m->attr[m->n_attr];
		memset(a, 0, sizeof(*a));
		at = be16(b + off);
		a->type = at & 0x7fff;
		if (at & 0x8000) {		/* AF = 1: TV */
			a->value = be16(b + off + 2);
			off += 4;
		} else {
			a->tlv = true;
			a->len = be16(b + off + 2);
			if (len - off - 4 < a->len)
				return V1_PERR_PROPOSAL;
			if (a->len <= 8)
				for (unsigned i = 0; i < a->len; i++)
					a->value = a->value << 8 | b[off + 4 + i];
			else
				a->data = chunk(b + off + 4, a->len);
			off += 4 + (size_t)a->len;
		}
		m->n_attr++;
		t->n_attr++;
	}
	return V1_PERR_OK;
}

/* RFC 2408 §3.6: the n transforms of one proposal, b[0 .. len) after its SPI. */
static enum v1_perr
parse_transforms(struct v1_msg *m, struct v1_proposal *p, unsigned n, const uint8_t *b,
    size_t len)
{
	size_t off = 0;
	enum v1_perr e;

	if (n == 0)
		return V1_PERR_PROPOSAL;	/* §3.5: at least one */
	p->xf = m->n_xf;
	for (unsigned i = 0; i < n; i++) {
		struct v1_transform *t;
		size_t tlen;

		if (len - off < 8)
			return V1_PERR_PROPOSAL;
		tlen = be16(b + off + 2);
		if (tlen < 8 || tlen > len - off)
			return V1_PERR_PROPOSAL;
		if (b[off] != (i + 1 == n ? V1_PL_NONE : V1_PL_TRANSFORM))
			return V1_PERR_PROPOSAL;
		if (m->n_xf == V1_MSG_MAX_XF)
			return V1_PERR_TOO_MANY;
		t = &m->xf[m->n_xf++];
		memset(t, 0, sizeof(*t));
		t->num = b[off + 4];
		t->id = b[off + 5];
		if ((e = parse_attrs(m, t, b + off + 8, tlen - 8)) != V1_PERR_OK)
			return e;
		p->n_xf++;
		off += tlen;
	}
	return off == len ? V1_PERR_OK : V1_PERR_PROPOSAL;
}

/* RFC 2408 §3.4, RFC 2407 §4.6.1: DOI, situation, then Proposal payloads chained by their own
 * Next Payload (2, the last 0), the last ending where the SA does. */
static enum v1_perr
parse_sa(struct v1_msg *m, struct v1_payload *pl, const uint8_t *b, size_t len)
{
	size_t off = 8;
	enum v1_perr e;
	uint8_t next;

	if (len < 8)
		return V1_PERR_SYNTAX;
	pl->u.sa.doi = be32(b);
	pl->u.sa.situation = be32(b + 4);
	pl->u.sa.prop = m->n_prop;
	pl->u.sa.n_prop = 0;
	if (pl->u.sa.doi != V1_DOI_IPSEC)
		return V1_PERR_DOI;
	if (pl->u.sa.situation != V1_SIT_IDENTITY_ONLY)
		return V1_PERR_SITUATION;	/* secrecy and integrity levels: not here */
	if (len == off)
		return V1_PERR_EMPTY;
	do {
		struct v1_proposal *p;
		size_t plen, spi_len;

		if (len - off < 8)
			return V1_PERR_PROPOSAL;
		next = b[off];
		plen = be16(b + off + 2);
		spi_len = b[off + 6];
		if (plen < 8 + spi_len || plen > len - off || spi_len > 16)
			return V1_PERR_PROPOSAL;
		if (next != V1_PL_PROPOSAL && next != V1_PL_NONE)
			return V1_PERR_PROPOSAL;
		if ((next == V1_PL_NONE) != (off + plen == len))
			return V1_PERR_PROPOSAL;	/* the chain ends with the SA */
		if ((b[off + 5] == V1_PROTO_AH || b[off + 5] == V1_PROTO_ESP) && spi_len != 4)
			return V1_PERR_PROPOSAL;	/* RFC 2407 §4.4.1: 4-byte SPIs */
		if (m->n_prop == V1_MSG_MAX_PROP)
			return V1_PERR_TOO_MANY;
		p = &m->prop[m->n_prop++];
		memset(p, 0, sizeof(*p));
		p->num = b[off + 4];
		p->proto = b[off + 5];
		p->spi = chunk(b + off + 8, spi_len);
		e = parse_transforms(m, p, b[off + 7], b + off + 8 + spi_len, plen - 8 - spi_len);
		if (e != V1_PERR_OK)
			return e;
		pl->u.sa.n_prop++;
		off += plen;
	} while (next != V1_PL_NONE);
	return V1_PERR_OK;
}

/* RFC 2407 §4.6.2.1: how many bytes of data an ID type carries; 0: one or more; -1: unknown. */
static int
id_len(uint8_t type)
{
	switch (type) {
	case V1_ID_IPV4_ADDR:		return 4;
	case V1_ID_IPV4_ADDR_SUBNET:
	case V1_ID_IPV4_ADDR_RANGE:	return 8;
	case V1_ID_IPV6_ADDR:		return 16;
	case V1_ID_IPV6_ADDR_SUBNET:
	case V1_ID_IPV6_ADDR_RANGE:	return 32;
	case V1_ID_FQDN:
	case V1_ID_USER_FQDN:
	case V1_ID_DER_ASN1_DN:
	case 10:			/* ID_DER_ASN1_GN */
	case V1_ID_KEY_ID:		return 0;
	default:			return -1;
	}
}

/* RFC 2407 §4.6.2: type, protocol, port, data. */
static enum v1_perr
parse_id(struct v1_payload *pl, const uint8_t *b, size_t len)
{
	int want;

	if (len < 4)
		return V1_PERR_SYNTAX;
	pl->u.id.type = b[0];
	pl->u.id.proto = b[1];
	pl->u.id.port = be16(b + 2);
	pl->u.id.data = chunk(b + 4, len - 4);
	want = id_len(b[0]);
	if (want < 0 || (want == 0 && len == 4) || (want > 0 && len - 4 != (size_t)want))
		return V1_PERR_ID;
	return V1_PERR_OK;
}

/* Notification (RFC 2408 §3.14) and Delete (§3.15) name a DOI: IPsec, or 0 for ISAKMP's own. */
static bool
doi_ok(uint32_t doi)
{
	return doi == 0 || doi == V1_DOI_IPSEC;
}

/* One payload body, b[0 .. len) after the generic header. */
static enum v1_perr
parse_body(struct v1_msg *m, struct v1_payload *pl, const uint8_t *b, size_t len)
{
	switch (pl->type) {
	case V1_PL_SA:
		return parse_sa(m, pl, b, len);
	case V1_PL_ID:
		return parse_id(pl, b, len);
	case V1_PL_NONCE:	/* RFC 2409 §5: 8 to 256 bytes */
		pl->u.data = chunk(b, len);
		return len == 0 ? V1_PERR_EMPTY : len < 8 || len > 256 ? V1_PERR_SYNTAX :
		    V1_PERR_OK;
	case V1_PL_NOTIFY:	/* §3.14: DOI, protocol, SPI size, type, SPI, data */
		if (len < 8 || len - 8 < b[5])
			return V1_PERR_SYNTAX;
		pl->u.notify.doi = be32(b);
		pl->u.notify.proto = b[4];
		pl->u.notify.type = be16(b + 6);
		pl->u.notify.spi = chunk(b + 8, b[5]);
		pl->u.notify.data = chunk(b + 8 + b[5], len - 8 - b[5]);
		return doi_ok(pl->u.notify.doi) ? V1_PERR_OK : V1_PERR_DOI;
	case V1_PL_DELETE:	/* §3.15: DOI, protocol, SPI size, number of SPIs, SPIs */
		if (len < 8 || len - 8 != (size_t)b[5] * be16(b + 6))
			return V1_PERR_SYNTAX;
		pl->u.del.doi = be32(b);
		pl->u.del.proto = b[4];
		pl->u.del.spi_size = b[5];
		pl->u.del.n_spi = be16(b + 6);
		pl->u.del.spis = chunk(b + 8, len - 8);
		if (pl->u.del.n_spi == 0 || pl->u.del.spi_size == 0)
			return V1_PERR_EMPTY;
		return doi_ok(pl->u.del.doi) ? V1_PERR_OK : V1_PERR_DOI;
	case V1_PL_NATOA:	/* RFC 3947 §5.2: ID type, 3 reserved, IPv4 or IPv6 address */
	case V1_PL_NATOA_DRAFT:
		if (len < 4)
			return V1_PERR_SYNTAX;
		pl->u.natoa.type = b[0];
		pl->u.natoa.addr = chunk(b + 4, len - 4);
		if ((b[0] != V1_ID_IPV4_ADDR && b[0] != V1_ID_IPV6_ADDR) ||
		    (int)(len - 4) != id_len(b[0]))
			return V1_PERR_ID;
		return V1_PERR_OK;
	case V1_PL_CERT:	/* §3.9, §3.10: encoding or type, then data (CR's may be none) */
	case V1_PL_CR:
		if (len < 1)
			return V1_PERR_EMPTY;
		pl->u.cert.encoding = b[0];
		pl->u.cert.data = chunk(b + 1, len - 1);
		return pl->type == V1_PL_CERT && len == 1 ? V1_PERR_EMPTY : V1_PERR_OK;
	case V1_PL_KE:		/* §3.7 .. §3.13: opaque data, never empty */
	case V1_PL_HASH:
	case V1_PL_SIG:
	case V1_PL_VENDOR:
	case V1_PL_NATD:	/* RFC 3947 §3.2: a hash */
	case V1_PL_NATD_DRAFT:
		pl->u.data = chunk(b, len);
		return len == 0 ? V1_PERR_EMPTY : V1_PERR_OK;
	default:		/* private use: kept, not read */
		pl->u.data = chunk(b, len);
		return V1_PERR_OK;
	}
}

/* A Next Payload that may appear in the top-level chain (RFC 2408 §3.1): not a Proposal or
 * Transform (those live inside an SA), not an unassigned number. */
static bool
top_level(uint8_t t)
{
	return t == V1_PL_SA || (t >= V1_PL_KE && t <= V1_PL_VENDOR) || t == V1_PL_NATD ||
	    t == V1_PL_NATOA || t >= V1_PL_PRIVATE;
}

/* The chain of payloads in b[0 .. len), the first of type next; base is b's offset in what
 * err_off counts.  Bytes after the last payload are padding when pad is set, else an error. */
static enum v1_perr
parse_chain(struct v1_msg *m, const uint8_t *b, size_t len, size_t base, uint8_t next, bool pad)
{
	size_t off = 0;

	while (next != V1_PL_NONE) {
		struct v1_payload *pl;
		enum v1_perr e;
		size_t plen;

		m->err_off = (uint32_t)(base + off);
		m->err_type = next;
		if (!top_level(next))
			return V1_PERR_PAYLOAD_TYPE;
		if (len - off < V1_PL_HDR_LEN)
			return V1_PERR_TRUNCATED;
		plen = be16(b + off + 2);
		if (plen < V1_PL_HDR_LEN || plen > len - off)
			return V1_PERR_TRUNCATED;
		if (m->n_pl == V1_MSG_MAX_PL)
			return V1_PERR_TOO_MANY;
		pl = &m->pl[m->n_pl];
		memset(pl, 0, sizeof(*pl));
		pl->type = next;
		pl->body = chunk(b + off + V1_PL_HDR_LEN, plen - V1_PL_HDR_LEN);
		if ((e = parse_body(m, pl, pl->body.p, pl->body.len)) != V1_PERR_OK)
			return e;
		m->n_pl++;
		next = b[off];
		off += plen;
	}
	m->err_off = (uint32_t)(base + off);
	m->err_type = V1_PL_NONE;
	if (off != len && !pad)
		return V1_PERR_TRAILING;
	m->pad_len = (uint32_t)(len - off);
	return V1_PERR_OK;
}

static void
reset(struct v1_msg *m)
{
	m->n_pl = m->n_prop = m->n_xf = m->n_attr = 0;
	m->enc = chunk(NULL, 0);
	m->opened = false;
	m->pad_len = 0;
	m->err_off = 0;
	m->err_type = V1_PL_NONE;
}

enum v1_perr
v1_msg_parse(struct v1_msg *m, const uint8_t *buf, size_t len)
{
	struct v1_hdr *h = &m->hdr;
	enum v1_perr e;

	reset(m);
	if (len < V1_HDR_LEN)
		return V1_PERR_SHORT;
	memcpy(h->icookie, buf, V1_COOKIE_LEN);
	memcpy(h->rcookie, buf + 8, V1_COOKIE_LEN);
	h->next = buf[16];
	h->version = buf[17];
	h->exchange = buf[18];
	h->flags = buf[19] & V1_F_ALL;
	h->msg_id = be32(buf + 20);
	h->length = be32(buf + 24);
	if ((h->version >> 4) != 1)
		return V1_PERR_VERSION;		/* IKEv2 (2.0) is msg.c's */
	if (h->length != len)
		return V1_PERR_LENGTH;
	if (h->flags & V1_F_ENCRYPTED) {
		m->enc = chunk(buf + V1_HDR_LEN, len - V1_HDR_LEN);
		return V1_PERR_OK;
	}
	e = parse_chain(m, buf + V1_HDR_LEN, len - V1_HDR_LEN, V1_HDR_LEN, h->next, false);
	if (e != V1_PERR_OK)		/* nothing half-parsed is looked at */
		m->n_pl = m->n_prop = m->n_xf = m->n_attr = 0;
	return e;
}

enum v1_perr
v1_msg_parse_inner(struct v1_msg *m, const uint8_t *plain, size_t len)
{
	enum v1_perr e;

	if (!(m->hdr.flags & V1_F_ENCRYPTED) || m->opened || m->n_pl != 0)
		return V1_PERR_ENCRYPTED;
	e = parse_chain(m, plain, len, V1_HDR_LEN, m->hdr.next, true);
	if (e != V1_PERR_OK) {
		m->n_pl = m->n_prop = m->n_xf = m->n_attr = 0;
		m->pad_len = 0;
		return e;
	}
	m->opened = true;
	return V1_PERR_OK;
}

/* --------------------------------------------------------------------------- building */

/* Write the 16-bit length of what was written since start at w->p[start + 2]. */
static bool
patch16(struct wbuf *w, size_t start)
{
	size_t n = w->len - start;

	if (w->over || n > 0xffff)
		return false;
	w->p[start + 2] = (uint8_t)(n >> 8);
	w->p[start + 3] = (uint8_t)n;
	return true;
}

static bool
build_attr(struct wbuf *w, const struct v1_attr *a)
{
	if (a->type > 0x7fff)
		return false;
	if (!a->tlv) {
		if (a->value > 0xffff)
			return false;
		put16(w, 0x8000u | a->type);
		put16(w, (unsigned)a->value);
		return true;
	}
	put16(w, a->type);
	put16(w, a->len);
	if (a->len > 8) {
		if (a->data.len != a->len)
			return false;
		put(w, a->data.p, a->data.len);
		return true;
	}
	if (a->len < 8 && a->value >> (8 * a->len) != 0)
		return false;		/* does not fit in its length */
	for (unsigned i = a->len; i > 0; i--)
		put8(w, (unsigned)(a->value >> (8 * (i - 1))));
	return true;
}

static bool
build_transform(struct wbuf *w, const struct v1_msg *m, const struct v1_transform *t, bool last)
{
	size_t start = w->len;

	if ((size_t)t->attr + t->n_attr > m->n_attr)
		return false;
	put8(w, last ? V1_PL_NONE : V1_PL_TRANSFORM);
	put8(w, 0);
	put16(w, 0);
	put8(w, t->num);
	put8(w, t->id);
	put16(w, 0);
	for (unsigned i = 0; i < t->n_attr; i++)
		if (!build_attr(w, &m->attr[t->attr + i]))
			return false;
	return patch16(w, start);
}

static bool
build_sa(struct wbuf *w, const struct v1_msg *m, const struct v1_payload *pl)
{
	if ((size_t)pl->u.sa.prop + pl->u.sa.n_prop > m->n_prop)
		return false;
	put32(w, pl->u.sa.doi);
	put32(w, pl->u.sa.situation);
	for (unsigned i = 0; i < pl->u.sa.n_prop; i++) {
		const struct v1_proposal *p = &m->prop[pl->u.sa.prop + i];
		size_t start = w->len;

		if ((size_t)p->xf + p->n_xf > m->n_xf || p->n_xf > 255 || p->spi.len > 255)
			return false;
		put8(w, i + 1 == pl->u.sa.n_prop ? V1_PL_NONE : V1_PL_PROPOSAL);
		put8(w, 0);
		put16(w, 0);
		put8(w, p->num);
		put8(w, p->proto);
		put8(w, (unsigned)p->spi.len);
		put8(w, p->n_xf);
		put(w, p->spi.p, p->spi.len);
		for (unsigned j = 0; j < p->n_xf; j++)
			if (!build_transform(w, m, &m->xf[p->xf + j], j + 1 == p->n_xf))
				return false;
		if (!patch16(w, start))
			return false;
	}
	return true;
}

static bool
build_body(struct wbuf *w, const struct v1_msg *m, const struct v1_payload *pl)
{
	switch (pl->type) {
	case V1_PL_SA:
		return build_sa(w, m, pl);
	case V1_PL_ID:
		put8(w, pl->u.id.type);
		put8(w, pl->u.id.proto);
		put16(w, pl->u.id.port);
		put(w, pl->u.id.data.p, pl->u.id.data.len);
		return true;
	case V1_PL_NOTIFY:
		if (pl->u.notify.spi.len > 255)
			return false;
		put32(w, pl->u.notify.doi);
		put8(w, pl->u.notify.proto);
		put8(w, (unsigned)pl->u.notify.spi.len);
		put16(w, pl->u.notify.type);
		put(w, pl->u.notify.spi.p, pl->u.notify.spi.len);
		put(w, pl->u.notify.data.p, pl->u.notify.data.len);
		return true;
	case V1_PL_DELETE:
		if (pl->u.del.spis.len != (size_t)pl->u.del.spi_size * pl->u.del.n_spi)
			return false;
		put32(w, pl->u.del.doi);
		put8(w, pl->u.del.proto);
		put8(w, pl->u.del.spi_size);
		put16(w, pl->u.del.n_spi);
		put(w, pl->u.del.spis.p, pl->u.del.spis.len);
		return true;
	case V1_PL_NATOA:
	case V1_PL_NATOA_DRAFT:
		put8(w, pl->u.natoa.type);
		put8(w, 0);
		put16(w, 0);
		put(w, pl->u.natoa.addr.p, pl->u.natoa.addr.len);
		return true;
	case V1_PL_CERT:
	case V1_PL_CR:
		put8(w, pl->u.cert.encoding);
		put(w, pl->u.cert.data.p, pl->u.cert.data.len);
		return true;
	default:
		put(w, pl->u.data.p, pl->u.data.len);
		return true;
	}
}

int
v1_msg_build(const struct v1_msg *m, uint8_t *buf, size_t cap, size_t *len)
{
	struct wbuf w = { .p = buf, .cap = cap };
	bool body = m->enc.p != NULL && !m->opened && m->n_pl == 0;

	put(&w, m->hdr.icookie, V1_COOKIE_LEN);
	put(&w, m->hdr.rcookie, V1_COOKIE_LEN);
	put8(&w, body ? m->hdr.next : m->n_pl > 0 ? m->pl[0].type : V1_PL_NONE);
	put8(&w, m->hdr.version);
	put8(&w, m->hdr.exchange);
	put8(&w, m->hdr.flags & V1_F_ALL);
	put32(&w, m->hdr.msg_id);
	put32(&w, 0);
	if (body)
		put(&w, m->enc.p, m->enc.len);
	for (unsigned i = 0; i < m->n_pl && !body; i++) {
		const struct v1_payload *pl = &m->pl[i];
		size_t start = w.len;

		put8(&w, i + 1 < m->n_pl ? m->pl[i + 1].type : V1_PL_NONE);
		put8(&w, 0);
		put16(&w, 0);
		if (!build_body(&w, m, pl) || !patch16(&w, start))
			return -1;
	}
	if (w.over || w.len > UINT32_MAX)
		return -1;
	buf[24] = (uint8_t)(w.len >> 24);
	buf[25] = (uint8_t)(w.len >> 16);
	buf[26] = (uint8_t)(w.len >> 8);
	buf[27] = (uint8_t)w.len;
	*len = w.len;
	return 0;
}

int
v1_msg_pad(uint8_t *buf, size_t *len, size_t cap, size_t block)
{
	size_t n = *len, pad;

	if (block == 0 || n < V1_HDR_LEN)
		return -1;
	pad = block - (n - V1_HDR_LEN) % block;		/* 1 .. block */
	if (cap < n || cap - n < pad || n + pad > UINT32_MAX)
		return -1;
	memset(buf + n, 0, pad);
	n += pad;
	buf[24] = (uint8_t)(n >> 24);
	buf[25] = (uint8_t)(n >> 16);
	buf[26] = (uint8_t)(n >> 8);
	buf[27] = (uint8_t)n;
	*len = n;
	return 0;
}

/* ------------------------------------------------------------------ making a message */

void
v1_msg_init(struct v1_msg *m, const uint8_t icookie[V1_COOKIE_LEN],
    const uint8_t rcookie[V1_COOKIE_LEN], uint8_t exchange, uint8_t flags, uint32_t msg_id)
{
	reset(m);
	memset(&m->hdr, 0, sizeof(m->hdr));
	memcpy(m->hdr.icookie, icookie, V1_COOKIE_LEN);
	memcpy(m->hdr.rcookie, rcookie, V1_COOKIE_LEN);
	m->hdr.version = V1_VERSION;
	m->hdr.exchange = exchange;
	m->hdr.flags = flags & V1_F_ALL;
	m->hdr.msg_id = msg_id;
}

struct v1_payload *
v1_msg_add(struct v1_msg *m, uint8_t type)
{
	struct v1_payload *pl;

	if (m->n_pl == V1_MSG_MAX_PL)
		return NULL;
	pl = &m->pl[m->n_pl++];
	memset(pl, 0, sizeof(*pl));
	pl->type = type;
	if (type == V1_PL_SA) {
		pl->u.sa.doi = V1_DOI_IPSEC;
		pl->u.sa.situation = V1_SIT_IDENTITY_ONLY;
		pl->u.sa.prop = m->n_prop;
	} else if (type == V1_PL_NOTIFY) {
		pl->u.notify.doi = V1_DOI_IPSEC;
	} else if (type == V1_PL_DELETE) {
		pl->u.del.doi = V1_DOI_IPSEC;
	}
	return pl;
}

struct v1_proposal *
v1_msg_add_proposal(struct v1_msg *m, struct v1_payload *sa, uint8_t num, uint8_t proto,
    struct ike_chunk spi)
{
	struct v1_proposal *p;

	if (sa->type != V1_PL_SA || m->n_prop == V1_MSG_MAX_PROP ||
	    sa->u.sa.prop + sa->u.sa.n_prop != m->n_prop)
		return NULL;
	p = &m->prop[m->n_prop++];
	memset(p, 0, sizeof(*p));
	p->num = num;
	p->proto = proto;
	p->spi = spi;
	p->xf = m->n_xf;
	sa->u.sa.n_prop++;
	return p;
}

struct v1_transform *
v1_msg_add_transform(struct v1_msg *m, struct v1_proposal *p, uint8_t num, uint8_t id)
{
	struct v1_transform *t;

	if (m->n_prop == 0 || p != &m->prop[m->n_prop - 1] || m->n_xf == V1_MSG_MAX_XF ||
	    p->xf + p->n_xf != m->n_xf || p->n_xf == 255)
		return NULL;
	t = &m->xf[m->n_xf++];
	memset(t, 0, sizeof(*t));
	t->num = num;
	t->id = id;
	t->attr = m->n_attr;
	p->n_xf++;
	return t;
}

struct v1_attr *
v1_msg_add_attr(struct v1_msg *m, struct v1_transform *t, uint16_t type, uint64_t value)
{
	struct v1_attr *a;

	if (m->n_xf == 0 || t != &m->xf[m->n_xf - 1] || m->n_attr == V1_MSG_MAX_ATTR ||
	    t->attr + t->n_attr != m->n_attr || type > 0x7fff)
		return NULL;
	a = &m->attr[m->n_attr++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->value = value;
	if (value > 0xffff) {
		a->tlv = true;
		a->len = value > UINT32_MAX ? 8 : 4;
	}
	t->n_attr++;
	return a;
}

/* ------------------------------------------------------------------ looking at a message */

const struct v1_payload *
v1_msg_find(const struct v1_msg *m, uint8_t type, const struct v1_payload *after)
{
	unsigned i = after == NULL ? 0 : (unsigned)(after - m->pl) + 1;

	for (; i < m->n_pl; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

const struct v1_payload *
v1_msg_find_notify(const struct v1_msg *m, uint16_t type)
{
	const struct v1_payload *pl = NULL;

	while ((pl = v1_msg_find(m, V1_PL_NOTIFY, pl)) != NULL)
		if (pl->u.notify.type == type)
			return pl;
	return NULL;
}

/* The life type/duration pairs both phases share (RFC 2409 Appendix A, RFC 2407 §4.5): a
 * duration applies to the type right before it; each type once. */
struct life {
	uint16_t	type;		/* the Life Type awaiting its duration; 0: none */
	unsigned	seen;		/* bit per life type given */
};

static int
life_attr(struct life *l, const struct v1_attr *a, bool is_type, uint64_t *seconds,
    uint64_t *kilobytes)
{
	if (is_type) {
		if (a->tlv || l->type != 0 || (a->value != V1_LIFE_SECONDS &&
		    a->value != V1_LIFE_KILOBYTES) || (l->seen & (1u << a->value)))
			return -1;
		l->type = (uint16_t)a->value;
		l->seen |= 1u << a->value;
		return 0;
	}
	if (l->type == 0 || (a->tlv && a->len > 8) || a->value == 0)
		return -1;
	*(l->type == V1_LIFE_SECONDS ? seconds : kilobytes) = a->value;
	l->type = 0;
	return 0;
}

int
v1_xf_phase1(const struct v1_msg *m, const struct v1_transform *t, struct v1_phase1 *out)
{
	struct life l = { 0 };
	unsigned seen = 0;

	memset(out, 0, sizeof(*out));
	if ((size_t)t->attr + t->n_attr > m->n_attr)
		return -1;
	for (unsigned i = 0; i < t->n_attr; i++) {
		const struct v1_attr *a = &m->attr[t->attr + i];
		uint16_t *f;

		switch (a->type) {
		case V1_A1_LIFE_TYPE:
		case V1_A1_LIFE_DUR:
			if (life_attr(&l, a, a->type == V1_A1_LIFE_TYPE, &out->life_seconds,
			    &out->life_kilobytes) != 0)
				return -1;
			continue;
		case V1_A1_ENCR:	f = &out->encr; break;
		case V1_A1_HASH:	f = &out->hash; break;
		case V1_A1_AUTH:	f = &out->auth; break;
		case V1_A1_GROUP:	f = &out->group; break;
		case V1_A1_PRF:		f = &out->prf; break;
		case V1_A1_KEY_LEN:	f = &out->key_len; break;
		case V1_A1_GROUP_TYPE:	/* MODP only: the groups are named by number */
			if (a->tlv || a->value != 1 || (seen & (1u << a->type)))
				return -1;
			seen |= 1u << a->type;
			continue;
		default:		/* custom groups (classes 6-10, 15, 16) and the unknown */
			return -1;
		}
		if (a->tlv || (seen & (1u << a->type)))
			return -1;	/* basic attributes stay basic (RFC 2408 §3.3) */
		seen |= 1u << a->type;
		*f = (uint16_t)a->value;
	}
	return l.type == 0 ? 0 : -1;
}

int
v1_xf_phase2(const struct v1_msg *m, const struct v1_transform *t, struct v1_phase2 *out)
{
	struct life l = { 0 };
	unsigned seen = 0;

	memset(out, 0, sizeof(*out));
	if ((size_t)t->attr + t->n_attr > m->n_attr)
		return -1;
	for (unsigned i = 0; i < t->n_attr; i++) {
		const struct v1_attr *a = &m->attr[t->attr + i];
		uint16_t *f;

		switch (a->type) {
		case V1_A2_LIFE_TYPE:
		case V1_A2_LIFE_DUR:
			if (life_attr(&l, a, a->type == V1_A2_LIFE_TYPE, &out->life_seconds,
			    &out->life_kilobytes) != 0)
				return -1;
			continue;
		case V1_A2_GROUP:	f = &out->group; break;
		case V1_A2_ENCAP:	f = &out->encap; break;
		case V1_A2_AUTH:	f = &out->auth; break;
		case V1_A2_KEY_LEN:	f = &out->key_len; break;
		case V1_A2_KEY_ROUNDS:	f = &out->key_rounds; break;
		default:		/* compression, ECN, ESN and the unknown */
			return -1;
		}
		if (a->tlv || (seen & (1u << a->type)))
			return -1;
		seen |= 1u << a->type;
		*f = (uint16_t)a->value;
	}
	return l.type == 0 ? 0 : -1;
}

static bool
attr_eq(const struct v1_attr *a, const struct v1_attr *b)
{
	return a->type == b->type && a->tlv == b->tlv && a->len == b->len &&
	    a->value == b->value && chunk_eq(a->data, b->data);
}

static bool
sa_eq(const struct v1_msg *ma, const struct v1_payload *a, const struct v1_msg *mb,
    const struct v1_payload *b)
{
	if (a->u.sa.doi != b->u.sa.doi || a->u.sa.situation != b->u.sa.situation ||
	    a->u.sa.n_prop != b->u.sa.n_prop)
		return false;
	for (unsigned i = 0; i < a->u.sa.n_prop; i++) {
		const struct v1_proposal *pa = &ma->prop[a->u.sa.prop + i];
		const struct v1_proposal *pb = &mb->prop[b->u.sa.prop + i];

		if (pa->num != pb->num || pa->proto != pb->proto || !chunk_eq(pa->spi, pb->spi) ||
		    pa->n_xf != pb->n_xf)
			return false;
		for (unsigned j = 0; j < pa->n_xf; j++) {
			const struct v1_transform *ta = &ma->xf[pa->xf + j];
			const struct v1_transform *tb = &mb->xf[pb->xf + j];

			if (ta->num != tb->num || ta->id != tb->id || ta->n_attr != tb->n_attr)
				return false;
			for (unsigned k = 0; k < ta->n_attr; k++)
				if (!attr_eq(&ma->attr[ta->attr + k], &mb->attr[tb->attr + k]))
					return false;
		}
	}
	return true;
}

static bool
payload_eq(const struct v1_msg *ma, const struct v1_payload *a, const struct v1_msg *mb,
    const struct v1_payload *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case V1_PL_SA:
		return sa_eq(ma, a, mb, b);
	case V1_PL_ID:
		return a->u.id.type == b->u.id.type && a->u.id.proto == b->u.id.proto &&
		    a->u.id.port == b->u.id.port && chunk_eq(a->u.id.data, b->u.id.data);
	case V1_PL_NOTIFY:
		return a->u.notify.doi == b->u.notify.doi &&
		    a->u.notify.proto == b->u.notify.proto &&
		    a->u.notify.type == b->u.notify.type &&
		    chunk_eq(a->u.notify.spi, b->u.notify.spi) &&
		    chunk_eq(a->u.notify.data, b->u.notify.data);
	case V1_PL_DELETE:
		return a->u.del.doi == b->u.del.doi && a->u.del.proto == b->u.del.proto &&
		    a->u.del.spi_size == b->u.del.spi_size &&
		    a->u.del.n_spi == b->u.del.n_spi && chunk_eq(a->u.del.spis, b->u.del.spis);
	case V1_PL_NATOA:
	case V1_PL_NATOA_DRAFT:
		return a->u.natoa.type == b->u.natoa.type &&
		    chunk_eq(a->u.natoa.addr, b->u.natoa.addr);
	case V1_PL_CERT:
	case V1_PL_CR:
		return a->u.cert.encoding == b->u.cert.encoding &&
		    chunk_eq(a->u.cert.data, b->u.cert.data);
	default:
		return chunk_eq(a->u.data, b->u.data);
	}
}

bool
v1_msg_equal(const struct v1_msg *a, const struct v1_msg *b)
{
	const struct v1_hdr *x = &a->hdr, *y = &b->hdr;

	if (memcmp(x->icookie, y->icookie, V1_COOKIE_LEN) != 0 ||
	    memcmp(x->rcookie, y->rcookie, V1_COOKIE_LEN) != 0 || x->version != y->version ||
	    x->exchange != y->exchange || x->flags != y->flags || x->msg_id != y->msg_id ||
	    a->opened != b->opened || a->n_pl != b->n_pl)
		return false;
	if (a->n_pl == 0 && x->next != y->next)
		return false;		/* else the payloads say it */
	if (!a->opened && !chunk_eq(a->enc, b->enc))
		return false;
	for (unsigned i = 0; i < a->n_pl; i++)
		if (!payload_eq(a, &a->pl[i], b, &b->pl[i]))
			return false;
	return true;
}

static const char *
exchange_name(uint8_t x)
{
	switch (x) {
	case V1_X_BASE:		return "BASE";
	case V1_X_ID_PROT:	return "ID_PROT";
	case V1_X_AUTH_ONLY:	return "AUTH_ONLY";
	case V1_X_AGGRESSIVE:	return "AGGRESSIVE";
	case V1_X_INFO:		return "INFORMATIONAL";
	case V1_X_QUICK:	return "QUICK_MODE";
	case V1_X_NEW_GROUP:	return "NEW_GROUP";
	default:		return NULL;
	}
}

static const char *
notify_name(uint16_t t)
{
	switch (t) {
	case V1_N_INVALID_PAYLOAD_TYPE:		return "INVALID_PAYLOAD_TYPE";
	case V1_N_INVALID_COOKIE:		return "INVALID_COOKIE";
	case V1_N_INVALID_MAJOR_VERSION:	return "INVALID_MAJOR_VERSION";
	case V1_N_INVALID_SPI:			return "INVALID_SPI";
	case V1_N_ATTRIBUTES_NOT_SUPPORTED:	return "ATTRIBUTES_NOT_SUPPORTED";
	case V1_N_NO_PROPOSAL_CHOSEN:		return "NO_PROPOSAL_CHOSEN";
	case V1_N_BAD_PROPOSAL_SYNTAX:		return "BAD_PROPOSAL_SYNTAX";
	case V1_N_PAYLOAD_MALFORMED:		return "PAYLOAD_MALFORMED";
	case V1_N_INVALID_ID_INFORMATION:	return "INVALID_ID_INFORMATION";
	case V1_N_INVALID_HASH_INFORMATION:	return "INVALID_HASH_INFORMATION";
	case V1_N_AUTHENTICATION_FAILED:	return "AUTHENTICATION_FAILED";
	case V1_N_RESPONDER_LIFETIME:		return "RESPONDER_LIFETIME";
	case V1_N_INITIAL_CONTACT:		return "INITIAL_CONTACT";
	case V1_N_R_U_THERE:			return "R_U_THERE";
	case V1_N_R_U_THERE_ACK:		return "R_U_THERE_ACK";
	default:				return NULL;
	}
}

static const char *
payload_name(uint8_t t)
{
	static const char *const names[] = {
		[V1_PL_SA] = "SA", [V1_PL_KE] = "KE", [V1_PL_ID] = "ID", [V1_PL_CERT] = "CERT",
		[V1_PL_CR] = "CR", [V1_PL_HASH] = "HASH", [V1_PL_SIG] = "SIG",
		[V1_PL_NONCE] = "No", [V1_PL_NOTIFY] = "N", [V1_PL_DELETE] = "D",
		[V1_PL_VENDOR] = "V", [V1_PL_NATD] = "NAT-D", [V1_PL_NATOA] = "NAT-OA",
	};

	if (t == V1_PL_NATD_DRAFT)
		return "NAT-D";
	if (t == V1_PL_NATOA_DRAFT)
		return "NAT-OA";
	return t < sizeof(names) / sizeof(names[0]) ? names[t] : NULL;
}

/* Append to buf[*n .. cap), cutting at cap - 1. */
static void cat(char *buf, size_t cap, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
cat(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n + 1 >= cap)
		return;
	va_start(ap, fmt);
	k = vsnprintf(buf + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n = *n + (size_t)k < cap ? *n + (size_t)k : cap - 1;
}

char *
v1_msg_summary(const struct v1_msg *m, char *buf, size_t cap)
{
	const char *x = exchange_name(m->hdr.exchange);
	size_t n = 0;

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	if (x != NULL)
		cat(buf, cap, &n, "%s", x);
	else
		cat(buf, cap, &n, "exchange %u", m->hdr.exchange);
	cat(buf, cap, &n, " %u [", m->hdr.msg_id);
	if ((m->hdr.flags & V1_F_ENCRYPTED) && !m->opened && m->n_pl == 0)
		cat(buf, cap, &n, " encrypted %zu", m->enc.len);
	for (unsigned i = 0; i < m->n_pl; i++) {
		const struct v1_payload *pl = &m->pl[i];
		const char *name = payload_name(pl->type);

		if (pl->type == V1_PL_NOTIFY && notify_name(pl->u.notify.type) != NULL)
			cat(buf, cap, &n, " N(%s)", notify_name(pl->u.notify.type));
		else if (pl->type == V1_PL_NOTIFY)
			cat(buf, cap, &n, " N(%u)", pl->u.notify.type);
		else if (name != NULL)
			cat(buf, cap, &n, " %s", name);
		else
			cat(buf, cap, &n, " PL(%u)", pl->type);
	}
	cat(buf, cap, &n, " ]");
	return buf;
}
