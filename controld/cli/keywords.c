/* SPDX-License-Identifier: Apache-2.0 */
/* keywords.c: the keyword trees of the CLI, one per mode, for abbreviations, "?" and TAB.
 *
 * A tree is a graph of lists: each node is a keyword or a parameter (number, address, name,
 * key, free text) and names the list of what may follow it; a list may have a parent whose
 * nodes it also offers (a sub-mode offers the global commands, as IOS does), its own keywords
 * shadowing the parent's.  At each word: an exact keyword wins, then a parameter whose syntax
 * the word has (a number in range, an address), then the one keyword the word abbreviates
 * (several: ambiguous), then a name, key or text parameter.  Keywords are case-insensitive.
 *
 * The configuration trees only guide: the parser (conf/) has the last word and says
 * why it refuses something, so a word the tree does not know ends the expansion and the rest
 * of the line goes to the parser as typed.  The names of protocols, transforms, ports,
 * precedences and TOS values mirror the parser's tables; cli_test checks both ways.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "controld/cli/cli.h"

enum kt { K_END, K_KW, K_NUM, K_IP, K_NAME, K_TEXT, K_HEX, K_PORT };
enum { F_CR = 1, F_NO = 2 };

struct node {
	uint8_t		type;		/* enum kt */
	uint8_t		flags;		/* F_CR: the command may end after this word */
	uint8_t		next;		/* enum list of what may follow; L_NONE: nothing */
	uint8_t		cmd;		/* enum cli_cmd */
	const char	*word;		/* keyword, or what help calls the parameter */
	const char	*help;
	uint32_t	lo, hi;		/* K_NUM */
};

#define KW(w, h, nx, fl, c)	{ K_KW, (fl), (nx), (c), (w), (h), 0, 0 }
#define NUM(lo, hi, h, nx, fl)	{ K_NUM, (fl), (nx), 0, NULL, (h), (lo), (hi) }
#define IPA(h, nx, fl)		{ K_IP, (fl), (nx), 0, "A.B.C.D", (h), 0, 0 }
#define NAME(w, h, nx, fl)	{ K_NAME, (fl), (nx), 0, (w), (h), 0, 0 }
#define TEXT(h)			{ K_TEXT, F_CR, L_NONE, 0, "LINE", (h), 0, 0 }
#define HEX(h, nx, fl)		{ K_HEX, (fl), (nx), 0, "HEX", (h), 0, 0 }
#define PORT(nx, fl)		{ K_PORT, (fl), (nx), 0, "<0-65535>", "Port number", 0, 0 }
#define END			{ K_END, 0, 0, 0, NULL, NULL, 0, 0 }

enum list {
	L_NONE,
	/* exec */
	L_EXEC, L_CONFIGURE, L_CLEAR, L_CLEAR_CRYPTO, L_CLEAR_SA, L_CLEAR_PEER, L_CLEAR_MAP,
	L_CLEAR_ENTRY, L_CLEAR_PROTO, L_CLEAR_SPI, L_COPY, L_COPY_RUN, L_DEBUG, L_DEBUG_CRYPTO, L_DEBUG_IKEV2,
	L_EXEC_NO, L_NODEBUG, L_NODEBUG_CRYPTO, L_UNDEBUG, L_RELOAD, L_WRITE, L_SHOW, L_SHOW_IP,
	L_SHOW_ACL,
	L_SHOW_CRYPTO, L_TAG, L_TAGNAME, L_SHOW_MAP, L_MAPTAG, L_MAPIF, L_SHOW_IPSEC, L_SHOW_SAS,
	L_SHOW_TSET, L_SA_OPTS, L_SA_MAP, L_SA_PEER, L_SHOW_IKEV2, L_SHOW_IKNAME,
	L_SHOW_IKSA, L_CLEAR_IKEV2, L_SHOW_CSESS, L_CSESS_REMOTE, L_CSESS_DETAIL, L_CLEAR_CSESS,
	L_CLEAR_CSESS_REMOTE, L_SHOW_ISAKMP, L_SHOW_ISKSA, L_CLEAR_ISAKMP,
	L_EXEC_CRYPTO, L_EXEC_CKEY, L_CKGEN, L_CKGENOPT,
	L_CKMOD, L_CKLABEL, L_CKZERO, L_SHOW_CKEY, L_SHOW_MYPUB, L_SHOW_PCHAIN, L_SHOW_PCRSA,
	L_SHOW_PCADDR, L_SHOW_PCNAME,
	/* global configuration */
	L_CONF, L_ACLNUM, L_ACLACT, L_REMARK, L_PROTO, L_SRC, L_SRCHOST, L_SRCWILD, L_SRC_P,
	L_SRCHOST_P, L_SRCWILD_P, L_SPORT, L_SPORT1, L_SRANGE, L_DST, L_DSTHOST, L_DSTWILD,
	L_DST_P, L_DSTHOST_P, L_DSTWILD_P, L_DPORT, L_DPORT1, L_DRANGE, L_OPTS, L_PREC, L_TOS,
	L_CRYPTO, L_DYNNAME, L_DYNSEQ, L_CIPSEC, L_CSA, L_LIFE, L_LIFE_KB, L_LIFE_SEC, L_TSNAME,
	L_XF, L_XFBITS, L_MAPNAME, L_MAPSEQ, L_LOCALIF, L_MAPKIND, L_ISAKMP, L_DYNREF, L_HOSTNAME,
	L_IFNAME, L_IFNUM, L_IP, L_IPACL, L_IPACLNAME, L_CIKEV2, L_IKPROPNAME, L_IKPOLNAME,
	L_IKKRNAME, L_IKPROFNAME, L_CISAKMP, L_ISKAGGR, L_ISKID, L_ISKKA, L_ISKKAR, L_ISKKAM,
	L_ISKKEY, L_ISKKEY0, L_ISKPEER, L_ISKADDR, L_ISKMASK, L_ISKHOST, L_ISKNAT, L_ISKNATKA,
	L_ISKPOLNUM, L_CKEYCONF, L_CKPCHAIN,
	/* logging and terminal monitor (docs/logging.md) */
	L_TERM_NO, L_LOGGING, L_LOGTEXT,
	/* sub-modes */
	L_TRANSM, L_IV, L_IVSIZE, L_MODE,
	L_MAPM, L_DESC, L_MATCH, L_MATCHACL, L_SET, L_PEER, L_PFS, L_SETSA, L_LEVEL, L_REPLAY, L_NATT,
	L_RWIN, L_SKDIR, L_SKPROTO, L_SKSPI_AH, L_SKAHKEY, L_SKSPI_ESP, L_SKESP, L_SKCIPHKEY,
	L_SKESP2, L_SKAUTHKEY, L_TSLIST,
	L_IFM, L_IFDESC, L_IFIP, L_IFADDR, L_IFMASK, L_IFCRYPTO, L_IFMAP,
	L_ACLM,
	L_IKPROPM, L_IKENCR, L_IKHASH, L_IKGROUP,
	L_IKPOLM, L_IKPMATCH, L_IKPMADDR, L_IKPMLOCAL, L_IKPPROP,
	L_IKKRM, L_IKPEERNAME,
	L_IKPEERM, L_IKPADDR, L_IKPMASK, L_IKID, L_IKIDADDR, L_IKIDTEXT, L_IKPSK, L_IKPSK2,
	L_IKPSKKEY,
	L_IKPROFM, L_IKAUTH, L_IKAUTHM, L_IKDPD, L_IKDPDR, L_IKDPDM, L_IKIDL, L_IKKEYR, L_IKKEYRN,
	L_IKLIFE, L_IKMATCH, L_IKMID, L_IKMREM, L_IKMADDR, L_IKMMASK, L_IKNAT, L_IKNATKA,
	L_IKSETPROF,
	L_ISKPOLM, L_ISKAUTH, L_ISKENCR, L_ISKAES, L_ISKGROUP, L_ISKHASH, L_ISKLIFE,
	L_PCHAINM, L_PKADDR, L_PKNAME, L_PKUSAGE, L_PKEYM, L_PKADDRA, L_PKSTR,
	L_SHOW_LAYOUT,		/* issue 12: crypto ipsec show-layout */
	/* exec: terminal settings */
	L_TERMINAL, L_TERMLEN, L_TERMWIDTH,
	L_MAX
};

/* ---- exec ---- */

