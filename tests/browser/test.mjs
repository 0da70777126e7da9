// The demo page (web/) in Debian's headless Chromium, driven by
// playwright-core.  tests/browser/run starts the stack and calls
//
//   node test.mjs same-origin | cross-origin
//
// with PAGE_URL (the page to open), API_BASE (the API the page must use),
// SHOT (the screenshot to write) and, for cross-origin, BAD_PAGE_URL (the
// page from an origin the API does not allow).  Each check prints one line,
// "PASS<TAB>name" or "FAIL<TAB>name<TAB>why", that run turns into pass/fail.
import { chromium } from 'playwright-core';

const phase = process.argv[2];
const PAGE_URL = process.env.PAGE_URL;
const API_BASE = process.env.API_BASE;
const SHOT = process.env.SHOT;
const BAD_PAGE_URL = process.env.BAD_PAGE_URL;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const WAIT = 15000;	// ms, for any one thing the page should show

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const MONITOR_RE = new RegExp(`/jobs/${UUID}$`);
const RESULT_RE = new RegExp(`/jobs/${UUID}/result$`);

const oneLine = (s) => String(s).replace(/\s+/g, ' ').slice(0, 400);
function pass(name) { console.log(`PASS\t${name}`); }
function fail(name, why) { console.log(`FAIL\t${name}\t${oneLine(why)}`); }
function check(name, ok, why) { if (ok) pass(name); else fail(name, why); }
function eq(name, got, want) {
	check(name, got === want, `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

// Run one flow: an exception fails it (with the page's state) and the
// suite goes on with the next one.
async function flow(name, page, fn) {
	try {
		await fn();
	} catch (e) {
		let state = '';
		try {
			state = await page.evaluate(() => JSON.stringify({
				status: document.getElementById('status').textContent,
				progress: document.getElementById('progress').value,
				notice: document.getElementById('notice').textContent,
				error: document.getElementById('error').textContent,
				result: document.getElementById('result').textContent,
			}));
		} catch (e2) { /* the page is gone */ }
		fail(name, `${e.message.split('\n')[0]} page: ${state}`);
	}
}

const text = (page, sel) => page.locator(sel).textContent();
const data = (page, sel, key) => page.locator(sel).getAttribute(`data-${key}`);

async function waitState(page, states, timeout = WAIT) {
	await page.waitForFunction((s) => s.includes(
	    document.getElementById('status').dataset.state), states, { timeout });
	return data(page, '#status', 'state');
}

async function open(browser, url) {
	const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
	const page = await context.newPage();
	const log = { errors: [], requests: [], responses: [], failed: [] };
	page.on('pageerror', (e) => log.errors.push(e.message));
	page.on('request', (r) => log.requests.push({
		method: r.method(), url: r.url(), at: Date.now(), headers: r.headers(), req: r }));
	// The submit's and the monitor's answers: when, Retry-After, and
	// the status document's state and progress.
	page.on('response', async (r) => {
		const req = r.request();
		const url = req.url();
		if (!(req.method() === 'POST' || (req.method() === 'GET' && MONITOR_RE.test(url))))
			return;
		const entry = { method: req.method(), url, status: r.status(), at: Date.now(),
		    retryAfter: r.headers()['retry-after'], req };
		log.responses.push(entry);
		if (r.status() === 200 || r.status() === 202) {
			try {
				const doc = await r.json();
				entry.state = doc.status;
				entry.progress = doc.progress;
			} catch (e) { /* not JSON */ }
		}
	});
	page.on('requestfailed', (r) => log.failed.push(
	    `${r.method()} ${r.url()}: ${r.failure() && r.failure().errorText}`));
	const res = await page.goto(url, { waitUntil: 'load', timeout: WAIT });
	return { page, context, log, status: res && res.status() };
}

// Record every value the progress bar takes, and every state shown.
async function recordProgress(page) {
	await page.evaluate(() => {
		const p = document.getElementById('progress');
		const s = document.getElementById('status');
		window.seenProgress = [];
		window.seenStates = [];
		new MutationObserver(() => window.seenProgress.push(p.value))
		    .observe(p, { attributes: true, attributeFilter: ['value'] });
		new MutationObserver(() => window.seenStates.push(s.dataset.state))
		    .observe(s, { attributes: true, attributeFilter: ['data-state'] });
	});
}

async function submit(page, type, input) {
	await page.selectOption('#type', type);
	if (input !== undefined) await page.fill('#input', input);
	await page.click('#submit');
}

async function pageLoads(tag, o) {
	eq(`${tag}: the page loads (200)`, o.status, 200);
	eq(`${tag}: the page shows the API it uses`, await text(o.page, '#api'), API_BASE);
	eq(`${tag}: the sleep example is prefilled`,
	    (await o.page.selectOption('#type', 'sleep'), await o.page.inputValue('#input')),
	    '{"seconds":5}');
	eq(`${tag}: the fail example is prefilled`,
	    (await o.page.selectOption('#type', 'fail'), await o.page.inputValue('#input')),
	    '{"code":"demo_failure","message":"this job fails on purpose","status":422}');
}

// sleep 2 s: progress moves, then the result the 303 leads to.
async function sleepFlow(tag, o, strictProgress) {
	const { page, log } = o;
	await flow(`${tag}: sleep job runs to its result`, page, async () => {
		await recordProgress(page);
		const from = log.requests.length;
		const t0 = Date.now();
		await submit(page, 'sleep', '{"seconds":2}');
		await page.locator('#result').waitFor({ state: 'visible', timeout: WAIT });
		const reqs = log.requests.slice(from);

		const post = reqs.find((r) => r.method === 'POST');
		check(`${tag}: submit is POST ${API_BASE}/jobs/sleep as application/json`,
		    post && post.url === `${API_BASE}/jobs/sleep` &&
		    /^application\/json/.test(post.headers['content-type'] || ''),
		    JSON.stringify(post && { url: post.url, type: post.headers['content-type'] }));

		let result;
		try { result = JSON.parse(await text(page, '#result')); } catch (e) { result = e.message; }
		eq(`${tag}: the result {"slept":2} is shown`, JSON.stringify(result), '{"slept":2}');
		eq(`${tag}: status shows succeeded`, await text(page, '#status'), 'succeeded');
		eq(`${tag}: progress bar ends at 100`,
		    await page.locator('#progress').evaluate((p) => p.value), 100);
		const seen = await page.evaluate(() => window.seenProgress);
		const resps = log.responses.slice(log.responses.findIndex((r) => r.at >= t0));
		const midRun = resps.filter((r) => r.state === 'running' &&
		    r.progress >= 1 && r.progress <= 99).map((r) => r.progress);
		if (strictProgress || midRun.length > 0) {
			check(`${tag}: the progress bar moved (a value in 1..99 shown)`,
			    seen.some((v) => v >= 1 && v <= 99) &&
			    midRun.every((v) => seen.includes(v)),
			    `shown: ${JSON.stringify(seen)}, monitor said: ${JSON.stringify(midRun)}`);
		} else {
			// An honest Retry-After (the type's recent average) can
			// put the first poll after the end of a 2 s job.
			pass(`${tag}: the progress bar shows what the monitor said ` +
			    `(no poll fell mid-run: Retry-After ` +
			    `${resps.map((r) => r.retryAfter).filter(Boolean).join(', ')})`);
		}
		const states = await page.evaluate(() => window.seenStates);
		if (strictProgress || resps.some((r) => r.state === 'running'))
			check(`${tag}: status went through running`, states.includes('running'),
			    `states: ${JSON.stringify(states)}`);
		check(`${tag}: status went through queued or running to succeeded`,
		    states.some((x) => x === 'queued' || x === 'running') &&
		    states[states.length - 1] === 'succeeded', `states: ${JSON.stringify(states)}`);
		const url = await data(page, '#result', 'url');
		check(`${tag}: the result came from following the 303 (response.url is .../result)`,
		    url && url.startsWith(API_BASE + '/jobs/') && RESULT_RE.test(url), `url: ${url}`);

		// Polls no faster than Retry-After: each GET of the monitor comes
		// at least Retry-After (capped at the page's 5 s) after the
		// answer that carried it.  Both times are the browser's own (its
		// resource timing), not when the events reached this process,
		// which a loaded machine can delay by more than the margin.
		const sent = (r) => r.req.timing().startTime;
		const answered = (r) => {
			const t = r.req.timing();
			return t.responseStart >= 0 ? t.startTime + t.responseStart : r.at;
		};
		const polls = reqs.filter((r) => r.method === 'GET' && MONITOR_RE.test(r.url));
		check(`${tag}: the monitor (the 202's Location) was polled`,
		    polls.length >= 1, `polls: ${polls.length}`);
		const early = [];
		for (const p of polls) {
			const prev = resps.filter((r) => answered(r) <= sent(p)).pop();
			const ra = prev && prev.retryAfter ? Math.min(5, parseInt(prev.retryAfter, 10)) : 1;
			const gap = prev ? Math.round(sent(p) - answered(prev)) : -1;
			if (gap < ra * 1000 - 100) early.push(`${gap} ms after Retry-After ${ra}`);
		}
		check(`${tag}: polls no faster than Retry-After`, early.length === 0 && polls.length > 0,
		    `too early: ${early.join('; ')}`);
		check(`${tag}: cancel is disabled once the job is over`,
		    await page.locator('#cancel').isDisabled(), 'cancel still enabled');
		check(`${tag}: no error shown`, await page.locator('#error').isHidden(),
		    await text(page, '#error'));
		if (SHOT) {
			await page.screenshot({ path: SHOT, fullPage: true });
			pass(`${tag}: screenshot ${SHOT.replace(/.*\/tests\//, 'tests/')}`);
		}
	});
}

