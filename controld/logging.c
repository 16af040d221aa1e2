/* SPDX-License-Identifier: Apache-2.0 */
/* logging.c: controld's log destinations as IOS has them (logging.h says which and why):
 * the buffer, the console, the terminal monitors and the syslog hosts, each message sent by
 * its severity to those whose level admits it.  Bounded everywhere (the rings, the monitors,
 * one line's length) and rate-limited by mnemonic, so that nothing a peer or a worker sends
 * grows controld's memory or floods a host.  Time stamps are UTC, with milliseconds, and
 * start with "*" as IOS's do when its clock is not set by NTP (we do not know whether the
 * host's is). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "controld/controld.h"
#include "controld/logging.h"

static const struct {
	const char	*fac;
	uint8_t		sev;
	const char	*name;
} mnems[LOGM_MAX] = {
#define X(n, f, s, m) [LOGM_##n] = { f, s, m },
	LOGGING_MNEMONICS(X)
#undef X
};

static struct logging *active;		/* the sink's (one at a time) */

static const char *
ip_text(uint32_t a, char b[INET_ADDRSTRLEN])
{
	struct in_addr ia = { htonl(a) };

	return inet_ntop(AF_INET, &ia, b, INET_ADDRSTRLEN);
}

/* ---- The rings ---- */

static void
ring_drop_oldest(struct log_ring *r)
{
	struct log_entry *e = &r->v[r->head];

	r->bytes -= e->len;
	free(e->text);
	e->text = NULL;
	r->head = (r->head + 1) % r->cap;
	r->n--;
}

static void
ring_fit(struct log_ring *r)
{
	while (r->n > 0 && r->bytes > r->max_bytes)
		ring_drop_oldest(r);
}

void
log_ring_push(struct log_ring *r, uint8_t sev, const char *text)
{
	size_t len = strlen(text);
	struct log_entry *e;
	char *t;

	/* numbered only when kept: the lines held are next_seq - n .. next_seq - 1 */
	if (r->cap == 0 || len + 1 > r->max_bytes || (t = malloc(len + 1)) == NULL)
		return;
	memcpy(t, text, len + 1);
	if (r->n == r->cap)
		ring_drop_oldest(r);
	e = &r->v[(r->head + r->n) % r->cap];
	*e = (struct log_entry){ r->next_seq++, sev, (uint32_t)len + 1, t };
	r->n++;
	r->bytes += len + 1;
	ring_fit(r);
}

void
log_ring_free(struct log_ring *r)
{
	while (r->n > 0)
		ring_drop_oldest(r);
	free(r->v);
	r->v = NULL;
	r->cap = 0;
}

/* A ring of cap lines and max_bytes; 0, or -1 out of memory (it keeps nothing). */
static int
ring_init(struct log_ring *r, size_t cap, size_t max_bytes)
{
	memset(r, 0, sizeof(*r));
	if ((r->v = calloc(cap, sizeof(*r->v))) == NULL)
		return -1;
	r->cap = cap;
	r->max_bytes = max_bytes;
	return 0;
}

static const struct log_entry *
ring_at(const struct log_ring *r, size_t i)
{
	return &r->v[(r->head + i) % r->cap];
}

/* ---- Lines ---- */

void
logging_stamp(uint64_t unix_ms, const char *body, char *line, size_t len)
{
	static const char *const mon[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
	    "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(unix_ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(line, len, "*%s %2d %02d:%02d:%02d.%03u: %s", mon[tm.tm_mon], tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(unix_ms % 1000), body);
}

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* RFC 3164 §4.1 as IOS sends it: "<PRI>SEQ: " then the line (time stamp and body). */
static void
send_hosts(struct logging *lg, uint8_t sev, const char *line)
{
	char pkt[LOGGING_LINE_MAX + 32];
	int n;

	if (!lg->udp_open || lg->cfg.n_hosts == 0)
		return;
	n = snprintf(pkt, sizeof(pkt), "<%u>%" PRIu64 ": %s", lg->cfg.facility * 8u + sev,
	    lg->n_msgs, line);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(pkt))
		n = sizeof(pkt) - 1;
	for (size_t i = 0; i < lg->cfg.n_hosts; i++) {
		struct sockaddr_in to = { .sin_family = AF_INET,
		    .sin_port = htons(lg->cfg.hosts[i].port),
		    .sin_addr.s_addr = htonl(lg->cfg.hosts[i].addr) };

		if (sendto(lg->udp_fd, pkt, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&to,
		    sizeof(to)) == n)
			lg->host_sent[i]++;
		else
			lg->n_trap_failed++;
	}
}

