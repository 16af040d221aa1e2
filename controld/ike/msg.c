/* SPDX-License-Identifier: Apache-2.0 */
/* msg.c: parse and build IKEv2 messages (RFC 7296 §3).  Every message is hostile until
 * authenticated (docs/design.md "IKE", Untrusted input): each length is checked against what is
 * left before a byte is read, a message can make us hold no more than the fixed pools of struct
 * ike_msg, and nothing here allocates.  The struct points into the caller's buffer; nothing is
 * copied but the numbers.
 *
 * Strictness: what RFC 7296 defines exactly is checked exactly (the Last Substruc values of
 * proposals and transforms, a Delete's SPI count against its length, selector lengths against
 * their type, the nonce size of §3.9), because a builder would otherwise write something else
 * than it read.  Reserved fields are ignored when read and written as zero (§3), so a message
 * with nonzero reserved bits rebuilds to other bytes but the same struct. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "controld/ike/bytes.h"
#include "controld/ike/msg.h"

static const struct {
	uint16_t	notify;
	const char	*text;
} perr[IKE_PERR_MAX] = {
	[IKE_PERR_OK] = { 0, "parsed" },
#define X(n, nt, t) [IKE_PERR_##n] = { nt, t },
	IKE_PERR_LIST(X)
#undef X
};

const char *
ike_perr_text(enum ike_perr e)
{
	return (unsigned)e < IKE_PERR_MAX ? perr[e].text : "?";
}

uint16_t
ike_perr_notify(enum ike_perr e)
{
	return (unsigned)e < IKE_PERR_MAX ? perr[e].notify : 0;
}

/* ------------------------------------------------------------------ parsing payload bodies */

/* §3.3.5: attributes of one transform.  Only one Key Length (TV) is understood; anything else
 * keeps all attributes verbatim in attrs so the policy can skip the transform (§3.3.6). */
static enum ike_perr
parse_attrs(struct ike_transform *t, const uint8_t *b, size_t len)
{
	size_t off = 0;
	unsigned n_key = 0, n_other = 0;

	while (off < len) {
		uint16_t at;

		if (len - off < 4)
			return IKE_PERR_SYNTAX;
		at = be16(b + off);
		if (at & IKE_ATTR_TV) {
			if ((at & ~IKE_ATTR_TV) == IKE_ATTR_KEY_LEN && n_key++ == 0) {
				t->key_len = be16(b + off + 2);
				if (t->key_len == 0)
					return IKE_PERR_SYNTAX;
			} else {
				n_other++;
			}
			off += 4;
		} else {
			size_t alen = be16(b + off + 2);

			if (len - off - 4 < alen)
				return IKE_PERR_SYNTAX;
			n_other++;
			off += 4 + alen;
		}
	}
	if (n_other > 0 || n_key > 1)
		t->attrs = chunk(b, len);
	return IKE_PERR_OK;
}

/* §3.3.2: the transforms of one proposal, b[0 .. len) after its SPI. */
static enum ike_perr
parse_transforms(struct ike_msg *m, struct ike_proposal *p, unsigned n, const uint8_t *b,
    size_t len)
{
	size_t off = 0;
	enum ike_perr e;

	p->xf = m->n_xf;
	for (unsigned i = 0; i < n; i++) {
		struct ike_transform *t;
		size_t tlen;

		if (len - off < 8)
			return IKE_PERR_SYNTAX;
		tlen = be16(b + off + 2);
		if (tlen < 8 || tlen > len - off)
			return IKE_PERR_SYNTAX;
		if (b[off] != (i + 1 == n ? 0 : 3))	/* Last Substruc: 0 last, 3 more */
			return IKE_PERR_SYNTAX;
		if (m->n_xf == IKE_MSG_MAX_XF)
			return IKE_PERR_TOO_MANY;
		t = &m->xf[m->n_xf++];
		memset(t, 0, sizeof(*t));
		t->type = b[off + 4];
		t->id = be16(b + off + 6);
		if ((e = parse_attrs(t, b + off + 8, tlen - 8)) != IKE_PERR_OK)
			return e;
		off += tlen;
	}
	p->n_xf = (uint16_t)n;
	return off == len ? IKE_PERR_OK : IKE_PERR_SYNTAX;
}

