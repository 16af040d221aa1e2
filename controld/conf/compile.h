/* compile.h: from a validated struct conf to the tables datad runs (SPD in map-number order,
 * SAD of manual SAs), as one owned gw.v1.Tables message.  Pure: no I/O, no globals. */
#ifndef GW_COMPILE_H
#define GW_COMPILE_H

#include "common/err.h"
#include "controld/conf/conf.h"
#include "proto/gw.pb-c.h"

/* The tables of c at generation gen; caller frees with protobuf_c_message_free_unpacked().
 * Inbound SAs come without an owner (link/owners.c assigns them).  NULL with err (line of the
 * offending entry) if c asks for something the data path cannot do. */
Gw__V1__Tables	*conf_compile(const struct conf *c, uint64_t gen, struct gw_err *err);

/* Deep copy through pack/unpack; NULL when out of memory.  Wipes the packed key bytes. */
Gw__V1__Tables	*tables_copy(const Gw__V1__Tables *t);

/* The id of the key material an SA runs under (protocol, algorithms, keys, salt): a hash of
 * it, never the key itself.  Sequence numbers and replay floors belong to the key (invariant
 * 1: a key that moves to another entry, map or SPI goes on where it stopped); two SAs with one
 * id share one space.  Never 0. */
uint64_t	sa_key_id(const Gw__V1__Sa *sa);

/* One line "esp-aes 256 esp-sha-hmac" for show, from an SA's transform. */
void	sa_transform_text(const Gw__V1__Sa *sa, char *buf, size_t len);

#endif
