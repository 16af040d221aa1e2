/* SPDX-License-Identifier: Apache-2.0 */
/* access_list.c: the IP access lists of the configuration, extended (access-list 100-199 and
 * 2000-2699, ip access-list extended NAME) and standard (access-list 1-99 and 1300-1999, ip
 * access-list standard NAME), with their sub-modes and sequence numbers (IOS 12.4): their
 * names of protocols, ports, ICMP messages, precedences and TOS values (IOS spelling), their
 * part of the model, their parse, their check as crypto access lists and their
 * running-config lines.  An entry is parsed whole before the list changes (docs/design.md invariant
 * 4: a refused line changes nothing). */
#include <string.h>
#include <strings.h>

#include "controld/conf/families.h"

/* ---- Names (IOS spelling) ---- */

static const struct { const char *name; uint8_t num; } proto_tab[] = {
	{ "ip", 0 }, { "icmp", 1 }, { "igmp", 2 }, { "ipinip", 4 }, { "tcp", 6 }, { "igrp", 9 },
	{ "udp", 17 }, { "gre", 47 }, { "esp", 50 }, { "ahp", 51 }, { "eigrp", 88 },
	{ "ospf", 89 }, { "nos", 94 }, { "pim", 103 }, { "pcp", 108 }, { "sctp", 132 },
};

struct port_name { const char *name; uint16_t port; };

/* IOS port keywords (Security Command Reference, "access-list (extended)"); one name each. */
static const struct port_name tcp_ports[] = {
	{ "echo", 7 }, { "discard", 9 }, { "daytime", 13 }, { "chargen", 19 }, { "ftp-data", 20 },
	{ "ftp", 21 }, { "telnet", 23 }, { "smtp", 25 }, { "time", 37 }, { "whois", 43 },
	{ "tacacs", 49 }, { "domain", 53 }, { "gopher", 70 }, { "finger", 79 }, { "www", 80 },
	{ "hostname", 101 }, { "pop2", 109 }, { "pop3", 110 }, { "sunrpc", 111 }, { "ident", 113 },
	{ "nntp", 119 }, { "bgp", 179 }, { "irc", 194 }, { "pim-auto-rp", 496 }, { "exec", 512 },
	{ "login", 513 }, { "cmd", 514 }, { "lpd", 515 }, { "talk", 517 }, { "uucp", 540 },
	{ "klogin", 543 }, { "kshell", 544 },
};
static const struct port_name udp_ports[] = {
	{ "echo", 7 }, { "discard", 9 }, { "time", 37 }, { "nameserver", 42 }, { "tacacs", 49 },
	{ "domain", 53 }, { "bootps", 67 }, { "bootpc", 68 }, { "tftp", 69 }, { "ntp", 123 },
	{ "netbios-ns", 137 }, { "netbios-dgm", 138 }, { "netbios-ss", 139 }, { "snmp", 161 },
	{ "snmptrap", 162 }, { "xdmcp", 177 }, { "dnsix", 195 }, { "mobile-ip", 434 },
	{ "pim-auto-rp", 496 }, { "isakmp", 500 }, { "biff", 512 }, { "who", 513 },
	{ "syslog", 514 }, { "talk", 517 }, { "rip", 520 }, { "non500-isakmp", 4500 },
};

static const char *const prec_names[8] = {
	"routine", "priority", "immediate", "flash", "flash-override", "critical", "internet",
	"network",
};
static const struct { const char *name; uint8_t tos; } tos_tab[] = {
	{ "normal", 0 }, { "min-monetary-cost", 1 }, { "max-reliability", 2 },
	{ "max-throughput", 4 }, { "min-delay", 8 },
};

/* IOS's ICMP message names (Security Command Reference, "access-list (IP extended)"); code
 * -1: any code of the type. */
