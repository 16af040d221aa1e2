#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/transforms.sh: every ESP transform of a manual crypto map, end to end through
# the real daemons, checked by someone else's ESP (issue "The transform engine"):
#
#   for each transform set: rewrite both gateways' configuration (new keys), reload controld
#   with SIGHUP, ping hostA -> hostB through the tunnel, capture the internet link, and have an
#   independent implementation decrypt our packets with the configured keys: tshark's ESP
#   dissector (ICV verified) where it knows the algorithm, scapy otherwise.  ChaCha20-Poly1305
#   and GMAC are checked by scapy / at unit level (common/esp_scapy) only.
#
# It also exercises reload: each SIGHUP replaces the SAs (new keys = new SA ids), and a reload
# of a broken file must change nothing (the tunnel keeps working with the old keys).
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/transforms.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin transforms
# show crypto ipsec sa in the IOS 11.3 layout here (crypto ipsec show-layout 11.3): this
# test reads its own lines (owner:, errors:, path/media mtu, esp-aes 256)
topo_up "gw$$" || t_abort "draw the topology"

# name | transform set | ESP cipher key bytes | ESP auth key bytes | tshark enc | tshark auth |
#   scapy enc | scapy auth | AH key bytes | scapy AH auth
CASES=(
	"aes128-sha|esp-aes 128 esp-sha-hmac|16|20|AES-CBC [RFC3602]|HMAC-SHA-1-96 [RFC2404]||"
	"aes256-sha256|esp-aes 256 esp-sha256-hmac|32|32|AES-CBC [RFC3602]|HMAC-SHA-256-128 [RFC4868]||"
	"aes192-sha512|esp-aes 192 esp-sha512-hmac|24|64|AES-CBC [RFC3602]|HMAC-SHA-512-256 [RFC4868]||"
	"gcm128|esp-gcm 128|20|0|AES-GCM with 16 octet ICV [RFC4106]|NULL||"
	"gcm256|esp-gcm 256|36|0|AES-GCM with 16 octet ICV [RFC4106]|NULL||"
	"3des-md5|esp-3des esp-md5-hmac|24|16|TripleDES-CBC [RFC2451]|HMAC-MD5-96 [RFC2403]||"
	"des-sha|esp-des esp-sha-hmac|8|20|DES-CBC [RFC2405]|HMAC-SHA-1-96 [RFC2404]||"
	"null-sha384|esp-null esp-sha384-hmac|0|48|NULL|HMAC-SHA-384-192 [RFC4868]||"
	"chacha|esp-chacha20-poly1305|36|0|||CHACHA20-POLY1305|NULL"
	"gmac128|esp-gmac 128|20|0|||"
	"ah-sha|ah-sha-hmac|0|0|||||20|HMAC-SHA1-96"
	"ah-sha256+aes-sha|ah-sha256-hmac esp-aes 128 esp-sha-hmac|16|20|AES-CBC [RFC3602]|HMAC-SHA-1-96 [RFC2404]|||32|SHA2-256-128"
)

key() { [ "$1" -gt 0 ] && openssl rand -hex "$1"; }