static const struct node l_exec[] = {
	KW("clear", "Reset functions", L_CLEAR, 0, 0),
	KW("configure", "Enter configuration mode", L_CONFIGURE, F_CR, CLI_C_CONFIGURE),
	KW("copy", "Copy the running configuration to the startup file", L_COPY, 0, 0),
	KW("crypto", "Encryption module", L_EXEC_CRYPTO, 0, 0),
	KW("debug", "Debugging functions", L_DEBUG, 0, 0),
	KW("disable", "Turn off privileged commands (gwctl is always privileged)", L_NONE, F_CR,
	    CLI_C_DISABLE),
	KW("enable", "Turn on privileged commands (gwctl is always privileged)", L_NONE, F_CR,
	    CLI_C_ENABLE),
	KW("exit", "Exit from the EXEC", L_NONE, F_CR, CLI_C_EXIT),
	KW("help", "Description of the interactive help system", L_NONE, F_CR, CLI_C_HELP),
	KW("logout", "Exit from the EXEC", L_NONE, F_CR, CLI_C_EXIT),
	KW("no", "Disable debugging functions", L_EXEC_NO, 0, 0),
	KW("quit", "Exit from the EXEC", L_NONE, F_CR, CLI_C_EXIT),
	KW("reload", "Re-read the startup configuration file", L_RELOAD, 0, 0),
	KW("show", "Show running system information", L_SHOW, 0, 0),
	KW("terminal", "Set terminal line parameters", L_TERMINAL, 0, 0),
	KW("undebug", "Disable debugging functions (see also 'debug')", L_UNDEBUG, 0, 0),
	KW("write", "Write the running configuration to the startup file", L_WRITE, F_CR,
	    CLI_C_WRITE),
	END
};
static const struct node l_terminal[] = {
	KW("length", "Set number of lines on a screen (gwctl does not page)", L_TERMLEN, 0,
	    CLI_C_TERMINAL),
	KW("monitor", "Copy debug output and log messages to this session", L_NONE, F_CR,
	    CLI_C_TERM_MON),
	KW("no", "Negate a command", L_TERM_NO, 0, 0),
	KW("width", "Set width of the display terminal", L_TERMWIDTH, 0,
	    CLI_C_TERMINAL),
	END
};
static const struct node l_termlen[] = {
	NUM(0, 512, "Number of lines on screen (0 for no pausing)", L_NONE, F_CR),
	END
};
static const struct node l_termwidth[] = {
	NUM(0, 512, "Number of characters on a screen line", L_NONE, F_CR),
	END
};
static const struct node l_configure[] = {
	KW("terminal", "Configure from the terminal", L_NONE, F_CR, CLI_C_CONFIGURE),
	END
};
static const struct node l_exec_crypto[] = {
	KW("key", "Long term key operations", L_EXEC_CKEY, 0, 0),
	END
};
static const struct node l_exec_ckey[] = {
	KW("generate", "Generate new keys (kept in the state directory)", L_CKGEN, 0, 0),
	KW("zeroize", "Remove keys", L_CKZERO, 0, 0),
	END
};
static const struct node l_ckgen[] = {
	KW("rsa", "Generate an RSA key pair (replaces ours)", L_CKGENOPT, F_CR,
	    CLI_C_CRYPTO_KEYGEN),
	END
};
static const struct node l_ckgenopt[] = {
	KW("general-keys", "Generate a general purpose RSA key pair (the only kind here)",
	    L_CKGENOPT, F_CR, 0),
	KW("label", "Provide a label", L_CKLABEL, 0, 0),
	KW("modulus", "Provide number of modulus bits on the command line", L_CKMOD, 0, 0),
	END
};
static const struct node l_ckmod[] = {
	NUM(1024, 4096, "Size of the key modulus in bits (default 2048)", L_CKGENOPT, F_CR),
	END
};
static const struct node l_cklabel[] = {
	NAME("WORD", "RSA key pair label (default: the hostname)", L_CKGENOPT, F_CR),
	END
};
static const struct node l_ckzero[] = {
	KW("rsa", "Remove our RSA key pair", L_NONE, F_CR, CLI_C_CRYPTO_KEYZERO),
	END
};
static const struct node l_clear[] = {
	KW("crypto", "Crypto state", L_CLEAR_CRYPTO, 0, 0),
	KW("logging", "Clear logging buffer", L_NONE, F_CR, CLI_C_CLEAR_LOGGING),
	END
};
static const struct node l_clear_crypto[] = {
	KW("ikev2", "IKEv2 state", L_CLEAR_IKEV2, 0, 0),
	KW("isakmp", "ISAKMP (IKEv1) SAs, deleted with the peer told; phase 2 SAs stay",
	    L_CLEAR_ISAKMP, F_CR, CLI_C_CLEAR_ISAKMP),
	KW("sa", "IPSEC security associations", L_CLEAR_SA, F_CR, CLI_C_CLEAR_SA),
	KW("session", "Crypto sessions: IKE SAs and negotiated SAs deleted, the peers told",
	    L_CLEAR_CSESS, F_CR, CLI_C_CLEAR_SESSION),
	END
};
static const struct node l_clear_csess[] = {
	KW("remote", "The session with one peer", L_CLEAR_CSESS_REMOTE, 0, 0),
	END
};
static const struct node l_clear_csess_remote[] = { IPA("Peer address", L_NONE, F_CR), END };
static const struct node l_clear_isakmp[] = {
	NUM(1, 4294967295u, "connection id of SA (show crypto isakmp sa)", L_NONE, F_CR),
	END
};
static const struct node l_clear_ikev2[] = {
	KW("sa", "IKEv2 SAs and their child SAs, deleted with the peer told", L_NONE, F_CR,
	    CLI_C_CLEAR_IKEV2),
	END
};
static const struct node l_clear_sa[] = {
	KW("counters", "Packet counters of show crypto ipsec sa only (the SAs stay)", L_NONE, F_CR,
	    0),
	KW("entry", "One SA: destination address, protocol and SPI", L_CLEAR_ENTRY, 0, 0),
	KW("map", "The SAs of one crypto map set", L_CLEAR_MAP, 0, 0),
	KW("peer", "The SAs with one peer", L_CLEAR_PEER, 0, 0),
	END
};
static const struct node l_clear_peer[] = { IPA("Peer address", L_NONE, F_CR), END };
static const struct node l_clear_map[] = { NAME("WORD", "Crypto map tag", L_NONE, F_CR), END };
static const struct node l_clear_entry[] = {
	IPA("Destination address of the SA", L_CLEAR_PROTO, 0),
	END
};
static const struct node l_clear_proto[] = {
	KW("ah", "Authentication Header", L_CLEAR_SPI, 0, 0),
	KW("esp", "Encapsulating Security Payload", L_CLEAR_SPI, 0, 0),
	END
};
static const struct node l_clear_spi[] = {
	NUM(256, 4294967295u, "Security Parameter Index", L_NONE, F_CR),
	END
};
static const struct node l_copy[] = {
	KW("running-config", "Copy from the current operating configuration", L_COPY_RUN, 0, 0),
	END
};
static const struct node l_copy_run[] = {
	KW("startup-config", "Copy to the startup configuration file", L_NONE, F_CR,
	    CLI_C_WRITE),
	END
};
static const struct node l_debug[] = {
	KW("crypto", "Cryptographic subsystem", L_DEBUG_CRYPTO, 0, 0),
	END
};
static const struct node l_debug_crypto[] = {
	KW("ikev2", "IKEv2 key exchange: what it does and why it refuses", L_DEBUG_IKEV2, F_CR,
	    CLI_C_DEBUG_IKEV2),
	KW("ipsec", "IPSEC processing", L_NONE, F_CR, CLI_C_DEBUG),
	KW("isakmp", "ISAKMP (IKEv1) key exchange: what it does and why it refuses",
	    L_DEBUG_IKEV2, F_CR, CLI_C_DEBUG_ISAKMP),
	END
};
static const struct node l_debug_ikev2[] = {
	KW("keys", "Also log the keys of new SAs, for Wireshark (secret: lab use only)", L_NONE,
	    F_CR, 0),
	END
};
static const struct node l_exec_no[] = {
	KW("debug", "Disable debugging functions", L_NODEBUG, 0, 0),
	END
};
static const struct node l_nodebug_crypto[] = {
	KW("ikev2", "IKEv2 key exchange", L_NONE, F_CR, CLI_C_NODEBUG_IKEV2),
	KW("ipsec", "IPSEC processing", L_NONE, F_CR, CLI_C_NODEBUG),
	KW("isakmp", "ISAKMP (IKEv1) key exchange", L_NONE, F_CR, CLI_C_NODEBUG_ISAKMP),
	END
};
static const struct node l_nodebug[] = {
	KW("all", "Disable all debugging", L_NONE, F_CR, CLI_C_NODEBUG_ALL),
	KW("crypto", "Cryptographic subsystem", L_NODEBUG_CRYPTO, 0, 0),
	END
};
static const struct node l_reload[] = {
	KW("config", "Re-read the startup configuration file, all or nothing", L_NONE, F_CR,
	    CLI_C_RELOAD),
	END
};
static const struct node l_write[] = {
	KW("memory", "Write to the startup configuration file", L_NONE, F_CR, CLI_C_WRITE),
	KW("terminal", "Write to the terminal (show running-config)", L_NONE, F_CR,
	    CLI_C_SHOW_RUN),
	END
};
static const struct node l_show[] = {
	KW("candidate", "What \"end\" would apply: a diff of the running configuration",
	    L_NONE, F_CR, CLI_C_SHOW_CANDIDATE),
	KW("crypto", "Encryption module", L_SHOW_CRYPTO, 0, 0),
	KW("debugging", "State of each debugging option", L_NONE, F_CR, CLI_C_SHOW_DEBUG),
	KW("ip", "IP information", L_SHOW_IP, 0, 0),
	KW("logging", "Show the contents of logging buffers", L_NONE, F_CR, CLI_C_SHOW_LOGGING),
	KW("metrics", "Counters in the Prometheus text format (as --metrics-file)", L_NONE,
	    F_CR, CLI_C_SHOW_METRICS),
	KW("running-config", "Current operating configuration", L_NONE, F_CR, CLI_C_SHOW_RUN),
	KW("startup-config", "Contents of the startup configuration file", L_NONE, F_CR,
	    CLI_C_SHOW_START),
	KW("users", "The CLI sessions and their modes", L_NONE, F_CR, CLI_C_SHOW_USERS),
	KW("workers", "The datad workers and their state", L_NONE, F_CR, CLI_C_SHOW_WORKERS),
	END
};
static const struct node l_show_ip[] = {
	KW("access-lists", "List IP access lists", L_SHOW_ACL, F_CR, CLI_C_SHOW_ACL),
	END
};
static const struct node l_show_acl[] = {
	NAME("WORD", "Access list name or number", L_NONE, F_CR),
	END
};
static const struct node l_show_crypto[] = {
	KW("dynamic-map", "Crypto dynamic map templates", L_TAG, F_CR, CLI_C_SHOW_DYNMAP),
	KW("ikev2", "Shows ikev2 information", L_SHOW_IKEV2, 0, CLI_C_SHOW_IKEV2),
	KW("ipsec", "Show IPSEC info", L_SHOW_IPSEC, 0, 0),
	KW("isakmp", "Show ISAKMP (IKEv1) information", L_SHOW_ISAKMP, 0, CLI_C_SHOW_ISAKMP),
	KW("key", "Show long term public keys", L_SHOW_CKEY, 0, 0),
	KW("map", "Crypto maps", L_SHOW_MAP, F_CR, CLI_C_SHOW_MAP),
	KW("session", "Crypto sessions (one per peer: its IKE SAs and IPsec SAs)", L_SHOW_CSESS,
	    F_CR, CLI_C_SHOW_SESSION),
	END
};
static const struct node l_show_csess[] = {
	KW("detail", "Crypto sessions in detail", L_NONE, F_CR, 0),
	KW("remote", "The session with one peer", L_CSESS_REMOTE, 0, 0),
	END
};
static const struct node l_csess_remote[] = { IPA("Peer address", L_CSESS_DETAIL, F_CR), END };
static const struct node l_csess_detail[] = {
	KW("detail", "Crypto sessions in detail", L_NONE, F_CR, 0),
	END
};
static const struct node l_show_ikev2[] = {
	KW("policy", "Show IKEv2 policies", L_SHOW_IKNAME, F_CR, 0),
	KW("profile", "Shows ikev2 profiles (keys never shown)", L_SHOW_IKNAME, F_CR, 0),
	KW("proposal", "Show IKEv2 proposals", L_SHOW_IKNAME, F_CR, 0),
	KW("sa", "Shows ikev2 SAs", L_SHOW_IKSA, F_CR, 0),
	KW("stats", "Shows ikev2 counters: messages, refusals, drops", L_NONE, F_CR, 0),
	END
};
static const struct node l_show_iksa[] = {
	KW("detail", "Shows ikev2 SAs in detail", L_NONE, F_CR, 0),
	END
};
static const struct node l_show_isakmp[] = {
	KW("policy", "Show ISAKMP protection suite policies", L_NONE, F_CR, 0),
	KW("sa", "Show ISAKMP security associations", L_SHOW_ISKSA, F_CR, 0),
	END
};
static const struct node l_show_isksa[] = {
	KW("detail", "Show ISAKMP SAs in detail", L_NONE, F_CR, 0),
	END
};
static const struct node l_show_ckey[] = {
	KW("mypubkey", "Show public keys associated with this router", L_SHOW_MYPUB, 0, 0),
	KW("pubkey-chain", "Show peer public keys", L_SHOW_PCHAIN, 0, 0),
	END
};
static const struct node l_show_mypub[] = {
	KW("rsa", "Show RSA public keys", L_NONE, F_CR, CLI_C_SHOW_MYPUBKEY),
	END
};
static const struct node l_show_pchain[] = {
	KW("rsa", "Show RSA public keys", L_SHOW_PCRSA, F_CR, CLI_C_SHOW_PUBCHAIN),
	END
};
static const struct node l_show_pcrsa[] = {
	KW("address", "Show the keys of one address", L_SHOW_PCADDR, 0, 0),
	KW("name", "Show the keys of one name", L_SHOW_PCNAME, 0, 0),
	END
};
static const struct node l_show_pcaddr[] = { IPA("IP address", L_NONE, F_CR), END };
static const struct node l_show_pcname[] = { NAME("WORD", "Key name", L_NONE, F_CR), END };
static const struct node l_show_ikname[] = { NAME("WORD", "Name", L_NONE, F_CR), END };
static const struct node l_tag[] = {
	KW("tag", "Crypto map tag", L_TAGNAME, 0, 0),
	END
};
static const struct node l_tagname[] = { NAME("WORD", "Crypto map tag", L_NONE, F_CR), END };
static const struct node l_show_map[] = {
	KW("interface", "Crypto maps of an interface", L_MAPIF, 0, 0),
	KW("tag", "Crypto maps with a given tag", L_MAPTAG, 0, 0),
	END
};
static const struct node l_maptag[] = {
	NAME("WORD", "Crypto map tag", L_SHOW_MAP, F_CR),
	END
};
static const struct node l_mapif[] = {
	NAME("WORD", "Interface name", L_SHOW_MAP, F_CR),
	END
};
static const struct node l_show_ipsec[] = {
	KW("sa", "IPSEC SA table", L_SA_OPTS, F_CR, CLI_C_SHOW_SA),
	KW("security-association", "Show parameters for IPSEC security associations", L_SHOW_SAS,
	    0, 0),
	KW("transform-set", "Crypto transform sets", L_SHOW_TSET, F_CR, CLI_C_SHOW_TSET),
	END
};
static const struct node l_show_sas[] = {
	KW("lifetime", "IPSEC security association lifetime", L_NONE, F_CR,
	    CLI_C_SHOW_LIFETIME),
	END
};
static const struct node l_show_tset[] = {
	NAME("WORD", "Transform set tag", L_NONE, F_CR),
	KW("tag", "Transform set with a given tag", L_TAGNAME, 0, 0),
	END
};
static const struct node l_sa_opts[] = {
	KW("address", "IPSEC SA table, by destination address", L_SA_OPTS, F_CR, 0),
	KW("detail", "Every counter, the owning worker", L_SA_OPTS, F_CR, 0),
	KW("identity", "IPSEC SADB identities (flows) only", L_SA_OPTS, F_CR, 0),
	KW("map", "IPSEC SAs of a crypto map set", L_SA_MAP, 0, 0),
	KW("peer", "IPSEC SAs with a peer", L_SA_PEER, 0, 0),
	END
};
static const struct node l_sa_map[] = {
	NAME("WORD", "Crypto map tag", L_SA_OPTS, F_CR),
	END
};
static const struct node l_sa_peer[] = {
	IPA("Peer address", L_SA_OPTS, F_CR),
	END
};

/* ---- terminal monitor, logging (docs/logging.md) ---- */

