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

#endif