// sleep 30 s canceled mid-way with the Cancel button.
async function cancelFlow(tag, o) {
	const { page, log } = o;
	await flow(`${tag}: a running sleep job is canceled with the Cancel button`, page, async () => {
		const t0 = Date.now();
		await submit(page, 'sleep', '{"seconds":30}');
		await page.waitForFunction(() =>
		    document.getElementById('status').dataset.state === 'running' &&
		    document.getElementById('progress').value > 0, null, { timeout: WAIT });
		const shown = await page.locator('#progress').evaluate((p) => p.value);
		check(`${tag}: the progress bar moved before Cancel (a value in 1..99)`,
		    shown >= 1 && shown <= 99, `progress ${shown}`);
		check(`${tag}: cancel is enabled while the job runs`,
		    await page.locator('#cancel').isEnabled(), 'cancel disabled');
		const from = log.requests.length;
		await page.click('#cancel');
		await page.waitForFunction(() => document.getElementById('notice').dataset.kind,
		    null, { timeout: WAIT });
		const del = log.requests.slice(from).find((r) => r.method === 'DELETE');
		check(`${tag}: Cancel sends DELETE to links.cancel`,
		    del && del.url.startsWith(API_BASE + '/jobs/') && MONITOR_RE.test(del.url),
		    `DELETE: ${del && del.url}`);
		eq(`${tag}: the page shows "cancellation requested" (202)`,
		    await data(page, '#notice', 'kind'), '202');
		const state = await waitState(page, ['canceled', 'failed', 'succeeded', 'error']);
		eq(`${tag}: the page shows canceled`, state, 'canceled');
		eq(`${tag}: status text is canceled`, await text(page, '#status'), 'canceled');
		check(`${tag}: canceled long before the 30 s were up`, Date.now() - t0 < 15000,
		    `took ${Date.now() - t0} ms`);
		eq(`${tag}: the error object (code canceled) is shown`,
		    await data(page, '#error', 'code'), 'canceled');
		check(`${tag}: no result shown for a canceled job`,
		    await page.locator('#result').isHidden(), await text(page, '#result'));
	});
}

