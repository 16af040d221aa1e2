/* SPDX-License-Identifier: Apache-2.0 */
/* drop.h: each reason a packet is dropped, with its counter name and its words in "show".
 * Reports carry the counters indexed by these values: a new reason goes at the end, and none
 * is ever renumbered. */
#ifndef GW_DROP_H
#define GW_DROP_H

#define DROP_LIST(X)							\
	X(RUNT,		"runt",		"shorter than its headers")		\
	X(BAD_IP,	"bad-ip",	"malformed IP header")			\
	X(NO_SA,	"no-sa",	"no inbound SA for this SPI")		\
	X(NOT_OWNER,	"not-owner",	"inbound SA owned by another worker")	\
	X(REPLAY,	"replay",	"replayed or left of the window")	\
	X(ICV,		"icv",		"integrity check failed")		\
	X(PAD,		"pad",		"malformed ESP trailer")		\
	X(SELECTOR,	"selector",	"inner packet outside the SA's selectors")	\
	X(NO_OUT_SA,	"no-out-sa",	"permitted flow without an outbound SA")	\
	X(NO_LEASE,	"no-lease",	"no sequence numbers leased yet")	\
	X(SEQ_WRAP,	"seq-wrap",	"sequence numbers exhausted, SA needs rekey")	\
	X(TOO_BIG,	"too-big",	"larger than the path MTU after encapsulation")	\
	X(PROTO,	"proto",	"unsupported protocol or transform")	\
	X(CLEAR_IN,	"clear-in",	"unprotected inbound packet matching a permit")	\
	X(TX,		"tx",		"send failed")				\
	X(CRYPTO,	"crypto",	"cipher operation failed")			\
	X(ICMP_PMTU,	"icmp-pmtu",	"ICMP frag-needed not about an SA of ours")	\
	X(BUNDLE,	"bundle",	"bundle SA outside its partner")	\
	X(ENCAP,	"encap",	"raw ESP for an ESP-in-UDP SA, or the reverse")	\
	X(TRUNCATED,	"truncated",	"longer than the receive buffer or its IP length") \
	X(EXPIRED,	"expired",	"SA past its hard lifetime (seconds or kilobytes)")

enum drop {
	DROP_NONE = 0,
#define X(n, c, t) DROP_##n,
	DROP_LIST(X)
#undef X
	DROP_MAX
};

extern const char *const drop_name[DROP_MAX];	/* counter names; [0] = "none" */
extern const char *const drop_text[DROP_MAX];	/* words in "show" */

#endif
