/* SPDX-License-Identifier: Apache-2.0 */
/* ah.c: AH framing over struct xform (RFC 4302; RFC 1826 with RFC 1828 keyed MD5), in place in
 * the packet's headroom: the IP header moves back by AH's length and the payload stays where
 * it is (invariant 6: no allocation, no copy of the payload).  It owns nothing: the keyed MAC
 * is the xform's, the outer header and the replay window the caller's.
 *
 *   RFC 4302:  Next Header | Payload Len | Reserved | SPI | Seq# | ICV (+ padding to 32 bits)
 *              Payload Len = AH length in 32-bit words minus 2 (§2.2)
 *   RFC 1826:  Next Header | Length | Reserved | SPI | Authentication Data
 *              Length = Authentication Data length in 32-bit words (§3.2): 4 for keyed MD5,
 *              so both formats say 4 for a 24-byte AH, read differently.  No Seq#, no replay.
 *
 * ICV coverage, in this order: the IP header with its mutable fields zeroed, AH with its ICV
 * zeroed (the padding as sent), the payload, and with ESN the high 32 bits of the sequence
 * number (RFC 4302 §3.3.3.1, §2.5.1).  Mutable fields of the IPv4 header:
 *   RFC 4302 §3.3.3.1.1.1: TOS (DSCP and ECN), flags, fragment offset, TTL, checksum;
 *   RFC 1826 §3.3:         TTL and checksum only ("the only fields in the IPv4 base header
 *                          that are handled specially"; reassembly comes first, so MF and the
 *                          offset are 0; TOS and DF count, so a router that rewrites DSCP or
 *                          marks ECN breaks RFC 1826 AH: that is the RFC).
 * Options (RFC 4302 App. A; RFC 1826 lists no table, we use the same classes, except that an
 * option it does not know stays in the ICV, as RFC 1826 says of unrecognised options): a mutable
 * option is zeroed whole (type and length too); Security, Extended Security, Commercial
 * Security, Router Alert and SDMDD are kept; a source route makes the ICV's destination the
 * final one, the last address of the route, on the way out (§3.3.3.1.1.1, "mutable but
 * predictable"); at the receiver the header already says so.
 *
 * RFC 1828 keyed MD5: MD5(key, keyfill, datagram, key, MD5fill); xform_mac_* adds the keys. */
#include <arpa/inet.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/ah.h"
#include "common/ip4.h"

/* IPv4 option types (copy, class and number, RFC 791 §3.1) */
enum {
	OPT_EOL = 0, OPT_NOP = 1, OPT_RR = 7, OPT_TS = 68, OPT_TRACEROUTE = 82,
	OPT_SEC = 130, OPT_LSRR = 131, OPT_ESEC = 133, OPT_CIPSO = 134, OPT_SSRR = 137,
	OPT_RA = 148, OPT_SDMDD = 149,
};

static const uint8_t zeros[XF_ICV_MAX];

static bool
ah_is_1826(const struct xform *xf)
{
	return xf->mac.alg == XF_AUTH_KEYED_MD5_RFC1828;
}

/* Bytes of AH before its ICV. */
static uint32_t
ah_fixed(const struct xform *xf)
{
	return ah_is_1826(xf) ? AH1826_HDR_LEN : AH_HDR_LEN;
}

static bool
ah_xform_ok(const struct xform *xf, bool encrypt)
{
	return xf->cipher == XF_CIPHER_NONE && xf->mac.alg != XF_AUTH_NONE &&
	    xf->encrypt == encrypt;
}

uint32_t
ah_overhead(const struct xform *xf)
{
	if (xf->cipher != XF_CIPHER_NONE || xf->mac.alg == XF_AUTH_NONE)
		return 0;
	if (ah_is_1826(xf))
		return AH1826_HDR_LEN + xf->icv_len;
	return (AH_HDR_LEN + xf->icv_len + 3u) & ~3u;	/* §3.3.3.2.1: IPv4: 32 bits */
}

/* The value of AH's length byte for this transform (§2.2; RFC 1826 §3.2). */
static uint8_t
ah_len_field(const struct xform *xf)
{
	if (ah_is_1826(xf))
		return (uint8_t)(xf->icv_len / 4);
	return (uint8_t)(ah_overhead(xf) / 4 - 2);
}

