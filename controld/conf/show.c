/* SPDX-License-Identifier: Apache-2.0 */
/* show.c: what the configuration looks like to the operator, in IOS layouts: the running
 * configuration (canonical: conf_write_config() is parsed back by conf_parse_text() to an
 * equal configuration, conf_show_running() is the same text with pre-shared keys (IKEv2
 * keyrings, crypto isakmp key) masked, docs/adr/0010; each command family writes its own lines, families.h) and the
 * config-derived "show" commands of the seed (show ip access-lists, show crypto ipsec
 * transform-set, show crypto map, show crypto dynamic-map, show crypto ipsec
 * security-association lifetime).  Transform sets and crypto maps are in the layout the
 * configuration asks for (crypto ipsec show-layout, docs/show.md): IOS 12.4/15 by default,
 * or IOS 11.3.  Writes only to the FILE * it is given; owns nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "controld/conf/families.h"

/* ---- show running-config ---- */

static void
running(const struct conf *c, bool secrets, FILE *out)
{
	ign_running(c, CONF_IGN_HEAD, secrets, out);
	host_running(c, out);
	ign_running(c, CONF_IGN_GLOBAL, secrets, out);
	logging_conf_running(c, out);
	map_running_lifetime(c, out);
	isakmp_conf_running(c, secrets, out);
	pubkey_conf_running(c, out);
	ikev2_conf_running(c, secrets, out);
	tset_running(c, out);
	map_running(c, out);
	intf_running(c, out);
	ign_running(c, CONF_IGN_ROUTE, secrets, out);
	acl_running(c, out);
	ign_running(c, CONF_IGN_TAIL, secrets, out);
	fputs("end\n", out);
}

/* IOS's headers ("Building configuration...", a blank line, "Current configuration : N
 * bytes", N the bytes that follow), "!", then the configuration, which ends with "end":
 * conf_parse_text() skips the headers, so the text reads back as it is. */
static void
with_headers(const struct conf *c, bool secrets, FILE *out)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&body, &len)) == NULL) {
		running(c, secrets, out);
		return;
	}
	fputs("!\n", f);
	running(c, secrets, f);
	fclose(f);
	fprintf(out, "Building configuration...\n\nCurrent configuration : %zu bytes\n", len);
	fwrite(body, 1, len, out);
	free(body);
}

void
conf_write_config(const struct conf *c, FILE *out)
{
	with_headers(c, true, out);
}