# mkconf SIDE TSET CK_OUT AK_OUT CK_IN AK_IN [AHK_OUT AHK_IN [MODE SRC DST]]: the demo's
# configuration with another transform (AH SPIs 2000/2001 beside ESP's 1000/1001)
mkconf()
{
	local side=$1 ts=$2 spi_out spi_in me peer src dst ko="" ki="" ah=""
	if [ "$side" = A ]; then
		spi_out=1000 spi_in=1001 me=198.51.100.1 peer=198.51.100.2
		src="192.0.2.0 0.0.0.127" dst="192.0.2.128 0.0.0.127"
	else
		spi_out=1001 spi_in=1000 me=198.51.100.2 peer=198.51.100.1
		src="192.0.2.128 0.0.0.127" dst="192.0.2.0 0.0.0.127"
	fi
	[ -n "$3" ] && ko+=" cipher $3"
	[ -n "$4" ] && ko+=" authenticator $4"
	[ -n "$5" ] && ki+=" cipher $5"
	[ -n "$6" ] && ki+=" authenticator $6"
	[ -n "${9:-}" ] && src=$9 dst=${10}
	if [ -n "${7:-}" ]; then
		ah=" set session-key inbound ah $((spi_in + 1000)) $8"$'\n'
		ah+=" set session-key outbound ah $((spi_out + 1000)) $7"$'\n'
	fi
	[[ $ts == *esp-* ]] || { ko=""; ki=""; }
	local natt=""
	[ -n "${NATT:-}" ] && natt=" set nat-t udp-encapsulation"$'\n'
	cat <<-CONF
	hostname gw$side
	crypto ipsec transform-set T $ts
	 mode ${MODE:-tunnel}
	access-list 101 permit ip $src $dst
	crypto map vpn 10 ipsec-manual
	 match address 101
	 set peer $peer
	 set transform-set T
	$( [[ $ts == *esp-* ]] && printf ' set session-key inbound esp %s%s\n set session-key outbound esp %s%s' "$spi_in" "$ki" "$spi_out" "$ko")
	${ah}${natt}interface wan0
	 ip address $me 255.255.255.0
	 crypto map vpn
	CONF
}