static const struct node l_term_no[] = {
	KW("monitor", "Stop copying debug output and log messages here", L_NONE, F_CR,
	    CLI_C_TERM_NOMON),
	END
};
static const struct node l_logging[] = {
	IPA("IP address of the logging host (as logging host)", L_LOGTEXT, F_CR),
	KW("buffered", "Set buffered logging parameters", L_LOGTEXT, F_CR, 0),
	KW("console", "Set console logging parameters", L_LOGTEXT, F_CR, 0),
	KW("facility", "Facility parameter for syslog messages", L_LOGTEXT, 0, 0),
	KW("host", "Set syslog server IP address and parameters", L_LOGTEXT, 0, 0),
	KW("monitor", "Set terminal line (monitor) logging parameters", L_LOGTEXT, F_CR, 0),
	KW("on", "Enable logging to all enabled destinations", L_NONE, F_CR, 0),
	KW("source-interface", "Specify interface for source address in logging "
	    "transactions (accepted, not used)", L_LOGTEXT, 0, 0),
	KW("trap", "Set syslog server logging level", L_LOGTEXT, F_CR, 0),
	END
};
static const struct node l_logtext[] = {
	TEXT("Size, level (0-7, emergencies .. debugging), address, transport udp port"),
	END
};

/* ---- global configuration ---- */

static const struct node l_conf[] = {
	KW("abort", "Leave configuration mode, discarding this session", L_NONE, F_CR,
	    CLI_C_ABORT),
	KW("access-list", "Add an access list entry", L_ACLNUM, 0, 0),
	KW("crypto", "Encryption module", L_CRYPTO, 0, 0),
	KW("do", "Run an exec command (on the running configuration)", L_EXEC, 0, CLI_C_DO),
	KW("end", "Exit configuration mode, applying the session (all or nothing)", L_NONE,
	    F_CR, CLI_C_END),
	KW("exit", "Exit from this mode (from global configuration: as end)", L_NONE, F_CR,
	    CLI_C_CONF_EXIT),
	KW("hostname", "Set the system's network name", L_HOSTNAME, 0, 0),
	KW("interface", "Select an interface to configure", L_IFNAME, 0, 0),
	KW("ip", "Global IP configuration subcommands", L_IP, 0, 0),
	KW("logging", "Modify message logging facilities", L_LOGGING, 0, 0),
	KW("no", "Negate a command or set its defaults", L_CONF, F_NO, 0),
	END
};
static const struct node l_aclnum[] = {
	NUM(100, 199, "IP extended access list", L_ACLACT, 0),
	NUM(2000, 2699, "IP extended access list (expanded range)", L_ACLACT, 0),
	END
};
static const struct node l_aclact[] = {
	KW("deny", "Specify packets to reject (not protected by a crypto map entry)", L_PROTO,
	    0, 0),
	KW("permit", "Specify packets to forward (protected by a crypto map entry)", L_PROTO,
	    0, 0),
	KW("remark", "Access list entry comment", L_REMARK, 0, 0),
	END
};
static const struct node l_remark[] = { TEXT("Comment up to 100 characters"), END };
static const struct node l_proto[] = {
	NUM(0, 255, "An IP protocol number", L_SRC, 0),
	KW("ahp", "Authentication Header Protocol", L_SRC, 0, 0),
	KW("eigrp", "Cisco's EIGRP routing protocol", L_SRC, 0, 0),
	KW("esp", "Encapsulation Security Payload", L_SRC, 0, 0),
	KW("gre", "Cisco's GRE tunneling", L_SRC, 0, 0),
	KW("icmp", "Internet Control Message Protocol", L_SRC, 0, 0),
	KW("igmp", "Internet Gateway Message Protocol", L_SRC, 0, 0),
	KW("igrp", "Cisco's IGRP routing protocol", L_SRC, 0, 0),
	KW("ip", "Any Internet Protocol", L_SRC, 0, 0),
	KW("ipinip", "IP in IP tunneling", L_SRC, 0, 0),
	KW("nos", "KA9Q NOS compatible IP over IP tunneling", L_SRC, 0, 0),
	KW("ospf", "OSPF routing protocol", L_SRC, 0, 0),
	KW("pcp", "Payload Compression Protocol", L_SRC, 0, 0),
	KW("pim", "Protocol Independent Multicast", L_SRC, 0, 0),
	KW("sctp", "Stream Control Transmission Protocol", L_SRC_P, 0, 0),
	KW("tcp", "Transmission Control Protocol", L_SRC_P, 0, 0),
	KW("udp", "User Datagram Protocol", L_SRC_P, 0, 0),
	END
};
static const struct node l_src[] = {
	IPA("Source address", L_SRCWILD, 0),
	KW("any", "Any source host", L_DST, 0, 0),
	KW("host", "A single source host", L_SRCHOST, 0, 0),
	END
};
static const struct node l_srchost[] = { IPA("Source address", L_DST, 0), END };
static const struct node l_srcwild[] = { IPA("Source wildcard bits", L_DST, 0), END };
static const struct node l_src_p[] = {
	IPA("Source address", L_SRCWILD_P, 0),
	KW("any", "Any source host", L_SPORT, 0, 0),
	KW("host", "A single source host", L_SRCHOST_P, 0, 0),
	END
};
static const struct node l_srchost_p[] = { IPA("Source address", L_SPORT, 0), END };
static const struct node l_srcwild_p[] = { IPA("Source wildcard bits", L_SPORT, 0), END };
static const struct node l_sport[] = {			/* parent: l_dst_p */
	KW("eq", "Match only packets on a given port number", L_SPORT1, 0, 0),
	KW("gt", "Match only packets with a greater port number", L_SPORT1, 0, 0),
	KW("lt", "Match only packets with a lower port number", L_SPORT1, 0, 0),
	KW("neq", "Match only packets not on a given port number", L_SPORT1, 0, 0),
	KW("range", "Match only packets in the range of port numbers", L_SRANGE, 0, 0),
	END
};
static const struct node l_sport1[] = { PORT(L_DST_P, 0), END };
static const struct node l_srange[] = { PORT(L_SPORT1, 0), END };
static const struct node l_dst[] = {
	IPA("Destination address", L_DSTWILD, 0),
	KW("any", "Any destination host", L_OPTS, F_CR, 0),
	KW("host", "A single destination host", L_DSTHOST, 0, 0),
	END
};
static const struct node l_dsthost[] = { IPA("Destination address", L_OPTS, F_CR), END };
static const struct node l_dstwild[] = { IPA("Destination wildcard bits", L_OPTS, F_CR), END };
static const struct node l_dst_p[] = {
	IPA("Destination address", L_DSTWILD_P, 0),
	KW("any", "Any destination host", L_DPORT, F_CR, 0),
	KW("host", "A single destination host", L_DSTHOST_P, 0, 0),
	END
};
static const struct node l_dsthost_p[] = { IPA("Destination address", L_DPORT, F_CR), END };
static const struct node l_dstwild_p[] = {
	IPA("Destination wildcard bits", L_DPORT, F_CR),
	END
};
static const struct node l_dport[] = {			/* parent: l_opts */
	KW("eq", "Match only packets on a given port number", L_DPORT1, 0, 0),
	KW("gt", "Match only packets with a greater port number", L_DPORT1, 0, 0),
	KW("lt", "Match only packets with a lower port number", L_DPORT1, 0, 0),
	KW("neq", "Match only packets not on a given port number", L_DPORT1, 0, 0),
	KW("range", "Match only packets in the range of port numbers", L_DRANGE, 0, 0),
	END
};
static const struct node l_dport1[] = { PORT(L_OPTS, F_CR), END };
static const struct node l_drange[] = { PORT(L_DPORT1, 0), END };
static const struct node l_opts[] = {
	KW("established", "Match established connections", L_OPTS, F_CR, 0),
	KW("log", "Log matches against this entry", L_OPTS, F_CR, 0),
	KW("precedence", "Match packets with given precedence value", L_PREC, 0, 0),
	KW("tos", "Match packets with given TOS value", L_TOS, 0, 0),
	END
};
static const struct node l_prec[] = {
	NUM(0, 7, "Precedence value", L_OPTS, F_CR),
	KW("critical", "Match packets with critical precedence (5)", L_OPTS, F_CR, 0),
	KW("flash", "Match packets with flash precedence (3)", L_OPTS, F_CR, 0),
	KW("flash-override", "Match packets with flash override precedence (4)", L_OPTS, F_CR,
	    0),
	KW("immediate", "Match packets with immediate precedence (2)", L_OPTS, F_CR, 0),
	KW("internet", "Match packets with internetwork control precedence (6)", L_OPTS, F_CR,
	    0),
	KW("network", "Match packets with network control precedence (7)", L_OPTS, F_CR, 0),
	KW("priority", "Match packets with priority precedence (1)", L_OPTS, F_CR, 0),
	KW("routine", "Match packets with routine precedence (0)", L_OPTS, F_CR, 0),
	END
};
static const struct node l_tos[] = {
	NUM(0, 15, "Type of service value", L_OPTS, F_CR),
	KW("max-reliability", "Match packets with max reliable TOS (2)", L_OPTS, F_CR, 0),
	KW("max-throughput", "Match packets with max throughput TOS (4)", L_OPTS, F_CR, 0),
	KW("min-delay", "Match packets with min delay TOS (8)", L_OPTS, F_CR, 0),
	KW("min-monetary-cost", "Match packets with min monetary cost TOS (1)", L_OPTS, F_CR,
	    0),
	KW("normal", "Match packets with normal TOS (0)", L_OPTS, F_CR, 0),
	END
};
static const struct node l_crypto[] = {
	KW("dynamic-map", "Specify a dynamic crypto map template", L_DYNNAME, 0, 0),
	KW("ikev2", "Configure IKEv2 Options", L_CIKEV2, 0, 0),
	KW("ipsec", "Configure IPSEC policy", L_CIPSEC, 0, 0),
	KW("isakmp", "Configure ISAKMP policy (IKEv1); \"no crypto isakmp\" disables it",
	    L_CISAKMP, F_CR, 0),
	KW("key", "Long term key operations", L_CKEYCONF, 0, 0),
	KW("map", "Enter a crypto map", L_MAPNAME, 0, 0),
	END
};
static const struct node l_ckeyconf[] = {
	KW("pubkey-chain", "Peer public key chain management", L_CKPCHAIN, 0, 0),
	END
};
static const struct node l_ckpchain[] = {
	KW("rsa", "Peer RSA public key chain (IKEv1 rsa-sig)", L_NONE, F_CR, 0),
	END
};
static const struct node l_cisakmp[] = {
	KW("aggressive-mode", "Aggressive mode", L_ISKAGGR, 0, 0),
	KW("enable", "Enable ISAKMP (the default)", L_NONE, F_CR, 0),
	KW("identity", "Specify the identity ISAKMP uses", L_ISKID, 0, 0),
	KW("keepalive", "Set a keepalive interval for use with IOS peers (DPD)", L_ISKKA, 0, 0),
	KW("key", "Set pre-shared key for remote peer (never shown)", L_ISKKEY, 0, 0),
	KW("nat", "Set a nat keepalive interval", L_ISKNAT, 0, 0),
	KW("policy", "Set policy for an ISAKMP protection suite", L_ISKPOLNUM, 0, 0),
	END
};
static const struct node l_iskaggr[] = {
	KW("disable", "Refuse aggressive mode (main mode only)", L_NONE, F_CR, 0),
	END
};
static const struct node l_iskid[] = {
	KW("address", "Use the IP address of the interface for the identity", L_NONE, F_CR, 0),
	KW("hostname", "Use the hostname of the router for the identity", L_NONE, F_CR, 0),
	END
};
static const struct node l_iskka[] = {
	NUM(10, 3600, "Number of seconds between keep alives", L_ISKKAR, F_CR),
	END
};
static const struct node l_iskkar[] = {
	NUM(2, 60, "Retry interval in seconds when there is no reply", L_ISKKAM, F_CR),
	KW("on-demand", "Send DPD only when there is traffic to the peer (default)", L_NONE,
	    F_CR, 0),
	KW("periodic", "Send DPD periodically", L_NONE, F_CR, 0),
	END
};
static const struct node l_iskkam[] = {
	KW("on-demand", "Send DPD only when there is traffic to the peer (default)", L_NONE,
	    F_CR, 0),
	KW("periodic", "Send DPD periodically", L_NONE, F_CR, 0),
	END
};
static const struct node l_iskkey[] = {
	KW("0", "An unencrypted key follows", L_ISKKEY0, 0, 0),
	KW("6", "An encrypted key follows (refused: no master key here)", L_ISKKEY0, 0, 0),
	NAME("WORD", "The key (a key 0 or 6: after 0)", L_ISKPEER, 0),
	END
};
static const struct node l_iskkey0[] = { NAME("WORD", "The key", L_ISKPEER, 0), END };
static const struct node l_iskpeer[] = {
	KW("address", "Define shared key with IP address", L_ISKADDR, 0, 0),
	KW("hostname", "Define shared key with hostname", L_ISKHOST, 0, 0),
	END
};
static const struct node l_iskaddr[] = { IPA("Peer IP address", L_ISKMASK, F_CR), END };
static const struct node l_iskmask[] = { IPA("Peer IP subnet mask", L_NONE, F_CR), END };
static const struct node l_iskhost[] = { NAME("WORD", "Hostname of peer", L_NONE, F_CR), END };
static const struct node l_isknat[] = {
	KW("keepalive", "Set NAT keepalive interval", L_ISKNATKA, 0, 0),
	END
};
static const struct node l_isknatka[] = {
	NUM(5, 3600, "Keepalive interval in seconds", L_NONE, F_CR),
	END
};
static const struct node l_iskpolnum[] = {
	NUM(1, 10000, "Priority of protection suite", L_NONE, F_CR),
	END
};
static const struct node l_cikev2[] = {
	KW("keyring", "Define IKEv2 keyring", L_IKKRNAME, 0, 0),
	KW("policy", "Define IKEv2 policies", L_IKPOLNAME, 0, 0),
	KW("profile", "Define IKEv2 profiles", L_IKPROFNAME, 0, 0),
	KW("proposal", "Define IKEv2 proposals", L_IKPROPNAME, 0, 0),
	END
};
static const struct node l_ikpropname[] = {
	NAME("WORD", "Specify a name for the proposal", L_NONE, F_CR),
	END
};
static const struct node l_ikpolname[] = {
	NAME("WORD", "Specify a name for the policy", L_NONE, F_CR),
	END
};
static const struct node l_ikkrname[] = {
	NAME("WORD", "Keyring name", L_NONE, F_CR),
	END
};
static const struct node l_ikprofname[] = {
	NAME("WORD", "Profile name", L_NONE, F_CR),
	END
};
static const struct node l_dynname[] = {
	NAME("WORD", "Dynamic crypto map template tag", L_DYNSEQ, 0),
	END
};
static const struct node l_dynseq[] = {
	NUM(1, 65535, "Sequence to insert into dynamic crypto map entry", L_NONE, F_CR),
	END
};
static const struct node l_cipsec[] = {
	KW("security-association", "Security association parameters", L_CSA, 0, 0),
	KW("show-layout", "Layout of the show commands (docs/show.md)", L_SHOW_LAYOUT, 0, 0),
	KW("transform-set", "Define transform and settings", L_TSNAME, 0, 0),
	END
};
/* issue 12, show layouts: crypto ipsec show-layout {15 | 11.3} */
static const struct node l_show_layout[] = {
	KW("11.3", "IOS 11.3 layout, with this gateway's own lines", L_NONE, F_CR, 0),
	KW("15", "IOS 12.4/15 layout, the one parsers read (default)", L_NONE, F_CR, 0),
	END
};
static const struct node l_csa[] = {
	KW("lifetime", "Security association lifetime", L_LIFE, 0, 0),
	END
};
static const struct node l_life[] = {
	KW("kilobytes", "Volume-based key duration", L_LIFE_KB, 0, 0),
	KW("seconds", "Time-based key duration", L_LIFE_SEC, 0, 0),
	END
};
static const struct node l_life_kb[] = {
	NUM(2560, 536870912, "Security association duration in kilobytes", L_NONE, F_CR),
	END
};
static const struct node l_life_sec[] = {
	NUM(120, 86400, "Security association duration in seconds", L_NONE, F_CR),
	END
};
static const struct node l_tsname[] = { NAME("WORD", "Transform set tag", L_XF, 0), END };
static const struct node l_xf[] = {
	KW("ah-md5-hmac", "AH-HMAC-MD5 transform (weak)", L_XF, F_CR, 0),
	KW("ah-rfc1828", "AH keyed MD5 transform, RFC 1828 (weak)", L_XF, F_CR, 0),
	KW("ah-sha-hmac", "AH-HMAC-SHA transform", L_XF, F_CR, 0),
	KW("ah-sha256-hmac", "AH-HMAC-SHA256 transform", L_XF, F_CR, 0),
	KW("ah-sha384-hmac", "AH-HMAC-SHA384 transform", L_XF, F_CR, 0),
	KW("ah-sha512-hmac", "AH-HMAC-SHA512 transform", L_XF, F_CR, 0),
	KW("esp-3des", "ESP transform using 3DES(EDE) cipher (168 bits, weak)", L_XF, F_CR, 0),
	KW("esp-aes", "ESP transform using AES cipher (128, 192 or 256 bits)", L_XFBITS, F_CR,
	    0),
	KW("esp-chacha20-poly1305", "ESP transform using ChaCha20-Poly1305 (AEAD)", L_XF, F_CR,
	    0),
	KW("esp-des", "ESP transform using DES cipher (56 bits, weak)", L_XF, F_CR, 0),
	KW("esp-gcm", "ESP transform using AES-GCM (AEAD, 128 or 256 bits)", L_XFBITS, F_CR, 0),
	KW("esp-gmac", "ESP transform using AES-GMAC (integrity only, 128 or 256 bits)",
	    L_XFBITS, F_CR, 0),
	KW("esp-md5-hmac", "ESP transform using HMAC-MD5 auth (weak)", L_XF, F_CR, 0),
	KW("esp-null", "ESP transform w/o cipher", L_XF, F_CR, 0),
	KW("esp-rfc1829", "ESP DES-CBC transform, RFC 1829 (weak)", L_XF, F_CR, 0),
	KW("esp-sha-hmac", "ESP transform using HMAC-SHA auth", L_XF, F_CR, 0),
	KW("esp-sha256-hmac", "ESP transform using HMAC-SHA256 auth", L_XF, F_CR, 0),
	KW("esp-sha384-hmac", "ESP transform using HMAC-SHA384 auth", L_XF, F_CR, 0),
	KW("esp-sha512-hmac", "ESP transform using HMAC-SHA512 auth", L_XF, F_CR, 0),
	END
};
static const struct node l_xfbits[] = {			/* parent: l_xf */
	NUM(128, 256, "Key size in bits: 128, 192 (esp-aes) or 256", L_XF, F_CR),
	END
};
static const struct node l_mapname[] = { NAME("WORD", "Crypto map tag", L_MAPSEQ, 0), END };
static const struct node l_mapseq[] = {
	NUM(1, 65535, "Sequence to insert into crypto map entry", L_MAPKIND, F_CR),
	KW("local-address", "Interface to use for local address for this crypto map",
	    L_LOCALIF, 0, 0),
	END
};
static const struct node l_localif[] = { NAME("WORD", "Interface", L_NONE, F_CR), END };
static const struct node l_mapkind[] = {
	KW("ipsec-isakmp", "IPSEC w/ISAKMP", L_ISAKMP, F_CR, 0),
	KW("ipsec-manual", "IPSEC w/manual keying", L_NONE, F_CR, 0),
	END
};
static const struct node l_isakmp[] = {
	KW("dynamic", "Enable dynamic crypto map support", L_DYNREF, 0, 0),
	END
};
static const struct node l_dynref[] = {
	NAME("WORD", "Name of dynamic crypto map template", L_NONE, F_CR),
	END
};
static const struct node l_hostname[] = {
	NAME("WORD", "This system's network name", L_NONE, F_CR),
	END
};
static const struct node l_ifname[] = {
	NAME("WORD", "Interface name (wan0, Ethernet0)", L_IFNUM, F_CR),
	END
};
static const struct node l_ifnum[] = {
	NUM(0, 4294967295u, "Interface number (\"interface Ethernet 0\")", L_NONE, F_CR),
	END
};
static const struct node l_ip[] = {
	KW("access-list", "Named access list", L_IPACL, 0, 0),
	END
};
static const struct node l_ipacl[] = {
	KW("extended", "Extended access list", L_IPACLNAME, 0, 0),
	KW("standard", "Standard access list", L_IPACLNAME, 0, 0),
	END
};
static const struct node l_ipaclname[] = {
	NAME("WORD", "Access list name", L_NONE, F_CR),
	END
};

