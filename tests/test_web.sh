#!/bin/sh
# test_web.sh — mentorfed-web over HTTP (curl) against two real nodes:
# login and its cookie, CSRF refused, GET never changes anything, a viewer
# cannot change anything, another region's hostile school name shown as
# text, the security headers, the login rate limit (per user and per
# address), the federation and school pages show names, Russian by default
# and English by Accept-Language, CSV for Excel, iCalendar that parses, an
# import previewed then confirmed, a deleted user's session ended.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/sync_lib.sh"
plan 68

WEB="$top_builddir/mentorfed-web"
MENTORFED_LOCALEDIR="$top_builddir/po"
MENTORFED_WEB_STATIC="$top_srcdir/daemon/web/static"
export MENTORFED_LOCALEDIR MENTORFED_WEB_STATIC
command -v curl >/dev/null || { echo "Bail out! curl is needed (apt-get install curl)"; exit 1; }

# The nodes: Tomsk serves the web page, Chelyabinsk sends it records.
PLUG="$T_TMP/plugins"; mkdir -p "$PLUG"
for so in "$top_builddir"/plugins/*/.libs/*.so "$top_builddir"/plugins/.libs/*.so; do
	[ -f "$so" ] && cp "$so" "$PLUG/"
done
mk_node tom RU-TOM && mk_node che RU-CHE && link tom che
sed -i "s|^\[node\]\$|[node]\nplugin_dir = $PLUG|" "$T_TMP/tom/mentorfed.conf"
up tom; ok $? "Tomsk node starts"
up che; ok $? "Chelyabinsk node starts"
TOM="$T_TMP/tom"

# web NODE PORT: start mentorfed-web in the foreground, wait for it.
web() {
	timeout 300 "$WEB" -d "$T_TMP/$1" -f -l "127.0.0.1:$2" >>"$T_TMP/$1/web.log" 2>&1 &
	_wp=$!
	T_PIDS="$T_PIDS $_wp"
	for _ in $(seq 1 100); do
		curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$2/static/web.css" && return 0
		kill -0 "$_wp" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
PORT=$(free_port)
U="http://127.0.0.1:$PORT"
printf 'operator-pw-1\n' | "$MF" -d "$TOM" user add olga --role operator >/dev/null
printf 'viewer-pw-1\n' | "$MF" -d "$TOM" user add vika --role viewer >/dev/null
printf 'method-pw-1\n' >"$T_TMP/pwfile"
"$MF" -d "$TOM" user add misha --role methodologist --password-file "$T_TMP/pwfile" >/dev/null
is "$("$MF" -d "$TOM" user list | awk '{print $1 ":" $2}' | tr '\n' ' ')" \
	"olga:operator vika:viewer misha:methodologist " "user add and user list"
is "$(stat -c %a "$TOM/web-users")" "640" "web-users is mode 0640"
like "$(grep olga "$TOM/web-users")" '^olga:operator:\$argon2id\$' "passwords stored as Argon2id hashes"
web tom "$PORT"; ok $? "mentorfed-web starts on $U"

# c JAR ARGS...: curl with a cookie jar, headers and body on stdout.
c() { _j=$1; shift; curl -s -i --max-time 20 -b "$T_TMP/$_j" -c "$T_TMP/$_j" "$@"; }
body() { sed '1,/^\r$/d'; }
status() { head -1 | awk '{print $2}'; }
# csrf JAR PATH: the token of the form on PATH
csrf() { c "$1" "$U$2" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1; }
# login JAR USER PASSWORD [CURL-ARGS]: the status of the login POST
login() {
	_t=$(csrf "$1" /login)
	_lj=$1 _lu=$2 _lp=$3; shift 3
	c "$_lj" "$U/login" --data-urlencode "csrf=$_t" --data-urlencode "user=$_lu" \
		--data-urlencode "password=$_lp" "$@" | status
}
dg() { "$MF" -d "$TOM" digest; }

# ---- login, cookie, headers
is "$(c anon "$U/federation" | status)" "303" "not logged in: the federation page redirects"
like "$(c anon "$U/federation" | grep -i '^location:')" "/login\?next=%2Ffederation" "... to the login page"
is "$(login op olga wrong-password)" "403" "a wrong password is refused"
is "$(login op olga operator-pw-1)" "303" "the operator logs in"
H=$(c op "$U/federation")
is "$(printf '%s' "$H" | status)" "200" "the federation page answers after login"
CK=$(c fresh "$U/login" | grep -i '^set-cookie:')
like "$CK" "HttpOnly" "session cookie is HttpOnly"
like "$CK" "SameSite=Strict" "session cookie is SameSite=Strict"
CSP=$(printf '%s' "$H" | grep -i '^content-security-policy:')
like "$CSP" "script-src 'self'" "Content-Security-Policy restricts scripts to the site"
ok "$(printf '%s' "$CSP" | grep -c "unsafe-inline")" "the policy allows no inline script"
like "$(printf '%s' "$H" | grep -ic '^x-frame-options: deny')" "^1$" "X-Frame-Options: DENY"
ok "$(printf '%s' "$H" | body | grep -c '<script>')" "no inline script in the page"

# ---- language
like "$(printf '%s' "$H" | body)" '<html lang="ru">.*' "Russian by default"
like "$(printf '%s' "$H" | body)" "Федерация" "the menu and title in Russian"
HE=$(c op -H "Accept-Language: en-GB,en;q=0.9" "$U/federation" | body)
like "$HE" '<html lang="en">' "English with Accept-Language: en"
like "$HE" "<h1>Federation</h1>" "... the title in English"

# ---- records from a peer: names, and a hostile name shown as text
YO="RU-CHE:school:$(printf 'school\0yo' | sha256sum | cut -c1-16)"	# kinds.c: mf_make_id
"$MF" -d "$T_TMP/che" put >/dev/null <<J
{"kind":"school","key":"evil","body":{"name":"<script>alert(1)</script>","municipality":"Златоуст","region":"RU-CHE"}}
{"kind":"school","key":"yo","body":{"name":"МОУ «Ёлкинская СОШ»","municipality":"Копейск","region":"RU-CHE"}}
{"kind":"school","key":"pine","body":{"name":"МОУ «Сосновская СОШ»","municipality":"Копейск","region":"RU-CHE"}}
{"kind":"competency_card","key":"yo-card","body":{"school_id":"$YO","directions":["knowledge","health"],"description":"Школьная команда <b>Ёлкинской</b> школы"}}
J
wait_equal 20 tom che; ok $? "Tomsk holds Chelyabinsk's schools"
S=$(c op "$U/schools?region=RU-CHE" | body)
like "$S" "&lt;script&gt;alert\(1\)&lt;/script&gt;" "the hostile school name is shown escaped"
ok "$(printf '%s' "$S" | grep -c '<script>alert')" "... and never as markup"
like "$(c op "$U/schools?q=%D0%B5%D0%BB%D0%BA%D0%B8%D0%BD%D1%81%D0%BA%D0%B0%D1%8F" | body)" \
	"Ёлкинская" "search folds case and ё/е («елкинская» finds «Ёлкинская»)"
F=$(c op "$U/federation" | body)
like "$F" "Челябинская область" "the federation page names the peer's region"
like "$F" "Томская область" "... and this node's"
like "$F" "школ|организаци" "... with records by kind in Russian"
like "$F" "данные получены [0-9]+ [^ ]+ 20[0-9][0-9] г\." "... and when its data arrived, as a Russian date"
# A region renames itself (a signed record): the other node's pages follow.
"$MF" -d "$T_TMP/che" rename "Челябинская обл. (региональный центр наставничества)" >/dev/null
wait_equal 20 tom che; ok $? "the rename reached Tomsk"
like "$(c op "$U/federation" | body)" "Челябинская обл\. \(региональный центр наставничества\)" \
	"the federation page shows the name the region gave itself"
like "$(c op "$U/schools?region=RU-CHE" | body)" "региональный центр наставничества" \
	"... and so do the school pages"
SID=$("$MF" -d "$TOM" --json list --kind school --region RU-CHE | python3 -c '
import json,sys; print([r["id"] for r in json.load(sys.stdin) if "Ёлк" in r["body"]["name"]][0])')
is "$SID" "$YO" "the school's id is as the test computed it"
SP=$(c op "$U/school?id=$SID" | body)
like "$SP" "<h1>МОУ «Ёлкинская СОШ»</h1>" "a school's page shows its name"
like "$SP" "Знание</span><span class=\"tag\">Здоровье" "... its competency card's directions as glossary terms"
like "$SP" "&lt;b&gt;Ёлкинской&lt;/b&gt;" "... and the card's text, escaped"
# the mentor search resolves a typed name through the daemon's school index
like "$(c op "$U/mentor?school=%D0%B5%D0%BB%D0%BA%D0%B8%D0%BD%D1%81%D0%BA%D0%B0%D1%8F&dir=knowledge" | body)" \
	"<h2>МОУ «Ёлкинская СОШ»</h2>" "the mentor search finds a school by part of its name («елкинская»)"
like "$(c op "$U/mentor?school=%D0%BC%D0%BE%D1%83&dir=knowledge" | body)" \
	"Подходит несколько школ «моу»: 2\\. Выберите одну из списка\\." "an ambiguous part says how many schools match (2)"
like "$(c op "$U/mentor?school=%D0%9D%D0%B5%D1%82%D1%82%D0%B0%D0%BA%D0%BE%D0%B9&dir=knowledge" | body)" \
	"Нет школы с названием «Неттакой»" "a name no school has is said so"

# ---- CSRF, GET changes nothing, roles
D0=$(dg)
[ -n "$D0" ]; ok $? "the digest is not empty"
DOC="$top_srcdir/tests/data/002_d68d02b4e53f9a5a.txt"
is "$(c op -F action=preview -F "document=@$DOC" "$U/import" | status)" "403" \
	"an import without a CSRF token is refused"
is "$(c op -F action=preview -F csrf=0123 -F "document=@$DOC" "$U/import" | status)" "403" \
	"... and with a wrong one"
is "$(c op -X POST "$U/logout" | status)" "403" "logout without a token is refused"
is "$(c op "$U/federation" | status)" "200" "... and the session goes on"
for p in / /federation /schools "/school?id=$SID" /import "/import?action=confirm&upload=x" \
	/export /mentor /pairs /internships /roadmaps "/pairs?action=propose" /logout; do
	c op "$U$p" >/dev/null
done
is "$(dg)" "$D0" "GET of every page changes nothing"
is "$(login vw vika viewer-pw-1)" "303" "the viewer logs in"
is "$(c vw "$U/import" | status)" "403" "a viewer may not open the import page"
VT=$(csrf vw /federation)
is "$(c vw -F "csrf=$VT" -F action=preview -F "document=@$DOC" "$U/import" | status)" "403" \
	"a viewer's import with a valid token is refused"
for p in /pairs /internships /roadmaps /mentor; do
	c vw "$U$p" --data-urlencode "csrf=$VT" --data "action=propose&mentor=$SID&mentee=$SID&start=2025-09-01&title=x&from=2025-10-01&to=2025-10-02&places=2&host=$SID&dir=knowledge" >/dev/null
done
is "$(dg)" "$D0" "a viewer's POSTs with valid tokens change nothing"

# ---- import: preview, then confirm
OT=$(csrf op /import)
P=$(c op -F "csrf=$OT" -F action=preview -F "document=@$DOC" "$U/import" | body)
like "$P" "Добавит" "the preview says what the import would add"
is "$(dg)" "$D0" "... and stores nothing"
UP=$(printf '%s' "$P" | sed -n 's/.*name="upload" value="\([0-9a-f]*\)".*/\1/p' | head -1)
R=$(c op --data-urlencode "csrf=$OT" --data "action=confirm&upload=$UP" "$U/import")
is "$(printf '%s' "$R" | status)" "303" "the confirmed import redirects"
[ "$(dg)" != "$D0" ]; ok $? "... and the records are stored"
like "$(c op "$U/import" | body)" 'class="flash"' "... with a message on the next page"