CA=$GW_RUN/gwA.conf
CB=$GW_RUN/gwB.conf
FIRST=1
for c in "${CASES[@]}"; do
	IFS='|' read -r name ts ckl akl tenc tauth senc sauth ahl ahalg <<<"$c"
	ck1=$(key "$ckl") ak1=$(key "$akl") ck2=$(key "$ckl") ak2=$(key "$akl")
	h1=$(key "${ahl:-0}") h2=$(key "${ahl:-0}")
	# gwA sends with (ck1, ak1) under SPI 1000 (AH h1 under 2000), gwB with (ck2, ak2) / h2
	mkconf A "$ts" "$ck1" "$ak1" "$ck2" "$ak2" "$h1" "$h2" >"$CA"; layout_113 "$CA"
	mkconf B "$ts" "$ck2" "$ak2" "$ck1" "$ak1" "$h2" "$h1" >"$CB"; layout_113 "$CB"
	if [ "$FIRST" = 1 ]; then
		t_check "gwA: start with $name" gw_start gwA "$CA" || t_abort "gwA"
		t_check "gwB: start with $name" gw_start gwB "$CB" || t_abort "gwB"
		FIRST=0
	else
		kill -HUP "${GW_PID[gwA/controld]}" "${GW_PID[gwB/controld]}"
	fi
	want=$ts
	[[ $ts == ah-* ]] && want=${ts%% *}	# the AH SA's line of a bundle
	for ((i = 0; i < 50; i++)); do		# both gateways on the new generation
		gwctl_in gwA "show crypto ipsec sa" | grep -q "transform: $want ," &&
			gwctl_in gwB "show crypto ipsec sa" | grep -q "transform: $want ," && break
		sleep 0.1
	done
	t_lt "$name: both gateways show transform $want" "$i" 50
	cap=$GW_RUN/$name.pcap
	cap_start inet br0 "$cap" "ip proto 50 or ip proto 51" || t_abort "capture"
	t_check "$name: ping hostA -> hostB through the tunnel" \
		nsx hostA ping -n -c 4 -i 0.1 -W 2 192.0.2.130
	cap_stop "$cap"
	n_esp=$(cap_count "$cap" "esp || ah")
	t_ge "$name: ESP/AH on the wire" "$n_esp" 8
	if [ -n "$tenc" ]; then
		read -r dec good bad < <(tshark -n -r "$cap" -o esp.enable_encryption_decode:TRUE \
			-o esp.enable_authentication_check:TRUE \
			-o "uat:esp_sa:\"IPv4\",\"198.51.100.1\",\"198.51.100.2\",\"0x000003e8\",\"$tenc\",\"${ck1:+0x$ck1}\",\"$tauth\",\"${ak1:+0x$ak1}\"" \
			-o "uat:esp_sa:\"IPv4\",\"198.51.100.2\",\"198.51.100.1\",\"0x000003e9\",\"$tenc\",\"${ck2:+0x$ck2}\",\"$tauth\",\"${ak2:+0x$ak2}\"" \
			--disable-protocol icmp -T fields -e ip.src -e esp.icv_good -e esp.icv_bad 2>/dev/null |
			awk -F'\t' '{ n++; if ($0 ~ /192\.0\.2\./) d++ } $NF == "1" { b++ }
				$(NF-1) == "1" { g++ } END { printf "%d %d %d\n", d, g, b }')
		# with NULL authentication tshark has no ICV to judge (GCM's tag is the cipher's)
		t_eq "$name: tshark decrypts every ESP packet to hostA/hostB traffic" "$dec" "$n_esp"
		[ "$tauth" != NULL ] && t_eq "$name: tshark verifies every ICV" "$good" "$n_esp"
		t_eq "$name: no ICV failure" "${bad:-0}" 0
	fi
	if [ -n "$ahalg" ]; then
		t_check "$name: scapy verifies gwA's AH" /usr/bin/python3 \
			"$GW_SRC/tests/interop/ah_verify.py" "$cap" --spi 2000 --auth "$ahalg" \
			--auth-key "$h1" --quiet
		t_check "$name: scapy verifies gwB's AH" /usr/bin/python3 \
			"$GW_SRC/tests/interop/ah_verify.py" "$cap" --spi 2001 --auth "$ahalg" \
			--auth-key "$h2" --quiet
	fi
	if [ -n "$senc" ]; then
		t_check "$name: scapy decrypts gwA's packets" /usr/bin/python3 \
			"$GW_SRC/tests/interop/esp_decrypt.py" "$cap" --spi 1000 --crypt "$senc" \
			--crypt-key "$ck1" --auth "$sauth" --expect-src 192.0.2.0/25 --quiet
	fi
	if [[ $ts == ah-* ]]; then
		# AH is built whole by datad: beyond the path MTU, without DF, datad cuts it
		# (out.c, RFC 791) and gwB's kernel puts it together before AH is checked
		cap=$GW_RUN/$name-frag.pcap
		cap_start inet br0 "$cap" "ip proto 51 or (ip[6:2] & 0x1fff != 0)" ||
			t_abort "capture"
		t_check "$name: 1500-byte packets without DF go through" \
			nsx hostA ping -n -c 2 -i 0.2 -W 2 -M dont -s 1472 192.0.2.130
		cap_stop "$cap"
		t_ge "$name: gwA sent them in fragments" \
			"$(cap_count "$cap" 'ip.src == 198.51.100.1 && ip.flags.mf == 1')" 2
	fi
done

# Transport mode, for the peers' own traffic (seed: "mode transport" applies only to traffic
# whose source and destination are the peers), here with an AH+ESP bundle: gwA pings gwB.
ck1=$(key 16) ak1=$(key 20) ck2=$(key 16) ak2=$(key 20) h1=$(key 20) h2=$(key 20)
TS="ah-sha-hmac esp-aes 128 esp-sha-hmac"
MODE=transport mkconf A "$TS" "$ck1" "$ak1" "$ck2" "$ak2" "$h1" "$h2" "host 198.51.100.1" \
	"host 198.51.100.2" >"$CA"; layout_113 "$CA"
MODE=transport mkconf B "$TS" "$ck2" "$ak2" "$ck1" "$ak1" "$h2" "$h1" "host 198.51.100.2" \
	"host 198.51.100.1" >"$CB"; layout_113 "$CB"
kill -HUP "${GW_PID[gwA/controld]}" "${GW_PID[gwB/controld]}"
for ((i = 0; i < 50; i++)); do
	gwctl_in gwA "show crypto ipsec sa" | grep -q "Transport" &&
		gwctl_in gwB "show crypto ipsec sa" | grep -q "Transport" && break
	sleep 0.1
done
t_lt "transport: both gateways use transport mode" "$i" 50
cap=$GW_RUN/transport.pcap
cap_start inet br0 "$cap" "ip proto 50 or ip proto 51" || t_abort "capture"
t_check "transport: gwA pings gwB's own address through AH+ESP" \
	nsx gwA ping -n -c 4 -i 0.1 -W 2 198.51.100.2
cap_stop "$cap"
t_ge "transport: AH packets on the wire" "$(cap_count "$cap" 'ah && esp')" 8
t_eq "transport: no inner IP header (next header ICMP, not IPIP)" \
	"$(tshark -n -r "$cap" -o esp.enable_encryption_decode:TRUE \
		-o "uat:esp_sa:\"IPv4\",\"198.51.100.1\",\"198.51.100.2\",\"0x000003e8\",\"AES-CBC [RFC3602]\",\"0x$ck1\",\"HMAC-SHA-1-96 [RFC2404]\",\"0x$ak1\"" \
		-Y 'esp.spi == 0x3e8 && icmp.type == 8 && !(ip.proto == 4)' -T fields -e frame.number \
		2>/dev/null | wc -l)" 4