/* §3.3.1: an SA payload is a list of proposals, each ending where its length says. */
static enum ike_perr
parse_sa(struct ike_msg *m, struct ike_payload *pl, const uint8_t *b, size_t len)
{
	size_t off = 0;
	enum ike_perr e;

	pl->u.sa.prop = m->n_prop;
	pl->u.sa.n_prop = 0;
	while (off < len) {
		struct ike_proposal *p;
		size_t plen, spi_len;

		if (len - off < 8)
			return IKE_PERR_SYNTAX;
		plen = be16(b + off + 2);
		spi_len = b[off + 6];
		if (plen < 8 + spi_len || plen > len - off)
			return IKE_PERR_SYNTAX;
		if (b[off] != (off + plen == len ? 0 : 2))	/* Last Substruc: 0 last */
			return IKE_PERR_SYNTAX;
		if (m->n_prop == IKE_MSG_MAX_PROP)
			return IKE_PERR_TOO_MANY;
		p = &m->prop[m->n_prop++];
		memset(p, 0, sizeof(*p));
		p->num = b[off + 4];
		p->proto = b[off + 5];
		p->spi = chunk(b + off + 8, spi_len);
		e = parse_transforms(m, p, b[off + 7], b + off + 8 + spi_len, plen - 8 - spi_len);
		if (e != IKE_PERR_OK)
			return e;
		pl->u.sa.n_prop++;
		off += plen;
	}
	return IKE_PERR_OK;
}

/* §3.13: traffic selectors, IPv4 and IPv6 address ranges. */
static enum ike_perr
parse_ts(struct ike_msg *m, struct ike_payload *pl, const uint8_t *b, size_t len)
{
	size_t off = 4;
	unsigned n;

	if (len < 4)
		return IKE_PERR_SYNTAX;
	n = b[0];
	pl->u.ts.ts = m->n_ts;
	pl->u.ts.n_ts = 0;
	for (unsigned i = 0; i < n; i++) {
		struct ike_ts *t;
		size_t slen, alen;

		if (len - off < 8)
			return IKE_PERR_SYNTAX;
		slen = be16(b + off + 2);
		if (b[off] == IKE_TS_IPV4_RANGE)
			alen = 4;
		else if (b[off] == IKE_TS_IPV6_RANGE)
			alen = 16;
		else
			return IKE_PERR_SYNTAX;	/* XXX: could be kept raw instead */
		if (slen != 8 + 2 * alen || slen > len - off)
			return IKE_PERR_SYNTAX;
		if (m->n_ts == IKE_MSG_MAX_TS)
			return IKE_PERR_TOO_MANY;
		t = &m->ts[m->n_ts++];
		memset(t, 0, sizeof(*t));
		t->type = b[off];
		t->proto = b[off + 1];
		t->sport = be16(b + off + 4);
		t->eport = be16(b + off + 6);
		memcpy(t->start, b + off + 8, alen);
		memcpy(t->end, b + off + 8 + alen, alen);
		pl->u.ts.n_ts++;
		off += slen;
	}
	return off == len ? IKE_PERR_OK : IKE_PERR_SYNTAX;
}

/* One payload body, b[0 .. len) after the generic header. */
static enum ike_perr
parse_body(struct ike_msg *m, struct ike_payload *pl, const uint8_t *b, size_t len)
{
	switch (pl->type) {
	case IKE_PL_SA:
		return parse_sa(m, pl, b, len);
	case IKE_PL_KE:		/* §3.4: group, reserved, data */
		if (len < 4)
			return IKE_PERR_SYNTAX;
		pl->u.ke.group = be16(b);
		pl->u.ke.data = chunk(b + 4, len - 4);
		return IKE_PERR_OK;
	case IKE_PL_IDI:	/* §3.5: type, 3 reserved, data */
	case IKE_PL_IDR:
		if (len < 4)
			return IKE_PERR_SYNTAX;
		pl->u.id.type = b[0];
		pl->u.id.data = chunk(b + 4, len - 4);
		return IKE_PERR_OK;
	case IKE_PL_AUTH:	/* §3.8: method, 3 reserved, data */
		if (len < 4)
			return IKE_PERR_SYNTAX;
		pl->u.auth.method = b[0];
		pl->u.auth.data = chunk(b + 4, len - 4);
		return IKE_PERR_OK;
	case IKE_PL_NONCE:	/* §3.9: 16 to 256 octets */
		if (len < IKE_NONCE_MIN || len > IKE_NONCE_MAX)
			return IKE_PERR_SYNTAX;
		pl->u.nonce.data = chunk(b, len);
		return IKE_PERR_OK;
	case IKE_PL_NOTIFY:	/* §3.10: protocol, SPI size, type, SPI, data */
		if (len < 4 || len - 4 < b[1])
			return IKE_PERR_SYNTAX;
		pl->u.notify.proto = b[0];
		pl->u.notify.type = be16(b + 2);
		pl->u.notify.spi = chunk(b + 4, b[1]);
		pl->u.notify.data = chunk(b + 4 + b[1], len - 4 - b[1]);
		return IKE_PERR_OK;
	case IKE_PL_DELETE:	/* §3.11: protocol, SPI size, number of SPIs, SPIs */
		if (len < 4 || len - 4 != (size_t)b[1] * be16(b + 2))
			return IKE_PERR_SYNTAX;
		pl->u.del.proto = b[0];
		pl->u.del.spi_size = b[1];
		pl->u.del.n_spi = be16(b + 2);
		pl->u.del.spis = chunk(b + 4, len - 4);
		return IKE_PERR_OK;
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		return parse_ts(m, pl, b, len);
	default:		/* CERT, CERTREQ, V, CP, EAP, unknown: kept, not read */
		pl->u.raw = chunk(b, len);
		return IKE_PERR_OK;
	}
}

