/* SPDX-License-Identifier: Apache-2.0 */
/* key_test.c: hex keys from the config (key.c): digits, case, "0x", odd length, too long. */
#include <ctype.h>
#include <stdbool.h>

#include "common/key.h"
#include "tests/lib/test.h"

static const struct {
	const char	*hex;
	bool		ok;
	uint16_t	len;
	uint8_t		b[4];			/* first bytes, when ok */
} cases[] = {
	{ "00",			true,	1, { 0x00 } },
	{ "0aFf",		true,	2, { 0x0a, 0xff } },
	{ "0x0aFf",		true,	2, { 0x0a, 0xff } },
	{ "0X1234abCD",		true,	4, { 0x12, 0x34, 0xab, 0xcd } },
	{ "9f8e",		true,	2, { 0x9f, 0x8e } },
	{ "",			false,	0, { 0 } },		/* empty */
	{ "0x",			false,	0, { 0 } },		/* prefix only */
	{ "0",			false,	0, { 0 } },		/* odd length */
	{ "abc",		false,	0, { 0 } },
	{ "0x123",		false,	0, { 0 } },
	{ "0g",			false,	0, { 0 } },		/* bad digits, each edge of each range */
	{ "g0",			false,	0, { 0 } },
	{ "G0",			false,	0, { 0 } },
	{ "/0",			false,	0, { 0 } },		/* '0' - 1 */
	{ ":0",			false,	0, { 0 } },		/* '9' + 1 */
	{ "@0",			false,	0, { 0 } },		/* 'A' - 1 */
	{ "`0",			false,	0, { 0 } },		/* 'a' - 1 */
	{ "0 ",			false,	0, { 0 } },
	{ " 0",			false,	0, { 0 } },
	{ "0x0x",		false,	0, { 0 } },
	{ "12-4",		false,	0, { 0 } },
};

static void
test_table(void)
{
	struct gw_err err;
	struct key k;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		err.msg[0] = '\0';
		rc = key_from_hex(&k, cases[i].hex, &err);
		T_EQ(rc, cases[i].ok ? 0 : -1, "case %zu \"%s\"", i, cases[i].hex);
		if (cases[i].ok) {
			T_EQ(k.len, cases[i].len, "case %zu", i);
			T_MEMEQ(k.b, cases[i].b, cases[i].len, "case %zu", i);
		} else {
			T_EQ(k.len, 0, "case %zu: wiped", i);
			T_OK(k.b[0] == 0, "case %zu: wiped", i);
			T_OK(err.msg[0] != '\0', "case %zu: says why", i);
		}
	}
}

/* Every byte value as the high digit: accepted exactly when it is a hex digit. */
static void
test_every_char(void)
{
	struct key k;
	char hex[3] = { 0, '0', 0 };

	for (int c = 1; c < 256; c++) {
		bool digit = isxdigit(c) != 0;
		int rc;

		hex[0] = (char)c;
		rc = key_from_hex(&k, hex, NULL);
		T_EQ(rc, digit ? 0 : -1, "char 0x%02x", c);
		if (digit && rc == 0) {
			int v = c <= '9' ? c - '0' : (tolower(c) - 'a' + 10);

			T_EQ(k.b[0], v << 4, "char 0x%02x", c);
		}
	}
}

static void
test_length(void)
{
	char hex[2 * 65 + 3];
	struct gw_err err;
	struct key k;

	memset(hex, 'a', sizeof(hex));
	hex[128] = '\0';				/* 64 bytes: the most a key holds */
	T_EQ(key_from_hex(&k, hex, &err), 0, "64 bytes");
	T_EQ(k.len, 64, "64 bytes");
	T_EQ(k.b[63], 0xaa, "64 bytes");
	memset(hex, 'a', sizeof(hex));
	hex[130] = '\0';				/* 65 bytes */
	T_EQ(key_from_hex(&k, hex, &err), -1, "65 bytes");
	T_OK(strstr(err.msg, "65") != NULL, "says the length: %s", err.msg);
	T_EQ(k.len, 0, "65 bytes: wiped");
	memcpy(hex, "0x", 2);				/* the prefix does not count */
	T_EQ(key_from_hex(&k, hex, &err), 0, "0x + 64 bytes");
	key_wipe(&k);
	T_EQ(k.len, 0, "key_wipe");
	T_EQ(k.b[0], 0, "key_wipe");
}

int
main(void)
{
	test_table();
	test_every_char();
	test_length();
	return t_done();
}
