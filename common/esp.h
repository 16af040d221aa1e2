/* SPDX-License-Identifier: Apache-2.0 */
/* esp.h: ESP encapsulation and decapsulation in place (RFC 4303), over struct xform. */
#ifndef GW_ESP_H
#define GW_ESP_H

#include <stdbool.h>
#include <stdint.h>

#include "common/drop.h"
#include "common/pkt.h"
#include "common/xform.h"

/* Wrap p->data[0..len) (the payload: an inner IP packet for tunnel mode, next_hdr 4; the
 * transport payload otherwise) as ESP in place: prepend SPI, sequence number (low 32 bits of
 * seq) and IV, append padding (1, 2, 3, ...), pad length, next header and ICV.  With ESN the
 * high 32 bits of seq are in the ICV (or the AEAD AAD), never on the wire.  AEAD IVs are seq
 * itself (invariant 1 makes them unique).  esp-rfc1829 writes SPI and IV only (no Seq#, no
 * ICV).  After it p->data points at the ESP header; the outer IP header is the caller's.
 * DROP_TOO_BIG if head- or tailroom would not hold it, DROP_CRYPTO if OpenSSL fails,
 * DROP_PROTO if xf is not an outbound ESP transform. */
enum drop	esp_encap(struct xform *xf, uint32_t spi_be, uint64_t seq, bool esn,
		    uint8_t next_hdr, struct pkt *p);

/* Batched encapsulation (aesni.h): a CBC SA with xf->cbc_mb is framed packet by packet and
 * encrypted many packets at once, where CBC's serial chain no longer limits it.
 * esp_encap_begin does what esp_encap does (same drops; p->data and p->len as after it) but
 * for xf->cbc_mb leaves the payload in clear and the ICV unwritten, and fills *job;
 * esp_encap_finish encrypts every job's packet and writes its ICV.  Between the two the packet
 * must not leave or be copied (datad: before its batch is sent, out_flush).  Without cbc_mb,
 * esp_encap_begin does all of esp_encap and sets job->xf NULL: nothing to finish.  The caller
 * owns the jobs; an xform must outlive its pending jobs. */
struct esp_job {
	struct xform	*xf;
	uint8_t		*hdr;		/* the ESP header; IV after it, then ct_len bytes */
	uint32_t	ct_len;
	uint64_t	seq;
	bool		esn;
};
enum drop	esp_encap_begin(struct xform *xf, uint32_t spi_be, uint64_t seq, bool esn,
		    uint8_t next_hdr, struct pkt *p, struct esp_job *job);
void		esp_encap_finish(const struct esp_job *jobs, unsigned n);

/* p->data points at the ESP header (outer IP removed).  Verify the ICV (constant time),
 * decrypt in place, check and strip the trailer.  seq is the full (ESN-inferred) sequence
 * number the caller derived for the replay check (esp-rfc1829 ignores it).  On DROP_NONE
 * p->data[0..len) is the payload and *next_hdr its protocol.  Otherwise: DROP_RUNT shorter
 * than header, IV, one cipher block (4 bytes for stream modes) and ICV; DROP_ICV integrity check failed (nothing decrypted is left
 * behind); DROP_PAD not whole blocks, pad length past the start, or padding not 1, 2, 3, ...;
 * DROP_CRYPTO OpenSSL failed; DROP_PROTO xf is not an inbound ESP transform. */
enum drop	esp_decap(struct xform *xf, uint64_t seq, bool esn, struct pkt *p,
		    uint8_t *next_hdr);

/* Bytes ESP adds to a payload of len bytes (header, IV, padding, trailer, ICV). */
uint32_t	esp_overhead(const struct xform *xf, uint32_t len);

/* --- transport mode (RFC 4303 §3.1.1) ---
 * IOS uses transport mode only for traffic whose source and destination are the IPsec peers
 * themselves ("mode transport" of a transform set; all other traffic goes in tunnel mode).  The
 * packet keeps its own IP header, options included; ESP goes between it and the payload.  The
 * caller sends the whole packet on an IP_HDRINCL raw socket (ESP does not cover the header, so
 * the kernel filling in Identification or the checksum is harmless) and gets whole packets from
 * a raw socket.  With NAT-T (RFC 3948 §3.1.3) a transport payload would also need its TCP/UDP
 * checksum fixed after NAT: not done here. */

/* p->data[0..len) is a whole IPv4 packet.  ESP-encapsulate its payload as esp_encap does (Next
 * Header = its protocol) and put its header back in front: protocol 50, Total Length and
 * checksum fixed, the rest as it was.  DROP_BAD_IP malformed or a fragment (§3.3: whole
 * datagrams only); DROP_RUNT Total Length above len; the drops of esp_encap. */
enum drop	esp_transport_encap(struct xform *xf, uint32_t spi_be, uint64_t seq, bool esn,
		    struct pkt *p);

/* p->data[0..len) is a whole received IPv4 packet of protocol 50.  Open its ESP as esp_decap
 * does and give back the original packet: on DROP_NONE p->data is the IPv4 header (moved up to
 * the payload, mutable fields as received) followed by the payload, protocol = ESP's Next
 * Header, Total Length and checksum fixed.  DROP_BAD_IP malformed or a fragment; DROP_PROTO not
 * protocol 50; the drops of esp_decap. */
enum drop	esp_transport_decap(struct xform *xf, uint64_t seq, bool esn, struct pkt *p);

/* SPI and the Seq# field (host order, for replay_infer; 0 for esp-rfc1829 SAs, which have no
 * Seq#) of the ESP packet inside the whole IPv4 packet at p->data, for the SA lookup and the
 * replay check before esp_transport_decap.  DROP_RUNT / DROP_BAD_IP malformed, DROP_PROTO not
 * protocol 50.  Changes nothing. */
enum drop	esp_peek(const struct pkt *p, uint32_t *spi_be, uint32_t *seq_lo);

#endif