static bool
known_type(uint8_t t)
{
	return (t >= IKE_PL_SA && t <= IKE_PL_EAP) || t == IKE_PL_SKF;
}

/* §3.2: a chain of payloads in b[0 .. len), the first of type next; base is b's offset in
 * what err_off counts.  An Encrypted payload ends the chain and must end b. */
static enum ike_perr
parse_chain(struct ike_msg *m, const uint8_t *b, size_t len, size_t base, uint8_t next,
    bool inner)
{
	size_t off = 0;

	while (next != IKE_PL_NONE) {
		struct ike_payload *pl;
		enum ike_perr e = IKE_PERR_OK;
		size_t plen;

		m->err_off = (uint32_t)(base + off);
		m->err_type = next;
		if (len - off < IKE_PL_HDR_LEN)
			return IKE_PERR_TRUNCATED;
		plen = be16(b + off + 2);
		if (plen < IKE_PL_HDR_LEN || plen > len - off)
			return IKE_PERR_TRUNCATED;
		if (!known_type(next) && (b[off + 1] & IKE_PL_CRITICAL))
			return IKE_PERR_CRITICAL;		/* §2.5 */
		if (m->n_pl == IKE_MSG_MAX_PL)
			return IKE_PERR_TOO_MANY;
		pl = &m->pl[m->n_pl];
		memset(pl, 0, sizeof(*pl));
		pl->type = next;
		pl->flags = b[off + 1] & IKE_PL_CRITICAL;
		pl->inner = inner;
		pl->body = chunk(b + off + IKE_PL_HDR_LEN, plen - IKE_PL_HDR_LEN);
		if (next == IKE_PL_SK || next == IKE_PL_SKF) {
			if (inner || off + plen != len)	/* §3.14: the last payload */
				return IKE_PERR_SK_NOT_LAST;
			pl->u.sk.first = b[off];
			pl->u.sk.body = pl->body;
			m->n_pl++;
			return IKE_PERR_OK;
		}
		e = parse_body(m, pl, pl->body.p, pl->body.len);
		if (e != IKE_PERR_OK)
			return e;
		m->n_pl++;
		next = b[off];
		off += plen;
	}
	m->err_off = (uint32_t)(base + off);
	m->err_type = IKE_PL_NONE;
	return off == len ? IKE_PERR_OK : IKE_PERR_TRAILING;
}

enum ike_perr
ike_msg_parse(struct ike_msg *m, const uint8_t *buf, size_t len)
{
	struct ike_hdr *h = &m->hdr;
	enum ike_perr e;

	m->n_pl = m->n_prop = m->n_xf = m->n_ts = 0;
	m->err_off = 0;
	m->err_type = IKE_PL_NONE;
	if (len < IKE_HDR_LEN)
		return IKE_PERR_SHORT;
	memcpy(h->spi_i, buf, IKE_SPI_LEN);
	memcpy(h->spi_r, buf + 8, IKE_SPI_LEN);
	h->next = buf[16];
	h->version = buf[17];
	h->exchange = buf[18];
	h->flags = buf[19] & IKE_F_ALL;
	h->msg_id = be32(buf + 20);
	h->length = be32(buf + 24);
	if ((h->version >> 4) < 2)
		return IKE_PERR_OLD_VERSION;
	if ((h->version >> 4) > 2)
		return IKE_PERR_VERSION;	/* §2.5: answer with the highest we speak */
	if (h->length != len)
		return IKE_PERR_LENGTH;
	e = parse_chain(m, buf + IKE_HDR_LEN, len - IKE_HDR_LEN, IKE_HDR_LEN, h->next, false);
	if (e != IKE_PERR_OK)
		m->n_pl = 0;		/* nothing half-parsed is looked at */
	return e;
}

