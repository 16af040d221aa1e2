/* SPDX-License-Identifier: Apache-2.0 */
/* interface.c: the interfaces of the configuration (interface NAME and its sub-mode: ip
 * address, crypto map, description, shutdown) and the hostname: their part of the model,
 * their parse, their check (an interface's crypto map exists) and their running-config
 * lines. */
#include <string.h>
#include <strings.h>

#include "controld/conf/families.h"

/* ---- The model ---- */

struct conf_if *
intf_dup(const struct conf_if *f)
{
	struct conf_if *d = malloc(sizeof(*d));

	if (d == NULL)
		return NULL;
	*d = *f;
	if (f->ignored != NULL && (d->ignored = strdup(f->ignored)) == NULL) {
		free(d);
		return NULL;
	}
	return d;
}

void
intf_free(struct conf_if *f)
{
	if (f == NULL)
		return;
	free(f->ignored);
	free(f);
}

bool
intf_equal(const struct conf_if *a, const struct conf_if *b)
{
	return strcmp(a->name, b->name) == 0 && a->has_addr == b->has_addr &&
	    a->addr == b->addr && a->mask == b->mask &&
	    strcmp(a->crypto_map, b->crypto_map) == 0 &&
	    strcmp(a->description, b->description) == 0 && a->shutdown == b->shutdown &&
	    strcmp(a->ignored != NULL ? a->ignored : "", b->ignored != NULL ? b->ignored : "") == 0;
}

struct conf_if *
conf_if_find(const struct conf *c, const char *name)
{
	return FIND_BY_NAME(c->ifs, c->n_ifs, name);
}

/* ---- Parse ---- */

int
intf_cmd(struct pl *p, bool no)
{
	struct conf *c = p->s->c;
	struct conf_if *f;
	char name[2 * LINE_MAX_];

	if (p->l->n < 2)
		return perr(p, "interface needs a name");
	/* "interface Ethernet 0" is "interface Ethernet0", as IOS reads it */
	if (p->l->n == 3 && p->l->w[2][0] >= '0' && p->l->w[2][0] <= '9')
		snprintf(name, sizeof(name), "%s%s", p->l->w[1], p->l->w[2]);
	else if (extra(p, 2) != 0)
		return -1;
	else
		snprintf(name, sizeof(name), "%s", p->l->w[1]);
	where(p, "interface %.40s", name);
	if (name_ok(p, "interface", name) != 0)
		return -1;
	if (no) {
		for (size_t k = 0; k < c->n_ifs; k++)
			if (strcmp(c->ifs[k]->name, name) == 0) {
				intf_free(c->ifs[k]);
				PTR_REMOVE(c->ifs, c->n_ifs, k);
				break;
			}
		return 0;
	}
	if ((f = conf_if_find(c, name)) == NULL) {
		if ((f = calloc(1, sizeof(*f))) == NULL)
			return oom(p);
		copy_name(f->name, name);
		f->line = p->lineno;
		if (PTR_APPEND(c->ifs, c->n_ifs, f) != 0) {
			free(f);
			return oom(p);
		}
	}
	p->s->mode = CONF_SM_IF;
	p->s->ifp = f;
	return 0;
}

static unsigned
prefix_len(uint32_t mask, bool *contiguous)
{
	unsigned n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	*contiguous = n == 32 || (mask << n) == 0;
	return n;
}