/* Pre-shared keys masked (docs/adr/0010); manual session keys shown, as IOS 11.3 does. */
void
conf_show_running(const struct conf *c, FILE *out)
{
	with_headers(c, false, out);
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

/* One entry of show ip access-lists: a standard list's entries as IOS prints them, its deny
 * padded to permit's column and a network as "A, wildcard bits W". */
static void
show_acl_entry(const struct conf_ace *e, FILE *out)
{
	char b1[16], b2[16];

	fprintf(out, "    %u ", e->seq);
	if (!e->standard) {
		conf_show_ace(e, out);
	} else {
		fputs(e->action == CONF_ACE_PERMIT ? "permit " : "deny   ", out);
		if (e->src.wild == 0xffffffffu)
			fputs("any", out);
		else if (e->src.wild == 0)
			fputs(ip_str(e->src.addr, b1), out);
		else
			fprintf(out, "%s, wildcard bits %s", ip_str(e->src.addr, b1),
			    ip_str(e->src.wild, b2));
		if (e->log)
			fputs(" log", out);
	}
	fputc('\n', out);
}

void
conf_show_access_lists(const struct conf *c, const char *name, FILE *out)
{
	for (size_t i = 0; i < c->n_acls; i++) {
		const struct conf_acl *a = c->acls[i];

		if (name != NULL && strcmp(name, a->name) != 0)
			continue;
		fprintf(out, "%s IP access list %s\n", a->standard ? "Standard" : "Extended",
		    a->name);
		for (size_t k = 0; k < a->n_aces; k++)
			if (a->aces[k].action != CONF_ACE_REMARK)
				show_acl_entry(&a->aces[k], out);
	}
}

/* ---- show crypto ipsec transform-set ---- */

/* "{ esp-256-aes esp-sha-hmac  }": the names as the layout writes them, each with a space. */
static void
show_xforms(const struct conf_transform_set *t, bool l15, FILE *out)
{
	fputs("{ ", out);
	for (unsigned k = 0; k < t->n_xforms; k++) {
		if (l15)
			tset_xform_show15(&t->xforms[k], out);
		else
			tset_xform_show(&t->xforms[k], out);
		fputc(' ', out);
	}
	fputs(" }", out);
}

void
conf_show_transform_sets(const struct conf *c, const char *tag, FILE *out)
{
	bool l15 = c->show_layout == CONF_LAYOUT_15;

	for (size_t i = 0; i < c->n_tsets; i++) {
		const struct conf_transform_set *t = c->tsets[i];

		if (tag != NULL && strcmp(tag, t->name) != 0)
			continue;
		fprintf(out, "Transform set %s: ", t->name);
		show_xforms(t, l15, out);
		fputc('\n', out);
		fprintf(out, "   will negotiate = { %s,  },\n",
		    t->mode == CONF_MODE_TRANSPORT ? "Transport" : "Tunnel");
		if (t->esp_cipher == XF_CIPHER_DES_RFC1829)
			fprintf(out, "   initialization vector size = %u\n", t->iv_size);
		/* ours, not IOS's: the 12.4/15 layout leaves it to the warnings at load */
		for (unsigned k = 0; !l15 && k < t->n_xforms; k++)
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

/* Where the lines of an entry start: IOS 11.3 indents with spaces, 12.4/15 with tabs. */
struct indent {
	bool		l15;
	const char	*one, *two, *acl;
};

static void
indent_of(const struct conf *c, bool force113, struct indent *in)
{
	in->l15 = !force113 && c->show_layout == CONF_LAYOUT_15;
	in->one = in->l15 ? "\t" : "        ";
	in->two = in->l15 ? "\t\t" : "                ";
	in->acl = in->l15 ? "\t    " : "            ";
}

/* "Transform sets={ ...}": one line (11.3), or one set a line with its transforms (12.4/15). */
static void
show_entry_tsets(const struct conf *c, const struct conf_map_entry *e, const struct indent *in,
    FILE *out)
{
	const struct conf_transform_set *t;

	fprintf(out, "%sTransform sets={ ", in->one);
	if (!in->l15) {
		for (unsigned i = 0; i < e->n_tsets; i++)
			fprintf(out, "%s, ", e->tsets[i]);
		fputs("}\n", out);
		return;
	}
	fputc('\n', out);
	for (unsigned i = 0; i < e->n_tsets; i++) {
		fprintf(out, "%s%s:  ", in->two, e->tsets[i]);
		if ((t = conf_tset_find(c, e->tsets[i])) != NULL)
			show_xforms(t, true, out);
		else
			fputs("{ }", out);
		fputs(" , \n", out);
	}
	fprintf(out, "%s}\n", in->one);
}

/* The body of an entry, shared by crypto maps and dynamic-map templates. */
static void
show_entry_body(const struct conf *c, const struct conf_map_entry *e, const struct indent *in,
    FILE *out)
{
	const struct conf_acl *a;
	char b[16];

	if (e->description[0] != '\0')
		fprintf(out, "%sDescription: %s\n", in->one, e->description);
	for (unsigned i = 0; i < e->n_peers; i++)
		fprintf(out, "%sPeer = %s\n", in->one, ip_str(e->peers[i], b));
	if (in->l15 && e->ikev2_profile[0] != '\0')
		fprintf(out, "%sIKEv2 Profile: %s\n", in->one, e->ikev2_profile);
	if (e->acl[0] == '\0') {
		fprintf(out, "%sNo matching address list set.\n", in->one);
	} else {
		fprintf(out, "%sExtended IP access list %s\n", in->one, e->acl);
		if ((a = conf_acl_find(c, e->acl)) != NULL)
			show_acl_entries(a, in->acl, true, out);
		else
			fprintf(out, "%s(access list %s is not defined)\n", in->acl, e->acl);
	}
	if (e->n_peers > 0)
		fprintf(out, "%sCurrent peer: %s\n", in->one, ip_str(e->peers[0], b));
	if (e->kind != CONF_MAP_MANUAL) {
		fputs(in->one, out);
		show_lifetime(conf_entry_lifetime_kb(c, e), conf_entry_lifetime_sec(c, e), out);
		if (in->l15)
			fprintf(out, "%sResponder-Only (Y/N): N\n", in->one);
		if (e->per_host)
			fprintf(out, "%sSecurity association level: per-host\n", in->one);
		if (e->replay_window != 0)
			fprintf(out, "%sReplay window size: %u\n", in->one, e->replay_window);
		fprintf(out, "%sPFS (Y/N): %s\n", in->one, e->pfs != 0 ? "Y" : "N");
		if (e->pfs != 0)
			fprintf(out, "%sDH group:  group%u\n", in->one, e->pfs);
		if (!in->l15 && e->ikev2_profile[0] != '\0')
			fprintf(out, "%sIKEv2 Profile: %s\n", in->one, e->ikev2_profile);
	} else if (e->replay_window != 0) {	/* ours: IOS manual SAs have none */
		fprintf(out, "%sReplay window size: %u\n", in->one, e->replay_window);
	}
	show_entry_tsets(c, e, in, out);
}

static void
show_map(const struct conf *c, const struct conf_map *m, FILE *out)
{
	struct indent in;

	indent_of(c, false, &in);
	for (size_t k = 0; k < m->n_entries; k++) {
		const struct conf_map_entry *e = m->entries[k];

		if (k > 0)
			fputc('\n', out);
		fprintf(out, "Crypto Map \"%s\" %u %s\n", m->name, e->seq,
		    conf_map_kind_name(e->kind));
		if (e->kind == CONF_MAP_DYNAMIC) {
			if (e->description[0] != '\0')
				fprintf(out, "%sDescription: %s\n", in.one, e->description);
			fprintf(out, "%sDynamic map template tag: %s\n", in.one, e->dynamic);
		} else {
			show_entry_body(c, e, &in, out);
		}
		if (m->local_address[0] != '\0')
			fprintf(out, "%sLocal address: interface %s\n", in.one, m->local_address);
		fprintf(out, "%sInterfaces using crypto map %s:\n", in.one, m->name);
		for (size_t i = 0; i < c->n_ifs; i++)
			if (strcmp(c->ifs[i]->crypto_map, m->name) == 0)
				fprintf(out, "%s%s\n", in.two, c->ifs[i]->name);
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
	struct indent in;
	bool first = true;

	indent_of(c, true, &in);	/* the 11.3 layout in both: IOS 12.4 keeps it */

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
			show_entry_body(c, m->entries[k], &in, out);
		}
	}
}

void
conf_show_sa_lifetime(const struct conf *c, FILE *out)
{
	show_lifetime(c->lifetime_kb, c->lifetime_sec, out);
}