# ---- exports
c op "$U/export/csv?what=schools" | body >"$T_TMP/s.csv"
is "$(head -c 3 "$T_TMP/s.csv" | od -An -tx1 | tr -d ' ')" "efbbbf" "the CSV starts with the UTF-8 BOM"
like "$(head -1 "$T_TMP/s.csv")" "^.Название;Краткое название;" "the CSV separates with ';' and heads in Russian"
like "$(head -1 "$T_TMP/s.csv" | od -c | tr -d ' \n')" '\\r\\n' "the CSV ends lines with CRLF"
c op "$U/export/calendar.ics" | body >"$T_TMP/c.ics"
python3 - "$T_TMP/c.ics" <<'PY'
import sys, re
t = open(sys.argv[1], encoding="utf-8", newline="").read()
assert t.startswith("BEGIN:VCALENDAR\r\n"), "no VCALENDAR"
t = re.sub(r"\r\n[ \t]", "", t)            # unfold (RFC 5545 3.1)
lines = t.split("\r\n")
ev = [l for l in lines if l == "BEGIN:VEVENT"]
assert ev and len(ev) == lines.count("END:VEVENT"), "unbalanced VEVENT"
starts = [l for l in lines if l.startswith("DTSTART")]
assert len(starts) == len(ev) and all(re.match(r"DTSTART;VALUE=DATE:\d{8}$", s) for s in starts)
assert any("вебинар" in l.lower() for l in lines if l.startswith("SUMMARY")), "no webinar"
assert lines[-2] == "END:VCALENDAR"
PY
ok $? "the calendar parses: events with dates, a webinar among them"
FEED=$(c op "$U/export" | body | sed -n 's|.*<code>\(/export/calendar.ics?[^<]*\)</code>.*|\1|p' | sed 's/&amp;/\&/')
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$U$FEED")" "200" \
	"the subscription URL works without a session"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$U${FEED%key=*}key=$(printf %064d 0)")" "403" \
	"... and not with a wrong key"

