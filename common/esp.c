/* SPDX-License-Identifier: Apache-2.0 */
/* esp.c: ESP framing over struct xform (RFC 4303 §2, §3.3, §3.4; RFC 1829 for esp-rfc1829),
 * in place in the packet's head- and tailroom (invariant 6: no allocation, no copy of the
 * payload).  It owns nothing: keys and contexts are the xform's, the outer IP header and the
 * replay window the caller's.
 *
 *   RFC 4303:  SPI | Seq# | IV | Payload | Padding | Pad Length | Next Header | ICV
 *   RFC 1829:  SPI | IV | Payload | Padding | Pad Length | Payload Type   (no Seq#, no ICV)
 *
 * ICV coverage (RFC 4303 §2.8, §3.3.2.1): SPI .. Next Header, and with ESN the high 32 bits of
 * the sequence number after it (App. A2.2), never sent.  AEAD (RFC 4106 §5, RFC 7634 §2.1):
 * AAD = SPI || [Seq# high] || Seq# low, IV = the 64-bit sequence number.  GMAC (RFC 4543 §3.3):
 * the same AAD followed by IV .. Next Header, nothing encrypted. */
#include <arpa/inet.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/esp.h"
#include "common/ip4.h"

enum { ESP_TRAILER = 2 };		/* Pad Length, Next Header */

/* RFC 4303 §2.4: pad Payload .. Next Header to the cipher block, which is at least 4 so the ICV
 * starts 4-byte aligned. */
static uint32_t
esp_pad_len(const struct xform *xf, uint32_t len)
{
	uint32_t b = xf->block_len;

	return (b - (len + ESP_TRAILER) % b) % b;
}

uint32_t
esp_overhead(const struct xform *xf, uint32_t len)
{
	return xf->hdr_len + xf->iv_len + esp_pad_len(xf, len) + ESP_TRAILER + xf->icv_len;
}

/* AAD of AEAD and GMAC: SPI || [Seq# high] || Seq# low.  Returns its length. */
static size_t
esp_aad(uint8_t *aad, const uint8_t *hdr, uint64_t seq, bool esn)
{
	const struct esp_hdr *h = (const struct esp_hdr *)hdr;
	uint32_t hi_be = htonl((uint32_t)(seq >> 32));

	memcpy(aad, &h->spi_be, 4);
	if (!esn) {
		memcpy(aad + 4, &h->seq_be, 4);
		return 8;
	}
	memcpy(aad + 4, &hi_be, 4);
	memcpy(aad + 8, &h->seq_be, 4);
	return 12;
}

/* HMAC (or none) over hdr[0..len) || [Seq# high]: the full digest into md. */
static void
esp_icv(struct xform *xf, const uint8_t *hdr, size_t len, uint64_t seq, bool esn, uint8_t *md)
{
	uint32_t hi_be = htonl((uint32_t)(seq >> 32));

	xform_mac_begin(&xf->mac);
	xform_mac_update(&xf->mac, hdr, len);
	if (esn)
		xform_mac_update(&xf->mac, &hi_be, sizeof(hi_be));
	xform_mac_end(&xf->mac, md);
}

/* AEAD and GMAC over the packet at hdr: the tag lands after ct[0..ct_len). */
static int
esp_aead(struct xform *xf, uint8_t *hdr, uint64_t seq, bool esn, uint8_t *ct, uint32_t ct_len)
{
	uint8_t *iv = hdr + xf->hdr_len, aad[12];
	size_t aad_len = esp_aad(aad, hdr, seq, esn);

	if (xf->cipher == XF_CIPHER_AES_GMAC)		/* IV .. Next Header is AAD too */
		return xform_aead(xf, iv, aad, aad_len, iv, xf->iv_len + ct_len, NULL, 0,
		    ct + ct_len);
	return xform_aead(xf, iv, aad, aad_len, NULL, 0, ct, ct_len, ct + ct_len);
}