/* One message of severity sev to every destination that takes it; console: write it to
 * stderr (our own messages; common/log.h wrote its lines there already). */
static void
dispatch(struct logging *lg, uint8_t sev, const char *body, bool console)
{
	const struct conf_logging *c = &lg->cfg;
	char line[LOGGING_LINE_MAX];

	if (console && !c->console_off && sev <= c->console_level) {
		lg->n_console++;
		log_line(body);
	}
	if (c->off)
		return;
	lg->n_msgs++;
	logging_stamp(wall_ms(), body, line, sizeof(line));
	if (!c->buffered_off && sev <= c->buffered_level) {
		lg->n_buffered++;
		log_ring_push(&lg->buf, sev, line);
	}
	if (lg->n_mons > 0 && !c->monitor_off && sev <= c->monitor_level) {
		lg->n_monitor++;
		log_ring_push(&lg->mon, sev, line);
	}
	if (!c->trap_off && sev <= c->trap_level) {
		lg->n_trap++;
		send_hosts(lg, sev, line);
		if (lg->local_syslog)
			syslog((int)(c->facility * 8u + sev), "%s", body);
	}
}

/* common/log.h's lines: error 3, warning 4, info 6, debug 7. */
static void
sink(enum log_level lvl, const char *text)
{
	static const uint8_t sev[] = { 3, 4, 6, 7 };

	if (active != NULL)
		dispatch(active, sev[lvl < 4 ? lvl : 3], text, false);
}

