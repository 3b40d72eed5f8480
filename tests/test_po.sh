#!/bin/sh
# test_po.sh — the message catalogue: every area's .po passes `msgfmt
# --check` (formats match their msgid, plural forms complete), the joined
# catalogue is built, a broken .po is refused (so the build, and make
# check, fail on it), and every message of the client and the shared
# language layer (po/POTFILES) has its Russian translation.
. "${top_srcdir:-.}/tests/lib.sh"
plan 6

PO="$top_srcdir/po"
ok_all=0
for f in "$PO"/ru.po "$PO"/*.ru.po; do
	[ -f "$f" ] || continue
	msgfmt --check -o /dev/null "$f" 2>"$T_TMP/err" || { ok_all=1; diag "$f: $(cat "$T_TMP/err")"; }
done
ok $ok_all "msgfmt --check passes on po/ru.po and the other areas' files"
[ -s "$top_builddir/po/ru/LC_MESSAGES/mentorfed.mo" ]; ok $? "the joined catalogue is built"

# a translation whose format does not match its msgid is refused
cat > "$T_TMP/bad.po" <<'P'
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"

#, c-format
msgid "%lld changed, %lld unchanged"
msgstr "изменено: %s"
P
msgfmt --check -o /dev/null "$T_TMP/bad.po" 2>/dev/null; is $? 1 "a broken .po is refused by msgfmt --check"

# every msgid of the sources is in po/ru.po and translated
if command -v xgettext >/dev/null && command -v msgmerge >/dev/null; then
	(cd "$top_srcdir" && xgettext --from-code=UTF-8 --no-wrap -k_ -kN_ -kNP_:1,2 -kmf_tr:2 \
		-kmf_trn:2,3 -kngettext:1,2 -kdie:2 -kmf_print_kv:1 -f po/POTFILES -o "$T_TMP/mf.pot")
	ok $? "xgettext reads the sources of po/POTFILES"
	# every area's catalogue (po/po.mk joins them the same way)
	msgcat --use-first -o "$T_TMP/all.po" "$PO/ru.po" $(ls "$PO"/web.ru.po "$PO"/keys.ru.po 2>/dev/null)
	msgmerge --quiet --no-fuzzy-matching -o "$T_TMP/merged.po" "$T_TMP/all.po" "$T_TMP/mf.pot"
	n=$(msgattrib --untranslated --no-obsolete "$T_TMP/merged.po" | grep -c '^msgid ' )
	# the header is the one "untranslated" entry msgattrib always keeps
	left=$(msgattrib --untranslated --no-obsolete "$T_TMP/merged.po" | grep '^msgid "..*"' | head -5)
	is "$n" "0" "every message of the client and the shared layer is translated${left:+ (missing: $left)}"
	n=$(msgattrib --only-fuzzy "$T_TMP/merged.po" | grep -c '^msgid ')
	is "$n" "0" "no fuzzy translation"
else
	ok 0 "# SKIP xgettext not installed"
	ok 0 "# SKIP xgettext not installed"
	ok 0 "# SKIP xgettext not installed"
fi
done_testing
