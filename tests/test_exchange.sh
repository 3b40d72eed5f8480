#!/bin/sh
# test_exchange.sh — the mentoring exchange end to end on two real daemons
# on loopback: mentor search, a mentoring pair across regions, an
# interregional internship, and the over-subscription case where
# applications from two regions are written while the nodes are
# partitioned.  Checks the state on both nodes.  Then the command table
# itself: an unknown command, a missing required field, the exchange's
# bounds, and a write announced to the connected peer with no other
# trigger.
. "${top_srcdir:-.}/tests/lib.sh"
plan 38

TOM="$T_TMP/tom"; CHE="$T_TMP/che"
"$MF" -d "$TOM" init --region RU-TOM --listen "tcp://127.0.0.1:$(free_port)" >/dev/null
"$MF" -d "$CHE" init --region RU-CHE --listen "tcp://127.0.0.1:$(free_port)" >/dev/null
"$MF" -d "$TOM" card > "$T_TMP/tom.card"
"$MF" -d "$CHE" card > "$T_TMP/che.card"
"$MF" -d "$TOM" peer add "$T_TMP/che.card" >/dev/null
"$MF" -d "$CHE" peer add "$T_TMP/tom.card" >/dev/null
start_node "$TOM"; ok $? "Tomsk node starts"
start_node "$CHE"; ok $? "Chelyabinsk node starts"

put_id() { "$MF" -d "$1" put | tail -1; }

# raw DIR JSON...: send each request to the node's control socket as it
# is, without the client's checks in between, and print one line per
# reply: "CODE ERROR" ("None None" for a success).  libzmq through ctypes
# (no python3-zmq needed); REQ socket, linger 0, 5 s receive timeout, and
# timeout(1) around it all.
raw() {
	_dir=$1; shift
	timeout 15 python3 - "ipc://$_dir/control.sock" "$@" <<'PY'
import ctypes, ctypes.util, json, sys
try:
    z = ctypes.CDLL("libzmq.so.5")
except OSError:                               # find_library is slow: only if needed
    z = ctypes.CDLL(ctypes.util.find_library("zmq"))
z.zmq_ctx_new.restype = ctypes.c_void_p
z.zmq_socket.restype = ctypes.c_void_p
z.zmq_socket.argtypes = [ctypes.c_void_p, ctypes.c_int]
z.zmq_setsockopt.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
z.zmq_connect.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
z.zmq_send.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]
z.zmq_recv.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
z.zmq_close.argtypes = [ctypes.c_void_p]
z.zmq_ctx_term.argtypes = [ctypes.c_void_p]
ctx = z.zmq_ctx_new()
s = z.zmq_socket(ctx, 3)                      # ZMQ_REQ
for opt, val in ((17, 0), (27, 5000)):        # ZMQ_LINGER, ZMQ_RCVTIMEO
    v = ctypes.c_int(val)
    z.zmq_setsockopt(s, opt, ctypes.byref(v), ctypes.sizeof(v))
buf = ctypes.create_string_buffer(1 << 20)
ok = z.zmq_connect(s, sys.argv[1].encode()) == 0
for arg in sys.argv[2:]:
    req = arg.encode()
    n = -1
    if ok and z.zmq_send(s, req, len(req), 0) == len(req):
        n = z.zmq_recv(s, buf, len(buf), 0)
    if n < 0:
        print("no reply")
        ok = False
        continue
    r = json.loads(buf.raw[:min(n, len(buf))].decode())
    print(r.get("code"), r.get("error"))
z.zmq_close(s)
z.zmq_ctx_term(ctx)
PY
}
field() { python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1]))' "$1"; }

# wait until both nodes hold the same records (or give up after ~15 s)
converge() {
	for _ in $(seq 1 300); do
		a=$("$MF" -d "$TOM" digest 2>/dev/null); b=$("$MF" -d "$CHE" digest 2>/dev/null)
		[ -n "$a" ] && [ "$a" = "$b" ] && return 0
		sleep 0.05
	done
	return 1
}