int
intf_mode(struct pl *p, bool no)
{
	struct conf_if *f = p->s->ifp;
	uint32_t a, m;
	bool contig;
	unsigned len;

	where(p, "interface %s", f->name);
	if (kw(p, 0, "description")) {
		if (no) {
			f->description[0] = '\0';
			return 0;
		}
		if (text_ok(p, "description", p->l->n > 1 ? rest(p, 1) : "", CONF_TEXT_MAX))
			return -1;
		snprintf(f->description, sizeof(f->description), "%s", rest(p, 1));
		return 0;
	}
	if (kw(p, 0, "shutdown")) {
		if (extra(p, 1) != 0)
			return -1;
		f->shutdown = !no;
		return 0;
	}
	if (kw(p, 0, "ip") && kw(p, 1, "address")) {
		if (no) {
			f->has_addr = false;
			f->addr = f->mask = 0;
			return 0;
		}
		if (!ipv4(word(p, 2), &a))
			return perr(p, "ip address \"%.40s\": not an IPv4 address", word(p, 2));
		if (!ipv4(word(p, 3), &m))
			return perr(p, "ip address %s \"%.40s\": not a netmask", word(p, 2),
			    word(p, 3));
		if (extra(p, 4) != 0)
			return -1;
		len = prefix_len(m, &contig);
		if (!contig || len == 0)
			return perr(p, "ip address %s %s: bad netmask", word(p, 2), word(p, 3));
		if (len < 31 && ((a & ~m) == 0 || (a & ~m) == ~m))
			return perr(p, "ip address %s %s: bad mask /%u for this address",
			    word(p, 2), word(p, 3), len);
		f->has_addr = true;
		f->addr = a;
		f->mask = m;
		return 0;
	}
	if (kw(p, 0, "crypto") && kw(p, 1, "map") && p->l->n <= 3) {
		/* "crypto map NAME SEQ ..." is the global command: 1 below */
		if (no) {
			f->crypto_map[0] = '\0';
			f->crypto_map_line = 0;
			return 0;
		}
		if (name_ok(p, "crypto map", word(p, 2)) != 0)
			return -1;
		copy_name(f->crypto_map, word(p, 2));
		f->crypto_map_line = p->lineno;
		return 0;
	}
	return 1;
}

int
host_cmd(struct pl *p, bool no)
{
	const char *h = word(p, 1);

	where(p, "hostname");
	if (no) {
		strcpy(p->s->c->hostname, CONF_HOSTNAME_DEFAULT);
		return 0;
	}
	if (h[0] == '\0')
		return perr(p, "needs a name");
	if (extra(p, 2) != 0)
		return -1;
	if (strlen(h) >= CONF_NAME_MAX)
		return perr(p, "\"%.20s...\": longer than %d characters", h, CONF_NAME_MAX - 1);
	if (!((h[0] | 0x20) >= 'a' && (h[0] | 0x20) <= 'z'))
		return perr(p, "\"%.40s\": must start with a letter", h);
	for (const char *s = h; *s; s++)
		if (!((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z') && !(*s >= '0' && *s <= '9') &&
		    *s != '-')
			return perr(p, "\"%.40s\": only letters, digits and hyphens", h);
	copy_name(p->s->c->hostname, h);
	return 0;
}

/* ---- Checks (conf_validate) ---- */

int
intf_check(const struct conf *c, struct gw_err *err)
{
	for (size_t i = 0; i < c->n_ifs; i++) {
		const struct conf_if *f = c->ifs[i];
		const struct conf_map *m;

		if (f->crypto_map[0] == '\0')
			continue;
		if ((m = conf_map_find(c, f->crypto_map)) == NULL || m->n_entries == 0)
			return gw_fail(err, f->crypto_map_line ? f->crypto_map_line : f->line,
			    "interface %s: crypto map %s is not defined", f->name,
			    f->crypto_map);
	}
	return 0;
}

/* ---- Running configuration ---- */

void
host_running(const struct conf *c, FILE *out)
{
	fprintf(out, "hostname %s\n!\n", c->hostname);
}

void
intf_running(const struct conf *c, FILE *out)
{
	char b1[16], b2[16];

	for (size_t i = 0; i < c->n_ifs; i++) {
		const struct conf_if *f = c->ifs[i];

		fprintf(out, "interface %s\n", f->name);
		if (f->description[0] != '\0')
			fprintf(out, " description %s\n", f->description);
		if (f->has_addr)
			fprintf(out, " ip address %s %s\n", ip_str(f->addr, b1),
			    ip_str(f->mask, b2));
		if (f->ignored != NULL)
			fputs(f->ignored, out);
		if (f->crypto_map[0] != '\0')
			fprintf(out, " crypto map %s\n", f->crypto_map);
		if (f->shutdown)
			fputs(" shutdown\n", out);
		fputs("!\n", out);
	}
}