/* ---- crypto ipsec transform-set sub-mode ---- */

static const struct node l_transm[] = {			/* parent: l_conf */
	KW("initialization-vector", "Initialization vector size of esp-rfc1829", L_IV, 0, 0),
	KW("mode", "Encapsulation mode (transport/tunnel)", L_MODE, 0, 0),
	KW("no", "Negate a command or set its defaults", L_TRANSM, F_NO, 0),
	END
};
static const struct node l_iv[] = {
	KW("size", "Initialization vector size", L_IVSIZE, 0, 0),
	END
};
static const struct node l_ivsize[] = {
	NUM(4, 8, "4 or 8 bytes", L_NONE, F_CR),
	END
};
static const struct node l_mode[] = {
	KW("transport", "transport (payload encapsulation)", L_NONE, F_CR, 0),
	KW("tunnel", "tunnel (datagram encapsulation)", L_NONE, F_CR, 0),
	END
};

/* ---- crypto map / crypto dynamic-map sub-mode ---- */

static const struct node l_mapm[] = {			/* parent: l_conf */
	KW("description", "Description of the crypto map statement policy", L_DESC, 0, 0),
	KW("match", "Match values", L_MATCH, 0, 0),
	KW("no", "Negate a command or set its defaults", L_MAPM, F_NO, 0),
	KW("set", "Set values for encryption/decryption", L_SET, 0, 0),
	END
};
static const struct node l_desc[] = {
	TEXT("Up to 240 characters describing this crypto map"),
	END
};
static const struct node l_match[] = {
	KW("address", "Match address of packets to encrypt", L_MATCHACL, 0, 0),
	END
};
static const struct node l_matchacl[] = {
	NAME("WORD", "Access list name or number", L_NONE, F_CR),
	END
};
static const struct node l_natt[] = {
	KW("udp-encapsulation", "ESP in UDP 4500 (RFC 3948), ipsec-manual", L_NONE, F_CR, 0),
	END
};
static const struct node l_set[] = {
	KW("ikev2-profile", "Specify ikev2 Profile", L_IKSETPROF, 0, 0),
	KW("nat-t", "NAT traversal for a manual peer (not IOS 11.3)", L_NATT, 0, 0),
	KW("peer", "Allowed encryption/decryption peer", L_PEER, 0, 0),
	KW("pfs", "Specify pfs settings", L_PFS, F_CR, 0),
	KW("security-association", "Security association parameters", L_SETSA, 0, 0),
	KW("session-key", "Specify a session key (ipsec-manual)", L_SKDIR, 0, 0),
	KW("transform-set", "Specify list of transform sets in priority order", L_TSLIST, 0, 0),
	END
};
static const struct node l_peer[] = { IPA("IP address of peer", L_NONE, F_CR), END };
static const struct node l_pfs[] = {
	KW("group1", "D-H Group1 (768-bit modulus)", L_NONE, F_CR, 0),
	KW("group14", "D-H Group14 (2048-bit modulus)", L_NONE, F_CR, 0),
	KW("group15", "D-H Group15 (3072-bit modulus)", L_NONE, F_CR, 0),
	KW("group16", "D-H Group16 (4096-bit modulus)", L_NONE, F_CR, 0),
	KW("group19", "D-H Group19 (256-bit elliptic curve)", L_NONE, F_CR, 0),
	KW("group2", "D-H Group2 (1024-bit modulus)", L_NONE, F_CR, 0),
	KW("group20", "D-H Group20 (384-bit elliptic curve)", L_NONE, F_CR, 0),
	KW("group21", "D-H Group21 (521-bit elliptic curve)", L_NONE, F_CR, 0),
	KW("group31", "D-H Group31 (Curve25519, IKEv2; not an IOS name)", L_NONE, F_CR, 0),
	KW("group5", "D-H Group5 (1536-bit modulus)", L_NONE, F_CR, 0),
	END
};
static const struct node l_setsa[] = {
	KW("level", "Specify a security association granularity level", L_LEVEL, 0, 0),
	KW("lifetime", "Security association lifetime", L_LIFE, 0, 0),
	KW("replay", "Anti-replay window (ipsec-manual too: not IOS 11.3)", L_REPLAY, 0, 0),
	END
};
static const struct node l_level[] = {
	KW("per-host", "Host granularity", L_NONE, F_CR, 0),
	END
};
static const struct node l_replay[] = {
	KW("window-size", "Anti-replay window size", L_RWIN, 0, 0),
	END
};
static const struct node l_rwin[] = {
	NUM(64, 1024, "Window size in packets, a power of two", L_NONE, F_CR),
	END
};
static const struct node l_skdir[] = {
	KW("inbound", "Inbound session key", L_SKPROTO, 0, 0),
	KW("outbound", "Outbound session key", L_SKPROTO, 0, 0),
	END
};
static const struct node l_skproto[] = {
	KW("ah", "Specify an AH session key", L_SKSPI_AH, 0, 0),
	KW("esp", "Specify an ESP session key", L_SKSPI_ESP, 0, 0),
	END
};
static const struct node l_skspi_ah[] = {
	NUM(256, 4294967295u, "Security Parameter Index", L_SKAHKEY, 0),
	END
};
static const struct node l_skahkey[] = { HEX("AH key in hex", L_NONE, F_CR), END };
static const struct node l_skspi_esp[] = {
	NUM(256, 4294967295u, "Security Parameter Index", L_SKESP, 0),
	END
};
static const struct node l_skesp[] = {
	KW("authenticator", "ESP authenticator key", L_SKAUTHKEY, 0, 0),
	KW("cipher", "ESP cipher key", L_SKCIPHKEY, 0, 0),
	END
};
static const struct node l_skciphkey[] = {
	HEX("ESP cipher key in hex", L_SKESP2, F_CR),
	END
};
static const struct node l_skesp2[] = {
	KW("authenticator", "ESP authenticator key", L_SKAUTHKEY, 0, 0),
	END
};
static const struct node l_skauthkey[] = {
	HEX("ESP authenticator key in hex", L_NONE, F_CR),
	END
};
static const struct node l_iksetprof[] = {
	NAME("WORD", "Name of ikev2 profile", L_NONE, F_CR),
	END
};
static const struct node l_tslist[] = {
	NAME("WORD", "Transform set name", L_TSLIST, F_CR),
	END
};