/* Encrypt (and for AEAD authenticate) ct[0..ct_len) in place. */
static enum drop
esp_seal(struct xform *xf, uint8_t *hdr, uint64_t seq, bool esn, uint8_t *ct, uint32_t ct_len)
{
	uint8_t *iv = hdr + xf->hdr_len;

	if (xf->cipher == XF_CIPHER_NULL)
		return DROP_NONE;
	if (!xf->aead)
		return xform_iv(xf, iv) == 0 && xform_cbc(xf, iv, ct, ct_len) == 0 ?
		    DROP_NONE : DROP_CRYPTO;
	for (int i = 0; i < 8; i++)		/* IV = sequence number, unique per key */
		iv[i] = (uint8_t)(seq >> (56 - 8 * i));
	return esp_aead(xf, hdr, seq, esn, ct, ct_len) == 0 ? DROP_NONE : DROP_CRYPTO;
}

/* ESP header, padding and trailer around p's payload: hdr and the cipher text's length. */
static enum drop
esp_frame(struct xform *xf, uint32_t spi_be, uint64_t seq, uint8_t next_hdr, struct pkt *p,
    uint8_t **hdrp, uint32_t *ct_lenp)
{
	uint32_t head = xf->hdr_len + xf->iv_len, pad, ct_len;
	uint8_t *hdr, *t;
	struct esp_hdr *h;

	if (xf->cipher == XF_CIPHER_NONE || !xf->encrypt)
		return DROP_PROTO;
	pad = esp_pad_len(xf, p->len);
	if (pkt_headroom(p) < head || pkt_tailroom(p) < pad + ESP_TRAILER + xf->icv_len)
		return DROP_TOO_BIG;
	t = p->data + p->len;
	for (uint32_t i = 0; i < pad; i++)		/* §2.4: 1, 2, 3, ... */
		t[i] = (uint8_t)(i + 1);
	t[pad] = (uint8_t)pad;
	t[pad + 1] = next_hdr;
	ct_len = p->len + pad + ESP_TRAILER;
	hdr = p->data - head;
	h = (struct esp_hdr *)hdr;
	h->spi_be = spi_be;
	if (xf->hdr_len == sizeof(*h))			/* RFC 1829 has the SPI alone */
		h->seq_be = htonl((uint32_t)seq);	/* §2.2: the low 32 bits travel */
	*hdrp = hdr;
	*ct_lenp = ct_len;
	return DROP_NONE;
}

/* The ICV of a sealed packet, after its cipher text. */
static void
esp_icv_put(struct xform *xf, uint8_t *hdr, uint32_t ct_len, uint64_t seq, bool esn)
{
	uint32_t head = xf->hdr_len + xf->iv_len;
	uint8_t md[XF_MD_MAX];

	if (xf->mac.alg == XF_AUTH_NONE)
		return;
	esp_icv(xf, hdr, head + ct_len, seq, esn, md);
	memcpy(hdr + head + ct_len, md, xf->icv_len);
}

enum drop
esp_encap(struct xform *xf, uint32_t spi_be, uint64_t seq, bool esn, uint8_t next_hdr,
    struct pkt *p)
{
	uint32_t head = xf->hdr_len + xf->iv_len, ct_len;
	uint8_t *hdr;
	enum drop d;

	if ((d = esp_frame(xf, spi_be, seq, next_hdr, p, &hdr, &ct_len)) != DROP_NONE ||
	    (d = esp_seal(xf, hdr, seq, esn, hdr + head, ct_len)) != DROP_NONE)
		return d;
	esp_icv_put(xf, hdr, ct_len, seq, esn);
	p->data = hdr;
	p->len = head + ct_len + xf->icv_len;
	return DROP_NONE;
}

enum drop
esp_encap_begin(struct xform *xf, uint32_t spi_be, uint64_t seq, bool esn, uint8_t next_hdr,
    struct pkt *p, struct esp_job *job)
{
	uint32_t head = xf->hdr_len + xf->iv_len, ct_len;
	uint8_t *hdr;
	enum drop d;

