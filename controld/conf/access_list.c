/* SPDX-License-Identifier: Apache-2.0 */
/* access_list.c: the extended IP access lists of the configuration (access-list 100-199 and
 * 2000-2699, ip access-list extended NAME and its sub-mode): their names of protocols, ports,
 * precedences and TOS values (IOS spelling), their part of the model, their parse and their
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
	    a->tos == b->tos && a->log == b->log;
}

bool
acl_equal(const struct conf_acl *a, const struct conf_acl *b)
{
	if (strcmp(a->name, b->name) != 0 || a->numbered != b->numbered ||
	    a->n_aces != b->n_aces)
		return false;
	for (size_t i = 0; i < a->n_aces; i++)
		if (!ace_equal(&a->aces[i], &b->aces[i]))
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

static bool
acl_numbered(const char *name, bool *in_range)
{
	unsigned long v;

	if (name[0] < '0' || name[0] > '9')
		return false;
	*in_range = num(name, 100, 199, &v) || num(name, 2000, 2699, &v);
	return true;
}

/* "match address X" and friends: a numbered name must be an extended list number. */
int
acl_name_ok(struct pl *p, const char *what, const char *s)
{
	bool in_range;

	if (name_ok(p, what, s) != 0)
		return -1;
	if (acl_numbered(s, &in_range) && !in_range)
		return perr(p, "%s \"%.40s\": not an extended access list (100-199, 2000-2699)",
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

/* {permit|deny} PROTO SRC [PORTS] DST [PORTS] [precedence P] [tos T] [log], words from i. */
static int
ace_parse(struct pl *p, int i, enum conf_ace_action act, struct conf_ace *a)
{
	unsigned long v;

	memset(a, 0, sizeof(*a));
	a->action = act;
	a->line = p->lineno;
	a->precedence = a->tos = -1;
	if (protocol(p, word(p, i), &a->proto) != 0)
		return -1;
	i++;
	if (address(p, &i, "source", &a->src) != 0 || ports(p, &i, a->proto, &a->sport) != 0 ||
	    address(p, &i, "destination", &a->dst) != 0 ||
	    ports(p, &i, a->proto, &a->dport) != 0)
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
		} else if (port_op_word(s) && !has_ports(a->proto)) {
			return perr(p, "\"%s\": ports apply only to tcp and udp", s);
		} else {
			return perr(p, "\"%.40s\": unexpected word", s);
		}
	}
	return 0;
}