/* ---- interface sub-mode ---- */

static const struct node l_ifm[] = {			/* parent: l_conf */
	KW("crypto", "Encryption/decryption commands", L_IFCRYPTO, 0, 0),
	KW("description", "Interface specific description", L_IFDESC, 0, 0),
	KW("ip", "Interface Internet Protocol config commands", L_IFIP, 0, 0),
	KW("no", "Negate a command or set its defaults", L_IFM, F_NO, 0),
	KW("shutdown", "Shutdown the selected interface", L_NONE, F_CR, 0),
	END
};
static const struct node l_ifdesc[] = {
	TEXT("Up to 240 characters describing this interface"),
	END
};
static const struct node l_ifip[] = {			/* parent: l_ip */
	KW("address", "Set the IP address of an interface", L_IFADDR, 0, 0),
	END
};
static const struct node l_ifaddr[] = { IPA("IP address", L_IFMASK, 0), END };
static const struct node l_ifmask[] = { IPA("IP subnet mask", L_NONE, F_CR), END };
static const struct node l_ifcrypto[] = {		/* parent: l_crypto */
	KW("map", "Assign a crypto map set", L_IFMAP, 0, 0),
	END
};
static const struct node l_ifmap[] = {
	NAME("WORD", "Crypto map tag", L_MAPSEQ, F_CR),
	END
};

/* ---- ip access-list extended sub-mode ---- */

static const struct node l_aclm[] = {			/* parent: l_conf */
	KW("deny", "Specify packets to reject (not protected by a crypto map entry)", L_PROTO,
	    0, 0),
	KW("no", "Negate a command or set its defaults", L_ACLM, F_NO, 0),
	KW("permit", "Specify packets to forward (protected by a crypto map entry)", L_PROTO,
	    0, 0),
	KW("remark", "Access list entry comment", L_REMARK, 0, 0),
	END
};

/* ---- crypto ikev2 proposal sub-mode ---- */

static const struct node l_ikpropm[] = {		/* parent: l_conf */
	KW("encryption", "Set encryption algorithm(s), in order", L_IKENCR, 0, 0),
	KW("group", "Set the Diffie-Hellman group(s), in order", L_IKGROUP, 0, 0),
	KW("integrity", "Set integrity hash algorithm(s), in order", L_IKHASH, 0, 0),
	KW("no", "Negate a command or set its defaults", L_IKPROPM, F_NO, 0),
	KW("prf", "Set the pseudo-random function(s), in order", L_IKHASH, 0, 0),
	END
};
static const struct node l_ikencr[] = {
	KW("3des", "Triple DES (weak)", L_IKENCR, F_CR, 0),
	KW("aes-cbc-128", "AES-CBC with a 128-bit key", L_IKENCR, F_CR, 0),
	KW("aes-cbc-192", "AES-CBC with a 192-bit key", L_IKENCR, F_CR, 0),
	KW("aes-cbc-256", "AES-CBC with a 256-bit key", L_IKENCR, F_CR, 0),
	KW("aes-gcm-128", "AES-GCM with a 128-bit key (AEAD)", L_IKENCR, F_CR, 0),
	KW("aes-gcm-256", "AES-GCM with a 256-bit key (AEAD)", L_IKENCR, F_CR, 0),
	KW("chacha20-poly1305", "ChaCha20-Poly1305 (AEAD, not an IOS name)", L_IKENCR, F_CR, 0),
	END
};
static const struct node l_ikhash[] = {
	KW("md5", "Message Digest 5 (weak)", L_IKHASH, F_CR, 0),
	KW("sha1", "Secure Hash Standard", L_IKHASH, F_CR, 0),
	KW("sha256", "Secure Hash Standard 2 (256 bit)", L_IKHASH, F_CR, 0),
	KW("sha384", "Secure Hash Standard 2 (384 bit)", L_IKHASH, F_CR, 0),
	KW("sha512", "Secure Hash Standard 2 (512 bit)", L_IKHASH, F_CR, 0),
	END
};
static const struct node l_ikgroup[] = {
	KW("14", "DH 2048 MODP", L_IKGROUP, F_CR, 0),
	KW("15", "DH 3072 MODP", L_IKGROUP, F_CR, 0),
	KW("16", "DH 4096 MODP", L_IKGROUP, F_CR, 0),
	KW("19", "256 bit ECP", L_IKGROUP, F_CR, 0),
	KW("2", "DH 1024 MODP (weak)", L_IKGROUP, F_CR, 0),
	KW("20", "384 bit ECP", L_IKGROUP, F_CR, 0),
	KW("21", "521 bit ECP", L_IKGROUP, F_CR, 0),
	KW("31", "Curve25519 (not an IOS name)", L_IKGROUP, F_CR, 0),
	KW("5", "DH 1536 MODP (weak)", L_IKGROUP, F_CR, 0),
	END
};

/* ---- crypto ikev2 policy sub-mode ---- */

static const struct node l_ikpolm[] = {			/* parent: l_conf */
	KW("match", "Match values of local fields", L_IKPMATCH, 0, 0),
	KW("no", "Negate a command or set its defaults", L_IKPOLM, F_NO, 0),
	KW("proposal", "Specify proposal", L_IKPPROP, 0, 0),
	END
};
static const struct node l_ikpmatch[] = {
	KW("address", "Local address", L_IKPMADDR, 0, 0),
	END
};
static const struct node l_ikpmaddr[] = {
	KW("local", "Local address", L_IKPMLOCAL, 0, 0),
	END
};
static const struct node l_ikpmlocal[] = { IPA("IPv4 address", L_NONE, F_CR), END };
static const struct node l_ikpprop[] = { NAME("WORD", "Proposal name", L_NONE, F_CR), END };

/* ---- crypto ikev2 keyring sub-mode and its peer blocks ---- */

static const struct node l_ikkrm[] = {			/* parent: l_conf */
	KW("no", "Negate a command or set its defaults", L_IKKRM, F_NO, 0),
	KW("peer", "Configure a Peer and associated keys", L_IKPEERNAME, 0, 0),
	END
};
static const struct node l_ikpeername[] = { NAME("WORD", "Name of peer", L_NONE, F_CR), END };
static const struct node l_ikpeerm[] = {		/* parent: l_ikkrm */
	KW("address", "IPv4 address of the peer, and mask", L_IKPADDR, 0, 0),
	KW("identity", "Identity of the peer", L_IKID, 0, 0),
	KW("no", "Negate a command or set its defaults", L_IKPEERM, F_NO, 0),
	KW("pre-shared-key", "Pre-shared key of the peer (never shown)", L_IKPSK, 0, 0),
	END
};
static const struct node l_ikpaddr[] = { IPA("IPv4 address", L_IKPMASK, F_CR), END };
static const struct node l_ikpmask[] = { IPA("IPv4 mask", L_NONE, F_CR), END };
static const struct node l_ikid[] = {
	KW("address", "IP address", L_IKIDADDR, 0, 0),
	KW("email", "Email address", L_IKIDTEXT, 0, 0),
	KW("fqdn", "Fully qualified domain name", L_IKIDTEXT, 0, 0),
	END
};
static const struct node l_ikidaddr[] = { IPA("IPv4 address", L_NONE, F_CR), END };
static const struct node l_ikidtext[] = { NAME("WORD", "The identity", L_NONE, F_CR), END };
static const struct node l_ikpsk[] = {
	KW("0", "An unencrypted key follows", L_IKPSKKEY, F_CR, 0),
	KW("6", "An encrypted key follows (refused: no master key here)", L_IKPSKKEY, F_CR, 0),
	NAME("WORD", "The key (a key that abbreviates local or remote: after 0)", L_NONE, F_CR),
	KW("local", "Key to sign our AUTH with", L_IKPSK2, 0, 0),
	KW("remote", "Key to check the peer's AUTH with", L_IKPSK2, 0, 0),
	END
};
static const struct node l_ikpsk2[] = {
	KW("0", "An unencrypted key follows", L_IKPSKKEY, F_CR, 0),
	KW("6", "An encrypted key follows (refused: no master key here)", L_IKPSKKEY, F_CR, 0),
	NAME("WORD", "The key", L_NONE, F_CR),
	END
};
static const struct node l_ikpskkey[] = { NAME("WORD", "The key", L_NONE, F_CR), END };

/* ---- crypto ikev2 profile sub-mode ---- */

static const struct node l_ikprofm[] = {		/* parent: l_conf */
	KW("authentication", "Set authentication method", L_IKAUTH, 0, 0),
	KW("dpd", "Enable IKE liveness check for peers", L_IKDPD, 0, 0),
	KW("identity", "Specify IKE identity to use", L_IKIDL, 0, 0),
	KW("keyring", "Specify keyring to use", L_IKKEYR, 0, 0),
	KW("lifetime", "Set lifetime for ikev2 SA", L_IKLIFE, 0, 0),
	KW("match", "Match values of peer", L_IKMATCH, 0, 0),
	KW("nat", "NAT-transparency", L_IKNAT, 0, 0),
	KW("no", "Negate a command or set its defaults", L_IKPROFM, F_NO, 0),
	END
};
static const struct node l_ikauth[] = {
	KW("local", "Local authentication method", L_IKAUTHM, 0, 0),
	KW("remote", "Remote authentication method", L_IKAUTHM, 0, 0),
	END
};
static const struct node l_ikauthm[] = {
	KW("pre-share", "Pre-Shared Key", L_NONE, F_CR, 0),
	END
};
static const struct node l_ikdpd[] = {
	NUM(10, 3600, "DPD interval in seconds", L_IKDPDR, 0),
	END
};
static const struct node l_ikdpdr[] = {
	NUM(2, 60, "Retry interval in seconds when there is no reply", L_IKDPDM, 0),
	END
};
static const struct node l_ikdpdm[] = {
	KW("on-demand", "Send DPD only when there is no traffic to and from the peer", L_NONE,
	    F_CR, 0),
	KW("periodic", "Send DPD periodically", L_NONE, F_CR, 0),
	END
};
static const struct node l_ikidl[] = {
	KW("local", "Local IKE identity", L_IKID, 0, 0),
	END
};
static const struct node l_ikkeyr[] = {
	KW("local", "Local keyring", L_IKKEYRN, 0, 0),
	END
};
static const struct node l_ikkeyrn[] = { NAME("WORD", "Keyring name", L_NONE, F_CR), END };
static const struct node l_iklife[] = {
	NUM(120, 86400, "Lifetime in seconds", L_NONE, F_CR),
	END
};
static const struct node l_ikmatch[] = {
	KW("identity", "Match peer identity", L_IKMID, 0, 0),
	END
};
static const struct node l_ikmid[] = {
	KW("remote", "Remote identity", L_IKMREM, 0, 0),
	END
};
static const struct node l_ikmrem[] = {
	KW("address", "IP Address(es)", L_IKMADDR, 0, 0),
	KW("email", "Email address", L_IKIDTEXT, 0, 0),
	KW("fqdn", "Fully qualified domain name", L_IKIDTEXT, 0, 0),
	END
};
static const struct node l_ikmaddr[] = { IPA("IPv4 address", L_IKMMASK, F_CR), END };
static const struct node l_ikmmask[] = { IPA("IPv4 mask", L_NONE, F_CR), END };
static const struct node l_iknat[] = {
	KW("keepalive", "Set NAT keepalive interval", L_IKNATKA, 0, 0),
	END
};
static const struct node l_iknatka[] = {
	NUM(5, 3600, "Keepalive interval in seconds", L_NONE, F_CR),
	END
};

