/* SPDX-License-Identifier: Apache-2.0 */
/* io_test.c: the SPI filter of the raw ESP socket (io_filter_spis), which steers each inbound
 * SA to its one owner (docs/design.md invariant 2, "Packet I/O").  The filter is classic BPF
 * attached to a socket, so this test alone needs sockets: datagram socketpairs stand in for two
 * workers' raw ESP sockets.  w1 is the catch-all (the smallest owner id of the generation), w2 owns
 * SPI 1000: a runt (no room for an SPI) and an unknown SPI reach w1 only, SPI 1000 w2 only. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datad/worker.h"
#include "tests/lib/test.h"
#include "tests/lib/test_sa.h"

static void
pair(int *ours, int *theirs)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0)
		abort();
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	*ours = sv[0];
	*theirs = sv[1];
}

/* Two inbound ESP SAs: SPI 1000 owned by w2, SPI 1100 by w1. */
static struct gen *
gen(const char *self)
{
	const struct test_sa sa[] = {
		{ .id = 1, .inbound = true, .proto = 50, .spi = 1000, .owner = "w2" },
		{ .id = 2, .inbound = true, .proto = 50, .spi = 1100, .owner = "w1" },
	};
	struct gw_err err = { 0, "" };
	struct gen *g = tables_build(test_tables(1, sa, 2, NULL, 0), self, NULL, &err);

	T_OK(g != NULL, "tables: %s", err.msg);
	return g;
}

int
main(void)
{
	struct worker w1, w2;
	struct gen *g1 = gen("w1"), *g2 = gen("w2");
	struct gw_err err = { 0, "" };
	int p1, p2;
	uint8_t b[64], rx[64];
	uint32_t spi_be;

	if (g1 == NULL || g2 == NULL)
		return t_done();
	memset(&w1, 0, sizeof(w1));
	memset(&w2, 0, sizeof(w2));
	w1.o.id = "w1";
	w2.o.id = "w2";
	pair(&w1.esp_fd, &p1);
	pair(&w2.esp_fd, &p2);
	T_OK(io_filter_spis(&w1, g1, &err) == 0, "filter w1: %s", err.msg);
	T_OK(io_filter_spis(&w2, g2, &err) == 0, "filter w2: %s", err.msg);

	/* the filter reads the IP header length from byte 0 and the SPI after it */
	memset(b, 0, sizeof(b));
	b[0] = 0x45;
	for (unsigned len = 20; len < 24; len++) {
		T_OK(write(p1, b, len) == (ssize_t)len && write(p2, b, len) == (ssize_t)len,
		    "send");
		T_EQ(read(w1.esp_fd, rx, sizeof(rx)), len, "runt of %u bytes: to the catch-all",
		    len);
		T_EQ(read(w2.esp_fd, rx, sizeof(rx)), -1, "runt of %u bytes: not to w2", len);
	}
	spi_be = htonl(1000);
	memcpy(b + 20, &spi_be, 4);
	T_OK(write(p1, b, 28) == 28 && write(p2, b, 28) == 28, "send");
	T_EQ(read(w1.esp_fd, rx, sizeof(rx)), -1, "SPI 1000 (w2's): not to w1");
	T_EQ(read(w2.esp_fd, rx, sizeof(rx)), 28, "SPI 1000: to w2");
	spi_be = htonl(77);
	memcpy(b + 20, &spi_be, 4);
	T_OK(write(p1, b, 28) == 28 && write(p2, b, 28) == 28, "send");
	T_EQ(read(w1.esp_fd, rx, sizeof(rx)), 28, "unknown SPI: to the catch-all");
	T_EQ(read(w2.esp_fd, rx, sizeof(rx)), -1, "unknown SPI: not to w2");
	tables_free(g1);
	tables_free(g2);
	close(p1);
	close(p2);
	close(w1.esp_fd);
	close(w2.esp_fd);
	return t_done();
}
