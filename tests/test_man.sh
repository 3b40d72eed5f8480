#!/bin/sh
# test_man.sh — the manuals (issue 15, point 4): every page in doc/man is
# mdoc that `mandoc -Tlint` passes at warning level; the verbs of
# `mentorfed help` are exactly those of mentorfed(1)'s COMMANDS, and so are
# each verb's --options; every
# verb answers --help with its usage (exit 0); `mentorfedd --help`
# prints its usage on stdout and exits 0, `--version` of both programs
# prints the version.
. "${top_srcdir:-.}/tests/lib.sh"
plan 12

M="$top_srcdir/doc/man"
command -v mandoc >/dev/null || { echo "Bail out! mandoc not found (Debian package mandoc)"; exit 1; }
pages="mentorfed.1 mentorfed.conf.5 mentorfed-plugin.7 mentorfedd.8 mentorfed-web.8"
missing=""
for p in $pages; do [ -s "$M/$p" ] || missing="$missing $p"; done
is "$missing" "" "every manual page is there: $pages"
out=$(cd "$M" && mandoc -Tlint -Wwarning $pages 2>&1); rc=$?
[ $rc -eq 0 ] && [ -z "$out" ]; ok $? "mandoc -Tlint -Wwarning: clean"
[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# /'
grep -q '^\.Dd ' "$M/mentorfed.1" && ! grep -q '^\.TH ' $(for p in $pages; do echo "$M/$p"; done)
ok $? "the pages are mdoc"

# the verbs of the client's help: the first word of each synopsis line
"$MF" help > "$T_TMP/help" 2>&1; ok $? "mentorfed help exits 0"
sed -n '/^verbs:/,/^$/p' "$T_TMP/help" | awk 'NR > 1 && /^  [a-z]/ { print $1 }' | sort -u > "$T_TMP/verbs.help"
# the verbs of mentorfed(1): each `.It Ic VERB` of the COMMANDS section
sed -n '/^\.Sh COMMANDS/,/^\.Sh /p' "$M/mentorfed.1" | awk '/^\.It Ic / { print $3 }' | sort -u > "$T_TMP/verbs.man"
n=$(wc -l < "$T_TMP/verbs.help")
[ "$n" -ge 20 ]; ok $? "mentorfed help lists $n verbs"
diff=$(diff "$T_TMP/verbs.help" "$T_TMP/verbs.man" | grep '^[<>]' | sed 's/^</only in mentorfed help:/; s/^>/only in mentorfed(1):/' | tr '\n' ' ')
is "$diff" "" "mentorfed help and mentorfed(1) list the same verbs"

# and the options: every --option of a verb's synopsis in `help` is in its
# entry of mentorfed(1), and the other way round
sed -n '/^verbs:/,/^$/p' "$T_TMP/help" | awk 'NR > 1 && NF {
	if ($0 ~ /^  [a-z]/) v = $1
	for (i = 1; i <= NF; i++) if ($i ~ /--[a-z]/) { o = $i; gsub(/[^a-z-]/, "", o); sub(/^-*/, "", o); print v, o }
}' | sort -u > "$T_TMP/opts.help"
sed -n '/^\.Sh COMMANDS/,/^\.Sh /p' "$M/mentorfed.1" | awk '/^\.It Ic / { v = $3 }
	v != "" { for (i = 1; i < NF; i++) if ($i == "Fl" && $(i + 1) ~ /^\\-/) { o = $(i + 1); sub(/^\\-/, "", o); gsub(/[^a-z-]/, "", o); print v, o } }' |
	sort -u > "$T_TMP/opts.man"
n=$(wc -l < "$T_TMP/opts.help")
diff=$(diff "$T_TMP/opts.help" "$T_TMP/opts.man" | grep '^[<>]' | sed 's/^< \(.*\) \(.*\)/only in help: \1 --\2;/; s/^> \(.*\) \(.*\)/only in mentorfed(1): \1 --\2;/' | tr '\n' ' ')
[ "$n" -ge 30 ] && [ -z "$diff" ]; ok $? "every verb's options ($n) are the same in help and mentorfed(1)"
[ -z "$diff" ] || diag "$diff"

bad=""
for v in $(cat "$T_TMP/verbs.help"); do
	out=$("$MF" "$v" --help 2>&1); rc=$?
	case "$rc:$out" in 0:"usage: mentorfed "*"$v"*) ;; *) bad="$bad $v($rc)" ;; esac
done
is "$bad" "" "every verb answers --help with its usage, exit 0"

out=$("$MFD" --help 2>/dev/null); rc=$?
is $rc 0 "mentorfedd --help exits 0"
like "$out" "^usage: mentorfedd" "  with the usage on stdout"
like "$("$MFD" --version)" "^mentorfedd [0-9]+\.[0-9]+" "mentorfedd --version"
like "$("$MF" --version)" "^mentorfed [0-9]+\.[0-9]+" "mentorfed --version"

done_testing