/* ---- crypto isakmp policy sub-mode (config-isakmp) ---- */

static const struct node l_iskpolm[] = {		/* parent: l_conf */
	KW("authentication", "Set authentication method for protection suite", L_ISKAUTH, 0, 0),
	KW("encryption", "Set encryption algorithm for protection suite", L_ISKENCR, 0, 0),
	KW("group", "Set the Diffie-Hellman group", L_ISKGROUP, 0, 0),
	KW("hash", "Set hash algorithm for protection suite", L_ISKHASH, 0, 0),
	KW("lifetime", "Set lifetime for ISAKMP security association", L_ISKLIFE, 0, 0),
	KW("no", "Negate a command or set its defaults", L_ISKPOLM, F_NO, 0),
	END
};
static const struct node l_iskauth[] = {
	KW("pre-share", "Pre-Shared Key", L_NONE, F_CR, 0),
	KW("rsa-encr", "Rivest-Shamir-Adleman Encryption (refused: not supported)", L_NONE,
	    F_CR, 0),
	KW("rsa-sig", "Rivest-Shamir-Adleman Signature (the default)", L_NONE, F_CR, 0),
	END
};
static const struct node l_iskencr[] = {
	KW("3des", "Three key triple DES", L_NONE, F_CR, 0),
	KW("aes", "AES - Advanced Encryption Standard", L_ISKAES, F_CR, 0),
	KW("des", "DES - Data Encryption Standard (56 bit keys, weak; the default)", L_NONE,
	    F_CR, 0),
	END
};
static const struct node l_iskaes[] = {
	KW("128", "128 bit keys (the default)", L_NONE, F_CR, 0),
	KW("192", "192 bit keys", L_NONE, F_CR, 0),
	KW("256", "256 bit keys", L_NONE, F_CR, 0),
	END
};
static const struct node l_iskgroup[] = {
	KW("1", "Diffie-Hellman group 1 (768 bit, weak; the default)", L_NONE, F_CR, 0),
	KW("14", "Diffie-Hellman group 14 (2048 bit)", L_NONE, F_CR, 0),
	KW("15", "Diffie-Hellman group 15 (3072 bit)", L_NONE, F_CR, 0),
	KW("16", "Diffie-Hellman group 16 (4096 bit)", L_NONE, F_CR, 0),
	KW("19", "Diffie-Hellman group 19 (256 bit ecp)", L_NONE, F_CR, 0),
	KW("2", "Diffie-Hellman group 2 (1024 bit, weak)", L_NONE, F_CR, 0),
	KW("20", "Diffie-Hellman group 20 (384 bit ecp)", L_NONE, F_CR, 0),
	KW("21", "Diffie-Hellman group 21 (521 bit ecp)", L_NONE, F_CR, 0),
	KW("5", "Diffie-Hellman group 5 (1536 bit, weak)", L_NONE, F_CR, 0),
	END
};
static const struct node l_iskhash[] = {
	KW("md5", "Message Digest 5 (weak)", L_NONE, F_CR, 0),
	KW("sha", "Secure Hash Standard (the default)", L_NONE, F_CR, 0),
	KW("sha256", "Secure Hash Standard 2 (256 bit)", L_NONE, F_CR, 0),
	KW("sha384", "Secure Hash Standard 2 (384 bit)", L_NONE, F_CR, 0),
	KW("sha512", "Secure Hash Standard 2 (512 bit)", L_NONE, F_CR, 0),
	END
};
static const struct node l_isklife[] = {
	NUM(60, 86400, "lifetime in seconds", L_NONE, F_CR),
	END
};

/* ---- crypto key pubkey-chain rsa and its sub-modes ---- */

static const struct node l_pchainm[] = {		/* parent: l_conf */
	KW("addressed-key", "Configure a public key associated with an IP address", L_PKADDR,
	    0, 0),
	KW("named-key", "Configure a public key associated with a name", L_PKNAME, 0, 0),
	KW("no", "Negate a command or set its defaults", L_PCHAINM, F_NO, 0),
	END
};
static const struct node l_pkaddr[] = { IPA("IP address", L_PKUSAGE, F_CR), END };
static const struct node l_pkname[] = {
	NAME("WORD", "Name (the peer's ISAKMP identity, a host name)", L_PKUSAGE, F_CR),
	END
};
static const struct node l_pkusage[] = {
	KW("encryption", "Key is an encryption special usage key", L_NONE, F_CR, 0),
	KW("signature", "Key is a signature special usage key", L_NONE, F_CR, 0),
	END
};
static const struct node l_pkeym[] = {			/* parent: l_pchainm */
	KW("address", "Public key's IP address (named keys)", L_PKADDRA, 0, 0),
	KW("key-string", "Enter a public key as hex digits, ended by quit", L_NONE, F_CR, 0),
	KW("no", "Negate a command or set its defaults", L_PKEYM, F_NO, 0),
	END
};
static const struct node l_pkaddra[] = { IPA("IP address", L_NONE, F_CR), END };
static const struct node l_pkstr[] = {			/* no parent: hex and quit only */
	HEX("Hex digits of the key (DER SubjectPublicKeyInfo), any grouping", L_PKSTR, F_CR),
	KW("quit", "End the key (checked and stored)", L_NONE, F_CR, 0),
	END
};

static const struct {
	const struct node	*n;
	uint8_t			parent;
} lists[L_MAX] = {
	[L_EXEC] = { l_exec, 0 }, [L_CONFIGURE] = { l_configure, 0 },
	[L_TERMINAL] = { l_terminal, 0 }, [L_TERMLEN] = { l_termlen, 0 },
	[L_TERMWIDTH] = { l_termwidth, 0 }, [L_CLEAR] = { l_clear, 0 },
	[L_CLEAR_CRYPTO] = { l_clear_crypto, 0 }, [L_CLEAR_SA] = { l_clear_sa, 0 },
	[L_CLEAR_PEER] = { l_clear_peer, 0 }, [L_CLEAR_MAP] = { l_clear_map, 0 },
	[L_CLEAR_ENTRY] = { l_clear_entry, 0 }, [L_CLEAR_PROTO] = { l_clear_proto, 0 },
	[L_CLEAR_SPI] = { l_clear_spi, 0 }, [L_COPY] = { l_copy, 0 },
	[L_COPY_RUN] = { l_copy_run, 0 }, [L_DEBUG] = { l_debug, 0 },
	[L_DEBUG_CRYPTO] = { l_debug_crypto, 0 }, [L_DEBUG_IKEV2] = { l_debug_ikev2, 0 }, [L_EXEC_NO] = { l_exec_no, 0 },
	[L_NODEBUG] = { l_nodebug, 0 }, [L_NODEBUG_CRYPTO] = { l_nodebug_crypto, 0 },
	[L_UNDEBUG] = { l_nodebug, 0 },
	[L_RELOAD] = { l_reload, 0 }, [L_WRITE] = { l_write, 0 }, [L_SHOW] = { l_show, 0 },
	[L_SHOW_IP] = { l_show_ip, 0 }, [L_SHOW_ACL] = { l_show_acl, 0 },
	[L_SHOW_CRYPTO] = { l_show_crypto, 0 }, [L_TAG] = { l_tag, 0 },
	[L_TAGNAME] = { l_tagname, 0 }, [L_SHOW_MAP] = { l_show_map, 0 },
	[L_MAPTAG] = { l_maptag, 0 }, [L_MAPIF] = { l_mapif, 0 },
	[L_SHOW_IPSEC] = { l_show_ipsec, 0 }, [L_SHOW_SAS] = { l_show_sas, 0 },
	[L_SHOW_TSET] = { l_show_tset, 0 }, [L_SA_OPTS] = { l_sa_opts, 0 },
	[L_SA_MAP] = { l_sa_map, 0 }, [L_SA_PEER] = { l_sa_peer, 0 },
	[L_CONF] = { l_conf, 0 }, [L_ACLNUM] = { l_aclnum, 0 }, [L_ACLACT] = { l_aclact, 0 },
	[L_REMARK] = { l_remark, 0 }, [L_PROTO] = { l_proto, 0 }, [L_SRC] = { l_src, 0 },
	[L_SRCHOST] = { l_srchost, 0 }, [L_SRCWILD] = { l_srcwild, 0 },
	[L_SRC_P] = { l_src_p, 0 }, [L_SRCHOST_P] = { l_srchost_p, 0 },
	[L_SRCWILD_P] = { l_srcwild_p, 0 }, [L_SPORT] = { l_sport, L_DST_P },
	[L_SPORT1] = { l_sport1, 0 }, [L_SRANGE] = { l_srange, 0 }, [L_DST] = { l_dst, 0 },
	[L_DSTHOST] = { l_dsthost, 0 }, [L_DSTWILD] = { l_dstwild, 0 },
	[L_DST_P] = { l_dst_p, 0 }, [L_DSTHOST_P] = { l_dsthost_p, 0 },
	[L_DSTWILD_P] = { l_dstwild_p, 0 }, [L_DPORT] = { l_dport, L_OPTS },
	[L_DPORT1] = { l_dport1, 0 }, [L_DRANGE] = { l_drange, 0 }, [L_OPTS] = { l_opts, 0 },
	[L_PREC] = { l_prec, 0 }, [L_TOS] = { l_tos, 0 }, [L_CRYPTO] = { l_crypto, 0 },
	[L_DYNNAME] = { l_dynname, 0 }, [L_DYNSEQ] = { l_dynseq, 0 },
	[L_CIPSEC] = { l_cipsec, 0 }, [L_CSA] = { l_csa, 0 }, [L_LIFE] = { l_life, 0 },
	[L_LIFE_KB] = { l_life_kb, 0 }, [L_LIFE_SEC] = { l_life_sec, 0 },
	[L_SHOW_LAYOUT] = { l_show_layout, 0 },
	[L_TSNAME] = { l_tsname, 0 }, [L_XF] = { l_xf, 0 }, [L_XFBITS] = { l_xfbits, L_XF },
	[L_MAPNAME] = { l_mapname, 0 }, [L_MAPSEQ] = { l_mapseq, 0 },
	[L_LOCALIF] = { l_localif, 0 }, [L_MAPKIND] = { l_mapkind, 0 },
	[L_ISAKMP] = { l_isakmp, 0 }, [L_DYNREF] = { l_dynref, 0 },
	[L_HOSTNAME] = { l_hostname, 0 }, [L_IFNAME] = { l_ifname, 0 },
	[L_IFNUM] = { l_ifnum, 0 }, [L_IP] = { l_ip, 0 }, [L_IPACL] = { l_ipacl, 0 },
	[L_IPACLNAME] = { l_ipaclname, 0 },
	[L_TRANSM] = { l_transm, L_CONF }, [L_IV] = { l_iv, 0 }, [L_IVSIZE] = { l_ivsize, 0 },
	[L_MODE] = { l_mode, 0 },
	[L_MAPM] = { l_mapm, L_CONF }, [L_DESC] = { l_desc, 0 }, [L_MATCH] = { l_match, 0 },
	[L_MATCHACL] = { l_matchacl, 0 }, [L_SET] = { l_set, 0 }, [L_PEER] = { l_peer, 0 },
	[L_PFS] = { l_pfs, 0 }, [L_SETSA] = { l_setsa, 0 }, [L_NATT] = { l_natt, 0 }, [L_LEVEL] = { l_level, 0 },
	[L_REPLAY] = { l_replay, 0 }, [L_RWIN] = { l_rwin, 0 }, [L_SKDIR] = { l_skdir, 0 },
	[L_SKPROTO] = { l_skproto, 0 }, [L_SKSPI_AH] = { l_skspi_ah, 0 },
	[L_SKAHKEY] = { l_skahkey, 0 }, [L_SKSPI_ESP] = { l_skspi_esp, 0 },
	[L_SKESP] = { l_skesp, 0 }, [L_SKCIPHKEY] = { l_skciphkey, 0 },
	[L_SKESP2] = { l_skesp2, 0 }, [L_SKAUTHKEY] = { l_skauthkey, 0 },
	[L_TSLIST] = { l_tslist, 0 },
	[L_IFM] = { l_ifm, L_CONF }, [L_IFDESC] = { l_ifdesc, 0 }, [L_IFIP] = { l_ifip, L_IP },
	[L_IFADDR] = { l_ifaddr, 0 }, [L_IFMASK] = { l_ifmask, 0 },
	[L_IFCRYPTO] = { l_ifcrypto, L_CRYPTO }, [L_IFMAP] = { l_ifmap, 0 },
	[L_ACLM] = { l_aclm, L_CONF },
	[L_SHOW_IKEV2] = { l_show_ikev2, 0 }, [L_SHOW_IKNAME] = { l_show_ikname, 0 },
	[L_SHOW_IKSA] = { l_show_iksa, 0 }, [L_CLEAR_IKEV2] = { l_clear_ikev2, 0 },
	[L_SHOW_CSESS] = { l_show_csess, 0 }, [L_CSESS_REMOTE] = { l_csess_remote, 0 },
	[L_CSESS_DETAIL] = { l_csess_detail, 0 }, [L_CLEAR_CSESS] = { l_clear_csess, 0 },
	[L_CLEAR_CSESS_REMOTE] = { l_clear_csess_remote, 0 },
	[L_CIKEV2] = { l_cikev2, 0 }, [L_IKPROPNAME] = { l_ikpropname, 0 },
	[L_IKPOLNAME] = { l_ikpolname, 0 }, [L_IKKRNAME] = { l_ikkrname, 0 },
	[L_IKPROFNAME] = { l_ikprofname, 0 },
	[L_IKPROPM] = { l_ikpropm, L_CONF }, [L_IKENCR] = { l_ikencr, 0 },
	[L_IKHASH] = { l_ikhash, 0 }, [L_IKGROUP] = { l_ikgroup, 0 },
	[L_IKPOLM] = { l_ikpolm, L_CONF }, [L_IKPMATCH] = { l_ikpmatch, 0 },
	[L_IKPMADDR] = { l_ikpmaddr, 0 }, [L_IKPMLOCAL] = { l_ikpmlocal, 0 },
	[L_IKPPROP] = { l_ikpprop, 0 },
	[L_IKKRM] = { l_ikkrm, L_CONF }, [L_IKPEERNAME] = { l_ikpeername, 0 },
	[L_IKPEERM] = { l_ikpeerm, L_IKKRM }, [L_IKPADDR] = { l_ikpaddr, 0 },
	[L_IKPMASK] = { l_ikpmask, 0 }, [L_IKID] = { l_ikid, 0 },
	[L_IKIDADDR] = { l_ikidaddr, 0 }, [L_IKIDTEXT] = { l_ikidtext, 0 },
	[L_IKPSK] = { l_ikpsk, 0 }, [L_IKPSK2] = { l_ikpsk2, 0 },
	[L_IKPSKKEY] = { l_ikpskkey, 0 },
	[L_IKPROFM] = { l_ikprofm, L_CONF }, [L_IKAUTH] = { l_ikauth, 0 },
	[L_IKAUTHM] = { l_ikauthm, 0 }, [L_IKDPD] = { l_ikdpd, 0 }, [L_IKDPDR] = { l_ikdpdr, 0 },
	[L_IKDPDM] = { l_ikdpdm, 0 }, [L_IKIDL] = { l_ikidl, 0 }, [L_IKKEYR] = { l_ikkeyr, 0 },
	[L_IKKEYRN] = { l_ikkeyrn, 0 }, [L_IKLIFE] = { l_iklife, 0 },
	[L_IKMATCH] = { l_ikmatch, 0 }, [L_IKMID] = { l_ikmid, 0 }, [L_IKMREM] = { l_ikmrem, 0 },
	[L_IKMADDR] = { l_ikmaddr, 0 }, [L_IKMMASK] = { l_ikmmask, 0 },
	[L_IKNAT] = { l_iknat, 0 }, [L_IKNATKA] = { l_iknatka, 0 },
	[L_IKSETPROF] = { l_iksetprof, 0 },
	[L_SHOW_ISAKMP] = { l_show_isakmp, 0 },
	[L_SHOW_ISKSA] = { l_show_isksa, 0 }, [L_CLEAR_ISAKMP] = { l_clear_isakmp, 0 }, [L_CISAKMP] = { l_cisakmp, 0 },
	[L_ISKAGGR] = { l_iskaggr, 0 }, [L_ISKID] = { l_iskid, 0 }, [L_ISKKA] = { l_iskka, 0 },
	[L_ISKKAR] = { l_iskkar, 0 }, [L_ISKKAM] = { l_iskkam, 0 },
	[L_ISKKEY] = { l_iskkey, 0 }, [L_ISKKEY0] = { l_iskkey0, 0 },
	[L_ISKPEER] = { l_iskpeer, 0 }, [L_ISKADDR] = { l_iskaddr, 0 },
	[L_ISKMASK] = { l_iskmask, 0 }, [L_ISKHOST] = { l_iskhost, 0 },
	[L_ISKNAT] = { l_isknat, 0 }, [L_ISKNATKA] = { l_isknatka, 0 },
	[L_ISKPOLNUM] = { l_iskpolnum, 0 },
	[L_ISKPOLM] = { l_iskpolm, L_CONF }, [L_ISKAUTH] = { l_iskauth, 0 },
	[L_ISKENCR] = { l_iskencr, 0 }, [L_ISKAES] = { l_iskaes, 0 },
	[L_ISKGROUP] = { l_iskgroup, 0 }, [L_ISKHASH] = { l_iskhash, 0 },
	[L_ISKLIFE] = { l_isklife, 0 },
	[L_EXEC_CRYPTO] = { l_exec_crypto, 0 }, [L_EXEC_CKEY] = { l_exec_ckey, 0 },
	[L_CKGEN] = { l_ckgen, 0 }, [L_CKGENOPT] = { l_ckgenopt, 0 }, [L_CKMOD] = { l_ckmod, 0 },
	[L_CKLABEL] = { l_cklabel, 0 }, [L_CKZERO] = { l_ckzero, 0 },
	[L_SHOW_CKEY] = { l_show_ckey, 0 }, [L_SHOW_MYPUB] = { l_show_mypub, 0 },
	[L_SHOW_PCHAIN] = { l_show_pchain, 0 }, [L_SHOW_PCRSA] = { l_show_pcrsa, 0 },
	[L_SHOW_PCADDR] = { l_show_pcaddr, 0 }, [L_SHOW_PCNAME] = { l_show_pcname, 0 },
	[L_CKEYCONF] = { l_ckeyconf, 0 }, [L_CKPCHAIN] = { l_ckpchain, 0 },
	[L_TERM_NO] = { l_term_no, 0 },
	[L_LOGGING] = { l_logging, 0 }, [L_LOGTEXT] = { l_logtext, 0 },
	[L_PCHAINM] = { l_pchainm, L_CONF }, [L_PKADDR] = { l_pkaddr, 0 },
	[L_PKNAME] = { l_pkname, 0 }, [L_PKUSAGE] = { l_pkusage, 0 },
	[L_PKEYM] = { l_pkeym, L_PCHAINM }, [L_PKADDRA] = { l_pkaddra, 0 },
	[L_PKSTR] = { l_pkstr, 0 },
};
_Static_assert(L_MAX <= 256, "struct node's next is a uint8_t");