static struct conf_acl *
acl_create(struct conf *c, const char *name, unsigned line)
{
	struct conf_acl *a;
	bool in_range = false;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	copy_name(a->name, name);
	a->numbered = acl_numbered(name, &in_range);
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

/* Parse an entry (permit/deny/remark at word i) and append it to list name, creating the
 * list if needed.  acl may be given (sub-mode) or NULL (numbered global command). */
static int
acl_add(struct pl *p, struct conf_acl *acl, const char *name, int i)
{
	struct conf *c = p->s->c;
	struct conf_ace a;
	bool created = false;

	if (kw(p, i, "remark")) {
		memset(&a, 0, sizeof(a));
		a.action = CONF_ACE_REMARK;
		a.line = p->lineno;
		a.precedence = a.tos = -1;
		if (text_ok(p, "remark", i + 1 < p->l->n ? rest(p, i + 1) : "",
		    CONF_REMARK_MAX) != 0)
			return -1;
		snprintf(a.remark, sizeof(a.remark), "%s", rest(p, i + 1));
	} else if (kw(p, i, "permit") || kw(p, i, "deny")) {
		if (ace_parse(p, i + 1, kw(p, i, "permit") ? CONF_ACE_PERMIT : CONF_ACE_DENY,
		    &a) != 0)
			return -1;
	} else if (i < p->l->n) {
		return perr(p, "\"%.40s\": expected permit, deny or remark", word(p, i));
	} else {
		return perr(p, "expected permit, deny or remark");
	}
	if (acl == NULL)
		acl = conf_acl_find(c, name);
	/* IOS: an entry the list already has is not added again (show running-config pasted
	 * into a session does not double a list); it could never match first anyway */
	for (size_t k = 0; acl != NULL && k < acl->n_aces; k++)
		if (ace_equal(&acl->aces[k], &a))
			return 0;
	if (acl == NULL) {
		if ((acl = acl_create(c, name, p->lineno)) == NULL)
			return oom(p);
		created = true;
	}
	if (acl_reserve(acl) != 0) {
		if (created)
			acl_delete(c, name);
		return oom(p);
	}
	acl->aces[acl->n_aces++] = a;
	return 0;
}

/* "no permit ..." / "no deny ..." / "no remark ..." in a named list: remove the first equal
 * entry; nothing to remove is not an error (IOS). */
static int
acl_remove_entry(struct pl *p, struct conf_acl *acl, int i)
{
	struct conf_ace a;

	if (kw(p, i, "remark")) {
		memset(&a, 0, sizeof(a));
		a.action = CONF_ACE_REMARK;
		snprintf(a.remark, sizeof(a.remark), "%s", i + 1 < p->l->n ? rest(p, i + 1) : "");
	} else if (ace_parse(p, i + 1, kw(p, i, "permit") ? CONF_ACE_PERMIT : CONF_ACE_DENY,
	    &a) != 0) {
		return -1;
	}
	for (size_t k = 0; k < acl->n_aces; k++)
		if (ace_equal(&acl->aces[k], &a)) {
			memmove(&acl->aces[k], &acl->aces[k + 1],
			    (acl->n_aces - k - 1) * sizeof(a));
			acl->n_aces--;
			break;
		}
	return 0;
}

/* access-list N {permit|deny|remark} ... ; no access-list N */
int
acl_cmd_numbered(struct pl *p, bool no)
{
	const char *name = word(p, 1);
	bool in_range = false;

	where(p, "access-list %.40s", name);
	if (p->l->n < 2)
		return perr(p, "needs a list number");
	if (!acl_numbered(name, &in_range) || !in_range) {
		unsigned long v;

		if (num(name, 1, 99, &v) || num(name, 1300, 1999, &v))
			return perr(p, "standard access lists are not supported; "
			    "use an extended list (100-199, 2000-2699)");
		return perr(p, "\"%.40s\": not an extended access list number (100-199, "
		    "2000-2699)", name);
	}
	if (no) {
		if (extra(p, 2) != 0)
			return -1;
		acl_delete(p->s->c, name);
		return 0;
	}
	return acl_add(p, NULL, name, 2);
}

/* ip access-list extended NAME ; no ip access-list extended NAME */
int
acl_cmd_named(struct pl *p, bool no)
{
	struct conf *c = p->s->c;
	struct conf_acl *a;
	const char *name = word(p, 3);

	if (!kw(p, 1, "access-list"))
		return perr(p, "\"%.40s\": unknown command (ip access-list extended NAME)",
		    word(p, 1));
	where(p, "ip access-list");
	if (!kw(p, 2, "extended"))
		return perr(p, "\"%.40s\": only extended access lists are supported", word(p, 2));
	if (acl_name_ok(p, "extended", name) != 0 || extra(p, 4) != 0)
		return -1;
	if (no) {
		acl_delete(c, name);
		return 0;
	}
	if ((a = conf_acl_find(c, name)) == NULL && (a = acl_create(c, name, p->lineno)) == NULL)
		return oom(p);
	p->s->mode = CONF_SM_ACL;
	p->s->acl = a;
	return 0;
}

int
acl_mode(struct pl *p, bool no)
{
	struct conf_acl *a = p->s->acl;

	where(p, "ip access-list extended %s", a->name);
	if (!kw(p, 0, "permit") && !kw(p, 0, "deny") && !kw(p, 0, "remark"))
		return 1;
	return no ? acl_remove_entry(p, a, 0) : acl_add(p, a, a->name, 0);
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
	if ((pn = conf_proto_name(a->proto)) != NULL)
		fprintf(out, " %s", pn);
	else
		fprintf(out, " %u", a->proto);
	show_addr(&a->src, out);
	show_ports(a->proto, &a->sport, out);
	show_addr(&a->dst, out);
	show_ports(a->proto, &a->dport, out);
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

static void
running_acl(const struct conf_acl *a, FILE *out)
{
	if (a->numbered && a->n_aces > 0) {
		for (size_t i = 0; i < a->n_aces; i++) {
			fprintf(out, "access-list %s ", a->name);
			conf_show_ace(&a->aces[i], out);
			fputc('\n', out);
		}
	} else {
		fprintf(out, "ip access-list extended %s\n", a->name);
		for (size_t i = 0; i < a->n_aces; i++) {
			fputc(' ', out);
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
