#!/bin/sh
# test_queries.sh — the queries that read the store's indexes (issue 14)
# give what a scan of every body gives: on a real daemon, random schools,
# competency cards, self-diagnoses, offers, a pair and an application;
# mentor find (directions given, and every direction for a school
# «Ниже базового»), internship list by direction and month, the school
# search and a school's page are checked against the same answers
# computed here from `mentorfed list` (every record, decoded).  Then a
# card changes school and directions, another is deleted, and the answers
# follow.
. "${top_srcdir:-.}/tests/lib.sh"
plan 9

N="$T_TMP/n"
"$MF" -d "$N" init --region RU-TOM --listen "tcp://127.0.0.1:$(free_port)" >/dev/null
start_node "$N"; ok $? "node starts"

timeout 120 python3 - "$MF" "$N" "$T_TMP" <<'PY'
import ctypes, ctypes.util, hashlib, json, random, subprocess, sys
MF, N, T = sys.argv[1:4]
r = random.Random(14)
DIRS = ["knowledge", "upbringing", "health", "creativity", "career_guidance",
        "teacher_team", "school_climate", "educational_environment"]
LEVELS = ["below_basic", "basic", "medium", "high"]
n_ok = [2]
fails = []

def sid(i):
    return "RU-TOM:school:" + hashlib.sha256(b"school\0" + b"s%d" % i).hexdigest()[:16]

def mf(*args):
    p = subprocess.run([MF, "-d", N] + list(args), capture_output=True, timeout=60, text=True)
    if p.returncode != 0:
        raise SystemExit("mentorfed %s: %s" % (" ".join(args), p.stderr))
    return p.stdout

def ok(cond, what, detail=""):
    print("%sok %d - %s" % ("" if cond else "not ", n_ok[0], what))
    if not cond:
        print("# " + detail.replace("\n", "\n# "))
    n_ok[0] += 1
    if not cond:
        fails.append(what)

def put(recs):
    path = T + "/put.json"
    with open(path, "w") as f:
        for x in recs:
            f.write(json.dumps(x, ensure_ascii=False) + "\n")
    mf("put", path)

recs = []
for i in range(40):
    recs.append({"kind": "school", "key": "s%d" % i, "body": {
        "name": "МБОУ «%s школа № %d»" % (r.choice(["Ёлкинская", "Северная", "Лесная"]), i),
        "short_name": "Школа %d" % i, "municipality": r.choice(["г. Томск", "г. Северск"]),
        "region": "RU-TOM", "self_diagnosis_level": "basic" if i else "below_basic",
        "memberships": [{"body": "Лига"}] if r.random() < 0.4 else []}})
put(recs)
recs = []
for i in range(90):
    recs.append({"kind": "competency_card", "key": "c%d" % i, "body": {
        "school_id": sid(r.randrange(1, 40)), "directions": r.sample(DIRS, r.randint(1, 3)),
        "description": "Карта %d" % i}})
for i in range(30):
    m = r.randint(1, 12)
    recs.append({"kind": "internship_offer", "key": "o%d" % i, "body": {
        "host_school_id": sid(r.randrange(1, 40)), "title": "Стажировка %d" % i,
        "directions": r.sample(DIRS, 2), "places": 3, "open_to_other_regions": True,
        "dates": [{"from": "2025-%02d-%02d" % (m, r.randint(1, 20)),
                   "to": "2025-%02d-28" % min(12, m + r.randint(0, 1))}]}})
recs.append({"kind": "self_diagnosis", "key": "d5", "body": {"school_id": sid(5), "year": 2025,
             "scores": [{"direction": "health", "critical_zero": True},
                        {"direction": "creativity", "critical_zero": True}]}})
put(recs)

def every(kind):
    return [x for x in json.loads(mf("--json", "list", "--kind", kind)) if not x.get("deleted")]

def expected_mentor(mentee, needed):
    schools = {x["id"]: x["body"] for x in every("school")}
    covers = {}
    for c in every("competency_card"):
        s = c["body"].get("school_id", "")
        if s:
            covers.setdefault(s, set()).update(c["body"].get("directions", []))
    cands = []
    for s, cv in covers.items():
        cov = len(cv & set(needed))
        if cov == 0 or s == mentee:
            continue
        league = 1 if schools.get(s, {}).get("memberships") else 0
        cands.append((-cov, -league, s))
    cands.sort()
    return [(s, -c) for c, l, s in cands]

def got_mentor(*args):
    d = json.loads(mf("--json", "mentor", "find", *args))
    return [(c["school"], c["coverage"]) for c in d["candidates"]]