void
logging_msg(struct logging *lg, enum logging_mnem m, const char *fmt, ...)
{
	char text[LOGGING_LINE_MAX - 64], body[LOGGING_LINE_MAX];
	uint64_t suppressed;
	va_list ap;

	if (m >= LOGM_MAX)
		return;
	if (!log_rl_take(&lg->rl[m], &suppressed)) {
		lg->n_rate_limited++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (suppressed != 0)
		snprintf(body, sizeof(body), "%%%s-%u-%s: %s (%" PRIu64 " more like it were not "
		    "logged)", mnems[m].fac, mnems[m].sev, mnems[m].name, text, suppressed);
	else
		snprintf(body, sizeof(body), "%%%s-%u-%s: %s", mnems[m].fac, mnems[m].sev,
		    mnems[m].name, text);
	dispatch(lg, mnems[m].sev, body, true);
}

/* ---- Life cycle, configuration ---- */

void
logging_init(struct logging *lg, bool local_syslog)
{
	struct conf *c = conf_new();

	memset(lg, 0, sizeof(*lg));
	lg->local_syslog = local_syslog;
	if (c != NULL)
		lg->cfg = c->logging;
	conf_free(c);
	ring_init(&lg->buf, lg->cfg.buffered_size / 16, lg->cfg.buffered_size);
	ring_init(&lg->mon, LOGGING_MON_LINES, LOGGING_MON_BYTES);
	if (local_syslog)
		openlog("controld", LOG_PID | LOG_NDELAY, (int)(lg->cfg.facility * 8u));
	active = lg;
	log_set_sink(sink);
}

void
logging_free(struct logging *lg)
{
	if (active == lg) {
		log_set_sink(NULL);
		active = NULL;
	}
	log_ring_free(&lg->buf);
	log_ring_free(&lg->mon);
	if (lg->udp_open)
		close(lg->udp_fd);
	lg->udp_open = false;
	free(lg->sas);
	lg->sas = NULL;
	lg->n_sas = 0;
	if (lg->local_syslog)
		closelog();
}

/* The buffer resized to size bytes (a line per 16 bytes at most): its newest lines kept. */
static void
buffer_resize(struct log_ring *r, size_t size)
{
	struct log_ring n;

	if (r->max_bytes == size && r->cap != 0)
		return;
	if (ring_init(&n, size / 16, size) != 0)
		return;				/* out of memory: keep the old one */
	for (size_t i = 0; i < r->n; i++)
		log_ring_push(&n, ring_at(r, i)->sev, ring_at(r, i)->text);
	n.next_seq = r->next_seq;
	log_ring_free(r);
	*r = n;
}

void
logging_conf(struct logging *lg, const struct conf_logging *cfg)
{
	bool hosts_changed = cfg->n_hosts != lg->cfg.n_hosts;

	for (size_t i = 0; !hosts_changed && i < cfg->n_hosts; i++)
		hosts_changed = cfg->hosts[i].addr != lg->cfg.hosts[i].addr ||
		    cfg->hosts[i].port != lg->cfg.hosts[i].port;
	lg->cfg = *cfg;
	if (hosts_changed)
		memset(lg->host_sent, 0, sizeof(lg->host_sent));
	buffer_resize(&lg->buf, cfg->buffered_off ? CONF_LOG_BUFFERED_MIN : cfg->buffered_size);
	if (cfg->n_hosts > 0 && !lg->udp_open) {
		lg->udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (lg->udp_fd < 0)
			log_warn("logging host: no UDP socket (%s): syslog hosts get nothing",
			    strerror(errno));
		lg->udp_open = lg->udp_fd >= 0;
	}
}

/* ---- show logging, clear logging ---- */

void
logging_show(const struct logging *lg, FILE *out)
{
	const struct conf_logging *c = &lg->cfg;
	char b[16];

	fprintf(out, "Syslog logging: %s (0 messages dropped, %" PRIu64 " messages rate-limited, "
	    "0 flushes, 0 overruns, xml disabled, filtering disabled)\n\n",
	    c->off ? "disabled" : "enabled", lg->n_rate_limited);
	fprintf(out, "No Active Message Discriminator.\n\n\n\nNo Inactive Message "
	    "Discriminator.\n\n\n");
	if (c->console_off)
		fprintf(out, "    Console logging: disabled\n");
	else
		fprintf(out, "    Console logging: level %s, %" PRIu64 " messages logged, xml "
		    "disabled,\n                     filtering disabled\n",
		    conf_log_level_name(c->console_level), lg->n_console);
	if (c->monitor_off)
		fprintf(out, "    Monitor logging: disabled\n");
	else
		fprintf(out, "    Monitor logging: level %s, %" PRIu64 " messages logged, xml "
		    "disabled,\n                     filtering disabled\n",
		    conf_log_level_name(c->monitor_level), lg->n_monitor);
	if (c->buffered_off)
		fprintf(out, "    Buffer logging:  disabled, xml disabled,\n"
		    "                     filtering disabled\n");
	else
		fprintf(out, "    Buffer logging:  level %s, %" PRIu64 " messages logged, xml "
		    "disabled,\n                    filtering disabled\n",
		    conf_log_level_name(c->buffered_level), lg->n_buffered);
	fprintf(out, "    Exception Logging: size (4096 bytes)\n"
	    "    Count and timestamp logging messages: disabled\n"
	    "    Persistent logging: disabled\n\nNo active filter modules.\n\n");
	if (c->trap_off)
		fprintf(out, "    Trap logging: disabled\n");
	else
		fprintf(out, "    Trap logging: level %s, %" PRIu64 " message lines logged\n",
		    conf_log_level_name(c->trap_level), lg->n_trap);
	for (size_t i = 0; i < c->n_hosts; i++)
		fprintf(out, "        Logging to %s  (udp port %u, audit disabled,\n"
		    "              link up),\n"
		    "              %" PRIu64 " message lines logged,\n"
		    "              0 message lines rate-limited,\n"
		    "              0 message lines dropped-by-MD,\n"
		    "              xml disabled, sequence number disabled\n"
		    "              filtering disabled\n",
		    ip_text(c->hosts[i].addr, b), c->hosts[i].port, lg->host_sent[i]);
	if (c->source_if[0] != '\0')
		fprintf(out, "        Logging Source-Interface:       VRF Name:\n"
		    "        %-31s (not used: the host's routing chooses)\n", c->source_if);
	fprintf(out, "\nLog Buffer (%zu bytes):\n\n", lg->buf.max_bytes);
	for (size_t i = 0; !c->buffered_off && i < lg->buf.n; i++)
		fprintf(out, "%s\n", ring_at(&lg->buf, i)->text);
}

void
logging_clear(struct logging *lg)
{
	while (lg->buf.n > 0)
		ring_drop_oldest(&lg->buf);
}

/* ---- terminal monitor ---- */

static struct log_monitor *
mon_find(const struct logging *lg, const void *id, size_t id_len)
{
	for (size_t i = 0; i < lg->n_mons; i++)
		if (lg->mons[i].id_len == id_len && memcmp(lg->mons[i].id, id, id_len) == 0)
			return (struct log_monitor *)&lg->mons[i];
	return NULL;
}

static void
mon_expire(struct logging *lg, uint64_t now_ms)
{
	for (size_t i = 0; i < lg->n_mons;)
		if (now_ms - lg->mons[i].last_ms > LOGGING_MONITOR_IDLE_MS)
			lg->mons[i] = lg->mons[--lg->n_mons];
		else
			i++;
}

int
logging_monitor_set(struct logging *lg, const void *id, size_t id_len, bool on,
    uint64_t now_ms, FILE *out)
{
	struct log_monitor *m;

	mon_expire(lg, now_ms);
	m = mon_find(lg, id, id_len);
	if (!on) {
		if (m != NULL)
			*m = lg->mons[--lg->n_mons];
		return 0;
	}
	if (m == NULL) {
		if (lg->n_mons == LOGGING_MONITORS_MAX || id_len > LINK_ID_MAX) {
			fprintf(out, "%% %d sessions monitor already\n", LOGGING_MONITORS_MAX);
			return -1;
		}
		m = &lg->mons[lg->n_mons++];
		memcpy(m->id, id, id_len);
		m->id_len = id_len;
		m->cursor = lg->mon.next_seq;	/* from now on */
	}
	m->last_ms = now_ms;
	if (lg->cfg.monitor_off || lg->cfg.off)
		fprintf(out, "%% Monitor logging is off (logging monitor, logging on): nothing "
		    "will be shown until it is on\n");
	return 0;
}

bool
logging_monitor_on(const struct logging *lg, const void *id, size_t id_len)
{
	return mon_find(lg, id, id_len) != NULL;
}

void
logging_monitor_poll(struct logging *lg, const void *id, size_t id_len, uint64_t now_ms,
    FILE *out)
{
	struct log_monitor *m = mon_find(lg, id, id_len);
	const struct log_ring *r = &lg->mon;
	uint64_t oldest = r->next_seq - r->n;
	size_t sent = 0;

	if (m == NULL)
		return;
	m->last_ms = now_ms;
	if (m->cursor < oldest) {
		fprintf(out, "%% %" PRIu64 " lines lost\n", oldest - m->cursor);
		m->cursor = oldest;
	}
	for (; m->cursor < r->next_seq; m->cursor++) {
		const struct log_entry *e = ring_at(r, (size_t)(m->cursor - oldest));

		if (sent + e->len > LOGGING_POLL_MAX)
			break;
		if (e->sev <= lg->cfg.monitor_level) {
			fprintf(out, "%s\n", e->text);
			sent += e->len;
		}
	}
	if (lg->n_mons == 0)
		return;
	/* lines every monitor has had are not needed any more */
	oldest = r->next_seq;
	for (size_t i = 0; i < lg->n_mons; i++)
		if (lg->mons[i].cursor < oldest)
			oldest = lg->mons[i].cursor;
	while (lg->mon.n > 0 && ring_at(&lg->mon, 0)->seq < oldest)
		ring_drop_oldest(&lg->mon);
}

/* ---- Tunnels and SAs (logging_tick) ---- */

static int
sa_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct log_sa *)a)->id, y = ((const struct log_sa *)b)->id;

	return x < y ? -1 : x > y;
}

