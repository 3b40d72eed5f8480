// exchange.test.js — the exchange pages of mentorfed-web in a real browser
// (Debian's chromium driven by playwright-core), on two nodes started by
// tests/test_browser.sh: Tomsk (TOM_URL) and Chelyabinsk (CHE_URL).
//
// Prints one line per step, "ok - WHAT" or "not ok - WHAT # why";
// test_browser.sh turns them into TAP.  Every step has its own deadline
// (STEP_MS), every browser action a timeout, and the browser is closed in
// all cases; its pid is written to $CHROME_PIDFILE so that the shell kills
// its process group even if this script is killed first.
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require(process.env.PW_MODULE || 'playwright-core');

const E = process.env;
const STEP_MS = Number(E.STEP_MS || 45000);
const SHOTS = E.SHOTS;
const results = [];

function line(ok, what, why) {
	const s = (ok ? 'ok - ' : 'not ok - ') + what + (why ? ' # ' + String(why).replace(/\s+/g, ' ').slice(0, 300) : '');
	console.log(s);
	results.push(ok);
}

// step(WHAT, fn): run fn under its own deadline; a failure is reported
// and the remaining steps still run (each logs in on its own as needed).
async function step(what, fn) {
	let timer;
	try {
		await Promise.race([
			fn(),
			new Promise((_, rej) => { timer = setTimeout(() => rej(new Error('step deadline of ' + STEP_MS + ' ms expired')), STEP_MS); }),
		]);
		line(true, what);
	} catch (e) {
		line(false, what, e && e.message);
	} finally {
		clearTimeout(timer);
	}
}

function expect(cond, msg) {
	if (!cond)
		throw new Error(msg);
}

async function shot(page, name) {
	await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
}

async function login(page, base, user, pass) {
	await page.goto(base + '/login');
	await page.fill('input[name=user]', user);
	await page.fill('input[name=password]', pass);
	await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
	expect(!page.url().includes('/login'), 'still on the login page after logging in as ' + user);
}

// Reload url until the text of selector matches re (another node's records
// arrive by sync), or the deadline.
async function poll(page, url, selector, re, ms) {
	const end = Date.now() + (ms || 20000);
	let last = '';
	for (;;) {
		await page.goto(url);
		last = (await page.locator(selector).allInnerTexts()).join(' | ');
		if (re.test(last))
			return last;
		if (Date.now() > end)
			throw new Error(selector + ' never matched ' + re + '; last: ' + last.slice(0, 200));
		await page.waitForTimeout(300);
	}
}