static const struct { const char *name; int16_t type, code; } icmp_tab[] = {
	{ "echo-reply", 0, -1 }, { "unreachable", 3, -1 }, { "net-unreachable", 3, 0 },
	{ "host-unreachable", 3, 1 }, { "protocol-unreachable", 3, 2 },
	{ "port-unreachable", 3, 3 }, { "packet-too-big", 3, 4 },
	{ "source-route-failed", 3, 5 }, { "network-unknown", 3, 6 }, { "host-unknown", 3, 7 },
	{ "host-isolated", 3, 8 }, { "dod-net-prohibited", 3, 9 },
	{ "dod-host-prohibited", 3, 10 }, { "net-tos-unreachable", 3, 11 },
	{ "host-tos-unreachable", 3, 12 }, { "administratively-prohibited", 3, 13 },
	{ "host-precedence-unreachable", 3, 14 }, { "precedence-unreachable", 3, 15 },
	{ "source-quench", 4, -1 }, { "redirect", 5, -1 }, { "net-redirect", 5, 0 },
	{ "host-redirect", 5, 1 }, { "net-tos-redirect", 5, 2 }, { "host-tos-redirect", 5, 3 },
	{ "alternate-address", 6, -1 }, { "echo", 8, -1 }, { "router-advertisement", 9, -1 },
	{ "router-solicitation", 10, -1 }, { "time-exceeded", 11, -1 },
	{ "ttl-exceeded", 11, 0 }, { "reassembly-timeout", 11, 1 },
	{ "parameter-problem", 12, -1 }, { "general-parameter-problem", 12, 0 },
	{ "option-missing", 12, 1 }, { "no-room-for-option", 12, 2 },
	{ "timestamp-request", 13, -1 }, { "timestamp-reply", 14, -1 },
	{ "information-request", 15, -1 }, { "information-reply", 16, -1 },
	{ "mask-request", 17, -1 }, { "mask-reply", 18, -1 }, { "traceroute", 30, -1 },
	{ "conversion-error", 31, -1 }, { "mobile-redirect", 32, -1 },
};

const char *
conf_icmp_name(int type, int code)
{
	for (size_t i = 0; i < NELEM(icmp_tab); i++)
		if (icmp_tab[i].type == type && icmp_tab[i].code == code)
			return icmp_tab[i].name;
	return NULL;
}

const char *
conf_proto_name(uint8_t proto)
{
	for (size_t i = 0; i < NELEM(proto_tab); i++)
		if (proto_tab[i].num == proto)
			return proto_tab[i].name;
	return NULL;
}

const char *
conf_port_name(uint8_t proto, uint16_t port)
{
	const struct port_name *t = proto == 6 ? tcp_ports : proto == 17 ? udp_ports : NULL;
	size_t n = proto == 6 ? NELEM(tcp_ports) : proto == 17 ? NELEM(udp_ports) : 0;

	for (size_t i = 0; i < n; i++)
		if (t[i].port == port)
			return t[i].name;
	return NULL;
}

const char *
conf_prec_name(int prec)
{
	return prec >= 0 && prec < 8 ? prec_names[prec] : NULL;
}

const char *
conf_tos_name(int tos)
{
	for (size_t i = 0; i < NELEM(tos_tab); i++)
		if (tos_tab[i].tos == tos)
			return tos_tab[i].name;
	return NULL;
}

/* ---- The model ---- */

void
acl_free(struct conf_acl *a)
{
	if (a == NULL)
		return;
	free(a->aces);
	free(a);
}

struct conf_acl *
acl_dup(const struct conf_acl *a)
{
	struct conf_acl *d;

	if ((d = malloc(sizeof(*d))) == NULL)
		return NULL;
	*d = *a;
	d->aces = NULL;
	d->cap_aces = a->n_aces;
	if (a->n_aces > 0) {
		if ((d->aces = malloc(a->n_aces * sizeof(*d->aces))) == NULL) {
			free(d);
			return NULL;
		}
		memcpy(d->aces, a->aces, a->n_aces * sizeof(*d->aces));
	}
	return d;
}

static bool
ace_equal(const struct conf_ace *a, const struct conf_ace *b)
{
	if (a->action != b->action)
		return false;
	if (a->action == CONF_ACE_REMARK)
		return strcmp(a->remark, b->remark) == 0;
	return a->proto == b->proto && a->src.addr == b->src.addr &&
	    a->src.wild == b->src.wild && a->dst.addr == b->dst.addr &&
	    a->dst.wild == b->dst.wild && a->sport.op == b->sport.op &&
	    a->sport.lo == b->sport.lo && a->sport.hi == b->sport.hi &&
	    a->sport.neq == b->sport.neq && a->dport.op == b->dport.op &&
	    a->dport.lo == b->dport.lo && a->dport.hi == b->dport.hi &&
	    a->dport.neq == b->dport.neq && a->precedence == b->precedence &&
	    a->tos == b->tos && a->log == b->log && a->standard == b->standard &&
	    a->established == b->established && a->icmp_type == b->icmp_type &&
	    a->icmp_code == b->icmp_code;
}

bool
acl_equal(const struct conf_acl *a, const struct conf_acl *b)
{
	if (strcmp(a->name, b->name) != 0 || a->numbered != b->numbered ||
	    a->standard != b->standard || a->n_aces != b->n_aces)
		return false;
	for (size_t i = 0; i < a->n_aces; i++)
		if (!ace_equal(&a->aces[i], &b->aces[i]) || a->aces[i].seq != b->aces[i].seq)
			return false;
	return true;
}