	job->xf = NULL;
	if (!xf->cbc_mb)
		return esp_encap(xf, spi_be, seq, esn, next_hdr, p);
	if ((d = esp_frame(xf, spi_be, seq, next_hdr, p, &hdr, &ct_len)) != DROP_NONE)
		return d;
	if (ct_len % 16 != 0)		/* never (AES pads to its block), but never in clear */
		return DROP_CRYPTO;
	if (xform_iv(xf, hdr + xf->hdr_len) != 0)
		return DROP_CRYPTO;
	*job = (struct esp_job){ xf, hdr, ct_len, seq, esn };
	p->data = hdr;
	p->len = head + ct_len + xf->icv_len;
	return DROP_NONE;
}

void
esp_encap_finish(const struct esp_job *jobs, unsigned n)
{
	struct aesni_cbc_job cj[64];
	unsigned i, k, m;

	for (i = 0; i < n; i += m) {
		m = n - i < 64 ? n - i : 64;
		for (k = 0; k < m; k++) {
			const struct esp_job *j = &jobs[i + k];
			uint8_t *iv = j->hdr + j->xf->hdr_len;

			cj[k] = (struct aesni_cbc_job){ &j->xf->cbc_key, iv, iv + j->xf->iv_len,
			    j->ct_len };
		}
		aesni_cbc_encrypt_mb(cj, m);
		for (k = 0; k < m; k++) {
			const struct esp_job *j = &jobs[i + k];

			esp_icv_put(j->xf, j->hdr, j->ct_len, j->seq, j->esn);
		}
	}
}

/* Authenticate (AEAD, GMAC) and decrypt ct[0..ct_len) in place; the ICV follows it. */
static enum drop
esp_open(struct xform *xf, uint8_t *hdr, uint64_t seq, bool esn, uint8_t *ct, uint32_t ct_len)
{
	if (xf->cipher == XF_CIPHER_NULL)
		return DROP_NONE;
	if (!xf->aead)
		return xform_cbc(xf, hdr + xf->hdr_len, ct, ct_len) == 0 ? DROP_NONE : DROP_CRYPTO;
	return esp_aead(xf, hdr, seq, esn, ct, ct_len) == 0 ? DROP_NONE : DROP_ICV;
}

/* §2.4: Pad Length fits, and the padding reads 1, 2, 3, ... (the receiver MAY check; we do,
 * without branching on the bytes).  RFC 1829 padding is arbitrary, so only its length counts. */
static bool
esp_trailer_ok(const struct xform *xf, const uint8_t *ct, uint32_t ct_len)
{
	uint32_t pad = ct[ct_len - 2];
	const uint8_t *pb;
	uint8_t bad = 0;

	if (pad + ESP_TRAILER > ct_len)
		return false;
	if (xf->cipher == XF_CIPHER_DES_RFC1829)
		return true;
	pb = ct + ct_len - ESP_TRAILER - pad;
	for (uint32_t i = 0; i < pad; i++)
		bad |= (uint8_t)(pb[i] ^ (uint8_t)(i + 1));
	return bad == 0;
}

enum drop
esp_decap(struct xform *xf, uint64_t seq, bool esn, struct pkt *p, uint8_t *next_hdr)
{
	uint32_t head = xf->hdr_len + xf->iv_len, ct_len;
	uint8_t *hdr = p->data, *ct, md[XF_MD_MAX];
	enum drop d;

	if (xf->cipher == XF_CIPHER_NONE || xf->encrypt)
		return DROP_PROTO;
	if (p->len < head + xf->block_len + xf->icv_len)	/* the least a sender makes */
		return DROP_RUNT;
	ct_len = p->len - head - xf->icv_len;
	ct = hdr + head;
	if (xf->mac.alg != XF_AUTH_NONE) {		/* §3.4.4: ICV before decryption */
		esp_icv(xf, hdr, head + ct_len, seq, esn, md);
		if (CRYPTO_memcmp(md, ct + ct_len, xf->icv_len) != 0)
			return DROP_ICV;
	}
	if (!xf->aead && ct_len % xf->block_len != 0)	/* §2.4; AEAD: after its own ICV */
		return DROP_PAD;
	if ((d = esp_open(xf, hdr, seq, esn, ct, ct_len)) != DROP_NONE)
		return d;
	if (ct_len % xf->block_len != 0 || !esp_trailer_ok(xf, ct, ct_len))
		return DROP_PAD;
	*next_hdr = ct[ct_len - 1];
	p->data = ct;
	p->len = ct_len - ESP_TRAILER - ct[ct_len - 2];
	return DROP_NONE;
}