(async () => {
	const browser = await chromium.launch({
		executablePath: E.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		timeout: 30000,
		// root in a container: chromium's sandbox needs user namespaces
		args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=ru-RU'],
	});
	if (E.CHROME_PIDFILE && browser.process && browser.process())
		fs.writeFileSync(E.CHROME_PIDFILE, String(browser.process().pid));
	const dialogs = [];
	const ctx = async (locale) => {
		const c = await browser.newContext({ locale: locale || 'ru-RU', viewport: { width: 1280, height: 900 } });
		c.setDefaultTimeout(15000);
		c.on('page', (p) => p.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); }));
		return c;
	};
	const cheCtx = await ctx(), tomCtx = await ctx(), viewCtx = await ctx();
	const che = await cheCtx.newPage(), tom = await tomCtx.newPage(), viewer = await viewCtx.newPage();
	const TOM = E.TOM_URL, CHE = E.CHE_URL;
	let offerUrl = null;

	try {
		await step('log in on both pages (methodologist on Chelyabinsk, operator on Tomsk)', async () => {
			await login(che, CHE, E.CHE_USER, E.PASS);
			await login(tom, TOM, E.TOM_USER, E.PASS);
			const nav = await che.locator('nav').innerText();
			expect(/Поиск наставника|наставник/i.test(nav), 'the menu is not in Russian: ' + nav);
		});

		await step('Chelyabinsk: find a mentor by typing the school name and ticking a direction', async () => {
			await che.goto(CHE + '/mentor');
			// the school is picked from a datalist of this region's schools
			const opts = await che.locator('datalist#mentee-schools option').count();
			expect(opts > 0, 'no schools in the datalist');
			await che.fill('input[name=school]', E.MENTEE);
			await che.check('input[name=dir][value=knowledge]');
			await Promise.all([che.waitForNavigation(), che.click('form.search button[type=submit]')]);
			const rows = await che.locator('#candidates tbody tr').count();
			expect(rows > 0, 'no candidates: ' + (await che.locator('main').innerText()).slice(0, 300));
			const txt = await che.locator('#candidates').innerText();
			expect(/Знание/.test(txt), 'the reasons do not name the direction in Russian: ' + txt.slice(0, 200));
			expect(!/[0-9a-f]{16}/.test(txt), 'an id is shown in the candidates table');
			await shot(che, 'mentor');
		});

		await step('Chelyabinsk: «Предложить пару» from the first result', async () => {
			await Promise.all([che.waitForNavigation(), che.locator('#candidates tbody tr').first().locator('button.propose').click()]);
			expect(che.url().includes('/pairs'), 'not on the pairs page: ' + che.url());
			const flash = await che.locator('.flash').innerText().catch(() => '');
			const st = await che.locator('#pairs td.state').first().innerText();
			expect(/предлож/i.test(st), 'the pair is not shown proposed: ' + st + ' / ' + flash);
			await shot(che, 'pairs-proposed');
		});

		await step('Tomsk: the proposal arrives and is confirmed there', async () => {
			await poll(tom, TOM + '/pairs', '#pairs td.state', /предлож/i, 20000);
			await Promise.all([tom.waitForNavigation(), tom.locator('#pairs button.confirm').first().click()]);
			const st = await tom.locator('#pairs td.state').first().innerText();
			expect(/подтвержд/i.test(st), 'not confirmed on Tomsk: ' + st);
			await shot(tom, 'pairs');
		});

		await step('Chelyabinsk shows the pair confirmed too', async () => {
			await poll(che, CHE + '/pairs', '#pairs td.state', /подтвержд/i, 20000);
			// Chelyabinsk (the mentee's region) may not confirm or end it
			expect(await che.locator('#pairs button.confirm, #pairs button.end').count() === 0,
			       'Chelyabinsk offers an action only the mentor region may take');
		});

		await step('Tomsk: offer an internship', async () => {
			await tom.goto(TOM + '/internships');
			await tom.click('details.block summary');
			await tom.fill('input[name=host]', E.HOST);
			await tom.fill('input[name=title]', E.OFFER_TITLE);
			await tom.check('details.block input[name=dir][value=knowledge]');
			await tom.fill('input[name=from]', '2025-04-07');
			await tom.fill('input[name=to]', '2025-04-11');
			await tom.fill('input[name=places]', '2');
			await Promise.all([tom.waitForNavigation(), tom.click('button#offer')]);
			const t = await tom.locator('#offers').innerText();
			expect(t.includes(E.OFFER_TITLE), 'the offer is not listed: ' + t.slice(0, 200));
			await shot(tom, 'internships');
		});

		await step('Chelyabinsk: finds the offer by direction and month and applies', async () => {
			await poll(che, CHE + '/internships?direction=knowledge&month=2025-04&region=RU-TOM', '#offers', new RegExp(E.OFFER_TITLE.slice(0, 20)), 20000);
			await Promise.all([che.waitForNavigation(), che.click('#offers a:has-text("' + E.OFFER_TITLE.slice(0, 20) + '")')]);
			offerUrl = che.url().replace(CHE, '');
			await che.fill('input[name=school]', E.APPLICANT);
			await che.fill('input[name=participants]', '1');
			await Promise.all([che.waitForNavigation(), che.click('button#apply')]);
			const st = await che.locator('#applications td.state').first().innerText();
			expect(/подан/i.test(st), 'the application is not shown submitted: ' + st);
		});

		await step('Tomsk: decides in submission order', async () => {
			expect(offerUrl, 'no offer page');
			await poll(tom, TOM + offerUrl, '#applications', /./, 20000);
			await Promise.all([tom.waitForNavigation(), tom.click('button#decide')]);
			const st = await tom.locator('#applications td.state').first().innerText();
			expect(/принят/i.test(st), 'not accepted on Tomsk: ' + st);
			await shot(tom, 'internship-decided');
		});

		await step('Chelyabinsk sees the decision and its reason in Russian', async () => {
			await poll(che, CHE + offerUrl, '#applications td.state', /принят/i, 20000);
			const why = await che.locator('#applications td.reason').first().innerText();
			expect(/[а-яё]/i.test(why) && !/accepted in submission order/.test(why), 'the reason is not in Russian: ' + why);
			await shot(che, 'internship');
		});

		await step('roadmaps at a date: both regions side by side with the SVG chart', async () => {
			await tom.goto(TOM + '/roadmaps?at=2025-06-01');
			const heads = await tom.locator('#regions thead th').allInnerTexts();
			expect(heads.some((h) => /Томск/.test(h)) && heads.some((h) => /Челябинск/.test(h)),
			       'not both regions: ' + heads.join(', '));
			const bars = await tom.locator('svg#timeline rect.bar').count();
			expect(bars > 5, 'only ' + bars + ' bars in the chart');
			expect(await tom.locator('svg#timeline #at-line').count() === 1, 'no line at the chosen date');
			const st = await tom.locator('svg#timeline rect.bar[data-status=overdue]').count();
			expect(st > 0, 'no overdue item at 2025-06-01');
			await shot(tom, 'roadmaps');
			// the first screen (regions side by side and the chart), for doc/
			await tom.locator('svg#timeline').scrollIntoViewIfNeeded();
			await tom.screenshot({ path: path.join(SHOTS, 'roadmaps-chart.png') });
		});

		await step('roadmaps: report an item of this region done with its evidence', async () => {
			const form = tom.locator('table.items form').first();
			await form.locator('textarea[name=evidence]').fill('https://toipkro.ru/liga — страница создана');
			await Promise.all([tom.waitForNavigation(), form.locator('button.report-done').click()]);
			const ev = await tom.locator('small.evidence').allInnerTexts();
			expect(ev.some((t) => t.includes('toipkro.ru/liga')), 'the evidence is not shown: ' + ev.join(', '));
		});

		await step('import a real document with its preview (operator, Tomsk)', async () => {
			await tom.goto(TOM + '/import');
			await tom.setInputFiles('input[type=file]', E.IMPORT_FILE);
			await Promise.all([tom.waitForNavigation(), tom.locator('form:has(input[type=file]) button[type=submit]').first().click()]);
			const prev = await tom.locator('main').innerText();
			expect(/добав|add/i.test(prev), 'no preview of what the import adds: ' + prev.slice(0, 300));
			await shot(tom, 'import-preview');
			const confirm = tom.locator('main form button[type=submit]').last();
			await Promise.all([tom.waitForNavigation(), confirm.click()]);
			const after = await tom.locator('main').innerText();
			expect(!/ошибк|error/i.test(after), 'the import failed: ' + after.slice(0, 300));
			await shot(tom, 'import');
		});

		await step('a hostile school name from a peer is shown as text', async () => {
			await poll(tom, TOM + '/schools?q=script', 'main', /<script>alert\(1\)<\/script>/, 20000);
			expect(dialogs.length === 0, 'a script ran: ' + dialogs.join(', '));
			expect(await tom.locator('main script').count() === 0, 'a <script> element from a record is in the page');
			await shot(tom, 'schools-hostile');
		});

		await step('a form without its CSRF token is refused', async () => {
			await tom.goto(TOM + '/pairs');
			const before = await tom.locator('#pairs tbody tr').count();
			await tom.click('details.block summary');
			await tom.fill('details.block input[name=mentee]', E.HOST);
			await tom.fill('details.block input[name=mentor]', E.HOST);
			await tom.check('details.block input[name=dir][value=health]');
			await tom.evaluate(() => document.querySelectorAll('input[name=csrf]').forEach((e) => e.remove()));
			const [resp] = await Promise.all([tom.waitForNavigation(), tom.locator('details.block button[type=submit]').click()]);
			expect(resp && resp.status() === 403, 'status ' + (resp && resp.status()));
			await tom.goto(TOM + '/pairs');
			expect(await tom.locator('#pairs tbody tr').count() === before, 'a pair was written without a token');
		});

		await step('a viewer sees the pages but cannot change anything', async () => {
			await login(viewer, TOM, E.VIEWER, E.PASS);
			for (const p of ['/mentor', '/pairs', '/internships', '/roadmaps'])  {
				await viewer.goto(TOM + p + (p === '/roadmaps' ? '?at=2025-06-01' : ''));
				const n = await viewer.locator('main form[method=post]').count();
				expect(n === 0, p + ' offers a viewer ' + n + ' forms that change something');
			}
			// a form the viewer builds by hand, with the viewer's own valid
			// token, is still refused
			await viewer.goto(TOM + '/pairs');
			const token = await viewer.locator('header input[name=csrf]').first().inputValue();
			const rows = await viewer.locator('#pairs tbody tr').allInnerTexts();
			await viewer.evaluate((t) => {
				const f = document.createElement('form');
				f.method = 'post';
				f.action = '/pairs';
				for (const [k, v] of [['csrf', t], ['action', 'end'], ['proposal', 'x'], ['reason', 'y']]) {
					const i = document.createElement('input');
					i.type = 'hidden'; i.name = k; i.value = v;
					f.appendChild(i);
				}
				document.body.appendChild(f);
			}, token);
			const [resp] = await Promise.all([viewer.waitForNavigation(), viewer.evaluate(() => document.forms[document.forms.length - 1].submit())]);
			expect(resp && resp.status() === 403, 'a viewer\'s POST answered ' + (resp && resp.status()));
			await shot(viewer, 'viewer');
			await viewer.goto(TOM + '/pairs');
			const after = await viewer.locator('#pairs tbody tr').allInnerTexts();
			expect(JSON.stringify(after) === JSON.stringify(rows), 'the pairs changed');
		});

		await step('every page in English with Accept-Language: en', async () => {
			const en = await ctx('en-US');
			const p = await en.newPage();
			await login(p, CHE, E.CHE_USER, E.PASS);
			await p.goto(CHE + '/roadmaps?at=2025-06-01');
			const h = await p.locator('#regions').innerText();
			expect(/Overdue|overdue/.test(h), 'no English status names: ' + h.slice(0, 200));
			await en.close();
		});
	} finally {
		await browser.close().catch(() => {});
	}
	process.exit(results.every(Boolean) ? 0 : 1);
})().catch((e) => {
	console.log('not ok - the browser test itself # ' + (e && e.stack ? e.stack.split('\n')[0] : e));
	process.exit(1);
});
