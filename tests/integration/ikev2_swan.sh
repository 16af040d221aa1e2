#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/ikev2_swan.sh: our IKEv2 against strongSwan 5.9.8, in both roles: the
# tunnel comes up, both ends show the same IKE SA and the same child SA (SPIs compared one by
# one), and traffic crosses it as ESP only (in UDP 4500: Debian's libipsec always claims a
# NAT, and we accept it, RFC 7296 §2.23).
#
#   hostA -- gwA [charon ssA] ==== inet ==== gwB [controld + datad] -- hostB
#
#   1. gwB: tests/lib/ikev2.sh's tunnel (AES-GCM-128, PRF SHA-256, group 19, PFS group 19)
#   2. strongSwan initiates (swanctl --initiate): IKE SA and child SA on both, same SPIs;
#      pings both ways; the internet link carries ESP in UDP 4500 and IKE, nothing else
#   3. strongSwan deletes it: gwB has no IKE SA and no child SA left
#   4. we initiate on traffic: hostB pings hostA, datad's acquire starts IKE_SA_INIT from
#      gwB; same checks, gwB now the initiator
#   5. operators' view: show crypto session (both roles) against strongSwan's SAs: the
#      peer and its port, the IKEv2 SA line, the IPSEC FLOW of each child, Active SAs, the
#      detail counts; remote filtering; clear crypto sa leaves it UP-IDLE; clear crypto
#      session remote of another peer changes nothing, of gwA deletes all (strongSwan has
#      nothing left: it took our delete) and the session is DOWN; with strongSwan stopped,
#      an acquire leaves it DOWN-NEGOTIATING
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/ikev2_swan.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"
source "$GW_SRC/tests/lib/swan.sh"
source "$GW_SRC/tests/lib/ikev2.sh"

ik_begin ikev2_swan

# 1
ik_ours_conf >"$GW_RUN/gwB.conf"
t_check "gwB starts with an IKEv2 crypto map entry" gw_start gwB "$GW_RUN/gwB.conf" ||
	t_abort gwB
ik_swan_conf >"$(swan_dir ssA)/swanctl.conf"
t_check "charon ssA starts in gwA" swan_start ssA gwA || t_abort ssA
t_check "ssA loads its connection" swan_load ssA

# wire_only_ipsec ROLE: ping both ways under a capture; only IKE and ESP in UDP on the wire.
wire_only_ipsec()
{
	local cap=$GW_RUN/wan-$1.pcap
	# (the bridge itself sends IGMP membership reports: not the gateways', left out)
	cap_start inet br0 "$cap" "ip and not arp and not igmp" || t_abort capture
	t_check "$1: hostA pings hostB (5), all answered" \
		nsx hostA ping -n -c 5 -i 0.1 -W 2 192.0.2.130
	t_check "$1: hostB pings hostA (5), all answered" \
		nsx hostB ping -n -c 5 -i 0.1 -W 2 192.0.2.10
	cap_stop "$cap"
	t_eq "$1: no ICMP in the clear on the internet link" "$(cap_count "$cap" icmp)" 0
	t_ge "$1: ESP in UDP 4500 each way" \
		"$(cap_count "$cap" 'udp.port == 4500 && esp && ip.src == 198.51.100.2')" 10
	t_ge "$1: (and from gwA)" \
		"$(cap_count "$cap" 'udp.port == 4500 && esp && ip.src == 198.51.100.1')" 10
	t_eq "$1: nothing but UDP 500/4500 on it" "$(tshark -n -r "$cap" \
		-Y '!(udp.port == 500 || udp.port == 4500)' 2>/dev/null)" ""
}

