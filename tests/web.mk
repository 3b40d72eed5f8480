# tests/web.mk — tests of mentorfed-web (issue 13).
# HTTP-level: login, CSRF, roles, escaping, headers, rate limit, pages,
# languages, CSV and iCalendar, against real nodes (weba).
TESTS += tests/test_web.sh
EXTRA_DIST += tests/test_web.sh
# In a real browser: Debian's chromium driven by playwright-core, which the
# test installs with `npm ci` into $(builddir)/tests/browser (webb).
TESTS += tests/test_browser.sh
EXTRA_DIST += tests/test_browser.sh tests/browser/package.json \
	tests/browser/package-lock.json tests/browser/exchange.test.js
clean-local: clean-browser
clean-browser:
	-rm -rf tests/browser/node_modules tests/browser/screenshots
.PHONY: clean-browser