struct conf_acl *
conf_acl_find(const struct conf *c, const char *name)
{
	return FIND_BY_NAME(c->acls, c->n_acls, name);
}

const struct conf_ace *
conf_acl_first_permit(const struct conf_acl *a)
{
	for (size_t i = 0; i < a->n_aces; i++)
		if (a->aces[i].action == CONF_ACE_PERMIT)
			return &a->aces[i];
	return NULL;
}

/* ---- Parse ---- */

/* A list number: 1-99 and 1300-1999 standard, 100-199 and 2000-2699 extended. */
static bool
acl_std_number(const char *name)
{
	unsigned long v;

	return num(name, 1, 99, &v) || num(name, 1300, 1999, &v);
}

static bool
acl_ext_number(const char *name)
{
	unsigned long v;

	return num(name, 100, 199, &v) || num(name, 2000, 2699, &v);
}

/* Whether name is a number (then *in_range: an IP access list number of either kind). */
static bool
acl_numbered(const char *name, bool *in_range)
{
	if (name[0] < '0' || name[0] > '9')
		return false;
	*in_range = acl_std_number(name) || acl_ext_number(name);
	return true;
}

/* "match address X" and friends: a numbered name must be an IP access list number. */
int
acl_name_ok(struct pl *p, const char *what, const char *s)
{
	bool in_range;

	if (name_ok(p, what, s) != 0)
		return -1;
	if (acl_numbered(s, &in_range) && !in_range)
		return perr(p, "%s \"%.40s\": not an IP access list number (1-199, 1300-2699)",
		    what, s);
	return 0;
}

static bool
has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132;
}

static bool
port_op_word(const char *s)
{
	return strcasecmp(s, "eq") == 0 || strcasecmp(s, "neq") == 0 ||
	    strcasecmp(s, "lt") == 0 || strcasecmp(s, "gt") == 0 ||
	    strcasecmp(s, "range") == 0;
}

static int
port_value(struct pl *p, uint8_t proto, const char *s, uint16_t *out)
{
	const struct port_name *t = proto == 6 ? tcp_ports : proto == 17 ? udp_ports : NULL;
	size_t n = proto == 6 ? NELEM(tcp_ports) : proto == 17 ? NELEM(udp_ports) : 0;
	unsigned long v;

	if (num(s, 0, 65535, &v)) {
		*out = (uint16_t)v;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(t[i].name, s) == 0) {
			*out = t[i].port;
			return 0;
		}
	if (s[0] == '\0')
		return perr(p, "port operator needs a port");
	return perr(p, "\"%.40s\": not a port number (0-65535) or %s port name", s,
	    conf_proto_name(proto) != NULL ? conf_proto_name(proto) : "known");
}

/* [eq|neq|lt|gt P | range A B] at *i, if present. */
static int
ports(struct pl *p, int *i, uint8_t proto, struct conf_ports *pt)
{
	const char *op = word(p, *i);
	uint16_t a, b;

	pt->op = CONF_PORT_ANY;
	pt->lo = 0;
	pt->hi = 65535;
	pt->neq = false;
	if (!has_ports(proto) || !port_op_word(op))
		return 0;
	if (port_value(p, proto, word(p, *i + 1), &a) != 0)
		return -1;
	if (strcasecmp(op, "range") == 0) {
		if (port_value(p, proto, word(p, *i + 2), &b) != 0)
			return -1;
		if (a > b)
			return perr(p, "range %u %u: first port is above the last", a, b);
		pt->op = CONF_PORT_RANGE;
		pt->lo = a;
		pt->hi = b;
		*i += 3;
		return 0;
	}
	*i += 2;
	pt->lo = pt->hi = a;
	if (strcasecmp(op, "eq") == 0) {
		pt->op = CONF_PORT_EQ;
	} else if (strcasecmp(op, "neq") == 0) {
		pt->op = CONF_PORT_NEQ;
		pt->neq = true;
	} else if (strcasecmp(op, "lt") == 0) {
		if (a == 0)
			return perr(p, "lt 0: matches no port");
		pt->op = CONF_PORT_LT;
		pt->lo = 0;
		pt->hi = a - 1;
	} else {
		if (a == 65535)
			return perr(p, "gt 65535: matches no port");
		pt->op = CONF_PORT_GT;
		pt->lo = a + 1;
		pt->hi = 65535;
	}
	return 0;
}