# session_vs_swan ROLE: gwB's show crypto session says what strongSwan's SAs say.
session_vs_swan()
{
	local sw ike child n l r lts rts sess det dec
	sw=$(swan_sas ssA)
	ike=$(awk '$1 == "ike"' <<<"$sw"); child=$(awk '$1 == "child"' <<<"$sw")
	n=$(grep -c . <<<"$child")
	read -r _ _ _ _ _ l r _ <<<"$ike"			# ssA's local, remote host:port
	read -r _ _ _ _ _ _ _ _ lts rts _ <<<"$(head -n 1 <<<"$child")"
	sess=$(ik_ours_session gwB 198.51.100.1)
	t_check "$1: session UP-ACTIVE" ik_has_line "$sess" "Session status: UP-ACTIVE"
	t_check "$1: on wan0, profile TO-A" eval 'ik_has_line "$sess" "Interface: wan0" &&
		ik_has_line "$sess" "Profile: TO-A"'
	t_check "$1: the peer at strongSwan's address and port ($l)" \
		ik_has_line "$sess" "Peer: ${l%:*} port ${l#*:}"
	t_check "$1: the IKEv2 SA line has strongSwan's endpoints, swapped" ik_has_line "$sess" \
		"  IKEv2 SA: local ${r%:*}/${r#*:} remote ${l%:*}/${l#*:} Active"
	t_check "$1: IPSEC FLOW: strongSwan's selectors, swapped ($rts $lts)" ik_has_line \
		"$sess" "  IPSEC FLOW: permit ip $(ik_flow_side "$rts") $(ik_flow_side "$lts")"
	t_check "$1: Active SAs: two per strongSwan child ($n)" ik_has_line "$sess" \
		"        Active SAs: $((2 * n)), origin: crypto map"
	det=$(ik_ours_session gwB 198.51.100.1 detail)
	printf '# gwB: %s\n' "${det//$'\n'/$'\n'# gwB: }"
	t_check "$1: detail: Phase1_id, the peer's identity" \
		ik_has_line "$det" "      Phase1_id: 198.51.100.1"
	t_match "$1: detail: the IKEv2 SA's capabilities: DPD (profile), NAT-T (claimed)" \
		"$det" '^ +Capabilities:DN connid:[0-9]+ lifetime:23:5[0-9]:[0-9]{2}$'
	dec=$(awk '$1 == "Inbound:" { print $4 }' <<<"$det")
	t_ge "$1: detail: the pings decrypted (Inbound #pkts dec'ed)" "${dec:-0}" 10
	t_match "$1: detail: drops 0, what is left of the lifetimes" "$det" \
		"Outbound: #pkts enc'ed [0-9]+ drop 0 life \(KB/Sec\) [0-9]+/3[0-9]{3}$"
	t_eq "$1: remote filtering: no session with 198.51.100.77" \
		"$(gwctl_in gwB "show crypto session remote 198.51.100.77")" \
		"Crypto session current status"
	t_eq "$1: one session in all" \
		"$(gwctl_in gwB "show crypto session" | grep -c '^Peer: ')" 1
}

# 2: strongSwan initiates
t_check "ssA initiates child t" swan_initiate ssA t
sa_a=$(swan_sas ssA)
printf '# ssA: %s\n' "${sa_a//$'\n'/$'\n# ssA: '}"
t_match "ssA: the IKE SA ESTABLISHED on UDP 4500 (NAT claimed)" "$sa_a" \
	'^ike t [0-9]+ ESTABLISHED 2 198\.51\.100\.1:4500 198\.51\.100\.2:4500 '
t_match "ssA: child t INSTALLED, the configured selectors, encapsulated" "$sa_a" \
	'^child t [0-9]+ INSTALLED TUNNEL ESP [0-9a-f]+ [0-9a-f]+ 192\.0\.2\.0/25 192\.0\.2\.128/25 yes$'
detail=$(gwctl_in gwB "show crypto ikev2 sa detail")
t_match "gwB: the IKE SA READY, responder, NAT-T seen" "$detail" \
	'198\.51\.100\.2/4500 +198\.51\.100\.1/4500 +none/none +READY'
t_match "gwB: AES-GCM-128, PRF SHA256, group 19" "$detail" \
	'Encr: AES-GCM, keysize: 128, PRF: SHA256, Hash: None, DH Grp:19'
t_match "gwB: not the initiator, one child SA" "$detail" 'Initiator of SA : No'
t_check "the same IKE SPIs and child SPIs on both ends" ik_ours_spi_match gwB ssA
wire_only_ipsec "strongSwan initiator"
session_vs_swan "strongSwan initiator"
t_match "gwB counted the pings (encaps/decaps)" "$(gwctl_in gwB "show crypto ipsec sa")" \
	'#pkts encaps: (1[0-9]|[2-9][0-9]), .*'
# negotiated SAs in UDP, with lifetimes: show crypto ipsec sa [detail] as the parsers read it
# (tests/parsers/, docs/show.md)
parsed()
{
	gwctl_in gwB "show crypto ipsec sa" >"$GW_RUN/sa.txt" &&
		gwctl_in gwB "show crypto ipsec sa detail" >"$GW_RUN/sa_detail.txt" &&
		/usr/bin/python3 "$GW_SRC/tests/parsers/shapes.py" "$GW_RUN/sa.txt" \
			"$GW_RUN/sa_detail.txt"
}
t_check "gwB: ntc-templates' and genie's shapes read every line of show crypto ipsec sa" parsed