enum ike_perr
ike_msg_parse_inner(struct ike_msg *m, const uint8_t *plain, size_t len)
{
	const struct ike_payload *sk = NULL;
	uint16_t n_pl = m->n_pl;
	enum ike_perr e;

	for (unsigned i = 0; i < m->n_pl; i++)
		if (m->pl[i].type == IKE_PL_SK && !m->pl[i].inner)
			sk = &m->pl[i];
		else if (m->pl[i].inner)
			return IKE_PERR_SK_NOT_LAST;	/* opened twice */
	if (sk == NULL)
		return IKE_PERR_SK_NOT_LAST;
	if ((e = parse_chain(m, plain, len, 0, sk->u.sk.first, true)) != IKE_PERR_OK)
		m->n_pl = n_pl;
	return e;
}

/* --------------------------------------------------------------------------- building */

static void
zeros(struct wbuf *w, size_t n)
{
	static const uint8_t z[4];

	put(w, z, n);
}

/* Write the 16-bit length of what was written since start at w->p[at]. */
static bool
patch16(struct wbuf *w, size_t at, size_t start)
{
	size_t n = w->len - start;

	if (w->over || n > 0xffff)
		return false;
	w->p[at] = (uint8_t)(n >> 8);
	w->p[at + 1] = (uint8_t)n;
	return true;
}

static bool
build_transform(struct wbuf *w, const struct ike_transform *t, bool last)
{
	size_t start = w->len;

	put8(w, last ? 0 : 3);
	zeros(w, 1);
	put16(w, 0);
	put8(w, t->type);
	zeros(w, 1);
	put16(w, t->id);
	if (t->attrs.len > 0) {
		put(w, t->attrs.p, t->attrs.len);
	} else if (t->key_len != 0) {
		put16(w, IKE_ATTR_TV | IKE_ATTR_KEY_LEN);
		put16(w, t->key_len);
	}
	return patch16(w, start + 2, start);
}

static bool
build_sa(struct wbuf *w, const struct ike_msg *m, const struct ike_payload *pl)
{
	if ((size_t)pl->u.sa.prop + pl->u.sa.n_prop > m->n_prop)
		return false;
	for (unsigned i = 0; i < pl->u.sa.n_prop; i++) {
		const struct ike_proposal *p = &m->prop[pl->u.sa.prop + i];
		size_t start = w->len;

		if ((size_t)p->xf + p->n_xf > m->n_xf || p->n_xf > 255 || p->spi.len > 255)
			return false;
		put8(w, i + 1 == pl->u.sa.n_prop ? 0 : 2);
		zeros(w, 1);
		put16(w, 0);
		put8(w, p->num);
		put8(w, p->proto);
		put8(w, p->spi.len);
		put8(w, p->n_xf);
		put(w, p->spi.p, p->spi.len);
		for (unsigned j = 0; j < p->n_xf; j++)
			if (!build_transform(w, &m->xf[p->xf + j], j + 1 == p->n_xf))
				return false;
		if (!patch16(w, start + 2, start))
			return false;
	}
	return true;
}

static bool
build_ts(struct wbuf *w, const struct ike_msg *m, const struct ike_payload *pl)
{
	if ((size_t)pl->u.ts.ts + pl->u.ts.n_ts > m->n_ts || pl->u.ts.n_ts > 255)
		return false;
	put8(w, pl->u.ts.n_ts);
	zeros(w, 3);
	for (unsigned i = 0; i < pl->u.ts.n_ts; i++) {
		const struct ike_ts *t = &m->ts[pl->u.ts.ts + i];
		size_t alen;

		if (t->type == IKE_TS_IPV4_RANGE)
			alen = 4;
		else if (t->type == IKE_TS_IPV6_RANGE)
			alen = 16;
		else
			return false;
		put8(w, t->type);
		put8(w, t->proto);
		put16(w, 8 + 2 * alen);
		put16(w, t->sport);
		put16(w, t->eport);
		put(w, t->start, alen);
		put(w, t->end, alen);
	}
	return true;
}