/* any | host A | A WILDCARD at *i. */
static int
address(struct pl *p, int *i, const char *what, struct conf_addr *a)
{
	const char *s = word(p, *i);

	if (s[0] == '\0')
		return perr(p, "missing %s address (any, host A or A WILDCARD)", what);
	if (strcasecmp(s, "any") == 0) {
		a->addr = 0;
		a->wild = 0xffffffffu;
		*i += 1;
		return 0;
	}
	if (strcasecmp(s, "host") == 0) {
		if (!ipv4(word(p, *i + 1), &a->addr))
			return perr(p, "host \"%.40s\": not an IPv4 address", word(p, *i + 1));
		a->wild = 0;
		*i += 2;
		return 0;
	}
	if (!ipv4(s, &a->addr))
		return perr(p, "\"%.40s\": not a %s address (any, host A or A WILDCARD)", s, what);
	if (!ipv4(word(p, *i + 1), &a->wild))
		return perr(p, "%s %.40s: \"%.40s\" is not a wildcard mask", what, s,
		    word(p, *i + 1));
	a->addr &= ~a->wild;			/* as IOS stores it */
	*i += 2;
	return 0;
}

static int
protocol(struct pl *p, const char *s, uint8_t *out)
{
	unsigned long v;

	for (size_t i = 0; i < NELEM(proto_tab); i++)
		if (strcasecmp(proto_tab[i].name, s) == 0) {
			*out = proto_tab[i].num;
			return 0;
		}
	if (num(s, 0, 255, &v)) {
		*out = (uint8_t)v;
		return 0;
	}
	if (s[0] == '\0')
		return perr(p, "missing protocol (ip, tcp, udp, esp, ... or 0-255)");
	return perr(p, "\"%.40s\": unknown protocol (ip, tcp, udp, esp, ... or 0-255)", s);
}

static void
ace_init(struct conf_ace *a, enum conf_ace_action act, unsigned line)
{
	memset(a, 0, sizeof(*a));
	a->action = act;
	a->line = line;
	a->precedence = a->tos = -1;
	a->icmp_type = a->icmp_code = -1;
}

/* icmp: [TYPE [CODE] | NAME] at *i, if present. */
static int
icmp_type(struct pl *p, int *i, struct conf_ace *a)
{
	unsigned long t, c;

	if (num(word(p, *i), 0, 255, &t)) {
		a->icmp_type = (int16_t)t;
		(*i)++;
		if (num(word(p, *i), 0, 255, &c)) {
			a->icmp_code = (int16_t)c;
			(*i)++;
		}
		return 0;
	}
	for (size_t k = 0; k < NELEM(icmp_tab); k++)
		if (kw(p, *i, icmp_tab[k].name)) {
			a->icmp_type = icmp_tab[k].type;
			a->icmp_code = icmp_tab[k].code;
			(*i)++;
			return 0;
		}
	return 0;
}

/* A standard entry, words from i: {any | host A | A [WILDCARD]} [log]. */
static int
std_parse(struct pl *p, int i, enum conf_ace_action act, struct conf_ace *a)
{
	const char *s = word(p, i);

	ace_init(a, act, p->lineno);
	a->standard = true;
	a->dst.wild = 0xffffffffu;
	a->sport = a->dport = (struct conf_ports){ CONF_PORT_ANY, 0, 65535, false };
	if (s[0] == '\0')
		return perr(p, "missing source address (any, host A or A [WILDCARD])");
	if (strcasecmp(s, "any") == 0 || strcasecmp(s, "host") == 0) {
		if (address(p, &i, "source", &a->src) != 0)
			return -1;
	} else {
		if (!ipv4(s, &a->src.addr))
			return perr(p, "\"%.40s\": not a source address (any, host A or A "
			    "[WILDCARD])", s);
		i++;
		if (ipv4(word(p, i), &a->src.wild))
			i++;
		a->src.addr &= ~a->src.wild;
	}
	if (kw(p, i, "log")) {
		a->log = true;
		i++;
	}
	if (i < p->l->n)
		return perr(p, "\"%.40s\": unexpected word (a standard list matches the source "
		    "only)", word(p, i));
	return 0;
}

