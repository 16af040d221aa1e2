/* SPDX-License-Identifier: Apache-2.0 */
/* key.h: key material of one SA.  Keys live in their SA and are wiped with OPENSSL_cleanse()
 * (key_wipe) on every exit. */
#ifndef GW_KEY_H
#define GW_KEY_H

#include <stdint.h>

#include "common/err.h"

struct key {
	uint16_t	len;
	uint8_t		b[64];
};

/* Decode hex (even length, optional "0x") into k without branching on the digits' values.
 * -1 with err on a bad digit, odd length or more than 64 bytes; k is wiped then. */
int	key_from_hex(struct key *k, const char *hex, struct gw_err *err);
void	key_wipe(struct key *k);

#endif
