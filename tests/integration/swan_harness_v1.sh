#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/swan_harness_v1.sh: the strongSwan harness (tests/lib/swan.sh) with IKEv1
# (version = 1), strongSwan on both gateways and none of ours: the baseline the IKEv1 interop
# tests and the IKEv1 rows of `bench/run.sh ike` start from, and a check that swan_conf_v1
# and swan_ios_v1 write working configurations for every row of the interop matrix.
#
#   hostA -- gwA [charon ssA] ==== inet ==== gwB [charon ssB] -- hostB
#
#   1. main mode, PSK, phase 1 aes128-sha1-modp2048, quick mode ESP aes128-sha1 (no PFS):
#      both list one IKEv1 SA ESTABLISHED with those algorithms and one child INSTALLED, the
#      same ISAKMP cookies, each one's inbound SPI the other's outbound, over UDP 4500; the
#      wire shows main mode (exchange 2) and quick mode (32); hostA pings hostB; the internet
#      link carries ESP in UDP and nothing but UDP 500/4500
#   2. aggressive mode with FQDN identities (gwa.example.net, gwb.example.net): a charon
#      responder refuses it with a pre-shared key until told otherwise
#      (i_dont_care_about_security_and_use_aggressive_mode_psk); then the same checks as 1,
#      the identities as configured, aggressive mode on the wire (exchange 4)
#   3. the matrix (tests/lib/swan.sh SWAN_V1_MATRIX): each row comes up between the two
#      charons (SA ESTABLISHED, child INSTALLED, a ping through) and controld -n takes
#      swan_ios_v1's configuration of it (ours on gwB)
#   4. deletes: ssB has nothing left; both stop on SIGTERM, by PID
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/swan_harness_v1.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"
source "$GW_SRC/tests/lib/swan.sh"

require_root
swan_require || { echo "SKIP: swan_harness_v1: no strongSwan" >&2; exit 77; }
t_begin swan_harness_v1
topo_up "gw$$" || t_abort "draw the topology"
A=198.51.100.1 B=198.51.100.2 A_TS=192.0.2.0/25 B_TS=192.0.2.128/25

# confs IKE ESP [MODE [A_ID B_ID]]: both charons' swanctl.conf for one tunnel, loaded.
confs()
{
	swan_conf_v1 $A $B $A_TS $B_TS "$1" "$2" "${3:-main}" "${4:-}" "${5:-}" \
		>"$(swan_dir ssA)/swanctl.conf" &&
	swan_conf_v1 $B $A $B_TS $A_TS "$1" "$2" "${3:-main}" "${5:-}" "${4:-}" \
		>"$(swan_dir ssB)/swanctl.conf" && swan_load ssA && swan_load ssB
}

# ike_algs NAME: the algorithms of NAME's IKE SA, as vici lists them.
ike_algs()
{
	swan_ctl "$1" --list-sas --raw 2>/dev/null |
		grep -o 'encr-alg=[^ ]* encr-keysize=[0-9]* integ-alg=[^ ]* prf-alg=[^ ]* dh-group=[^ ]*' |
		head -n 1
}

# up_both WHAT: both charons hold one IKEv1 SA ESTABLISHED and one child INSTALLED, the same
# cookies, the SPIs crossed, on UDP 4500.
up_both()
{
	local sa_a sa_b
	sa_a=$(swan_sas ssA) sa_b=$(swan_sas ssB)
	printf '# ssA: %s\n' "${sa_a//$'\n'/$'\n# ssA: '}"
	printf '# ssB: %s\n' "${sa_b//$'\n'/$'\n# ssB: '}"
	t_match "$1: ssA: one IKEv1 SA ESTABLISHED, on UDP 4500" "$sa_a" \
		"^ike t [0-9]+ ESTABLISHED 1 198\.51\.100\.1:4500 198\.51\.100\.2:4500 "
	t_match "$1: ssB: the same, seen from the other side" "$sa_b" \
		"^ike t [0-9]+ ESTABLISHED 1 198\.51\.100\.2:4500 198\.51\.100\.1:4500 "
	t_eq "$1: the same ISAKMP cookies on both" \
		"$(awk '$1 == "ike" { print $8, $9 }' <<<"$sa_a")" \
		"$(awk '$1 == "ike" { print $8, $9 }' <<<"$sa_b")"
	t_match "$1: ssA: child t INSTALLED, tunnel, ESP, encapsulated" "$sa_a" \
		'^child t [0-9]+ INSTALLED TUNNEL ESP [0-9a-f]+ [0-9a-f]+ 192\.0\.2\.0/25 192\.0\.2\.128/25 yes$'
	t_match "$1: ssB: child t INSTALLED, the selectors swapped" "$sa_b" \
		'^child t [0-9]+ INSTALLED TUNNEL ESP [0-9a-f]+ [0-9a-f]+ 192\.0\.2\.128/25 192\.0\.2\.0/25 yes$'
	t_eq "$1: ssA's inbound SPI is ssB's outbound" \
		"$(awk '$1 == "child" { print $7 }' <<<"$sa_a")" \
		"$(awk '$1 == "child" { print $8 }' <<<"$sa_b")"
	t_eq "$1: and the other way" "$(awk '$1 == "child" { print $8 }' <<<"$sa_a")" \
		"$(awk '$1 == "child" { print $7 }' <<<"$sa_b")"
}