async function failFlow(tag, o) {
	const { page } = o;
	await flow(`${tag}: a fail job shows its error`, page, async () => {
		await submit(page, 'fail');		// the prefilled example
		const state = await waitState(page, ['failed', 'succeeded', 'canceled', 'error']);
		eq(`${tag}: fail job: status failed`, state, 'failed');
		await page.locator('#error').waitFor({ state: 'visible', timeout: WAIT });
		eq(`${tag}: fail job: error.code demo_failure shown`,
		    await data(page, '#error', 'code'), 'demo_failure');
		const t = await text(page, '#error');
		check(`${tag}: fail job: code and message shown plainly`,
		    t.includes('demo_failure') && t.includes('this job fails on purpose'), t);
	});
}

async function invalidJsonFlow(tag, o) {
	const { page } = o;
	await flow(`${tag}: invalid JSON shows the 400 problem`, page, async () => {
		await submit(page, 'echo', '{"a":');
		await page.locator('#error').waitFor({ state: 'visible', timeout: WAIT });
		eq(`${tag}: invalid JSON: status 400 shown`, await data(page, '#error', 'status'), '400');
		eq(`${tag}: invalid JSON: error.code invalid_json shown`,
		    await data(page, '#error', 'code'), 'invalid_json');
		const t = await text(page, '#error');
		check(`${tag}: invalid JSON: status, title, detail and code in the text`,
		    /400/.test(t) && /Bad Request/.test(t) && /invalid_json/.test(t) &&
		    /not valid JSON/.test(t), t);
		eq(`${tag}: invalid JSON: status shows rejected`,
		    await data(page, '#status', 'state'), 'rejected');
	});
}