static bool
build_body(struct wbuf *w, const struct ike_msg *m, const struct ike_payload *pl)
{
	switch (pl->type) {
	case IKE_PL_SA:
		return build_sa(w, m, pl);
	case IKE_PL_KE:
		put16(w, pl->u.ke.group);
		zeros(w, 2);
		put(w, pl->u.ke.data.p, pl->u.ke.data.len);
		return true;
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		put8(w, pl->u.id.type);
		zeros(w, 3);
		put(w, pl->u.id.data.p, pl->u.id.data.len);
		return true;
	case IKE_PL_AUTH:
		put8(w, pl->u.auth.method);
		zeros(w, 3);
		put(w, pl->u.auth.data.p, pl->u.auth.data.len);
		return true;
	case IKE_PL_NONCE:
		put(w, pl->u.nonce.data.p, pl->u.nonce.data.len);
		return true;
	case IKE_PL_NOTIFY:
		if (pl->u.notify.spi.len > 255)
			return false;
		put8(w, pl->u.notify.proto);
		put8(w, pl->u.notify.spi.len);
		put16(w, pl->u.notify.type);
		put(w, pl->u.notify.spi.p, pl->u.notify.spi.len);
		put(w, pl->u.notify.data.p, pl->u.notify.data.len);
		return true;
	case IKE_PL_DELETE:
		if (pl->u.del.spis.len != (size_t)pl->u.del.spi_size * pl->u.del.n_spi)
			return false;
		put8(w, pl->u.del.proto);
		put8(w, pl->u.del.spi_size);
		put16(w, pl->u.del.n_spi);
		put(w, pl->u.del.spis.p, pl->u.del.spis.len);
		return true;
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		return build_ts(w, m, pl);
	case IKE_PL_SK:
	case IKE_PL_SKF:
		put(w, pl->u.sk.body.p, pl->u.sk.body.len);
		return true;
	default:
		put(w, pl->u.raw.p, pl->u.raw.len);
		return true;
	}
}

/* Index of the next payload of m after i in the same chain (inner or not), or n_pl;
 * i = -1 gives the first. */
static unsigned
next_in_chain(const struct ike_msg *m, int i, bool inner)
{
	unsigned k;

	for (k = (unsigned)(i + 1); k < m->n_pl; k++)
		if (m->pl[k].inner == inner)
			break;
	return k;
}

/* One chain: the payloads of m with this inner flag, from index i on.  An Encrypted payload
 * is the last of the outer chain; when m has inner payloads they are its content. */
static bool
build_chain(struct wbuf *w, const struct ike_msg *m, unsigned i, bool inner, size_t *sk_off)
{
	unsigned first_inner = next_in_chain(m, -1, true);

	while (i < m->n_pl) {
		const struct ike_payload *pl = &m->pl[i];
		unsigned j = next_in_chain(m, (int)i, inner);
		bool sk = pl->type == IKE_PL_SK || pl->type == IKE_PL_SKF;
		bool open = sk && (first_inner < m->n_pl || pl->u.sk.body.p == NULL);
		size_t start = w->len;

		if (sk && (inner || j < m->n_pl))
			return false;		/* nested, or an outer payload after it */
		if (open && pl->type != IKE_PL_SK)
			return false;		/* we never fragment (RFC 7383) */
		if (open)
			put8(w, first_inner < m->n_pl ? m->pl[first_inner].type : IKE_PL_NONE);
		else if (sk)
			put8(w, pl->u.sk.first);
		else
			put8(w, j < m->n_pl ? m->pl[j].type : IKE_PL_NONE);
		put8(w, pl->flags & IKE_PL_CRITICAL);
		put16(w, 0);
		if (open) {
			*sk_off = start;	/* ike_sk_seal() makes the body and its length */
			return (first_inner == m->n_pl ||
			    build_chain(w, m, first_inner, true, sk_off)) &&
			    patch16(w, start + 2, start);
		}
		if (!build_body(w, m, pl) || !patch16(w, start + 2, start))
			return false;
		i = j;
	}
	return true;
}

int
ike_msg_build(const struct ike_msg *m, uint8_t *buf, size_t cap, size_t *len, size_t *sk_off)
{
	struct wbuf w = { .p = buf, .cap = cap };
	unsigned first = next_in_chain(m, -1, false);
	bool has_sk = false;
	size_t sk = 0;

	for (unsigned i = 0; i < m->n_pl; i++)
		has_sk |= !m->pl[i].inner && m->pl[i].type == IKE_PL_SK;
	if (!has_sk && next_in_chain(m, -1, true) < m->n_pl)
		return -1;		/* inner payloads need an Encrypted payload */
	put(&w, m->hdr.spi_i, IKE_SPI_LEN);
	put(&w, m->hdr.spi_r, IKE_SPI_LEN);
	put8(&w, first < m->n_pl ? m->pl[first].type : IKE_PL_NONE);
	put8(&w, m->hdr.version);
	put8(&w, m->hdr.exchange);
	put8(&w, m->hdr.flags & IKE_F_ALL);
	put32(&w, m->hdr.msg_id);
	put32(&w, 0);
	if (!build_chain(&w, m, first, false, &sk) || w.over)
		return -1;
	buf[24] = (uint8_t)(w.len >> 24);
	buf[25] = (uint8_t)(w.len >> 16);
	buf[26] = (uint8_t)(w.len >> 8);
	buf[27] = (uint8_t)w.len;
	*len = w.len;
	if (sk_off != NULL)
		*sk_off = sk;
	return 0;
}