A=$(echo '{"kind":"school","key":"A","body":{"name":"Школа А (лига)","municipality":"г. Томск","memberships":[{"body":"Наставническая лига Томской области"}]}}' | put_id "$TOM")
B=$(echo '{"kind":"school","key":"B","body":{"name":"Школа Б","municipality":"г. Северск"}}' | put_id "$TOM")
C=$(echo '{"kind":"school","key":"C","body":{"name":"Школа В (Челябинск)","municipality":"г. Челябинск"}}' | put_id "$CHE")
M=$(echo '{"kind":"school","key":"M","body":{"name":"Школа-подопечная","municipality":"г. Копейск","self_diagnosis_level":"below_basic"}}' | put_id "$CHE")
"$MF" -d "$TOM" put >/dev/null <<J
{"kind":"competency_card","key":"card A","body":{"school_id":"$A","directions":["knowledge","health"],"offers":["internship"]}}
{"kind":"competency_card","key":"card B","body":{"school_id":"$B","directions":["knowledge"],"offers":["consultation"]}}
J
"$MF" -d "$CHE" put >/dev/null <<J
{"kind":"competency_card","key":"card C","body":{"school_id":"$C","directions":["knowledge","health","creativity"]}}
{"kind":"self_diagnosis","key":"M 2025","body":{"school_id":"$M","year":2025,"level":"below_basic","scores":[{"direction":"knowledge","critical_zero":true},{"direction":"health","critical_zero":true},{"direction":"creativity","score":3}]}}
J
converge; ok $? "both nodes converge after the writes"

# -- mentor search (on the mentee's node, over both regions' cards)
out=$("$MF" -d "$CHE" --json mentor find "$M")
order=$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(c["school"] for c in d["candidates"]))')
is "$order" "$C $A $B" "mentor candidates ranked: coverage, then same region, then league"
needed=$(printf '%s' "$out" | python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)["needed"]))')
is "$needed" "knowledge,health" "needed directions come from the critical zeros of the self-diagnosis"
why=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["candidates"][1]["why"])')
like "$why" "covers 2 of 2 needed.*another region; League member; 0 mentees" "each candidate says why"
"$MF" -d "$CHE" --csv mentor find "$M" | head -1 | grep -q '^RANK,SCHOOL,REGION'; ok $? "mentor find --csv"
"$MF" -d "$TOM" mentor find "$M" --direction creativity | grep -q 'Школа В'; ok $? "an explicit direction narrows the search (and works on the other node)"

# -- a mentoring pair across regions
P=$("$MF" -d "$CHE" pair propose --mentor "$A" --mentee "$M" --direction knowledge --direction health --start 2025-09-01 | awk '{print $2}')
like "$P" '^RU-CHE:mentoring_pair:' "the mentee's region proposes (its own record)"
"$MF" -d "$TOM" pair propose --mentor "$A" --mentee "$M" --direction knowledge --start 2025-09-01 >/dev/null 2>&1
is $? 65 "the mentor's region cannot propose for a mentee of another region"
converge
"$MF" -d "$CHE" pair confirm "$P" >/dev/null 2>&1; is $? 65 "the mentee's region cannot confirm"
"$MF" -d "$TOM" pair confirm "$P" >/dev/null; ok $? "the mentor's region confirms"
converge; ok $? "converged after the confirmation"
st_t=$("$MF" -d "$TOM" --json pair list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["state"])')
st_c=$("$MF" -d "$CHE" --json pair list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["state"])')
is "$st_t/$st_c" "confirmed/confirmed" "both nodes show the pair confirmed"
load=$("$MF" -d "$CHE" --json mentor find "$M" | python3 -c 'import json,sys; d=json.load(sys.stdin); print([c["mentees"] for c in d["candidates"] if c["school"]=="'"$A"'"][0])')
is "$load" 1 "the mentor's load counts the confirmed pair"

# -- an interregional internship
O=$("$MF" -d "$TOM" internship offer --host "$A" --title "Стажировка: Знание" --direction knowledge --month 2025-03 --places 3 --open | awk '{print $2}')
like "$O" '^RU-TOM:internship_offer:' "the host region publishes an offer"
converge
n=$("$MF" -d "$CHE" --json internship list --direction knowledge --month 2025-03 --region RU-TOM | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
is "$n" 1 "Chelyabinsk finds the offer by direction, month and region"
n=$("$MF" -d "$CHE" --json internship list --month 2025-04 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
is "$n" 0 "no offer in another month"

# partition: the Tomsk node is down while Chelyabinsk applies
stop_node "$TOM"
AC=$("$MF" -d "$CHE" internship apply "$O" --school "$C" --participants 2 | awk '{print $2}')
like "$AC" '^RU-CHE:internship_application:' "Chelyabinsk's school applies while Tomsk is unreachable"
stop_node "$CHE"
start_node "$TOM"
AT=$("$MF" -d "$TOM" internship apply "$O" --school "$B" --participants 2 | awk '{print $2}')
like "$AT" '^RU-TOM:internship_application:' "a Tomsk school applies on its side of the partition"
# the host decides what it sees during the partition
"$MF" -d "$TOM" --json internship decide "$O" > "$T_TMP/d1.json"
d1=$(python3 -c 'import json,sys; print(" ".join(x["decision"] for x in json.load(open(sys.argv[1]))["decisions"]))' "$T_TMP/d1.json")
is "$d1" "accepted" "during the partition the host accepts the one application it sees"
start_node "$CHE"; ok $? "the partition heals"
converge; ok $? "both nodes converge after the partition"
"$MF" -d "$TOM" --json internship decide "$O" > "$T_TMP/d2.json"
d2=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(x["decision"] for x in d["decisions"]))' "$T_TMP/d2.json")
is "$d2" "declined" "the late application is declined: 2 more would over-fill 3 places"
like "$(cat "$T_TMP/d2.json")" "decided in order of their submission time" "the host says how it decides"
converge
for n in "$TOM" "$CHE"; do
	"$MF" -d "$n" --json internship show "$O" > "$T_TMP/show.json"
	r=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["places_taken"], " ".join(sorted(a["decision"] for a in d["applications"])))' "$T_TMP/show.json")
	is "$r" "2 accepted declined" "$(basename "$n"): 2 of 3 places taken, one accepted, one declined"