static const uint8_t tops[] = {
	[CLI_T_EXEC] = L_EXEC, [CLI_T_CONFIG] = L_CONF, [CLI_T_TRANSFORM] = L_TRANSM,
	[CLI_T_MAP] = L_MAPM, [CLI_T_IF] = L_IFM, [CLI_T_ACL] = L_ACLM,
	[CLI_T_IKEV2_PROPOSAL] = L_IKPROPM, [CLI_T_IKEV2_POLICY] = L_IKPOLM,
	[CLI_T_IKEV2_KEYRING] = L_IKKRM, [CLI_T_IKEV2_PEER] = L_IKPEERM,
	[CLI_T_IKEV2_PROFILE] = L_IKPROFM, [CLI_T_ISAKMP_POLICY] = L_ISKPOLM,
	[CLI_T_PUBKEY_CHAIN] = L_PCHAINM, [CLI_T_PUBKEY_KEY] = L_PKEYM, [CLI_T_PUBKEY] = L_PKSTR,
};

/* ---- Port names: those of the parser (conf_port_name), tcp and udp together ---- */

struct port_name {
	const char	*name;
	uint16_t	port;
	bool		tcp, udp;
};

static struct port_name	port_names[128];
static size_t		n_port_names;

/* Built once from conf_port_name(), so the parser's table stays the one list of names. */
static void
ports_init(void)
{
	static const uint8_t protos[] = { 6, 17 };

	if (n_port_names > 0)
		return;
	for (size_t k = 0; k < sizeof(protos); k++)
		for (unsigned p = 0; p < 65536; p++) {
			const char *nm = conf_port_name(protos[k], (uint16_t)p);
			size_t i;

			if (nm == NULL)
				continue;
			for (i = 0; i < n_port_names; i++)
				if (strcmp(port_names[i].name, nm) == 0 &&
				    port_names[i].port == p)
					break;
			if (i == n_port_names) {
				if (n_port_names == sizeof(port_names) / sizeof(port_names[0]))
					continue;
				port_names[n_port_names++] = (struct port_name){ nm,
				    (uint16_t)p, false, false };
			}
			if (protos[k] == 6)
				port_names[i].tcp = true;
			else
				port_names[i].udp = true;
		}
}

/* ---- Matching one word ---- */

/* A candidate at a position: a node, or a port name of a K_PORT node (name != NULL). */
struct cand {
	const struct node	*n;
	const char		*name;
	const struct port_name	*port;
};

enum { CANDS_MAX = 192 };

static const char *
cand_word(const struct cand *c)
{
	return c->name != NULL ? c->name : c->n->word;
}

static bool
is_kw(const struct cand *c)
{
	return c->n->type == K_KW || c->name != NULL;
}

/* Everything that may come at list l: its nodes, then its parents' (a keyword already
 * offered shadows the parent's), port names after their K_PORT node. */
static size_t
gather(int l, struct cand *out)
{
	size_t n = 0;

	for (; l != L_NONE; l = lists[l].parent) {
		for (const struct node *nd = lists[l].n; nd->type != K_END; nd++) {
			bool shadowed = false;

			for (size_t i = 0; nd->type == K_KW && i < n; i++)
				shadowed |= out[i].n->type == K_KW &&
				    strcasecmp(out[i].n->word, nd->word) == 0;
			if (shadowed || n == CANDS_MAX)
				continue;
			out[n++] = (struct cand){ nd, NULL, NULL };
			if (nd->type != K_PORT)
				continue;
			ports_init();
			for (size_t p = 0; p < n_port_names && n < CANDS_MAX; p++)
				out[n++] = (struct cand){ nd, port_names[p].name, &port_names[p] };
		}
	}
	return n;
}

static bool
parse_num(const char *s, uint32_t lo, uint32_t hi)
{
	unsigned long long v = 0;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2] != '\0') {
		base = 16;
		s += 2;
	}
	if (*s == '\0' || strlen(s) > 10)
		return false;
	for (; *s; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (*s | 0x20) - 'a' + 10;
		else
			return false;
		v = v * (unsigned)base + (unsigned)d;
	}
	return v >= lo && v <= hi;
}

static bool
param_strict(const struct node *n, const char *w)
{
	struct in_addr a;

	switch (n->type) {
	case K_NUM:
		return parse_num(w, n->lo, n->hi);
	case K_IP:
		return inet_pton(AF_INET, w, &a) == 1;
	case K_PORT:
		return parse_num(w, 0, 65535);
	default:
		return false;
	}
}