/* --- transport mode (RFC 4303 §3.1.1) --- */

enum drop
esp_transport_encap(struct xform *xf, uint32_t spi_be, uint64_t seq, bool esn, struct pkt *p)
{
	uint8_t *ip = p->data, hdr[IP4_HDR_MAX];
	uint32_t ihl;
	enum drop d;

	if ((d = ip4_check(p, &ihl)) != DROP_NONE)
		return d;
	if (ip4_is_fragment(ip))
		return DROP_BAD_IP;
	if (pkt_headroom(p) < (uint32_t)xf->hdr_len + xf->iv_len ||
	    p->len + esp_overhead(xf, p->len - ihl) > 0xffff)
		return DROP_TOO_BIG;
	/* ESP goes where the header ends, over the header's last bytes: keep a copy, which then
	 * goes in front of ESP, as far back as ESP's header and IV */
	memcpy(hdr, ip, ihl);
	p->data += ihl;
	p->len -= ihl;
	if ((d = esp_encap(xf, spi_be, seq, esn, ((struct ip4_hdr *)hdr)->proto, p)) !=
	    DROP_NONE) {
		p->data = ip;
		p->len += ihl;
		return d;
	}
	memcpy(p->data - ihl, hdr, ihl);
	p->data -= ihl;
	p->len += ihl;
	ip = p->data;
	((struct ip4_hdr *)ip)->len_be = htons((uint16_t)p->len);
	((struct ip4_hdr *)ip)->proto = IPPROTO_ESP_;
	ip4_csum_set(ip);
	return DROP_NONE;
}

enum drop
esp_transport_decap(struct xform *xf, uint64_t seq, bool esn, struct pkt *p)
{
	uint8_t *ip = p->data, nh;
	uint32_t ihl;
	enum drop d;

	if ((d = ip4_check(p, &ihl)) != DROP_NONE)
		return d;
	if (((const struct ip4_hdr *)ip)->proto != IPPROTO_ESP_)
		return DROP_PROTO;
	if (ip4_is_fragment(ip))
		return DROP_BAD_IP;
	p->data += ihl;
	p->len -= ihl;
	if ((d = esp_decap(xf, seq, esn, p, &nh)) != DROP_NONE) {
		p->data = ip;
		p->len += ihl;
		return d;
	}
	/* the payload starts after header, ESP header and IV: room for the header in front */
	memmove(p->data - ihl, ip, ihl);
	p->data -= ihl;
	p->len += ihl;
	ip = p->data;
	((struct ip4_hdr *)ip)->len_be = htons((uint16_t)p->len);
	((struct ip4_hdr *)ip)->proto = nh;
	ip4_csum_set(ip);
	return DROP_NONE;
}

enum drop
esp_peek(const struct pkt *p, uint32_t *spi_be, uint32_t *seq_lo)
{
	const struct esp_hdr *esp;
	uint32_t ihl, len;
	enum drop d;

	if ((d = ip4_parse(p->data, p->len, &ihl, &len)) != DROP_NONE)
		return d;
	if (((const struct ip4_hdr *)p->data)->proto != IPPROTO_ESP_)
		return DROP_PROTO;
	if (len < ihl + sizeof(esp->spi_be))
		return DROP_RUNT;
	esp = (const struct esp_hdr *)(p->data + ihl);
	*spi_be = esp->spi_be;
	*seq_lo = 0;
	if (len >= ihl + sizeof(*esp))
		*seq_lo = ntohl(esp->seq_be);
	return DROP_NONE;
}