static int
peer_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct log_sa *)a)->peer, y = ((const struct log_sa *)b)->peer;

	return x < y ? -1 : x > y;
}

/* One SA of each peer of v[0..n), sorted by peer (caller frees); NULL out of memory. */
static struct log_sa *
peers_of(const struct log_sa *v, size_t n, size_t *n_out)
{
	struct log_sa *p = malloc((n + 1) * sizeof(*p));
	size_t k = 0;

	if (p == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, v, n * sizeof(*p));
	qsort(p, n, sizeof(*p), peer_cmp);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || p[k - 1].peer != p[i].peer)
			p[k++] = p[i];
	*n_out = k;
	return p;
}

static void
say_sa(struct logging *lg, const struct log_sa *s, bool up)
{
	char b[INET_ADDRSTRLEN];

	logging_msg(lg, up ? LOGM_SA_UP : LOGM_SA_DOWN, "%s %s SA %s: spi 0x%X(%u), peer %s, "
	    "crypto map %s %u, conn id %" PRIu64, s->inbound ? "inbound" : "outbound",
	    s->proto == 51 ? "ah" : "esp", up ? "up" : "down", s->spi, s->spi,
	    ip_text(s->peer, b), s->map, s->seq, s->id % 10000);
}

/* IOS: "Crypto tunnel is UP  .  Peer 198.51.100.2:500       Id: 198.51.100.2" */
static void
say_tunnel(struct logging *lg, const struct log_sa *s, bool up)
{
	char b[INET_ADDRSTRLEN];

	ip_text(s->peer, b);
	logging_msg(lg, LOGM_SESSION, "Crypto tunnel is %s.  Peer %s:%u       Id: %s",
	    up ? "UP  " : "DOWN", b, s->port, b);
}

