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
 * seq) and IV, append padding, pad length, next header and ICV.  After it p->data points at
 * the ESP header; the outer IP header is the caller's.  DROP_TOO_BIG if head- or tailroom
 * would not hold it, DROP_CRYPTO if OpenSSL fails. */
enum drop	esp_encap(struct xform *xf, uint32_t spi_be, uint64_t seq, bool esn,
		    uint8_t next_hdr, struct pkt *p);

/* p->data points at the ESP header (outer IP removed).  Verify the ICV (constant time),
 * decrypt in place, check and strip the trailer.  seq is the full (ESN-inferred) sequence
 * number the caller derived for the replay check.  On DROP_NONE p->data[0..len) is the
 * payload and *next_hdr its protocol. */
enum drop	esp_decap(struct xform *xf, uint64_t seq, bool esn, struct pkt *p,
		    uint8_t *next_hdr);

/* Bytes ESP adds to a payload of len bytes (header, IV, padding, trailer, ICV). */
uint32_t	esp_overhead(const struct xform *xf, uint32_t len);

#endif
