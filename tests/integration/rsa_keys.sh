#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/rsa_keys.sh: our RSA key pair and the peers' public keys (IKEv1 rsa-sig,
# docs/ikev1.md "RSA signatures") through gwctl against a running controld:
#
#   1. no key pair yet: show crypto key mypubkey rsa says so
#   2. crypto key generate rsa modulus 2048 label gwA-rsa: STATEDIR/rsa-key.pem is mode 0600,
#      no temporary file is left, openssl reads it, and its public key is the Key Data shown;
#      nothing of it is in show running-config
#   3. kill -9 controld and start it again: the same key pair is loaded (same show output)
#   4. the shown Key Data pasted by a gwctl -f session as a named-key: show crypto key
#      pubkey-chain rsa lists it, by name it prints the same data; write memory keeps it and
#      the startup file passes controld -n
#   5. generating again replaces the pair and says so; zeroize removes the file
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/rsa_keys.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin rsa_keys
topo_up "gw$$" || t_abort "draw the topology"
CONF_A=$GW_RUN/gwA-startup.conf
cp "$GW_SRC/deploy/examples/gwA.conf" "$CONF_A"
STATE=$(gw_dir gwA)/state
KEY=$STATE/rsa-key.pem

gwctl_a() { nsx gwA timeout 60 "$GW_BIN/gwctl" -s "$(gw_cli_ep gwA)" "$@"; }
# key_hex TEXT: the hex digits after "Key Data:" / "Data:" in a show output, one line.
key_hex() { sed -n '/Data:/,$p' <<<"$1" | tail -n +2 | tr -d ' \n'; }

t_check "gwA: controld starts" gw_start_controld gwA "$CONF_A" || t_abort "controld start"

# 1.
t_match "no key pair yet" "$(gwctl_a -c 'show crypto key mypubkey rsa' 2>&1)" \
	'^% No RSA key pair'

# 2.
OUT=$(gwctl_a -c "crypto key generate rsa modulus 2048 label gwA-rsa" 2>&1)
t_match "generate: [OK]" "$OUT" '\[OK\]'
t_eq "the key file is mode 600" "$(stat -c %a "$KEY" 2>&1)" 600
t_eq "no temporary file left in the state directory" \
	"$(find "$STATE" -name 'rsa-key.pem.tmp*' | wc -l)" 0
SHOW=$(gwctl_a -c "show crypto key mypubkey rsa" 2>&1)
t_match "show: the label" "$SHOW" '^Key name: gwA-rsa$'
t_match "show: the generation time" "$SHOW" '^% Key pair was generated at: [0-9:]+ UTC '
HEX=$(key_hex "$SHOW")
OSSL=$(openssl pkey -in "$KEY" -pubout -outform DER 2>/dev/null | xxd -p -u | tr -d '\n')
t_check "openssl reads the key file" test -n "$OSSL"
t_eq "the Key Data is the file's public key (openssl pkey -pubout)" "$HEX" "$OSSL"
t_check_not "show running-config has nothing of it" \
	grep -q -e PRIVATE -e gwA-rsa <<<"$(gwctl_a -c 'show running-config' 2>&1)"

# 3. kill -9 (our PID only), start again.
P=${GW_PID[gwA/controld]}
kill -KILL "$P" 2>/dev/null
wait "$P" 2>/dev/null
unset "TOPO_PIDS[$P]" "GW_PID[gwA/controld]"
t_check "gwA: controld starts again after kill -9" gw_start_controld gwA "$CONF_A" ||
	t_abort "controld restart"
t_eq "the same key pair after the restart" "$(gwctl_a -c 'show crypto key mypubkey rsa' 2>&1)" \
	"$SHOW"
t_match "controld logged the load" "$(cat "$(gw_dir gwA)/controld.log")" \
	'RSA key pair "gwA-rsa" \(2048 bits\) loaded'

# 4. The key data pasted as another gateway's operator would.
{
	echo "conf t"
	echo "crypto key pubkey-chain rsa"
	echo " named-key gwa.example.net signature"
	echo "  address 198.51.100.1"
	echo "  key-string"
	sed -n '/Key Data:/,$p' <<<"$SHOW" | tail -n +2
	echo "  quit"
	echo "end"
} >"$GW_RUN/paste.txt"
RC=0; OUT=$(gwctl_a -f "$GW_RUN/paste.txt" 2>&1) || RC=$?
t_eq "the pasted key applies (gwctl -f exits 0)" "$RC" 0
[ "$RC" = 0 ] || t_fail "paste output" "$OUT"
t_match "show crypto key pubkey-chain rsa lists it" \
	"$(gwctl_a -c 'show crypto key pubkey-chain rsa' 2>&1)" \
	'^M    Signature     198\.51\.100\.1      gwa\.example\.net$'
t_eq "by name: the same key data" \
	"$(key_hex "$(gwctl_a -c 'show crypto key pubkey-chain rsa name gwa.example.net' 2>&1)")" \
	"$HEX"
t_check "write memory" gwctl_a -c "write memory"
t_match "the startup file keeps the key-string" "$(cat "$CONF_A")" '^  key-string$'
t_check "the startup file passes controld -n" "$GW_BIN/controld" -n -f "$CONF_A"

# 5.
OUT=$(gwctl_a -c "crypto key generate rsa modulus 1024" 2>&1)
t_match "regenerate: replaced, and said so" "$OUT" 'They will be replaced'
t_check_not "a new pair" test "$(key_hex "$(gwctl_a -c 'show crypto key mypubkey rsa')")" = "$HEX"
gwctl_a -c "crypto key zeroize rsa" >/dev/null 2>&1
t_check_not "zeroize removes the file" test -e "$KEY"
t_end