void
logging_tick(struct controld *cd)
{
	struct logging *lg = &cd->log;
	struct log_sa *now, *pa = NULL, *pb = NULL;
	size_t n = 0, i = 0, j = 0, na = 0, nb = 0;

	if (lg->seen && lg->seen_gen == cd->link.gen)
		return;
	if ((now = calloc(cd->sad.n + 1, sizeof(*now))) == NULL)
		return;				/* again at the next turn */
	for (size_t k = 0; k < cd->sad.n; k++) {
		const struct sa *sa = cd->sad.v[k];

		if (!sa_published(sa))
			continue;
		now[n] = (struct log_sa){ sa->id, sa->spi, sa->peer,
		    sa->udp_encap_port ? sa->udp_encap_port : 500, sa->proto, sa->inbound,
		    sa->seq, "" };
		snprintf(now[n].map, sizeof(now[n].map), "%s", sa->map);
		n++;
	}
	qsort(now, n, sizeof(*now), sa_cmp);
	while (i < lg->n_sas || j < n) {
		if (j == n || (i < lg->n_sas && lg->sas[i].id < now[j].id)) {
			say_sa(lg, &lg->sas[i++], false);
		} else if (i == lg->n_sas || now[j].id < lg->sas[i].id) {
			say_sa(lg, &now[j++], true);
		} else {
			i++;
			j++;
		}
	}
	/* a peer with SAs now and none before: its tunnel is up; the other way round: down */
	if ((pa = peers_of(lg->sas, lg->n_sas, &na)) != NULL &&
	    (pb = peers_of(now, n, &nb)) != NULL) {
		for (i = 0, j = 0; i < na || j < nb;) {
			if (j == nb || (i < na && pa[i].peer < pb[j].peer))
				say_tunnel(lg, &pa[i++], false);
			else if (i == na || pb[j].peer < pa[i].peer)
				say_tunnel(lg, &pb[j++], true);
			else
				i++, j++;
		}
	}
	free(pa);
	free(pb);
	free(lg->sas);
	lg->sas = now;
	lg->n_sas = n;
	lg->seen = true;
	lg->seen_gen = cd->link.gen;
}