/* Does the option of this type stay in the ICV as it is (App. A "immutable")? */
static bool
opt_immutable(uint8_t type, bool rfc1826)
{
	switch (type) {
	case OPT_SEC: case OPT_ESEC: case OPT_CIPSO: case OPT_RA: case OPT_SDMDD:
		return true;
	case OPT_RR: case OPT_TS: case OPT_TRACEROUTE: case OPT_LSRR: case OPT_SSRR:
		return false;
	default:		/* App. A zeroes the experimental and superseded ones */
		return rfc1826;
	}
}

/* Copy the IPv4 header ip[0..ihl) to hdr as the ICV sees it.  out: a source route's final
 * destination replaces the first hop (the receiver will see it there).  -1 on options that do
 * not parse (RFC 791: a length below 2 or past the header); such packets are dropped. */
static int
ah_hdr_icv(const uint8_t *ip, uint32_t ihl, bool rfc1826, bool out, uint8_t *hdr)
{
	struct ip4_hdr *h = (struct ip4_hdr *)hdr;
	uint32_t i = IP4_HDR_MIN, len;

	memcpy(hdr, ip, ihl);
	if (!rfc1826) {
		h->tos = 0;			/* DSCP and ECN */
		h->frag_be = 0;			/* flags, fragment offset */
	}
	h->ttl = 0;
	h->csum_be = 0;
	while (i < ihl) {
		uint8_t type = hdr[i];

		if (type == OPT_EOL)		/* the rest is padding, included as sent */
			break;
		if (type == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= ihl || (len = hdr[i + 1]) < 2 || i + len > ihl)
			return -1;
		if ((type == OPT_LSRR || type == OPT_SSRR) && out) {
			if (len < 7)		/* type, length, pointer, one address */
				return -1;
			memcpy(&h->dst_be, hdr + i + len - 4, 4);	/* the last address */
		}
		if (!opt_immutable(type, rfc1826))
			memset(hdr + i, 0, len);
		i += len;
	}
	return 0;
}

/* The full digest of the ICV coverage into md; ip points at the packet, whose AH at ip + ihl
 * has its fixed part as sent and its ICV field still holding whatever it holds: zeros are fed
 * in its place. */
static int
ah_icv(struct xform *xf, const uint8_t *ip, uint32_t ihl, uint32_t len, uint64_t seq,
    bool esn, bool out, uint8_t *md)
{
	uint8_t hdr[IP4_HDR_MAX];
	bool rfc1826 = ah_is_1826(xf);
	uint32_t fixed = ah_fixed(xf), hi_be = htonl((uint32_t)(seq >> 32));
	const uint8_t *ah = ip + ihl;

	if (ah_hdr_icv(ip, ihl, rfc1826, out, hdr) != 0)
		return -1;
	xform_mac_begin(&xf->mac);
	xform_mac_update(&xf->mac, hdr, ihl);
	xform_mac_update(&xf->mac, ah, fixed);
	xform_mac_update(&xf->mac, zeros, xf->icv_len);
	xform_mac_update(&xf->mac, ah + fixed + xf->icv_len, len - ihl - fixed - xf->icv_len);
	if (esn && !rfc1826)
		xform_mac_update(&xf->mac, &hi_be, sizeof(hi_be));
	xform_mac_end(&xf->mac, md);
	return 0;
}

/* Total Length, protocol and checksum of the header at ip after AH came or went. */
static void
ah_ip_fix(uint8_t *ip, uint32_t len, uint8_t proto)
{
	struct ip4_hdr *h = (struct ip4_hdr *)ip;

	h->len_be = htons((uint16_t)len);
	h->proto = proto;
	ip4_csum_set(ip);
}

