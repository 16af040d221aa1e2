/* conf_show.c: what the configuration looks like to the operator, in IOS layouts: the running
 * configuration (canonical, parsed back by conf_parse_text() to an equal configuration) and
 * the config-derived "show" commands of the seed (show ip access-lists, show crypto ipsec
 * transform-set, show crypto map, show crypto dynamic-map, show crypto ipsec
 * security-association lifetime).  Writes only to the FILE * it is given; owns nothing.
 */
#include <string.h>

#include "controld/conf/conf.h"

static const char *
ip_str(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	return buf;
}

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

/* "esp-aes 256": a transform as configured (key size only when not the default). */
static void
show_xform(const struct conf_transform *x, FILE *out)
{
	fputs(conf_xf_name(x->xf), out);
	if (x->bits != 0 && x->bits != 128)
		fprintf(out, " %u", x->bits);
}

static void
show_key(const struct key *k, FILE *out)
{
	for (unsigned i = 0; i < k->len; i++)
		fprintf(out, "%02x", k->b[i]);
}

/* ---- show running-config ---- */

static void
running_tset(const struct conf_transform_set *t, FILE *out)
{
	fprintf(out, "crypto ipsec transform-set %s", t->name);
	for (unsigned i = 0; i < t->n_xforms; i++) {
		fputc(' ', out);
		show_xform(&t->xforms[i], out);
	}
	fputc('\n', out);
	if (t->mode == CONF_MODE_TRANSPORT)
		fputs(" mode transport\n", out);
	if (t->esp_cipher == XF_CIPHER_DES_RFC1829 && t->iv_size != 8)
		fprintf(out, " initialization-vector size %u\n", t->iv_size);
	fputs("!\n", out);
}

static void
running_entry(const struct conf_map *m, const struct conf_map_entry *e, FILE *out)
{
	static const char *const dn[] = { "inbound", "outbound" };
	char b[16];

	if (m->dynamic)
		fprintf(out, "crypto dynamic-map %s %u\n", m->name, e->seq);
	else if (e->kind == CONF_MAP_DYNAMIC)
		fprintf(out, "crypto map %s %u ipsec-isakmp dynamic %s\n", m->name, e->seq,
		    e->dynamic);
	else
		fprintf(out, "crypto map %s %u %s\n", m->name, e->seq,
		    conf_map_kind_name(e->kind));
	if (e->description[0] != '\0')
		fprintf(out, " description %s\n", e->description);
	for (unsigned i = 0; i < e->n_peers; i++)
		fprintf(out, " set peer %s\n", ip_str(e->peers[i], b));
	for (int d = 0; d < 2; d++) {
		const struct conf_session_key *ah = &e->keys[d][CONF_PROTO_AH];
		const struct conf_session_key *esp = &e->keys[d][CONF_PROTO_ESP];

		if (ah->set) {
			fprintf(out, " set session-key %s ah %u ", dn[d], ah->spi);
			show_key(&ah->auth, out);
			fputc('\n', out);
		}
		if (esp->set) {
			fprintf(out, " set session-key %s esp %u", dn[d], esp->spi);
			if (esp->cipher.len > 0) {
				fputs(" cipher ", out);
				show_key(&esp->cipher, out);
			}
			if (esp->auth.len > 0) {
				fputs(" authenticator ", out);
				show_key(&esp->auth, out);
			}
			fputc('\n', out);
		}
	}
	if (e->per_host)
		fputs(" set security-association level per-host\n", out);
	if (e->nat_t)
		fputs(" set nat-t udp-encapsulation\n", out);
	if (e->lifetime_sec != 0)
		fprintf(out, " set security-association lifetime seconds %u\n", e->lifetime_sec);
	if (e->lifetime_kb != 0)
		fprintf(out, " set security-association lifetime kilobytes %u\n", e->lifetime_kb);
	if (e->replay_window != 0)
		fprintf(out, " set security-association replay window-size %u\n",
		    e->replay_window);
	if (e->n_tsets > 0) {
		fputs(" set transform-set", out);
		for (unsigned i = 0; i < e->n_tsets; i++)
			fprintf(out, " %s", e->tsets[i]);
		fputc('\n', out);
	}
	if (e->pfs != 0)
		fprintf(out, " set pfs group%u\n", e->pfs);
	if (e->acl[0] != '\0')
		fprintf(out, " match address %s\n", e->acl);
	fputs("!\n", out);
}