# through WHAT CAP EXCHANGE: after an initiate captured in CAP: the exchange type of phase 1
# and quick mode on the wire, then pings through, ESP in UDP only.
through()
{
	t_check "$1: hostA pings hostB through the tunnel" wait_ping hostA 192.0.2.130 5
	t_check "$1: 3 pings, all answered" nsx hostA ping -n -c 3 -i 0.1 -W 2 192.0.2.130
	cap_stop "$2"
	t_ge "$1: phase 1 on the wire is exchange $3" \
		"$(cap_count "$2" "isakmp.exchangetype == $3")" 3
	t_ge "$1: then quick mode (exchange 32), 3 messages" \
		"$(cap_count "$2" 'isakmp.exchangetype == 32')" 3
	t_eq "$1: no ICMP in the clear on the internet link" "$(cap_count "$2" icmp)" 0
	t_ge "$1: ESP in UDP 4500 on it" "$(cap_count "$2" 'udp.port == 4500 && esp')" 6
	t_eq "$1: nothing but UDP 500/4500 on it" \
		"$(cap_count "$2" '!(udp.port == 500 || udp.port == 4500)')" 0
}

# 1: main mode
t_check "charon ssA starts in gwA" swan_start ssA gwA || t_abort "ssA"
t_check "charon ssB starts in gwB, at the same time" swan_start ssB gwB || t_abort "ssB"
t_check "both load main mode aes128-sha1-modp2048, ESP aes128-sha1" \
	confs aes128-sha1-modp2048 aes128-sha1 || t_abort "swanctl --load-all"
CAP=$GW_RUN/main.pcap
cap_start inet br0 "$CAP" "ip and not arp and not igmp" || t_abort capture
start=$(now)
t_check "ssA initiates child t (main mode, quick mode)" swan_initiate ssA t
echo "# tunnel up in $(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }') s"
up_both "main"
t_eq "main: ssA's IKE SA: AES-CBC-128, HMAC-SHA1, group 14" "$(ike_algs ssA)" \
	"encr-alg=AES_CBC encr-keysize=128 integ-alg=HMAC_SHA1_96 prf-alg=PRF_HMAC_SHA1 $(
	)dh-group=MODP_2048"
t_eq "main: ssB's the same" "$(ike_algs ssB)" "$(ike_algs ssA)"
through main "$CAP" 2
t_check "main: ssA deletes the IKE SA" swan_terminate ssA t
t_check "main: ssB has no SA left" t_poll 5 eval '[ -z "$(swan_sas ssB)" ]'

# 2: aggressive mode, FQDN identities
t_check "both load aggressive mode, gwa.example.net <-> gwb.example.net" \
	confs aes128-sha1-modp2048 aes128-sha1 aggressive gwa.example.net gwb.example.net
t_check_not "ssB (a charon by default) refuses aggressive mode with a PSK" \
	swan_initiate ssA t 3
swan_terminate ssA t >/dev/null 2>&1
t_check "ssB stops" swan_stop ssB
t_check "ssB's log says why (complete once it stopped)" \
	grep -q 'Aggressive Mode PSK disabled for security reasons' "$GW_RUN/swan-ssB/charon.log"
SWAN_CHARON_CONF="i_dont_care_about_security_and_use_aggressive_mode_psk = yes" \
	t_check "ssB starts again, taking aggressive mode with a PSK" swan_start ssB gwB ||
	t_abort "ssB"
t_check "ssB loads it" swan_load ssB
CAP=$GW_RUN/aggr.pcap
cap_start inet br0 "$CAP" "ip and not arp and not igmp" || t_abort capture
t_check "ssA initiates child t (aggressive mode, quick mode)" swan_initiate ssA t
up_both "aggressive"
t_match "aggressive: ssA is gwa.example.net, its peer gwb.example.net" \
	"$(swan_ctl ssA --list-sas --raw)" 'local-id=gwa\.example\.net .*remote-id=gwb\.example\.net'
t_match "aggressive: ssB the other way" \
	"$(swan_ctl ssB --list-sas --raw)" 'local-id=gwb\.example\.net .*remote-id=gwa\.example\.net'
through aggressive "$CAP" 4
t_check "aggressive: ssA deletes the IKE SA" swan_terminate ssA t
t_check "aggressive: ssB has no SA left" t_poll 5 eval '[ -z "$(swan_sas ssB)" ]'

# 3: the matrix
ours_ok=1
[ -x "$GW_BIN/controld" ] ||
	{ ours_ok=0; echo "# no $GW_BIN/controld: ours not checked against the matrix"; }
for row in "${SWAN_V1_MATRIX[@]}"; do
	IFS='|' read -r name ike esp mode aid <<<"$row"
	bid=
	[ -n "$aid" ] && bid=$B
	if confs "$ike" "$esp" "$mode" "$aid" "$bid" && swan_initiate ssA t 5; then
		sa_a=$(swan_sas ssA)
		t_match "[$name] strongSwan-strongSwan: ESTABLISHED and INSTALLED" "$sa_a" \
			'^ike t [0-9]+ ESTABLISHED 1 .*'$'\n''child t [0-9]+ INSTALLED TUNNEL ESP '
		t_check "[$name] a ping crosses it" nsx hostA ping -n -c 1 -W 2 192.0.2.130
	else
		t_fail "[$name] strongSwan-strongSwan: loaded and initiated" \
			"$(tail -n 3 "$GW_RUN/swan-ssA/initiate.log")"
	fi
	swan_terminate ssA t >/dev/null 2>&1
	t_poll 3 eval '[ -z "$(swan_sas ssB)" ]' || t_fail "[$name] ssB still has SAs"
	[ "$ours_ok" = 1 ] || continue
	f=$GW_RUN/ours-v1.conf
	swan_ios_v1 $B $A $B_TS $A_TS "$ike" "$esp" "$mode" "$bid" "$aid" >"$f"
	t_check "[$name] controld -n takes ours (gwB's side)" "$GW_BIN/controld" -n -f "$f"
done

# 4
t_check "ssA stops on SIGTERM (exit 0)" swan_stop ssA
t_check "ssB stops on SIGTERM (exit 0)" swan_stop ssB
t_end