/* ------------------------------------------------------------------ making a message */

void
ike_msg_init(struct ike_msg *m, const uint8_t spi_i[IKE_SPI_LEN],
    const uint8_t spi_r[IKE_SPI_LEN], uint8_t exchange, uint8_t flags, uint32_t msg_id)
{
	memset(&m->hdr, 0, sizeof(m->hdr));
	memcpy(m->hdr.spi_i, spi_i, IKE_SPI_LEN);
	memcpy(m->hdr.spi_r, spi_r, IKE_SPI_LEN);
	m->hdr.version = IKE_VERSION;
	m->hdr.exchange = exchange;
	m->hdr.flags = flags & IKE_F_ALL;
	m->hdr.msg_id = msg_id;
	m->n_pl = m->n_prop = m->n_xf = m->n_ts = 0;
	m->err_off = 0;
	m->err_type = IKE_PL_NONE;
}

struct ike_payload *
ike_msg_add(struct ike_msg *m, uint8_t type, bool inner)
{
	struct ike_payload *pl;

	if (m->n_pl == IKE_MSG_MAX_PL)
		return NULL;
	pl = &m->pl[m->n_pl++];
	memset(pl, 0, sizeof(*pl));
	pl->type = type;
	pl->inner = inner;
	if (type == IKE_PL_SA)
		pl->u.sa.prop = m->n_prop;
	else if (type == IKE_PL_TSI || type == IKE_PL_TSR)
		pl->u.ts.ts = m->n_ts;
	return pl;
}

struct ike_proposal *
ike_msg_add_proposal(struct ike_msg *m, struct ike_payload *sa, uint8_t num, uint8_t proto,
    struct ike_chunk spi)
{
	struct ike_proposal *p;

