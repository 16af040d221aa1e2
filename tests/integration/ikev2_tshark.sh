#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/ikev2_tshark.sh: Wireshark's dissector decrypts our IKEv2 messages, on
# the wire, with the keys controld logs after `debug crypto ikev2 keys` (ike_log_keys): the
# proof that what we seal is what RFC 7296 says, read by an implementation that is neither
# ours nor the peer's.  strongSwan 5.9.8 is the peer.
#
#   hostA -- gwA [charon ssA] ==== inet ==== gwB [controld + datad] -- hostB
#
#   1. gwB: IKE SA with AES-CBC-256 + HMAC-SHA-256 (group 14), child AES-GCM;
#      `debug crypto ikev2 keys` at its CLI
#   2. strongSwan initiates, then deletes; then gwB initiates on hostB's ping: two IKE SAs,
#      one in each role, the capture of the internet link holds both
#   3. from gwB's log, one line per IKE SA: its SPIs, SK_ei/er, SK_ai/ar -> tshark's
#      ikev2_decryption_table (a scratch configuration folder, not the user's)
#   4. tshark decrypts every encrypted IKE message of the capture, both directions, with
#      a correct ICV; our IKE_AUTH messages show the identity and the AUTH we sent
#   5. `no debug crypto ikev2`: the next IKE SA's keys are not logged
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/ikev2_tshark.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"
source "$GW_SRC/tests/lib/swan.sh"
source "$GW_SRC/tests/lib/ikev2.sh"

ik_begin ikev2_tshark

# 1
IK_ENC=aes-cbc-256 IK_INTEG=sha256 IK_PRF= IK_GROUP=14
SW_IKE=aes256-sha256-modp2048 SW_ESP=aes128gcm16
ik_ours_conf >"$GW_RUN/gwB.conf"
t_check "gwB starts" gw_start gwB "$GW_RUN/gwB.conf" || t_abort gwB
LOGB=$(gw_dir gwB)/controld.log
t_match "gwB: debug crypto ikev2 keys" "$(gwctl_in gwB "debug crypto ikev2 keys")" \
	'Crypto IKEv2 debugging is on, with the keys'
ik_swan_conf >"$(swan_dir ssA)/swanctl.conf"
t_check "charon ssA starts in gwA" swan_start ssA gwA || t_abort ssA
t_check "ssA loads its connection" swan_load ssA

# 2
CAP=$GW_RUN/ike.pcap
cap_start inet br0 "$CAP" "udp port 500 or udp port 4500" || t_abort capture
t_check "ssA initiates" swan_initiate ssA t
t_check "ssA deletes it" swan_terminate ssA t
t_check "gwB has none left" t_poll 5 eval '[ -z "$(ik_ours_ike gwB)" ]'
t_check "hostB's ping: gwB initiates" wait_ping hostB 192.0.2.10 8
t_check "same SPIs on both ends" ik_ours_spi_match gwB ssA
cap_stop "$CAP"

# 3: "ikev2 keys SPIi SPIr encr 12/256 integ 12 sk_ei A sk_er B sk_ai C sk_ar D"
CFG=$GW_RUN/tshark-cfg
mkdir -p "$CFG/wireshark"
awk '/: debug: ikev2 keys [0-9a-f]+ [0-9a-f]+ encr / {
	for (i = 1; i < NF; i++) if ($i == "keys") { v["SPIi"] = $(i + 1); v["SPIr"] = $(i + 2) }
	for (i = 1; i < NF; i++) v[$i] = $(i + 1)
	# tshark 4.0 names (packet-isakmp.c): the two this test uses
	e = (v["encr"] == "12/256") ? "AES-CBC-256 [RFC3602]" : "?" v["encr"]
	a = (v["integ"] == "12") ? "HMAC_SHA2_256_128 [RFC4868]" : "?" v["integ"]
	printf "%s,%s,%s,%s,\"%s\",%s,%s,\"%s\"\n", v["SPIi"], v["SPIr"], v["sk_ei"],
		v["sk_er"], e, v["sk_ai"], v["sk_ar"], a }' "$LOGB" >"$CFG/wireshark/ikev2_decryption_table"
t_eq "gwB logged the keys of both IKE SAs" \
	"$(grep -c '^[0-9a-f]\{16\},[0-9a-f]\{16\},[0-9a-f]\{64\},[0-9a-f]\{64\},"AES-CBC-256' \
	"$CFG/wireshark/ikev2_decryption_table")" 2

# 4
ts() { XDG_CONFIG_HOME=$CFG tshark -n -r "$CAP" "$@" 2>/dev/null; }
enc=$(ts -Y 'isakmp.exchangetype != 34' -T fields -e frame.number | wc -l)
out=$(ts -V -Y 'isakmp.exchangetype != 34')
t_ge "encrypted IKE messages on the wire (IKE_AUTH, INFORMATIONAL, both ways)" "$enc" 6
t_eq "tshark decrypted each one" "$(grep -c 'Decrypted Data' <<<"$out")" "$enc"
t_eq "each with a correct ICV" \
	"$(grep -Ec 'Integrity Checksum Data: .*\[correct\]' <<<"$out")" "$enc"
t_eq "nothing malformed or incorrect" "$(grep -Eci 'malformed|incorrect' <<<"$out")" 0
auth=$(ts -V -Y 'isakmp.exchangetype == 35 && ip.src == 198.51.100.2')
t_eq "our IKE_AUTH messages (a response, a request): both opened" \
	"$(grep -c 'Decrypted Data' <<<"$auth")" 2
t_ge "in them, our identity 198.51.100.2 (IDr, then IDi)" \
	"$(grep -Ec 'Identification Data:198\.51\.100\.2' <<<"$auth")" 2
t_ge "and our AUTH (shared key MIC)" \
	"$(grep -Ec 'Authentication Method: Shared Key Message Integrity Code' <<<"$auth")" 2

# 5
t_check "gwB: no debug crypto ikev2" gwctl_in gwB "no debug crypto ikev2"
t_check "ssA deletes the IKE SA" swan_terminate ssA t
t_check "ssA initiates once more" swan_initiate ssA t
t_eq "no key logged for it" "$(grep -c 'ikev2 keys' "$LOGB")" 2
t_check "ssA stops" swan_stop ssA
t_end