/* {permit|deny} PROTO SRC [PORTS] DST [PORTS] [precedence P] [tos T] [log], words from i. */
static int
ace_parse(struct pl *p, int i, enum conf_ace_action act, struct conf_ace *a)
{
	unsigned long v;

	ace_init(a, act, p->lineno);
	if (protocol(p, word(p, i), &a->proto) != 0)
		return -1;
	i++;
	if (address(p, &i, "source", &a->src) != 0 || ports(p, &i, a->proto, &a->sport) != 0 ||
	    address(p, &i, "destination", &a->dst) != 0 ||
	    ports(p, &i, a->proto, &a->dport) != 0)
		return -1;
	if (a->proto == 1 && icmp_type(p, &i, a) != 0)
		return -1;
	while (i < p->l->n) {
		const char *s = p->l->w[i], *arg = word(p, i + 1);

		if (strcasecmp(s, "precedence") == 0 && a->precedence < 0) {
			if (num(arg, 0, 7, &v)) {
				a->precedence = (int16_t)v;
			} else {
				for (int k = 0; k < 8; k++)
					if (strcasecmp(arg, prec_names[k]) == 0)
						a->precedence = (int16_t)k;
				if (a->precedence < 0)
					return perr(p, "precedence \"%.40s\": not 0-7 or a "
					    "precedence name", arg);
			}
			i += 2;
		} else if (strcasecmp(s, "tos") == 0 && a->tos < 0) {
			if (num(arg, 0, 15, &v)) {
				a->tos = (int16_t)v;
			} else {
				for (size_t k = 0; k < NELEM(tos_tab); k++)
					if (strcasecmp(arg, tos_tab[k].name) == 0)
						a->tos = tos_tab[k].tos;
				if (a->tos < 0)
					return perr(p, "tos \"%.40s\": not 0-15 or a TOS name",
					    arg);
			}
			i += 2;
		} else if (strcasecmp(s, "log") == 0 && !a->log) {
			a->log = true;
			i++;
		} else if (strcasecmp(s, "established") == 0 && a->proto == 6 &&
		    !a->established) {
			a->established = true;
			i++;
		} else if (port_op_word(s) && !has_ports(a->proto)) {
			return perr(p, "\"%s\": ports apply only to tcp and udp", s);
		} else {
			return perr(p, "\"%.40s\": unexpected word", s);
		}
	}
	return 0;
}

static struct conf_acl *
acl_create(struct conf *c, const char *name, bool standard, unsigned line)
{
	struct conf_acl *a;
	bool in_range = false;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	copy_name(a->name, name);
	a->numbered = acl_numbered(name, &in_range);
	a->standard = standard;
	a->line = line;
	if (PTR_APPEND(c->acls, c->n_acls, a) != 0) {
		free(a);
		return NULL;
	}
	return a;
}

static int
acl_reserve(struct conf_acl *a)
{
	struct conf_ace *n;
	size_t cap;

	if (a->n_aces < a->cap_aces)
		return 0;
	cap = a->cap_aces ? a->cap_aces * 2 : 8;
	if ((n = realloc(a->aces, cap * sizeof(*n))) == NULL)
		return -1;
	a->aces = n;
	a->cap_aces = cap;
	return 0;
}

static void
acl_delete(struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_acls; i++)
		if (strcmp(c->acls[i]->name, name) == 0) {
			acl_free(c->acls[i]);
			PTR_REMOVE(c->acls, c->n_acls, i);
			return;
		}
}

/* The entry a at word i: a remark, or a permit or deny of the list's kind. */
static int
entry_parse(struct pl *p, bool standard, int i, struct conf_ace *a)
{
	enum conf_ace_action act = kw(p, i, "permit") ? CONF_ACE_PERMIT : CONF_ACE_DENY;

	if (kw(p, i, "remark")) {
		ace_init(a, CONF_ACE_REMARK, p->lineno);
		a->standard = standard;
		if (text_ok(p, "remark", i + 1 < p->l->n ? rest(p, i + 1) : "",
		    CONF_REMARK_MAX) != 0)
			return -1;
		snprintf(a->remark, sizeof(a->remark), "%s", rest(p, i + 1));
		return 0;
	}
	if (kw(p, i, "permit") || kw(p, i, "deny"))
		return standard ? std_parse(p, i + 1, act, a) : ace_parse(p, i + 1, act, a);
	if (i < p->l->n)
		return perr(p, "\"%.40s\": expected permit, deny or remark", word(p, i));
	return perr(p, "expected permit, deny or remark");
}

/* The highest sequence number of the list (0 when none). */
static uint32_t
seq_last(const struct conf_acl *acl)
{
	uint32_t m = 0;

	for (size_t k = 0; k < acl->n_aces; k++)
		if (acl->aces[k].seq > m)
			m = acl->aces[k].seq;
	return m;
}

/* Where an entry numbered seq goes: before the first entry numbered above it, and before
 * the remarks that go with that one. */
static size_t
seq_place(const struct conf_acl *acl, uint32_t seq)
{
	size_t k;

	for (k = 0; k < acl->n_aces; k++)
		if (acl->aces[k].action != CONF_ACE_REMARK && acl->aces[k].seq > seq)
			break;
	if (k == acl->n_aces)
		return k;
	while (k > 0 && acl->aces[k - 1].action == CONF_ACE_REMARK)
		k--;
	return k;
}