# ---- a deleted user's session ends
"$MF" -d "$TOM" user del vika >/dev/null
is "$(c vw "$U/federation" | status)" "303" "after user del the viewer's session is gone"

# ---- rate limit: per user (one failure from each of five addresses), per
# address (five names from one address); loopback has all of 127/8
for i in 2 3 4 5 6; do login rl1 misha "wrong-$i" --interface "127.0.0.$i" >/dev/null; done
is "$(login rl1 misha method-pw-1 --interface 127.0.0.7)" "429" \
	"after 5 failures for a user the right password is refused too, from any address"
for i in 1 2 3 4 5; do login rl2 "nobody$i" x --interface 127.0.0.8 >/dev/null; done
is "$(login rl2 olga operator-pw-1 --interface 127.0.0.8)" "429" \
	"5 failures from one address stop every name from it"
is "$(login rl3 olga operator-pw-1 --interface 127.0.0.9)" "303" "... not from another address"

# ---- [web] in mentorfed.conf, with TLS: the daemon and the client accept
# the section; the web page serves HTTPS and marks its cookie Secure
TP=$(free_port)
timeout 20 openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-keyout "$T_TMP/web.key" -out "$T_TMP/web.pem" >/dev/null 2>&1
ok $? "(a self-signed certificate)"
printf '\n[web]\nlisten = 127.0.0.1:%s\ntls_cert = %s\ntls_key = %s\n' "$TP" "$T_TMP/web.pem" "$T_TMP/web.key" \
	>>"$TOM/mentorfed.conf"
"$MF" -d "$TOM" reload >/dev/null && "$MF" -d "$TOM" status >/dev/null
ok $? "the daemon reloads and the client reads a config with a [web] section"
timeout 300 "$WEB" -d "$TOM" -f >>"$TOM/web-tls.log" 2>&1 &
T_PIDS="$T_PIDS $!"
for _ in $(seq 1 100); do
	curl -sk -o /dev/null --max-time 2 "https://127.0.0.1:$TP/static/web.css" && break
	sleep 0.05
done
HS=$(curl -sk -i --max-time 10 -c "$T_TMP/tls" "https://127.0.0.1:$TP/login")
is "$(printf '%s' "$HS" | status)" "200" "HTTPS on the [web] listen address, from tls_cert/tls_key"
like "$(printf '%s' "$HS" | grep -i '^set-cookie:')" "; Secure" "... and the session cookie is Secure"

done_testing