enum drop
ah_encap(struct xform *xf, uint32_t spi_be, uint64_t seq, bool esn, struct pkt *p)
{
	uint32_t ihl, ah_len = ah_overhead(xf);
	uint8_t *ip, md[XF_MD_MAX], hdr[IP4_HDR_MAX];
	struct ip4_hdr *h;
	struct ah_hdr *ah;
	enum drop d;

	if (!ah_xform_ok(xf, true))
		return DROP_PROTO;
	if ((d = ip4_check(p, &ihl)) != DROP_NONE)
		return d;
	h = (struct ip4_hdr *)p->data;
	if (ip4_is_fragment(p->data) || h->src_be == 0 ||
	    ah_hdr_icv(p->data, ihl, ah_is_1826(xf), true, hdr) != 0)
		return DROP_BAD_IP;
	if (pkt_headroom(p) < ah_len || p->len + ah_len > 0xffff)
		return DROP_TOO_BIG;
	if (h->id_be == 0 && (ntohs(h->frag_be) & IP4_DF) == 0)	/* or the kernel would */
		h->id_be = htons((uint16_t)seq != 0 ? (uint16_t)seq : 1);
	ip = p->data - ah_len;
	memmove(ip, p->data, ihl);
	p->data = ip;
	p->len += ah_len;
	h = (struct ip4_hdr *)ip;
	ah = (struct ah_hdr *)(ip + ihl);
	ah->next = h->proto;			/* what the packet carried */
	ah->len = ah_len_field(xf);
	ah->reserved = 0;
	ah->spi_be = spi_be;
	if (!ah_is_1826(xf))
		ah->seq_be = htonl((uint32_t)seq);
	memset((uint8_t *)ah + ah_fixed(xf), 0, ah_len - ah_fixed(xf));	/* ICV, padding */
	ah_ip_fix(ip, p->len, IPPROTO_AH_);
	ah_icv(xf, ip, ihl, p->len, seq, esn, true, md);	/* options parsed above */
	memcpy((uint8_t *)ah + ah_fixed(xf), md, xf->icv_len);
	return DROP_NONE;
}

enum drop
ah_peek(const struct pkt *p, uint32_t *spi_be, uint32_t *seq_lo)
{
	const struct ah_hdr *ah;
	uint32_t ihl, len;
	enum drop d;

	if ((d = ip4_parse(p->data, p->len, &ihl, &len)) != DROP_NONE)
		return d;
	if (((const struct ip4_hdr *)p->data)->proto != IPPROTO_AH_)
		return DROP_PROTO;
	if (len < ihl + AH1826_HDR_LEN)
		return DROP_RUNT;
	ah = (const struct ah_hdr *)(p->data + ihl);
	*spi_be = ah->spi_be;
	*seq_lo = 0;
	if (len >= ihl + AH_HDR_LEN)
		*seq_lo = ntohl(ah->seq_be);
	return DROP_NONE;
}

enum drop
ah_decap(struct xform *xf, uint64_t seq, bool esn, struct pkt *p, uint8_t *next_hdr)
{
	uint32_t ihl, ah_len = ah_overhead(xf);
	uint8_t *ip = p->data, md[XF_MD_MAX], nh;
	const struct ah_hdr *ah;
	enum drop d;

	if (!ah_xform_ok(xf, false))
		return DROP_PROTO;
	if ((d = ip4_check(p, &ihl)) != DROP_NONE)
		return d;
	if (((const struct ip4_hdr *)ip)->proto != IPPROTO_AH_)
		return DROP_PROTO;
	if (ip4_is_fragment(ip))
		return DROP_BAD_IP;
	if (p->len < ihl + ah_len)
		return DROP_RUNT;
	ah = (const struct ah_hdr *)(ip + ihl);
	if (ah->len != ah_len_field(xf))	/* another ICV length than this SA's */
		return DROP_ICV;
	if (ah_icv(xf, ip, ihl, p->len, seq, esn, false, md) != 0)
		return DROP_BAD_IP;
	if (CRYPTO_memcmp(md, (const uint8_t *)ah + ah_fixed(xf), xf->icv_len) != 0)
		return DROP_ICV;
	nh = ah->next;
	memmove(ip + ah_len, ip, ihl);
	p->data = ip + ah_len;
	p->len -= ah_len;
	ah_ip_fix(p->data, p->len, nh);
	*next_hdr = nh;
	return DROP_NONE;
}
