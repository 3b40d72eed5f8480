# po/po.mk — the message catalogue of the text domain "mentorfed"
# (doc/I18N.md).  One .mo per language, built from the .po files of every
# area: po/ru.po (the client and the shared layer), po/web.ru.po (the web
# page), po/keys.ru.po (keys); concatenated with msgcat (the first
# translation of a msgid found in two areas wins) and compiled with
# `msgfmt --check`, so a broken .po fails the build and with it `make
# check`.  Tests find the catalogue with MENTORFED_LOCALEDIR=$(abs_top_builddir)/po.
MSGCAT = msgcat
XGETTEXT = xgettext
# The areas' files of a language; an area that has none yet is skipped.
PO_RU = $(srcdir)/po/ru.po $(wildcard $(srcdir)/po/web.ru.po $(srcdir)/po/keys.ru.po)
PO_MO_RU = po/ru/LC_MESSAGES/mentorfed.mo

localerudir = $(localedir)/ru/LC_MESSAGES
localeru_DATA = $(PO_MO_RU)
CLEANFILES += $(PO_MO_RU) po/ru.all.po
EXTRA_DIST += po/ru.po po/POTFILES po/web.ru.po po/keys.ru.po

$(PO_MO_RU): $(PO_RU)
	@$(MKDIR_P) po/ru/LC_MESSAGES
	$(AM_V_GEN)$(MSGCAT) --use-first -o po/ru.all.po $(PO_RU) && \
	$(MSGFMT) --check --statistics -o $@ po/ru.all.po

# Maintainers: `make po-pot` writes po/mentorfed.pot in the build directory
# from the sources in po/POTFILES (the keywords are the macros of i18n.h
# and the client's helpers that take msgids); merge it into a .po with
# `msgmerge --update po/ru.po po/mentorfed.pot`.
po-pot:
	@$(MKDIR_P) po
	cd $(srcdir) && $(XGETTEXT) --from-code=UTF-8 --no-wrap -F \
	  -k_ -kN_ -kNP_:1,2 -kmf_tr:2 -kmf_trn:2,3 -kngettext:1,2 -kdie:2 -kmf_print_kv:1 \
	  --package-name=mentorfed -f po/POTFILES -o $(abs_builddir)/po/mentorfed.pot
.PHONY: po-pot