t_check "transport: scapy verifies gwA's AH" /usr/bin/python3 \
	"$GW_SRC/tests/interop/ah_verify.py" "$cap" --spi 2000 --auth HMAC-SHA1-96 --auth-key "$h1" --quiet
t_check "transport: scapy verifies gwB's AH" /usr/bin/python3 \
	"$GW_SRC/tests/interop/ah_verify.py" "$cap" --spi 2001 --auth HMAC-SHA1-96 --auth-key "$h2" --quiet

# ESP in UDP (RFC 3948), "set nat-t udp-encapsulation" (ours, for manual entries): the internet
# sees UDP 4500 only, tshark's UDP-encapsulation dissector decrypts it with the keys.
ck1=$(key 20) ck2=$(key 20)
NATT=1 mkconf A "esp-gcm 128" "$ck1" "" "$ck2" "" >"$CA"; layout_113 "$CA"
NATT=1 mkconf B "esp-gcm 128" "$ck2" "" "$ck1" "" >"$CB"; layout_113 "$CB"
kill -HUP "${GW_PID[gwA/controld]}" "${GW_PID[gwB/controld]}"
for ((i = 0; i < 50; i++)); do
	gwctl_in gwA "show running-config" | grep -q "nat-t" &&
		gwctl_in gwB "show crypto ipsec sa" | grep -q "transform: esp-gcm 128 ," && break
	sleep 0.1
done
sleep 0.3
cap=$GW_RUN/natt.pcap
cap_start inet br0 "$cap" "ip proto 50 or udp port 4500" || t_abort "capture"
t_check "nat-t: ping hostA -> hostB through ESP in UDP" \
	nsx hostA ping -n -c 4 -i 0.1 -W 2 192.0.2.130
cap_stop "$cap"
t_eq "nat-t: no raw ESP on the wire" "$(cap_count "$cap" 'ip.proto == 50')" 0
t_ge "nat-t: UDP 4500 both ways" "$(cap_count "$cap" 'udp.srcport == 4500 && udp.dstport == 4500 && esp')" 8
t_eq "nat-t: UDP checksum 0 (RFC 3948 2.1)" "$(cap_count "$cap" 'esp && udp.checksum != 0')" 0
t_eq "nat-t: tshark decrypts every packet to hostA/hostB traffic" \
	"$(tshark -n -r "$cap" -o esp.enable_encryption_decode:TRUE \
		-o "uat:esp_sa:\"IPv4\",\"198.51.100.1\",\"198.51.100.2\",\"0x000003e8\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x$ck1\",\"NULL\",\"\"" \
		-o "uat:esp_sa:\"IPv4\",\"198.51.100.2\",\"198.51.100.1\",\"0x000003e9\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x$ck2\",\"NULL\",\"\"" \
		--disable-protocol icmp -Y 'esp' -T fields -e ip.src 2>/dev/null | grep -c '192\.0\.2\.')" \
	"$(cap_count "$cap" esp)"

# A broken file: SIGHUP must change nothing, the last good SAs keep working.
cp "$CA" "$GW_RUN/good.conf"
echo " set transform-set NOPE" >>"$CA"
kill -HUP "${GW_PID[gwA/controld]}"
sleep 0.5
t_check "after a refused reload the SAs still work" nsx hostA ping -n -c 3 -i 0.1 -W 2 192.0.2.130
t_check "the refusal is logged with the line" grep -q "reload refused.*gwA.conf:[0-9]*:" \
	"$(gw_dir gwA)/controld.log"
t_end