/* Which candidate word w is.  0 with *hit, or CLI_W_NOMATCH / CLI_W_AMBIGUOUS. */
static int
match(const struct cand *c, size_t n, const char *w, const struct cand **hit)
{
	size_t len = strlen(w), n_pre = 0;
	const struct cand *pre = NULL;

	for (size_t i = 0; i < n; i++)
		if (is_kw(&c[i]) && strcasecmp(cand_word(&c[i]), w) == 0) {
			*hit = &c[i];
			return 0;
		}
	for (size_t i = 0; i < n; i++)
		if (c[i].name == NULL && param_strict(c[i].n, w)) {
			*hit = &c[i];
			return 0;
		}
	for (size_t i = 0; i < n; i++)
		if (is_kw(&c[i]) && strncasecmp(cand_word(&c[i]), w, len) == 0) {
			/* the same word twice (a port name of tcp and udp) is one */
			if (pre == NULL || strcasecmp(cand_word(pre), cand_word(&c[i])) != 0)
				n_pre++;
			pre = &c[i];
		}
	if (n_pre > 1)
		return CLI_W_AMBIGUOUS;
	if (n_pre == 1) {
		*hit = pre;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (c[i].n->type == K_NAME || c[i].n->type == K_TEXT || c[i].n->type == K_HEX) {
			*hit = &c[i];
			return 0;
		}
	return CLI_W_NOMATCH;
}

/* ---- Walking a line ---- */

static int
split(struct cli_walk *wk, const char *line, struct gw_err *err)
{
	size_t len = strlen(line);

	if (len >= sizeof(wk->orig))
		return gw_fail(err, 0, "line longer than %zu characters", sizeof(wk->orig) - 1);
	memcpy(wk->orig, line, len + 1);
	memcpy(wk->buf, line, len + 1);
	wk->n = 0;
	for (size_t i = 0; i < len;) {
		if (wk->buf[i] == ' ' || wk->buf[i] == '\t' || wk->buf[i] == '\r' ||
		    wk->buf[i] == '\n') {
			wk->buf[i++] = '\0';
			continue;
		}
		if (wk->n == CLI_WORDS_MAX)
			return gw_fail(err, 0, "more than %d words", CLI_WORDS_MAX);
		wk->off[wk->n] = i;
		wk->w[wk->n++] = &wk->buf[i];
		while (i < len && wk->buf[i] != ' ' && wk->buf[i] != '\t' && wk->buf[i] != '\r' &&
		    wk->buf[i] != '\n')
			i++;
	}
	return 0;
}

/* Walk words [0, upto) from list l. */
static void
walk_words(struct cli_walk *wk, int l, int upto)
{
	struct cand c[CANDS_MAX];

	wk->matched = 0;
	wk->stop = CLI_W_END;
	wk->cr = false;
	wk->cmd = CLI_C_NONE;
	wk->cmd_at = -1;
	wk->text_at = -1;
	wk->no = false;
	for (int i = 0; i < wk->n; i++)
		wk->kw[i] = NULL;		/* words past the matched ones: parameters */
	for (int i = 0; i < upto; i++) {
		const struct cand *h = NULL;
		size_t n;
		int r;

		if (l == L_NONE) {
			wk->stop = CLI_W_NOMATCH;
			break;
		}
		n = gather(l, c);
		if ((r = match(c, n, wk->w[i], &h)) != 0) {
			wk->stop = (enum cli_stop)r;
			break;
		}
		wk->kw[i] = is_kw(h) ? cand_word(h) : NULL;
		wk->matched = i + 1;
		if (h->n->cmd != CLI_C_NONE) {
			wk->cmd = (enum cli_cmd)h->n->cmd;
			wk->cmd_at = i;
		}
		if (h->n->type == K_TEXT) {
			for (int k = i; k < wk->n; k++)
				wk->kw[k] = NULL;
			wk->matched = wk->n;
			wk->text_at = i;
			wk->stop = CLI_W_TEXT;
			wk->cr = true;
			break;		/* wk->list: the list of the text, for help */
		}
		if (h->n->flags & F_NO)
			wk->no = true;
		wk->cr = (h->n->flags & F_CR) || (wk->no && i > 0);
		l = h->n->next;
	}
	wk->list = l;
}

int
cli_walk(struct cli_walk *wk, enum cli_tree t, const char *line, struct gw_err *err)
{
	if (split(wk, line, err) != 0)
		return -1;
	walk_words(wk, tops[t], wk->n);
	return 0;
}

void
cli_expand(const struct cli_walk *wk, char *out, size_t len)
{
	size_t o = 0;

	if (len == 0)
		return;
	out[0] = '\0';
	for (int i = 0; i < wk->n && o < len; i++) {
		const char *s;

		if (i == wk->text_at || i >= wk->matched) {
			s = wk->orig + wk->off[i];	/* the rest, as typed */
			o += (size_t)snprintf(out + o, len - o, "%s%s", i ? " " : "", s);
			break;
		}
		s = wk->kw[i] != NULL ? wk->kw[i] : wk->w[i];
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? " " : "", s);
	}
	/* free text keeps its spacing, but not trailing blanks or the line end */
	o = strlen(out);
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t' || out[o - 1] == '\r' ||
	    out[o - 1] == '\n'))
		out[--o] = '\0';
}

enum cli_tree
cli_tree_of(const struct conf_session *s)
{
	switch (s->mode) {
	case CONF_SM_TRANSFORM:
		return CLI_T_TRANSFORM;
	case CONF_SM_MAP:
		return CLI_T_MAP;
	case CONF_SM_IF:
		return CLI_T_IF;
	case CONF_SM_ACL:
		return CLI_T_ACL;
	case CONF_SM_IKEV2_PROPOSAL:
		return CLI_T_IKEV2_PROPOSAL;
	case CONF_SM_IKEV2_POLICY:
		return CLI_T_IKEV2_POLICY;
	case CONF_SM_IKEV2_KEYRING:
		return CLI_T_IKEV2_KEYRING;
	case CONF_SM_IKEV2_PEER:
		return CLI_T_IKEV2_PEER;
	case CONF_SM_IKEV2_PROFILE:
		return CLI_T_IKEV2_PROFILE;
	case CONF_SM_ISAKMP_POLICY:
		return CLI_T_ISAKMP_POLICY;
	case CONF_SM_PUBKEY_CHAIN:
		return CLI_T_PUBKEY_CHAIN;
	case CONF_SM_PUBKEY_KEY:
		return CLI_T_PUBKEY_KEY;
	case CONF_SM_PUBKEY_STRING:
		return CLI_T_PUBKEY;
	default:
		return CLI_T_CONFIG;
	}
}

/* ---- Help and completion ---- */

static void
param_word(const struct cand *c, char *buf, size_t len)
{
	if (c->name != NULL)
		snprintf(buf, len, "%s", c->name);
	else if (c->n->type == K_NUM)
		snprintf(buf, len, "<%u-%u>", c->n->lo, c->n->hi);
	else
		snprintf(buf, len, "%s", c->n->word);
}

/* Parameters first in tree order, then keywords and port names alphabetically. */
static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (is_kw(x) != is_kw(y))
		return is_kw(x) ? 1 : -1;
	if (!is_kw(x))
		return x->n < y->n ? -1 : x->n > y->n;
	return strcasecmp(cand_word(x), cand_word(y));
}

static void
print_cands(struct cand *c, size_t n, bool cr, FILE *out)
{
	char w[32];
	int width = 4;

	qsort(c, n, sizeof(*c), cand_cmp);
	for (size_t i = 0; i < n; i++) {
		param_word(&c[i], w, sizeof(w));
		if ((int)strlen(w) > width)
			width = (int)strlen(w);
	}
	for (size_t i = 0; i < n; i++) {
		param_word(&c[i], w, sizeof(w));
		if (c[i].port != NULL)
			fprintf(out, "  %-*s  %s%s%s (%u)\n", width, w,
			    c[i].port->tcp ? "tcp" : "", c[i].port->tcp && c[i].port->udp ?
			    "/" : "", c[i].port->udp ? "udp" : "", c[i].port->port);
		else
			fprintf(out, "  %-*s  %s\n", width, w, c[i].n->help);
	}
	if (cr)
		fprintf(out, "  <cr>\n");
}

/* Walk all words but the last (partial) one; -1 with the IOS message if they make no sense. */
static int
walk_prefix(struct cli_walk *wk, enum cli_tree t, const char *line, bool partial, FILE *out)
{
	struct gw_err err = { 0, "" };
	int upto;

	if (split(wk, line, &err) != 0) {
		fprintf(out, "%% %s\n", err.msg);
		return -1;
	}
	upto = partial && wk->n > 0 ? wk->n - 1 : wk->n;
	walk_words(wk, tops[t], upto);
	if (wk->stop == CLI_W_AMBIGUOUS) {
		fprintf(out, "%% Ambiguous command: \"%s\"\n", line);
		return -1;
	}
	if (wk->stop == CLI_W_NOMATCH) {
		fprintf(out, "%% Unrecognized command\n");
		return -1;
	}
	return 0;
}

static bool
ends_in_space(const char *line)
{
	size_t len = strlen(line);

	return len == 0 || line[len - 1] == ' ' || line[len - 1] == '\t';
}

int
cli_help(enum cli_tree t, const char *line, FILE *out)
{
	struct cli_walk *wk;
	struct cand c[CANDS_MAX], pick[CANDS_MAX];
	size_t n, k = 0;
	bool partial = !ends_in_space(line);
	int rc = -1;

	if ((wk = malloc(sizeof(*wk))) == NULL) {
		fprintf(out, "%% out of memory\n");
		return -1;
	}
	if (walk_prefix(wk, t, line, partial, out) != 0)
		goto out;
	n = gather(wk->list, c);
	if (wk->stop == CLI_W_TEXT) {
		/* inside free text: only what the text is */
		for (size_t i = 0; i < n; i++)
			if (c[i].n->type == K_TEXT)
				pick[k++] = c[i];
		print_cands(pick, k, true, out);
		rc = 0;
		goto out;
	}
	if (partial) {
		const char *p = wk->w[wk->n - 1];
		size_t len = strlen(p);

		for (size_t i = 0; i < n; i++)
			if ((is_kw(&c[i]) && strncasecmp(cand_word(&c[i]), p, len) == 0) ||
			    (!is_kw(&c[i]) && (param_strict(c[i].n, p) ||
			    c[i].n->type == K_NAME || c[i].n->type == K_TEXT ||
			    c[i].n->type == K_HEX)))
				pick[k++] = c[i];
		if (k == 0) {
			fprintf(out, "%% Unrecognized command\n");
			goto out;
		}
		qsort(pick, k, sizeof(pick[0]), cand_cmp);
		for (size_t i = 0; i < k; i++) {
			char w[32];

			param_word(&pick[i], w, sizeof(w));
			fprintf(out, "%s%s", i ? "  " : "", w);
		}
		fprintf(out, "\n");
		rc = 0;
		goto out;
	}
	if (n == 0 && !wk->cr) {
		fprintf(out, "%% Unrecognized command\n");
		goto out;
	}
	print_cands(c, n, wk->cr, out);
	rc = 0;
out:
	OPENSSL_cleanse(wk, sizeof(*wk));	/* may hold session keys */
	free(wk);
	return rc;
}

int
cli_complete(enum cli_tree t, const char *line, char *out, size_t len, FILE *list)
{
	struct cli_walk *wk;
	struct cand c[CANDS_MAX];
	const char *p, *first = NULL;
	size_t n, plen, common = 0, k = 0;
	int rc = -1;

	snprintf(out, len, "%s", line);
	if ((wk = malloc(sizeof(*wk))) == NULL)
		return -1;
	if (ends_in_space(line) || walk_prefix(wk, t, line, true, list) != 0 ||
	    wk->stop != CLI_W_END)
		goto out;
	p = wk->w[wk->n - 1];
	plen = strlen(p);
	n = gather(wk->list, c);
	for (size_t i = 0; i < n; i++) {
		const char *w = cand_word(&c[i]);
		size_t m = 0;

		if (!is_kw(&c[i]) || strncasecmp(w, p, plen) != 0)
			continue;
		if (first != NULL && strcasecmp(first, w) == 0)
			continue;		/* a port name of tcp and udp */
		if (first == NULL) {
			first = w;
			common = strlen(w);
		} else {
			while (m < common && w[m] != '\0' &&
			    (first[m] | 0x20) == (w[m] | 0x20))
				m++;
			common = m;
		}
		k++;
	}
	if (k == 0)
		goto out;
	if (k == 1 || common > plen) {
		snprintf(out, len, "%.*s%.*s%s", (int)wk->off[wk->n - 1], wk->orig, (int)common,
		    first, k == 1 ? " " : "");
	} else {
		struct cand pick[CANDS_MAX];
		size_t j = 0;

		for (size_t i = 0; i < n; i++)
			if (is_kw(&c[i]) && strncasecmp(cand_word(&c[i]), p, plen) == 0 &&
			    (j == 0 || strcasecmp(cand_word(&pick[j - 1]), cand_word(&c[i]))))
				pick[j++] = c[i];
		qsort(pick, j, sizeof(pick[0]), cand_cmp);
		for (size_t i = 0; i < j; i++)
			fprintf(list, "%s%s", i ? "  " : "", cand_word(&pick[i]));
		fprintf(list, "\n");
	}
	rc = 0;
out:
	OPENSSL_cleanse(wk, sizeof(*wk));
	free(wk);
	return rc;
}

void
cli_kw_foreach(void (*fn)(const char *kind, const char *word, void *arg), void *arg)
{
	static const struct { const struct node *n; const char *kind; } sets[] = {
		{ l_proto, "protocol" }, { l_xf, "transform" }, { l_prec, "precedence" },
		{ l_tos, "tos" }, { l_pfs, "pfs" }, { l_ikencr, "ikev2-encryption" },
		{ l_ikhash, "ikev2-hash" }, { l_ikgroup, "ikev2-group" },
		{ l_iskencr, "isakmp-encryption" }, { l_iskhash, "isakmp-hash" },
		{ l_iskgroup, "isakmp-group" },
	};

	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++)
		for (const struct node *nd = sets[s].n; nd->type != K_END; nd++)
			if (nd->type == K_KW)
				fn(sets[s].kind, nd->word, arg);
}