/* Parse an entry (permit/deny/remark at word i) and add it to list name, creating the list
 * if needed: numbered seq (0: 10 above the last, as IOS), or, when the list already has an
 * equal entry, not at all (IOS: show running-config pasted twice does not double a list).
 * acl may be given (sub-mode) or NULL (numbered global command). */
static int
acl_add(struct pl *p, struct conf_acl *acl, const char *name, bool standard, uint32_t seq,
    int i)
{
	struct conf *c = p->s->c;
	struct conf_ace a;
	bool created = false;
	size_t at;

	if (entry_parse(p, standard, i, &a) != 0)
		return -1;
	if (acl == NULL)
		acl = conf_acl_find(c, name);
	if (acl != NULL && acl->standard != standard)
		return perr(p, "access list %s is %s list", acl->name,
		    acl->standard ? "a standard" : "an extended");
	/* an entry the list already has: it could never match first anyway */
	for (size_t k = 0; acl != NULL && k < acl->n_aces; k++)
		if (ace_equal(&acl->aces[k], &a))
			return 0;
	if (acl != NULL && seq != 0 && a.action != CONF_ACE_REMARK)
		for (size_t k = 0; k < acl->n_aces; k++)
			if (acl->aces[k].seq == seq)
				return perr(p, "sequence number %u is already in use "
				    "(IOS: %% Duplicate sequence number)", seq);
	if (a.action != CONF_ACE_REMARK) {
		uint32_t last = acl != NULL ? seq_last(acl) : 0;

		if (seq == 0 && last > CONF_ACL_SEQ_MAX - CONF_ACL_SEQ_STEP)
			return perr(p, "no sequence number above %u is left", last);
		a.seq = seq != 0 ? seq : last + CONF_ACL_SEQ_STEP;
	}
	if (acl == NULL) {
		if ((acl = acl_create(c, name, standard, p->lineno)) == NULL)
			return oom(p);
		created = true;
	}
	if (acl_reserve(acl) != 0) {
		if (created)
			acl_delete(c, name);
		return oom(p);
	}
	at = seq != 0 && a.action != CONF_ACE_REMARK ? seq_place(acl, seq) : acl->n_aces;
	memmove(&acl->aces[at + 1], &acl->aces[at], (acl->n_aces - at) * sizeof(a));
	acl->aces[at] = a;
	acl->n_aces++;
	return 0;
}

/* "no permit ..." / "no deny ..." / "no remark ..." in a named list: remove the first equal
 * entry; "no SEQ": the entry numbered SEQ.  Nothing to remove is not an error (IOS). */
static int
acl_remove_entry(struct pl *p, struct conf_acl *acl, int i)
{
	struct conf_ace a;
	unsigned long seq;
	size_t k;

	if (num(word(p, i), 1, CONF_ACL_SEQ_MAX, &seq)) {
		if (i + 1 < p->l->n && !kw(p, i + 1, "permit") && !kw(p, i + 1, "deny"))
			return extra(p, i + 1);
		for (k = 0; k < acl->n_aces; k++)
			if (acl->aces[k].action != CONF_ACE_REMARK && acl->aces[k].seq == seq)
				break;
	} else {
		if (entry_parse(p, acl->standard, i, &a) != 0)
			return -1;
		for (k = 0; k < acl->n_aces; k++)
			if (ace_equal(&acl->aces[k], &a))
				break;
	}
	if (k < acl->n_aces) {
		memmove(&acl->aces[k], &acl->aces[k + 1], (acl->n_aces - k - 1) * sizeof(a));
		acl->n_aces--;
	}
	return 0;
}

/* access-list N {permit|deny|remark} ... ; no access-list N */
int
acl_cmd_numbered(struct pl *p, bool no)
{
	const char *name = word(p, 1);

	where(p, "access-list %.40s", name);
	if (p->l->n < 2)
		return perr(p, "needs a list number");
	if (!acl_std_number(name) && !acl_ext_number(name))
		return perr(p, "\"%.40s\": not an IP access list number (standard 1-99, "
		    "1300-1999; extended 100-199, 2000-2699)", name);
	if (no) {
		if (extra(p, 2) != 0)
			return -1;
		acl_delete(p->s->c, name);
		return 0;
	}
	return acl_add(p, NULL, name, acl_std_number(name), 0, 2);
}

