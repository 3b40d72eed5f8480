#!/bin/sh
# test_many_peers.sh — a node with 100 peers polls every one of them.
#
# The hub is configured with 99 peers that never answer (endpoints on
# loopback ports where nothing listens, keys of their own) and, last, the
# 100th: a real node holding records.  That node knows the hub's key (so it
# admits the hub) but not a working endpoint for it, so the only link
# between them is the hub's own DEALER to the 100th peer: its records reach
# the hub only if the hub polls the socket of its 100th peer (a poll set of
# fixed size, 64 items, never did).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"
plan 6

# The hub gives up on a silent peer only after 10 minutes, so all its 100
# DEALERs stay open (a dead peer's is closed during its back-off, which
# would leave room in a short poll set).
mk_node hub RU-TOM 600000 && mk_node far RU-CHE
ok $? "the hub and the 100th peer are created"

# 99 silent peers: ports nothing listens on, random CURVE keys in Z85.
python3 - "$T_TMP/hub/mentorfed.conf" <<'PY'
import os, socket, sys
Z = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
def z85(b):
    out = ""
    for i in range(0, len(b), 4):
        v = int.from_bytes(b[i:i + 4], "big")
        out += "".join(Z[(v // 85 ** k) % 85] for k in range(4, -1, -1))
    return out
socks = []
for _ in range(99):		# held open while choosing: 99 distinct ports
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
with open(sys.argv[1], "a") as f:
    for i, s in enumerate(socks):
        f.write("\n[peer silent%02d]\nendpoint = tcp://127.0.0.1:%d\ncurve_key = %s\n"
                % (i + 1, s.getsockname()[1], z85(os.urandom(32))))
PY
ok $? "99 silent peers configured on the hub"

# The 100th peer, added last; it learns the hub's key but a dead endpoint.
"$MF" -d "$T_TMP/hub" peer add "$T_TMP/far.card" >/dev/null &&
	"$MF" -d "$T_TMP/far" peer add "$T_TMP/hub.card" >/dev/null &&
	sed -i "s|^endpoint = $(sed -n 's/^endpoint = //p' "$T_TMP/hub.card")\$|endpoint = tcp://127.0.0.1:$(free_port)|" \
		"$T_TMP/far/mentorfed.conf"
ok $? "the 100th peer is configured (and cannot reach the hub itself)"
is "$(grep -c '^\[peer ' "$T_TMP/hub/mentorfed.conf")" 100 "the hub has 100 peers"

up far && put_schools far 7 f && up hub
ok $? "both nodes run"
# Under a deadline: the records travel only over the hub's 100th DEALER.
wait_for 40 sh -c "[ \"\$(\"$MF\" -d \"$T_TMP/hub\" export --region RU-CHE 2>/dev/null | wc -l)\" -eq 7 ]"
ok $? "the 100th peer's records reach the hub"

done_testing
