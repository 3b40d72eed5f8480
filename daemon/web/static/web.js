/* mentorfed-web: the little script the pages use, a static file (the
 * Content-Security-Policy forbids inline script).  Everything works
 * without it; it only adds conveniences. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
	/* a <select data-autosubmit> submits its form when changed */
	document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
		s.addEventListener("change", function () { s.form.submit(); });
	});
	/* a button with data-confirm asks before submitting */
	document.querySelectorAll("button[data-confirm]").forEach(function (b) {
		b.addEventListener("click", function (e) {
			if (!window.confirm(b.getAttribute("data-confirm")))
				e.preventDefault();
		});
	});
});