	if (sa->type != IKE_PL_SA || m->n_prop == IKE_MSG_MAX_PROP ||
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

struct ike_transform *
ike_msg_add_transform(struct ike_msg *m, struct ike_proposal *p, uint8_t type, uint16_t id,
    uint16_t key_len)
{
	struct ike_transform *t;

	if (m->n_xf == IKE_MSG_MAX_XF || p->xf + p->n_xf != m->n_xf || p->n_xf == 255)
		return NULL;
	t = &m->xf[m->n_xf++];
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->id = id;
	t->key_len = key_len;
	p->n_xf++;
	return t;
}

struct ike_ts *
ike_msg_add_ts(struct ike_msg *m, struct ike_payload *tsp)
{
	struct ike_ts *t;

	if ((tsp->type != IKE_PL_TSI && tsp->type != IKE_PL_TSR) || m->n_ts == IKE_MSG_MAX_TS ||
	    tsp->u.ts.ts + tsp->u.ts.n_ts != m->n_ts || tsp->u.ts.n_ts == 255)
		return NULL;
	t = &m->ts[m->n_ts++];
	memset(t, 0, sizeof(*t));
	tsp->u.ts.n_ts++;
	return t;
}

/* ------------------------------------------------------------------ looking at a message */

const struct ike_payload *
ike_msg_find(const struct ike_msg *m, uint8_t type, const struct ike_payload *after)
{
	unsigned i = after == NULL ? 0 : (unsigned)(after - m->pl) + 1;

	for (; i < m->n_pl; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

const struct ike_payload *
ike_msg_find_notify(const struct ike_msg *m, uint16_t type)
{
	const struct ike_payload *pl = NULL;

	while ((pl = ike_msg_find(m, IKE_PL_NOTIFY, pl)) != NULL)
		if (pl->u.notify.type == type)
			return pl;
	return NULL;
}

static bool
transform_eq(const struct ike_transform *a, const struct ike_transform *b)
{
	return a->type == b->type && a->id == b->id && a->key_len == b->key_len &&
	    chunk_eq(a->attrs, b->attrs);
}

static bool
sa_eq(const struct ike_msg *ma, const struct ike_payload *a, const struct ike_msg *mb,
    const struct ike_payload *b)
{
	if (a->u.sa.n_prop != b->u.sa.n_prop)
		return false;
	for (unsigned i = 0; i < a->u.sa.n_prop; i++) {
		const struct ike_proposal *pa = &ma->prop[a->u.sa.prop + i];
		const struct ike_proposal *pb = &mb->prop[b->u.sa.prop + i];

		if (pa->num != pb->num || pa->proto != pb->proto || !chunk_eq(pa->spi, pb->spi) ||
		    pa->n_xf != pb->n_xf)
			return false;
		for (unsigned j = 0; j < pa->n_xf; j++)
			if (!transform_eq(&ma->xf[pa->xf + j], &mb->xf[pb->xf + j]))
				return false;
	}
	return true;
}

static bool
ts_eq(const struct ike_msg *ma, const struct ike_payload *a, const struct ike_msg *mb,
    const struct ike_payload *b)
{
	if (a->u.ts.n_ts != b->u.ts.n_ts)
		return false;
	for (unsigned i = 0; i < a->u.ts.n_ts; i++) {
		const struct ike_ts *x = &ma->ts[a->u.ts.ts + i], *y = &mb->ts[b->u.ts.ts + i];

		if (x->type != y->type || x->proto != y->proto || x->sport != y->sport ||
		    x->eport != y->eport || memcmp(x->start, y->start, sizeof(x->start)) != 0 ||
		    memcmp(x->end, y->end, sizeof(x->end)) != 0)
			return false;
	}
	return true;
}

static bool
payload_eq(const struct ike_msg *ma, const struct ike_payload *a, const struct ike_msg *mb,
    const struct ike_payload *b)
{
	if (a->type != b->type || a->flags != b->flags || a->inner != b->inner)
		return false;
	switch (a->type) {
	case IKE_PL_SA:
		return sa_eq(ma, a, mb, b);
	case IKE_PL_KE:
		return a->u.ke.group == b->u.ke.group && chunk_eq(a->u.ke.data, b->u.ke.data);
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		return a->u.id.type == b->u.id.type && chunk_eq(a->u.id.data, b->u.id.data);
	case IKE_PL_AUTH:
		return a->u.auth.method == b->u.auth.method &&
		    chunk_eq(a->u.auth.data, b->u.auth.data);
	case IKE_PL_NONCE:
		return chunk_eq(a->u.nonce.data, b->u.nonce.data);
	case IKE_PL_NOTIFY:
		return a->u.notify.proto == b->u.notify.proto &&
		    a->u.notify.type == b->u.notify.type &&
		    chunk_eq(a->u.notify.spi, b->u.notify.spi) &&
		    chunk_eq(a->u.notify.data, b->u.notify.data);
	case IKE_PL_DELETE:
		return a->u.del.proto == b->u.del.proto &&
		    a->u.del.spi_size == b->u.del.spi_size &&
		    a->u.del.n_spi == b->u.del.n_spi && chunk_eq(a->u.del.spis, b->u.del.spis);
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		return ts_eq(ma, a, mb, b);
	case IKE_PL_SK:
	case IKE_PL_SKF:
		return a->u.sk.first == b->u.sk.first && chunk_eq(a->u.sk.body, b->u.sk.body);
	default:
		return chunk_eq(a->u.raw, b->u.raw);
	}
}

bool
ike_msg_equal(const struct ike_msg *a, const struct ike_msg *b)
{
	const struct ike_hdr *x = &a->hdr, *y = &b->hdr;

	if (memcmp(x->spi_i, y->spi_i, IKE_SPI_LEN) != 0 ||
	    memcmp(x->spi_r, y->spi_r, IKE_SPI_LEN) != 0 || x->version != y->version ||
	    x->exchange != y->exchange || x->flags != y->flags || x->msg_id != y->msg_id ||
	    x->next != y->next || x->length != y->length || a->n_pl != b->n_pl)
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
	case IKE_SA_INIT:		return "IKE_SA_INIT";
	case IKE_AUTH:			return "IKE_AUTH";
	case IKE_CREATE_CHILD_SA:	return "CREATE_CHILD_SA";
	case IKE_INFORMATIONAL:		return "INFORMATIONAL";
	default:			return NULL;
	}
}

static const char *
notify_name(uint16_t t)
{
	static const struct { uint16_t t; const char *name; } names[] = {
		{ IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, "UNSUPPORTED_CRITICAL_PAYLOAD" },
		{ IKE_N_INVALID_IKE_SPI, "INVALID_IKE_SPI" },
		{ IKE_N_INVALID_MAJOR_VERSION, "INVALID_MAJOR_VERSION" },
		{ IKE_N_INVALID_SYNTAX, "INVALID_SYNTAX" },
		{ IKE_N_INVALID_MESSAGE_ID, "INVALID_MESSAGE_ID" },
		{ IKE_N_INVALID_SPI, "INVALID_SPI" },
		{ IKE_N_NO_PROPOSAL_CHOSEN, "NO_PROPOSAL_CHOSEN" },
		{ IKE_N_INVALID_KE_PAYLOAD, "INVALID_KE_PAYLOAD" },
		{ IKE_N_AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED" },
		{ IKE_N_SINGLE_PAIR_REQUIRED, "SINGLE_PAIR_REQUIRED" },
		{ IKE_N_NO_ADDITIONAL_SAS, "NO_ADDITIONAL_SAS" },
		{ IKE_N_INTERNAL_ADDRESS_FAILURE, "INTERNAL_ADDRESS_FAILURE" },
		{ IKE_N_FAILED_CP_REQUIRED, "FAILED_CP_REQUIRED" },
		{ IKE_N_TS_UNACCEPTABLE, "TS_UNACCEPTABLE" },
		{ IKE_N_INVALID_SELECTORS, "INVALID_SELECTORS" },
		{ IKE_N_TEMPORARY_FAILURE, "TEMPORARY_FAILURE" },
		{ IKE_N_CHILD_SA_NOT_FOUND, "CHILD_SA_NOT_FOUND" },
		{ IKE_N_INITIAL_CONTACT, "INITIAL_CONTACT" },
		{ IKE_N_SET_WINDOW_SIZE, "SET_WINDOW_SIZE" },
		{ IKE_N_ADDITIONAL_TS_POSSIBLE, "ADDITIONAL_TS_POSSIBLE" },
		{ IKE_N_IPCOMP_SUPPORTED, "IPCOMP_SUPPORTED" },
		{ IKE_N_NAT_DETECTION_SOURCE_IP, "NAT_DETECTION_SOURCE_IP" },
		{ IKE_N_NAT_DETECTION_DESTINATION_IP, "NAT_DETECTION_DESTINATION_IP" },
		{ IKE_N_COOKIE, "COOKIE" },
		{ IKE_N_USE_TRANSPORT_MODE, "USE_TRANSPORT_MODE" },
		{ IKE_N_REKEY_SA, "REKEY_SA" },
		{ IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED, "ESP_TFC_PADDING_NOT_SUPPORTED" },
		{ IKE_N_NON_FIRST_FRAGMENTS_ALSO, "NON_FIRST_FRAGMENTS_ALSO" },
		{ IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, "IKEV2_FRAGMENTATION_SUPPORTED" },
		{ IKE_N_SIGNATURE_HASH_ALGORITHMS, "SIGNATURE_HASH_ALGORITHMS" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == t)
			return names[i].name;
	return NULL;
}

static const char *
payload_name(uint8_t t)
{
	static const char *const names[] = {
		[IKE_PL_SA] = "SA", [IKE_PL_KE] = "KE", [IKE_PL_IDI] = "IDi",
		[IKE_PL_IDR] = "IDr", [IKE_PL_CERT] = "CERT", [IKE_PL_CERTREQ] = "CERTREQ",
		[IKE_PL_AUTH] = "AUTH", [IKE_PL_NONCE] = "No", [IKE_PL_NOTIFY] = "N",
		[IKE_PL_DELETE] = "D", [IKE_PL_VENDOR] = "V", [IKE_PL_TSI] = "TSi",
		[IKE_PL_TSR] = "TSr", [IKE_PL_SK] = "SK", [IKE_PL_CP] = "CP", [IKE_PL_EAP] = "EAP",
		[IKE_PL_SKF] = "SKF",
	};

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
ike_msg_summary(const struct ike_msg *m, char *buf, size_t cap)
{
	const char *x = exchange_name(m->hdr.exchange);
	bool in = false;
	size_t n = 0;

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	if (x != NULL)
		cat(buf, cap, &n, "%s", x);
	else
		cat(buf, cap, &n, "exchange %u", m->hdr.exchange);
	cat(buf, cap, &n, " %s", m->hdr.flags & IKE_F_RESPONSE ? "response" : "request");
	cat(buf, cap, &n, " %u [", m->hdr.msg_id);
	for (unsigned i = 0; i < m->n_pl; i++) {
		const struct ike_payload *pl = &m->pl[i];
		const char *name = payload_name(pl->type);

		if (pl->inner && !in) {
			cat(buf, cap, &n, " {");
			in = true;
		}
		if (pl->type == IKE_PL_NOTIFY && notify_name(pl->u.notify.type) != NULL)
			cat(buf, cap, &n, " N(%s)", notify_name(pl->u.notify.type));
		else if (pl->type == IKE_PL_NOTIFY)
			cat(buf, cap, &n, " N(%u)", pl->u.notify.type);
		else if (name != NULL)
			cat(buf, cap, &n, " %s", name);
		else
			cat(buf, cap, &n, " PL(%u)", pl->type);
	}
	cat(buf, cap, &n, "%s", in ? " } ]" : " ]");
	return buf;
}