/* ip access-list {extended|standard} NAME ; no ip access-list {extended|standard} NAME */
int
acl_cmd_named(struct pl *p, bool no)
{
	struct conf *c = p->s->c;
	struct conf_acl *a;
	const char *name = word(p, 3);
	bool standard = kw(p, 2, "standard");

	if (!kw(p, 1, "access-list"))
		return perr(p, "\"%.40s\": unknown command", word(p, 1));
	where(p, "ip access-list");
	if (!kw(p, 2, "extended") && !standard)
		return perr(p, "\"%.40s\": expected extended or standard", word(p, 2));
	if (acl_name_ok(p, standard ? "standard" : "extended", name) != 0 || extra(p, 4) != 0)
		return -1;
	if (name[0] >= '0' && name[0] <= '9' &&
	    (standard ? !acl_std_number(name) : !acl_ext_number(name)))
		return perr(p, "%s: not %s access list number", name, standard ?
		    "a standard" : "an extended");
	if (no) {
		acl_delete(c, name);
		return 0;
	}
	if ((a = conf_acl_find(c, name)) != NULL && a->standard != standard)
		return perr(p, "access list %s is %s list", name, a->standard ? "a standard" :
		    "an extended");
	if (a == NULL && (a = acl_create(c, name, standard, p->lineno)) == NULL)
		return oom(p);
	p->s->mode = CONF_SM_ACL;
	p->s->acl = a;
	return 0;
}

/* config-ext-nacl / config-std-nacl: [SEQ] {permit|deny|remark} ..., no {SEQ|entry} */
int
acl_mode(struct pl *p, bool no)
{
	struct conf_acl *a = p->s->acl;
	unsigned long seq = 0;
	int i = 0;

	where(p, "ip access-list %s %s", a->standard ? "standard" : "extended", a->name);
	if (no && num(word(p, 0), 1, CONF_ACL_SEQ_MAX, &seq))
		return acl_remove_entry(p, a, 0);
	if (num(word(p, 0), 0, 0xffffffffu, &seq)) {
		if (seq < 1 || seq > CONF_ACL_SEQ_MAX)
			return perr(p, "sequence number %lu: not 1-%u", seq, CONF_ACL_SEQ_MAX);
		if (kw(p, 1, "remark"))
			return perr(p, "a remark takes no sequence number");
		i = 1;
	}
	if (!kw(p, i, "permit") && !kw(p, i, "deny") && !kw(p, i, "remark")) {
		if (i == 0)
			return 1;
		return perr(p, "%lu: expected permit or deny", seq);
	}
	return no ? acl_remove_entry(p, a, i) : acl_add(p, a, a->name, a->standard,
	    (uint32_t)seq, i);
}

/* ---- Checks (conf_validate): lists used as crypto access lists ---- */

/* One list of entry "crypto map M SEQ": an ICMP type or code cannot select an SA (the data
 * path's selectors carry protocol, addresses and ports: common/sel.h), and a deny with one
 * would let more go in clear than written: refused.  "established" is ignored, as IOS does in
 * crypto access lists: warned. */
static int
acl_check_one(const struct conf_acl *a, const char *map, unsigned seq, struct gw_err *err,
    FILE *warnings)
{
	for (size_t i = 0; i < a->n_aces; i++) {
		const struct conf_ace *e = &a->aces[i];

		if (e->action == CONF_ACE_REMARK)
			continue;
		if (e->icmp_type >= 0)
			return gw_fail(err, e->line, "crypto map %s %u: access list %s entry %u: "
			    "an ICMP type cannot select IPsec traffic (use icmp without a type)",
			    map, seq, a->name, e->seq);
		if (e->established && warnings != NULL)
			fprintf(warnings, "warning: crypto map %s %u: access list %s entry %u: "
			    "established is ignored in a crypto access list (as IOS does)\n",
			    map, seq, a->name, e->seq);
	}
	return 0;
}

int
acl_check(const struct conf *c, struct gw_err *err, FILE *warnings)
{
	for (int d = 0; d < 2; d++) {
		struct conf_map **v = d ? c->dynmaps : c->maps;
		size_t n = d ? c->n_dynmaps : c->n_maps;

		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < v[i]->n_entries; k++) {
				const struct conf_map_entry *e = v[i]->entries[k];
				const struct conf_acl *a;

				if (e->acl[0] == '\0' || (a = conf_acl_find(c, e->acl)) == NULL)
					continue;
				if (acl_check_one(a, v[i]->name, e->seq, err, warnings) != 0)
					return -1;
			}
	}
	return 0;
}

/* ---- Running configuration ---- */

static void
show_addr(const struct conf_addr *a, FILE *out)
{
	char b1[16], b2[16];

	if (a->wild == 0)
		fprintf(out, " host %s", ip_str(a->addr, b1));
	else if (a->wild == 0xffffffffu)
		fprintf(out, " any");
	else
		fprintf(out, " %s %s", ip_str(a->addr, b1), ip_str(a->wild, b2));
}

