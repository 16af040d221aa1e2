/* SPDX-License-Identifier: Apache-2.0 */
/* key.c: constant-time hex decoding of configured keys. */
#include <string.h>

#include <openssl/crypto.h>

#include "common/key.h"

/* Value of one hex digit, or -1; arithmetic only, no table and no branch on c. */
static int
hexval(unsigned char c)
{
	int d = (int)c - '0';
	int l = (int)(c | 0x20) - 'a' + 10;
	int is_d = ((d >= 0) & (d <= 9));
	int is_l = ((l >= 10) & (l <= 15));

	return (d & -is_d) | (l & -is_l) | (-1 & -(1 - (is_d | is_l)));
}

int
key_from_hex(struct key *k, const char *hex, struct gw_err *err)
{
	size_t n;
	int bad = 0;

	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	n = strlen(hex);
	memset(k, 0, sizeof(*k));
	if (n == 0 || n % 2 != 0)
		return gw_fail(err, 0, "key must be an even number of hex digits, got %zu", n);
	if (n / 2 > sizeof(k->b))
		return gw_fail(err, 0, "key is %zu bytes, at most %zu", n / 2, sizeof(k->b));
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		int lo = hexval((unsigned char)hex[2 * i + 1]);

		bad |= (hi | lo) < 0;
		k->b[i] = (uint8_t)(((hi & 0xf) << 4) | (lo & 0xf));
	}
	k->len = (uint16_t)(n / 2);
	if (bad) {
		key_wipe(k);
		return gw_fail(err, 0, "key has a character that is not a hex digit");
	}
	return 0;
}

void
key_wipe(struct key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}
