#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/ikev2_swan_matrix.sh: the algorithm matrix of our IKEv2 against
# strongSwan 5.9.8: IKE ciphers AES-GCM-128/256, AES-CBC with SHA-1/256/512, ChaCha20-
# Poly1305 and 3DES; groups 14, 19, 20, 31; ESP the same ciphers; with and without PFS.
# One lab for all; per combination gwB restarts with a configuration written from the same
# variables as charon's (tests/lib/ikev2.sh), and charon reloads (swanctl --load-all).
#
#   hostA -- gwA [charon ssA] ==== inet ==== gwB [controld + datad] -- hostB
#
# Each combination, in each role (strongSwan initiates; we initiate on hostB's ping):
#   IKE SA up with the expected algorithms on gwB, child SA up with the same SPIs on both
#   ends, pings through it; in the strongSwan-initiator role a child rekey by strongSwan
#   (CREATE_CHILD_SA, with a KE payload where PFS is set) gives new SPIs on both ends and
#   pings cross again, the new child with the PFS group set.  A table (combination, role,
#   result) ends the output.
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/ikev2_swan_matrix.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"
source "$GW_SRC/tests/lib/swan.sh"
source "$GW_SRC/tests/lib/ikev2.sh"

ik_begin ikev2_swan_matrix

# row NAME  ENC INTEG PRF GROUP  TRANSFORM-SET PFS  SWAN-IKE SWAN-ESP  SHOWN: one combination;
# ours are crypto ikev2 proposal words (INTEG or PRF "-" for none), strongSwan's its
# proposal keywords, SHOWN what gwB's show crypto ikev2 sa detail must match.
MATRIX=()
row() { local a=("$@") i; for i in "${!a[@]}"; do [ "${a[$i]}" = - ] && a[$i]=; done
	MATRIX+=("$(IFS="|"; echo "${a[*]}")"); }
row "gcm128/g19 esp-gcm128 pfs19" aes-gcm-128 - sha256 19 \
	"esp-gcm 128" group19 aes128gcm16-prfsha256-ecp256 aes128gcm16-ecp256 \
	"AES-GCM, keysize: 128.*DH Grp:19"
row "gcm256/g20 esp-gcm256 nopfs" aes-gcm-256 - sha384 20 \
	"esp-gcm 256" - aes256gcm16-prfsha384-ecp384 aes256gcm16 \
	"AES-GCM, keysize: 256.*DH Grp:20"
row "cbc256-sha256/g14 esp-aes256-sha256 pfs14" aes-cbc-256 sha256 - 14 \
	"esp-aes 256 esp-sha256-hmac" group14 aes256-sha256-modp2048 aes256-sha256-modp2048 \
	"AES-CBC, keysize: 256.*DH Grp:14"
row "cbc128-sha256/g31 esp-aes128-sha256 nopfs" aes-cbc-128 sha256 - 31 \
	"esp-aes 128 esp-sha256-hmac" - aes128-sha256-curve25519 aes128-sha256 \
	"AES-CBC, keysize: 128.*DH Grp:31"
row "chacha/g31 esp-chacha pfs31" chacha20-poly1305 - sha256 31 \
	"esp-chacha20-poly1305" group31 \
	chacha20poly1305-prfsha256-curve25519 chacha20poly1305-curve25519 \
	"DH Grp:31"
row "3des-sha1/g14 esp-3des-sha1 nopfs" 3des sha1 - 14 \
	"esp-3des esp-sha-hmac" - 3des-sha1-modp2048 3des-sha1 \
	"3DES.*DH Grp:14"
row "cbc128-sha1/g19 esp-aes128-sha1 pfs20" aes-cbc-128 sha1 - 19 \
	"esp-aes 128 esp-sha-hmac" group20 aes128-sha1-ecp256 aes128-sha1-ecp384 \
	"AES-CBC, keysize: 128.*DH Grp:19"
row "gcm128-prf512/g20 esp-chacha pfs19" aes-gcm-128 - sha512 20 \
	"esp-chacha20-poly1305" group19 aes128gcm16-prfsha512-ecp384 chacha20poly1305-ecp256 \
	"AES-GCM, keysize: 128.*DH Grp:20"
row "cbc256-sha512/g31 esp-gcm256 pfs14" aes-cbc-256 sha512 - 31 \
	"esp-gcm 256" group14 aes256-sha512-curve25519 aes256gcm16-modp2048 \
	"AES-CBC, keysize: 256.*DH Grp:31"
row "gcm256/g14 esp-3des-sha1 pfs31" aes-gcm-256 - sha256 14 \
	"esp-3des esp-sha-hmac" group31 aes256gcm16-prfsha256-modp2048 3des-sha1-curve25519 \
	"AES-GCM, keysize: 256.*DH Grp:14"
TABLE=()

GW_CONF=$GW_RUN/gwB.conf
swan_started=0
# charon keeps a rekeyed child's inbound SA 5 s by default (charon.delete_rekeyed_delay), and
# each rekey below waits until only the new one is left: 1 s is enough to check the same
SWAN_CHARON_CONF="delete_rekeyed_delay = 1"