def check_mentor(tag):
    e = expected_mentor(sid(7), ["knowledge", "health"])
    g = got_mentor(sid(7), "--direction", "knowledge", "--direction", "health", "--limit", "1000")
    ok(e == g and len(e) > 0, "mentor find, two directions given (%s): %d candidates as the scan" % (tag, len(e)), "want %s\ngot  %s" % (e, g))
    e = expected_mentor(sid(0), DIRS) + [("", 0)]
    g = got_mentor(sid(0), "--limit", "1000") + [("", 0)]
    e5 = expected_mentor(sid(5), ["health", "creativity"])
    g5 = got_mentor(sid(5), "--limit", "1000")
    ok(e == g and e5 == g5 and len(e5) > 0,
       "mentor find from the level and from the self-diagnosis (%s)" % tag, "want %s %s\ngot  %s %s" % (e, e5, g, g5))

def check_offers(tag):
    offers = every("internship_offer")
    bad = []
    for d in DIRS[:4]:
        for m in range(1, 13):
            lo, hi = "2025-%02d-01" % m, "2025-%02d-31" % m
            want = sorted(o["id"] for o in offers if d in o["body"]["directions"] and
                          any(iv["from"] <= hi and iv["to"] >= lo for iv in o["body"]["dates"]))
            got = [o["offer"] for o in json.loads(mf("--json", "internship", "list", "--direction", d,
                                                      "--month", "2025-%02d" % m))]
            if want != got:
                bad.append((d, m, want, got))
    want = sorted(o["id"] for o in offers)
    got = [o["offer"] for o in json.loads(mf("--json", "internship", "list"))]
    ok(not bad and want == got, "internship list by direction and month, and all (%s)" % tag, str(bad[:2]))

# the control socket, for the web's school search and page
z = ctypes.CDLL("libzmq.so.5")
z.zmq_ctx_new.restype = ctypes.c_void_p
z.zmq_socket.restype = ctypes.c_void_p
z.zmq_socket.argtypes = [ctypes.c_void_p, ctypes.c_int]
z.zmq_setsockopt.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
z.zmq_connect.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
z.zmq_send.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]
z.zmq_recv.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
ctx = z.zmq_ctx_new()
sock = z.zmq_socket(ctx, 3)
for opt, val in ((17, 0), (27, 10000)):
    v = ctypes.c_int(val)
    z.zmq_setsockopt(sock, opt, ctypes.byref(v), ctypes.sizeof(v))
z.zmq_connect(sock, ("ipc://%s/control.sock" % N).encode())
buf = ctypes.create_string_buffer(1 << 22)

def ctl(req):
    b = json.dumps(req).encode()
    if z.zmq_send(sock, b, len(b), 0) != len(b):
        raise SystemExit("ctl send failed")
    n = z.zmq_recv(sock, buf, len(buf), 0)
    if n < 0:
        raise SystemExit("ctl: no reply")
    return json.loads(buf.raw[:n].decode())

def fold(s):
    return s.lower().replace("ё", "е")

def check_web(tag):
    schools = every("school")
    bad = []
    for q, mun in (("ёлкинская", ""), ("ЕЛКИНСКАЯ", "г. Томск"), ("школа 1", ""), ("", "г. Северск")):
        want = sorted(x["id"] for x in schools if (not q or fold(q) in fold(x["body"]["name"]) or
                      fold(q) in fold(x["body"].get("short_name", ""))) and
                      (not mun or x["body"]["municipality"] == mun))
        rep = ctl({"cmd": "web_schools", "q": q, "municipality": mun, "limit": 500})
        got = [x["id"] for x in rep["schools"]]
        if want != got or rep["total"] != len(want) or not want:
            bad.append((q, mun, want, got))
    ok(not bad, "school search by folded name and municipality (%s)" % tag, str(bad[:1]))
    s = sid(7)
    cards = sorted(c["id"] for c in every("competency_card") if c["body"]["school_id"] == s)
    offers = sorted(o["id"] for o in every("internship_offer") if o["body"]["host_school_id"] == s)
    rep = ctl({"cmd": "web_school", "id": s})
    gc = sorted(c["id"] for c in rep["cards"])
    go = sorted(o["id"] for o in rep["offers"])
    ok(gc == cards and go == offers, "a school's page: its cards and offers (%s)" % tag,
       "want %s %s\ngot  %s %s" % (cards, offers, gc, go))

check_mentor("as written")
check_offers("as written")
check_web("as written")
# a card moves to school 7 with other directions; another card is deleted
cards = every("competency_card")
c0, c1 = cards[0], cards[1]
put([{"kind": "competency_card", "id": c0["id"], "body": {"school_id": sid(7),
      "directions": ["health", "school_climate"], "description": "перенесена"}}])
mf("delete", c1["id"])
check_mentor("after a change and a delete")
sys.exit(1 if fails else 0)
PY
rc=$?
T_N=8	# the script's own lines: ok 2..8
[ $rc -eq 0 ]; ok $? "every comparison ran and agreed (exit $rc)"
done_testing