// Problems other than 400: an unknown type (404) and a body over
// RSVP_MAX_BODY (413), each shown with status, title and error.code.
async function problemFlows(tag, o) {
	const { page } = o;
	await flow(`${tag}: an unknown job type shows the 404 problem`, page, async () => {
		await page.evaluate(() => {
			const opt = document.createElement('option');
			opt.value = 'no-such-type';
			opt.textContent = 'no-such-type';
			document.getElementById('type').append(opt);
		});
		await submit(page, 'no-such-type', '{}');
		await page.locator('#error').waitFor({ state: 'visible', timeout: WAIT });
		eq(`${tag}: unknown type: status 404 shown`, await data(page, '#error', 'status'), '404');
		const t = await text(page, '#error');
		check(`${tag}: unknown type: title and error.code shown`,
		    /404 Not Found/.test(t) && /error\.code/.test(t), t);
		await page.evaluate(() => document.querySelector('#type option[value="no-such-type"]').remove());
	});
	await flow(`${tag}: a body over RSVP_MAX_BODY shows the 413 problem`, page, async () => {
		await submit(page, 'echo', JSON.stringify({ data: 'x'.repeat(1100000) }));
		await page.locator('#error').waitFor({ state: 'visible', timeout: WAIT });
		eq(`${tag}: too large: status 413 shown`, await data(page, '#error', 'status'), '413');
		check(`${tag}: too large: error.code shown`,
		    Boolean(await data(page, '#error', 'code')), await text(page, '#error'));
	});
}

// Cancel once the job has finished but before the page polled: the page
// says 409, then follows the monitor to the result all the same.
async function cancelTooLateFlow(tag, o) {
	const { page, context } = o;
	await flow(`${tag}: Cancel after the job finished shows 409`, page, async () => {
		await submit(page, 'echo', '{"late":true}');
		await page.locator('#job-link').waitFor({ state: 'visible', timeout: WAIT });
		const monitor = await page.locator('#job-link').getAttribute('href');
		let st = 0;
		for (let i = 0; i < 40 && st !== 303; i++) {
			st = (await context.request.get(monitor, { maxRedirects: 0 })).status();
			if (st !== 303) await page.waitForTimeout(20);
		}
		eq(`${tag}: the echo job finished before the page's first poll`, st, 303);
		await page.click('#cancel');
		await page.waitForFunction(() => document.getElementById('notice').dataset.kind,
		    null, { timeout: WAIT });
		eq(`${tag}: the page shows "already finished" (409)`,
		    await data(page, '#notice', 'kind'), '409');
		await page.locator('#result').waitFor({ state: 'visible', timeout: WAIT });
		eq(`${tag}: ... and then the result`, JSON.parse(await text(page, '#result')).late, true);
	});
}

async function sha256Flow(tag, o) {
	const { page } = o;
	await flow(`${tag}: sha256 job shows its result`, page, async () => {
		await submit(page, 'sha256');	// {"data":"hello"}
		await page.locator('#result').waitFor({ state: 'visible', timeout: WAIT });
		const r = JSON.parse(await text(page, '#result'));
		eq(`${tag}: sha256 of "hello"`, r.sha256,
		    '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
	});
}

async function noScriptErrors(tag, o) {
	check(`${tag}: no JavaScript errors on the page`, o.log.errors.length === 0,
	    o.log.errors.join('; '));
}

// The page from an origin the API does not allow: the browser refuses.
async function refusedOrigin(tag, browser) {
	const o = await open(browser, BAD_PAGE_URL);
	const { page, log } = o;
	await flow(`${tag}: submit from an origin not allowed fails in the browser`, page, async () => {
		eq(`${tag}: the page from ${new URL(BAD_PAGE_URL).origin} loads`, o.status, 200);
		await submit(page, 'echo', '{"hello":"world"}');
		await page.locator('#error').waitFor({ state: 'visible', timeout: WAIT });
		eq(`${tag}: the page shows a network error`, await data(page, '#error', 'kind'),
		    'network');
		eq(`${tag}: status shows error`, await data(page, '#status', 'state'), 'error');
		check(`${tag}: the browser blocked the request`, log.failed.length > 0,
		    'no failed request seen');
		check(`${tag}: no job id shown`, await page.locator('#job-link').isHidden(),
		    await text(page, '#job-link'));
	});
	await noScriptErrors(tag, o);
	await o.context.close();
}

const browser = await chromium.launch({
	executablePath: CHROMIUM,
	headless: true,
	timeout: 60000,
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
	    '--no-first-run', '--disable-background-networking',
	    '--disable-component-update', '--disable-sync'],
});
try {
	const o = await open(browser, PAGE_URL);
	await pageLoads(phase, o);
	await sleepFlow(phase, o, phase === 'same-origin');
	await cancelFlow(phase, o);
	if (phase === 'same-origin') {
		await failFlow(phase, o);
		await invalidJsonFlow(phase, o);
		await sha256Flow(phase, o);
		await problemFlows(phase, o);
		await cancelTooLateFlow(phase, o);
	}
	await noScriptErrors(phase, o);
	await o.context.close();
	if (phase === 'cross-origin' && BAD_PAGE_URL)
		await refusedOrigin('refused origin', browser);
} finally {
	await browser.close();
}