# gone: neither end has an SA left.
gone()
{
	[ -z "$(ik_ours_ike gwB)" ] && [ -z "$(ik_ours_esp gwB inbound)" ] && [ -z "$(swan_sas ssA)" ]
}

# pfs_name groupN: strongSwan's name of a PFS group (dh-group=...), nothing without PFS.
pfs_name()
{
	case $1 in
	group14) echo dh-group=MODP_2048 ;;
	group19) echo dh-group=ECP_256 ;;
	group20) echo dh-group=ECP_384 ;;
	group31) echo dh-group=CURVE_25519 ;;
	esac
}

# rekey_diag: what both ends hold and said, when a rekey did not settle (CI logs are all we get).
rekey_diag()
{
	{
		ik_ours_spi_match gwB ssA
		swan_sas ssA
		echo "--- gwB controld.log, last IKE lines"
		grep -E 'ikev2|child|CHILD|rekey|delete' "$GW_RUN/gwB/controld.log" | tail -n 20
		echo "--- charon ssA, last lines"
		tail -n 30 "$(swan_dir ssA)/charon.log"
	} 2>&1 | sed 's/^/    # /'
}

# run_role NAME ROLE SHOWN: one role of one combination (both ends configured); appends to TABLE.
run_role()
{
	local name=$1 role=$2 shown=$3 f0=$T_FAIL old
	if [ "$role" = strongSwan ]; then
		t_check "[$name] ssA initiates" swan_initiate ssA t
	else
		nsx hostB ping -n -c 1 -W 0.2 192.0.2.10 >/dev/null	# the acquire
		t_check "[$name] hostB's ping: gwB initiates" t_poll 8 eval \
			'ik_ours_ike gwB | grep -q " Yes$" && nsx hostB ping -n -c 1 -W 1 192.0.2.10'
	fi
	t_match "[$name] gwB: IKE SA READY with $shown" \
		"$(gwctl_in gwB "show crypto ikev2 sa detail")" "$shown"
	t_check "[$name] same IKE and child SPIs on both ends" ik_ours_spi_match gwB ssA
	t_check "[$name] pings cross" nsx hostA ping -n -c 3 -i 0.1 -W 2 192.0.2.130
	if [ "$role" = strongSwan ]; then
		old=$(ik_swan_esp ssA in)
		t_check "[$name] ssA rekeys the child" swan_ctl ssA --rekey --child t
		# 15 s: the old inbound SA drains 2 s after strongSwan's delete (1 s on its end,
		# delete_rekeyed_delay above), and a lost INFORMATIONAL is retransmitted after
		# strongSwan's 4 s (tests/lib/swan.sh)
		t_check "[$name] new SPIs on both ends (old ones drained)" t_poll 15 eval \
			'[ "$(ik_swan_esp ssA in)" != "$old" ] && [ "$(ik_swan_esp ssA in | wc -l)" = 1 ] &&
			 ik_ours_spi_match gwB ssA >/dev/null' || rekey_diag
		t_check "[$name] pings cross the new child" \
			nsx hostA ping -n -c 3 -i 0.1 -W 2 192.0.2.130
		t_eq "[$name] the rekeyed child's PFS group, as strongSwan lists it" \
			"$(swan_ctl ssA --list-sas --raw | grep -o 'child-sas {.*' |
			   grep -o 'dh-group=[A-Z0-9_]*' | sort -u)" "$(pfs_name "$IK_PFS")"
	fi
	swan_terminate ssA t
	t_check "[$name] deleted: nothing left on either end" t_poll 5 gone
	TABLE+=("$(printf '%-44s %-24s %s' "$name" \
		"$([ "$role" = strongSwan ] && echo "strongSwan initiates" || echo "gwB initiates")" \
		"$([ "$T_FAIL" = "$f0" ] && echo pass || echo "FAIL ($((T_FAIL - f0)) checks)")")")
}

for row in "${MATRIX[@]}"; do
	IFS='|' read -r name IK_ENC IK_INTEG IK_PRF IK_GROUP IK_TSET IK_PFS SW_IKE SW_ESP shown <<<"$row"
	echo "# --- $name"
	[ -n "${GW_PID[gwB/controld]:-}" ] && gw_stop gwB
	rm -rf "$(gw_dir gwB)/state"
	ik_ours_conf >"$GW_CONF"
	t_check "[$name] gwB starts with it" gw_start gwB "$GW_CONF" || {
		TABLE+=("$(printf '%-44s %-24s %s' "$name" "-" "FAIL (gwB refused the configuration)")")
		continue; }
	ik_swan_conf >"$(swan_dir ssA)/swanctl.conf"
	if [ "$swan_started" = 0 ]; then
		t_check "charon ssA starts in gwA" swan_start ssA gwA || t_abort ssA
		swan_started=1
	fi
	t_check "[$name] ssA loads it" swan_load ssA
	run_role "$name" strongSwan "$shown"
	run_role "$name" gwB "$shown"
done
t_check "ssA stops" swan_stop ssA

echo "# interop matrix, our IKEv2 (gwB) against strongSwan 5.9.8 (gwA):"
printf '# %-44s %-24s %s\n' "combination (IKE, ESP, PFS)" "role" "result"
printf '# %s\n' "${TABLE[@]}"
t_end