# 3
t_check "ssA deletes the IKE SA" swan_terminate ssA t
t_check "gwB has no IKE SA left" t_poll 5 eval '[ -z "$(ik_ours_ike gwB)" ]'
t_check "and no ESP SA" t_poll 5 eval \
	'[ -z "$(ik_ours_esp gwB inbound)$(ik_ours_esp gwB outbound)" ]'
t_eq "gwB counted strongSwan's delete" "$(ik_ours_ctr gwB "deletes received")" 1

# 4: we initiate on traffic
t_check "hostB pings hostA: the acquire brings the tunnel up" wait_ping hostB 192.0.2.10 10
sa_a=$(swan_sas ssA)
printf '# ssA: %s\n' "${sa_a//$'\n'/$'\n# ssA: '}"
t_match "ssA: one IKE SA ESTABLISHED (gwB initiated)" "$sa_a" \
	'^ike t [0-9]+ ESTABLISHED 2 198\.51\.100\.1:4500 198\.51\.100\.2:4500 '
t_match "ssA: child t INSTALLED with the entry's selectors" "$sa_a" \
	'^child t [0-9]+ INSTALLED TUNNEL ESP [0-9a-f]+ [0-9a-f]+ 192\.0\.2\.0/25 192\.0\.2\.128/25 yes$'
t_match "gwB: now the initiator" "$(gwctl_in gwB "show crypto ikev2 sa detail")" \
	'Initiator of SA : Yes'
t_check "the same IKE SPIs and child SPIs on both ends" ik_ours_spi_match gwB ssA
t_eq "gwB: exactly one IKE SA" "$(ik_ours_ike gwB | wc -l)" 1
wire_only_ipsec "gwB initiator"
session_vs_swan "gwB initiator"

# 5: clear, as the operator sees it
ike0=$(ik_swan_ike ssA)
t_check "gwB: clear crypto sa (the child SAs only)" gwctl_in gwB "clear crypto sa"
t_check "gwB: the session UP-IDLE: its IKE SA without children" t_poll 5 eval \
	'ik_has_line "$(ik_ours_session gwB 198.51.100.1)" "Session status: UP-IDLE"'
t_check "hostB's traffic: a new child, UP-ACTIVE again" wait_ping hostB 192.0.2.10 8
t_check "gwB: UP-ACTIVE" ik_has_line "$(ik_ours_session gwB 198.51.100.1)" \
	"Session status: UP-ACTIVE"
t_eq "ssA: the same IKE SA" "$(ik_swan_ike ssA)" "$ike0"
t_check "gwB: clear crypto session remote 198.51.100.77 (another peer)" \
	gwctl_in gwB "clear crypto session remote 198.51.100.77"
t_eq "ssA: its SAs untouched" "$(ik_swan_ike ssA)" "$ike0"
out=$(gwctl_in gwB "clear crypto session remote 198.51.100.1")
t_match "gwB: clear crypto session remote 198.51.100.1 says what it deleted" "$out" \
	'^Cleared the crypto sessions with peer 198\.51\.100\.1: 1 IKEv2 SA and 2 negotiated SAs '\
'deleted, the peers told\.$'
t_check "ssA: no SA left (it took our delete)" t_poll 5 eval '[ -z "$(swan_sas ssA)" ]'
t_eq "gwB: no IKE SA and no ESP SA" "$(ik_ours_ike gwB)$(ik_ours_esp gwB inbound)" ""
sess=$(ik_ours_session gwB 198.51.100.1)
t_check "gwB: the configured peer's session DOWN, its flow with no SA" eval \
	'ik_has_line "$sess" "Session status: DOWN" &&
	ik_has_line "$sess" "        Active SAs: 0, origin: crypto map"'

t_check "ssA stops on SIGTERM" swan_stop ssA
nsx hostB ping -n -c 1 -W 1 192.0.2.10 >/dev/null 2>&1	# an acquire nobody answers
t_check "gwB: DOWN-NEGOTIATING while its IKE_SA_INIT goes unanswered" t_poll 5 eval \
	'sess=$(ik_ours_session gwB 198.51.100.1);
	ik_has_line "$sess" "Session status: DOWN-NEGOTIATING" && ik_has_line "$sess" \
		"  IKEv2 SA: local 198.51.100.2/500 remote 198.51.100.1/500 Inactive"'
t_end