static void
show_port(uint8_t proto, uint16_t port, FILE *out)
{
	const char *n = conf_port_name(proto, port);

	if (n != NULL)
		fprintf(out, " %s", n);
	else
		fprintf(out, " %u", port);
}

static void
show_ports(uint8_t proto, const struct conf_ports *p, FILE *out)
{
	switch (p->op) {
	case CONF_PORT_ANY:
		return;
	case CONF_PORT_EQ:
		fputs(" eq", out);
		show_port(proto, p->lo, out);
		return;
	case CONF_PORT_NEQ:
		fputs(" neq", out);
		show_port(proto, p->lo, out);
		return;
	case CONF_PORT_LT:
		fputs(" lt", out);
		show_port(proto, (uint16_t)(p->hi + 1), out);
		return;
	case CONF_PORT_GT:
		fputs(" gt", out);
		show_port(proto, (uint16_t)(p->lo - 1), out);
		return;
	case CONF_PORT_RANGE:
		fputs(" range", out);
		show_port(proto, p->lo, out);
		show_port(proto, p->hi, out);
		return;
	}
}

void
conf_show_ace(const struct conf_ace *a, FILE *out)
{
	const char *pn;

	if (a->action == CONF_ACE_REMARK) {
		fprintf(out, "remark %s", a->remark);
		return;
	}
	fputs(a->action == CONF_ACE_PERMIT ? "permit" : "deny", out);
	if (a->standard) {
		char b1[16], b2[16];

		/* IOS writes a standard list's host without "host" */
		if (a->src.wild == 0xffffffffu)
			fputs(" any", out);
		else if (a->src.wild == 0)
			fprintf(out, " %s", ip_str(a->src.addr, b1));
		else
			fprintf(out, " %s %s", ip_str(a->src.addr, b1), ip_str(a->src.wild, b2));
		if (a->log)
			fputs(" log", out);
		return;
	}
	if ((pn = conf_proto_name(a->proto)) != NULL)
		fprintf(out, " %s", pn);
	else
		fprintf(out, " %u", a->proto);
	show_addr(&a->src, out);
	show_ports(a->proto, &a->sport, out);
	show_addr(&a->dst, out);
	show_ports(a->proto, &a->dport, out);
	if (a->icmp_type >= 0) {
		if ((pn = conf_icmp_name(a->icmp_type, a->icmp_code)) != NULL)
			fprintf(out, " %s", pn);
		else if (a->icmp_code >= 0)
			fprintf(out, " %d %d", a->icmp_type, a->icmp_code);
		else
			fprintf(out, " %d", a->icmp_type);
	}
	if (a->established)
		fputs(" established", out);
	if (a->precedence >= 0)
		fprintf(out, " precedence %s", conf_prec_name(a->precedence));
	if (a->tos >= 0) {
		if ((pn = conf_tos_name(a->tos)) != NULL)
			fprintf(out, " tos %s", pn);
		else
			fprintf(out, " tos %d", a->tos);
	}
	if (a->log)
		fputs(" log", out);
}

/* The entries are numbered 10, 20, 30, ... in order (remarks aside): IOS's numbering, not
 * written.  Otherwise the running configuration writes the numbers, in the named form. */
static bool
seq_default(const struct conf_acl *a)
{
	uint32_t n = 0;

	for (size_t i = 0; i < a->n_aces; i++)
		if (a->aces[i].action != CONF_ACE_REMARK &&
		    a->aces[i].seq != (n += CONF_ACL_SEQ_STEP))
			return false;
	return true;
}

static void
running_acl(const struct conf_acl *a, FILE *out)
{
	bool plain = seq_default(a);

	if (a->numbered && a->n_aces > 0 && plain) {
		for (size_t i = 0; i < a->n_aces; i++) {
			fprintf(out, "access-list %s ", a->name);
			conf_show_ace(&a->aces[i], out);
			fputc('\n', out);
		}
	} else {
		fprintf(out, "ip access-list %s %s\n", a->standard ? "standard" : "extended",
		    a->name);
		for (size_t i = 0; i < a->n_aces; i++) {
			fputc(' ', out);
			if (!plain && a->aces[i].action != CONF_ACE_REMARK)
				fprintf(out, "%u ", a->aces[i].seq);
			conf_show_ace(&a->aces[i], out);
			fputc('\n', out);
		}
	}
	fputs("!\n", out);
}

void
acl_running(const struct conf *c, FILE *out)
{
	for (size_t i = 0; i < c->n_acls; i++)
		running_acl(c->acls[i], out);
}