done
"$MF" -d "$TOM" internship accept "$AC" >/dev/null 2>&1; is $? 65 "accepting by hand cannot over-fill either"

# -- overview on either node
"$MF" -d "$CHE" --json report overview > "$T_TMP/ov.json"
r=$(python3 -c '
import json,sys
d={x["region"]:x for x in json.load(open(sys.argv[1]))}
t,c=d["RU-TOM"],d["RU-CHE"]
print(t["schools"],t["league_members"],t["cards"],t["offers"],t["applications"],c["schools"],c["cards"],c["pairs"],c["applications"])' "$T_TMP/ov.json")
is "$r" "2 1 2 1 1 2 1 1 1" "the overview counts each region's records"

# -- the command table, with requests the client would never send
raw "$TOM" '{"cmd":"no_such_command"}' '{"cmd":"get"}' \
	"{\"cmd\":\"offer\",\"host\":\"$A\",\"from\":\"2025-05-01\",\"to\":\"2025-05-31\",\"places\":2}" \
	"{\"cmd\":\"apply\",\"offer\":\"$O\",\"school\":\"$C\",\"participants\":4294967295}" \
	> "$T_TMP/raw.out"
like "$(sed -n 1p "$T_TMP/raw.out")" "^64 unknown command 'no_such_command' \(known: .*apply.*mentor_find.*put.*stop" \
	"an unknown command: EX_USAGE with the list of known ones"
like "$(sed -n 2p "$T_TMP/raw.out")" "^64 get: id missing" \
	"a missing required field: EX_USAGE naming the field"
like "$(sed -n 3p "$T_TMP/raw.out")" "^64 offer: title missing" \
	"the table checks every required field of a write before it runs"
like "$(sed -n 4p "$T_TMP/raw.out")" "^65 participants: 4294967295 is more than the limit of 100000" \
	"participants above the bound: EX_DATAERR naming the field"

# -- a write is announced: it reaches the connected peer with no other trigger
O2=$("$MF" -d "$TOM" internship offer --host "$A" --title "Стажировка: Здоровье" --direction health --month 2025-05 --places 2 --open | awk '{print $2}')
got=1
for _ in $(seq 1 100); do
	"$MF" -d "$CHE" get "$O2" >/dev/null 2>&1 && { got=0; break; }
	sleep 0.05
done
ok $got "a new offer reaches the other node within 5 s (announced after the write command)"

# -- an application that cannot fit is refused where it is written, by the
# records layer (issue 11: lifecycles), even as a raw put: it is no longer
# signed, replicated and declined later.  Sums stay 64-bit (lifecycle.c).
AB=$("$MF" -d "$TOM" internship apply "$O2" --school "$B" --participants 1 | awk '{print $2}')
"$MF" -d "$TOM" internship accept "$AB" >/dev/null; ok $? "one of two places accepted"
converge
before=$("$MF" -d "$CHE" digest)
echo "{\"kind\":\"internship_application\",\"key\":\"huge\",\"body\":{\"offer_id\":\"$O2\",\"applicant_school_id\":\"$C\",\"participants\":4294967295}}" |
	"$MF" -d "$CHE" put > "$T_TMP/huge.out" 2>&1
is "$?:$(grep -c 4294967295 "$T_TMP/huge.out")" "65:1" "an application for 4294967295 participants is refused on the applicant's node, naming the number"
after=$("$MF" -d "$CHE" digest)
[ -n "$before" ] && [ "$before" = "$after" ]; ok $? "nothing of it was stored (digest unchanged, non-empty)"
left=$("$MF" -d "$CHE" --json internship list --month 2025-05 | python3 -c 'import json,sys; print([o["places_left"] for o in json.load(sys.stdin)])')
is "$left" "[1]" "the offer still has 1 of its 2 places left"
done_testing