static void
running_if(const struct conf_if *f, FILE *out)
{
	char b1[16], b2[16];

	fprintf(out, "interface %s\n", f->name);
	if (f->description[0] != '\0')
		fprintf(out, " description %s\n", f->description);
	if (f->has_addr)
		fprintf(out, " ip address %s %s\n", ip_str(f->addr, b1), ip_str(f->mask, b2));
	if (f->crypto_map[0] != '\0')
		fprintf(out, " crypto map %s\n", f->crypto_map);
	if (f->shutdown)
		fputs(" shutdown\n", out);
	fputs("!\n", out);
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
conf_show_running(const struct conf *c, FILE *out)
{
	fprintf(out, "hostname %s\n!\n", c->hostname);
	if (c->lifetime_sec != CONF_LIFETIME_SEC_DEFAULT)
		fprintf(out, "crypto ipsec security-association lifetime seconds %u\n",
		    c->lifetime_sec);
	if (c->lifetime_kb != CONF_LIFETIME_KB_DEFAULT)
		fprintf(out, "crypto ipsec security-association lifetime kilobytes %u\n",
		    c->lifetime_kb);
	if (c->lifetime_sec != CONF_LIFETIME_SEC_DEFAULT ||
	    c->lifetime_kb != CONF_LIFETIME_KB_DEFAULT)
		fputs("!\n", out);
	for (size_t i = 0; i < c->n_tsets; i++)
		running_tset(c->tsets[i], out);
	for (size_t i = 0; i < c->n_dynmaps; i++)
		for (size_t k = 0; k < c->dynmaps[i]->n_entries; k++)
			running_entry(c->dynmaps[i], c->dynmaps[i]->entries[k], out);
	for (size_t i = 0; i < c->n_maps; i++) {
		const struct conf_map *m = c->maps[i];

		if (m->local_address[0] != '\0')
			fprintf(out, "crypto map %s local-address %s\n!\n", m->name,
			    m->local_address);
		for (size_t k = 0; k < m->n_entries; k++)
			running_entry(m, m->entries[k], out);
	}
	for (size_t i = 0; i < c->n_ifs; i++)
		running_if(c->ifs[i], out);
	for (size_t i = 0; i < c->n_acls; i++)
		running_acl(c->acls[i], out);
	fputs("end\n", out);
}

/* ---- show ip access-lists ---- */

static void
show_acl_entries(const struct conf_acl *a, const char *indent, bool prefix, FILE *out)
{
	for (size_t i = 0; i < a->n_aces; i++) {
		if (a->aces[i].action == CONF_ACE_REMARK)
			continue;
		fputs(indent, out);
		if (prefix)
			fprintf(out, "access-list %s ", a->name);
		conf_show_ace(&a->aces[i], out);
		fputc('\n', out);
	}
}

void
conf_show_access_lists(const struct conf *c, const char *name, FILE *out)
{
	for (size_t i = 0; i < c->n_acls; i++) {
		const struct conf_acl *a = c->acls[i];

		if (name != NULL && strcmp(name, a->name) != 0)
			continue;
		fprintf(out, "Extended IP access list %s\n", a->name);
		show_acl_entries(a, "    ", false, out);
	}
}

/* ---- show crypto ipsec transform-set ---- */

void
conf_show_transform_sets(const struct conf *c, const char *tag, FILE *out)
{
	for (size_t i = 0; i < c->n_tsets; i++) {
		const struct conf_transform_set *t = c->tsets[i];

		if (tag != NULL && strcmp(tag, t->name) != 0)
			continue;
		fprintf(out, "Transform set %s: { ", t->name);
		for (unsigned k = 0; k < t->n_xforms; k++) {
			show_xform(&t->xforms[k], out);
			fputc(' ', out);
		}
		fputs(" }\n", out);
		fprintf(out, "   will negotiate = { %s,  },\n",
		    t->mode == CONF_MODE_TRANSPORT ? "Transport" : "Tunnel");
		if (t->esp_cipher == XF_CIPHER_DES_RFC1829)
			fprintf(out, "   initialization vector size = %u\n", t->iv_size);
		for (unsigned k = 0; k < t->n_xforms; k++)
			if (conf_xf_weak(t->xforms[k].xf))
				fprintf(out, "   weak: %s (legacy algorithm)\n",
				    conf_xf_name(t->xforms[k].xf));
		fputc('\n', out);
	}
}

/* ---- show crypto map / show crypto dynamic-map ---- */

static void
show_lifetime(uint32_t kb, uint32_t sec, FILE *out)
{
	fprintf(out, "Security association lifetime: %u kilobytes/%u seconds\n", kb, sec);
}

/* The body of an entry, shared by crypto maps and dynamic-map templates. */
static void
show_entry_body(const struct conf *c, const struct conf_map_entry *e, FILE *out)
{
	const struct conf_acl *a;
	char b[16];

	if (e->description[0] != '\0')
		fprintf(out, "        Description: %s\n", e->description);
	for (unsigned i = 0; i < e->n_peers; i++)
		fprintf(out, "        Peer = %s\n", ip_str(e->peers[i], b));
	if (e->acl[0] == '\0') {
		fputs("        No matching address list set.\n", out);
	} else {
		fprintf(out, "        Extended IP access list %s\n", e->acl);
		if ((a = conf_acl_find(c, e->acl)) != NULL)
			show_acl_entries(a, "            ", true, out);
		else
			fprintf(out, "            (access list %s is not defined)\n", e->acl);
	}
	if (e->n_peers > 0)
		fprintf(out, "        Current peer: %s\n", ip_str(e->peers[0], b));
	if (e->kind != CONF_MAP_MANUAL) {
		fputs("        ", out);
		show_lifetime(conf_entry_lifetime_kb(c, e), conf_entry_lifetime_sec(c, e), out);
		if (e->per_host)
			fputs("        Security association level: per-host\n", out);
		if (e->replay_window != 0)
			fprintf(out, "        Replay window size: %u\n", e->replay_window);
		fprintf(out, "        PFS (Y/N): %s\n", e->pfs != 0 ? "Y" : "N");
		if (e->pfs != 0)
			fprintf(out, "        DH group:  group%u\n", e->pfs);
	} else if (e->replay_window != 0) {	/* ours: IOS 11.3 manual SAs have none */
		fprintf(out, "        Replay window size: %u\n", e->replay_window);
	}
	fputs("        Transform sets={ ", out);
	for (unsigned i = 0; i < e->n_tsets; i++)
		fprintf(out, "%s, ", e->tsets[i]);
	fputs("}\n", out);
}

static void
show_map(const struct conf *c, const struct conf_map *m, FILE *out)
{
	for (size_t k = 0; k < m->n_entries; k++) {
		const struct conf_map_entry *e = m->entries[k];

		if (k > 0)
			fputc('\n', out);
		fprintf(out, "Crypto Map \"%s\" %u %s\n", m->name, e->seq,
		    conf_map_kind_name(e->kind));
		if (e->kind == CONF_MAP_DYNAMIC) {
			if (e->description[0] != '\0')
				fprintf(out, "        Description: %s\n", e->description);
			fprintf(out, "        Dynamic map template tag: %s\n", e->dynamic);
		} else {
			show_entry_body(c, e, out);
		}
		if (m->local_address[0] != '\0')
			fprintf(out, "        Local address: interface %s\n", m->local_address);
		fprintf(out, "        Interfaces using crypto map %s:\n", m->name);
		for (size_t i = 0; i < c->n_ifs; i++)
			if (strcmp(c->ifs[i]->crypto_map, m->name) == 0)
				fprintf(out, "                %s\n", c->ifs[i]->name);
	}
}

void
conf_show_crypto_map(const struct conf *c, const char *tag, const char *ifname, FILE *out)
{
	const struct conf_if *f = NULL;
	bool first = true;

	if (ifname != NULL && ((f = conf_if_find(c, ifname)) == NULL || f->crypto_map[0] == '\0'))
		return;
	for (size_t i = 0; i < c->n_maps; i++) {
		const struct conf_map *m = c->maps[i];

		if ((tag != NULL && strcmp(tag, m->name) != 0) ||
		    (f != NULL && strcmp(f->crypto_map, m->name) != 0) || m->n_entries == 0)
			continue;
		if (!first)
			fputc('\n', out);
		first = false;
		show_map(c, m, out);
	}
}

void
conf_show_dynamic_map(const struct conf *c, const char *tag, FILE *out)
{
	bool first = true;

	for (size_t i = 0; i < c->n_dynmaps; i++) {
		const struct conf_map *m = c->dynmaps[i];

		if (tag != NULL && strcmp(tag, m->name) != 0)
			continue;
		for (size_t k = 0; k < m->n_entries; k++) {
			if (!first)
				fputc('\n', out);
			first = false;
			fprintf(out, "Crypto Map Template \"%s\" %u\n", m->name,
			    m->entries[k]->seq);
			show_entry_body(c, m->entries[k], out);
		}
	}
}

void
conf_show_sa_lifetime(const struct conf *c, FILE *out)
{
	show_lifetime(c->lifetime_kb, c->lifetime_sec, out);
}
