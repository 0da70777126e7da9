// rsvp's reference browser client: POST a job, follow the status monitor
// (the 202's Location) as Retry-After says, show progress, and read the
// result the monitor redirects to (303) once the job has succeeded.
// Plain JavaScript, no framework, no build step, nothing loaded from
// elsewhere.
'use strict';

(function () {
	const EXAMPLES = {
		sleep: { seconds: 5 },
		echo: { hello: 'world' },
		sha256: { data: 'hello' },
		fail: { code: 'demo_failure', message: 'this job fails on purpose', status: 422 },
	};
	// Poll no faster than Retry-After says, but at least this often: a
	// demo should not sit still for long.
	const MAX_DELAY = 5;
	const TERMINAL = ['succeeded', 'failed', 'canceled'];

	const $ = (id) => document.getElementById(id);
	const el = {
		form: $('form'), type: $('type'), input: $('input'),
		submit: $('submit'), cancel: $('cancel'), api: $('api'),
		status: $('status'), progress: $('progress'), percent: $('percent'),
		message: $('message'), attempt: $('attempt'), link: $('job-link'),
		poll: $('poll'), notice: $('notice'), error: $('error'),
		result: $('result'),
	};

	// The API base: the page's own origin, or ?api=http://host:port[/mount].
	let api = location.origin;
	let apiError = null;
	const param = new URLSearchParams(location.search).get('api');
	if (param) {
		try {
			const u = new URL(param);
			if (u.protocol !== 'http:' && u.protocol !== 'https:')
				throw new Error('not http or https');
			api = (u.origin + u.pathname).replace(/\/+$/, '');
		} catch (e) {
			apiError = 'the ?api= parameter is not an http(s) URL: ' + param;
		}
	}
	el.api.textContent = api;

	let job = null;		// the job being followed: see submit()

	function prefill() {
		const ex = EXAMPLES[el.type.value];
		el.input.value = ex === undefined ? '{}' : JSON.stringify(ex);
	}

	function setStatus(state, text) {
		el.status.dataset.state = state;
		el.status.textContent = text || state;
	}

	function setProgress(pct) {
		let n = Number(pct);
		if (!Number.isFinite(n)) n = 0;
		n = Math.max(0, Math.min(100, Math.round(n)));
		el.progress.value = n;
		el.progress.textContent = n + '%';
		el.percent.textContent = n + '%';
	}

	function notice(text, kind) {
		el.notice.textContent = text || '';
		if (kind) el.notice.dataset.kind = kind;
		else delete el.notice.dataset.kind;
	}

	function clearOutcome() {
		el.error.hidden = true;
		el.error.replaceChildren();
		for (const k of ['kind', 'status', 'code']) delete el.error.dataset[k];
		el.result.hidden = true;
		el.result.textContent = '';
	}

	function reset() {
		clearOutcome();
		setStatus('idle');
		setProgress(0);
		el.message.textContent = '';
		el.attempt.textContent = '';
		el.link.hidden = true;
		el.poll.textContent = '';
		notice('');
	}

	// An error shown plainly: a heading line and "name: value" rows.
	function showError(kind, heading, rows, data) {
		el.error.replaceChildren();
		el.error.dataset.kind = kind;
		for (const [k, v] of Object.entries(data || {}))
			if (v !== undefined && v !== null) el.error.dataset[k] = String(v);
		const h = document.createElement('p');
		h.className = 'error-heading';
		h.textContent = heading;
		el.error.append(h);
		const dl = document.createElement('dl');
		for (const [name, value] of rows) {
			if (value === undefined || value === null || value === '') continue;
			const dt = document.createElement('dt');
			dt.textContent = name;
			const dd = document.createElement('dd');
			dd.textContent = String(value);
			dl.append(dt, dd);
		}
		if (dl.childElementCount) el.error.append(dl);
		el.error.hidden = false;
	}

	function showNetworkError(what, url, e) {
		showError('network', 'Network error: ' + what + ' failed', [
			['URL', url],
			['browser says', e && e.message],
			['hint', api === location.origin ? 'is the server running?' :
			    'is the API running, and does its RSVP_CORS_ORIGIN allow ' +
			    location.origin + '?'],
		]);
	}

	async function readBody(res) {
		const text = await res.text();
		const type = res.headers.get('Content-Type') || '';
		if (/[/+]json\b/i.test(type)) {
			try { return { json: JSON.parse(text), text }; } catch (e) { /* text */ }
		}
		return { json: undefined, text };
	}

	// A problem document (RFC 9457 plus rsvp's "error" member), or any
	// other unexpected answer, shown with what it says.
	async function showProblem(res, what) {
		let p = {};
		let text = '';
		try {
			const body = await readBody(res);
			if (body.json && typeof body.json === 'object') p = body.json;
			text = body.text;
		} catch (e) { /* the status line says enough */ }
		const err = p.error && typeof p.error === 'object' ? p.error : {};
		const title = p.title || res.statusText;
		showError('problem', `${what}: ${res.status}${title ? ' ' + title : ''}`, [
			['status', res.status],
			['title', title],
			['detail', p.detail],
			['error.code', err.code],
			['error.message', err.message !== p.detail ? err.message : undefined],
			['Retry-After', res.headers.get('Retry-After')],
			['body', p.title === undefined && text ? text.slice(0, 500) : undefined],
		], { status: res.status, code: err.code });
		return p;
	}

	// Retry-After in seconds (or an HTTP date), no less than 1 s, capped.
	function retryAfter(res) {
		const v = res.headers.get('Retry-After');
		let s = NaN;
		if (v !== null) {
			if (/^\s*\d+\s*$/.test(v)) s = parseInt(v, 10);
			else if (!Number.isNaN(Date.parse(v))) s = (Date.parse(v) - Date.now()) / 1000;
		}
		if (!(s >= 1)) s = 1;
		return Math.min(s, MAX_DELAY);
	}

	// The status document's fields on the page.
	function showDoc(doc) {
		if (!doc || typeof doc !== 'object') return;
		if (doc.status) setStatus(doc.status);
		setProgress(doc.progress);
		el.message.textContent = doc.message == null ? '' : String(doc.message);
		el.attempt.textContent = doc.attempt == null ? '' : String(doc.attempt);
		if (doc.id) {
			el.link.textContent = doc.id;
			el.link.href = (doc.links && doc.links.self) || '#';
			el.link.hidden = false;
		}
		if (doc.links && job) {
			if (doc.links.cancel) job.cancelUrl = doc.links.cancel;
			if (doc.links.self) job.selfUrl = doc.links.self;
			if (doc.links.operation) job.operationUrl = doc.links.operation;
		}
	}

	// The job is over: stop following it (its last answer may still be
	// read: the fetch is not aborted).
	function finish(j) {
		j.done = true;
		el.cancel.disabled = true;
		el.poll.textContent = '';
	}

	// A new submit replaces the job being followed: abort its poll.
	function drop(j) {
		finish(j);
		j.abort.abort();
	}

	// A finished job's document: failed and canceled show their error.
	function showFinished(j, doc) {
		showDoc(doc);
		finish(j);
		if (doc.status === 'succeeded') {
			setProgress(100);
			if ('result' in doc) showResultValue(doc.result);
			return;
		}
		const err = doc.error && typeof doc.error === 'object' ? doc.error : {};
		showError(doc.status, doc.status === 'canceled' ? 'The job was canceled' :
		    'The job failed', [
			['error.code', err.code],
			['error.message', err.message],
			['attempt', doc.attempt],
		], { status: doc.status, code: err.code });
	}

	function showResultValue(v) {
		el.result.textContent = typeof v === 'string' ? v : JSON.stringify(v, null, 2);
		el.result.hidden = false;
	}

	// The result the monitor's 303 led to (fetch followed it).
	async function showResult(j, res) {
		finish(j);
		if (!res.ok) {
			await showProblem(res, 'Result');
			return;
		}
		setStatus('succeeded');
		setProgress(100);
		el.result.dataset.url = res.url;
		if (res.status === 204) {
			el.result.textContent = '(the job produced no result: 204 No Content)';
		} else {
			let body;
			try { body = await readBody(res); } catch (e) { body = { text: '' }; }
			if (j !== job) return;
			el.result.textContent = body.json !== undefined ?
			    JSON.stringify(body.json, null, 2) : body.text;
		}
		el.result.hidden = false;
		refresh(j);
	}

	// After the 303 the status document itself is not readable (fetch
	// followed the redirect): take the final message and attempt from
	// the operation monitor, which always answers 200.
	async function refresh(j) {
		if (!j.operationUrl) return;
		try {
			const res = await fetch(j.operationUrl, { cache: 'no-store' });
			const doc = res.ok ? (await readBody(res)).json : undefined;
			if (j !== job || !doc || doc.status !== 'succeeded') return;
			el.message.textContent = doc.message == null ? '' : String(doc.message);
			el.attempt.textContent = doc.attempt == null ? '' : String(doc.attempt);
		} catch (e) { /* the result is shown; this was a nicety */ }
	}

	function sleep(seconds, signal) {
		return new Promise((resolve) => {
			const t = setTimeout(resolve, seconds * 1000);
			signal.addEventListener('abort', () => { clearTimeout(t); resolve(); },
			    { once: true });
		});
	}

	// A monitor (or submit) answer: true while the job is still pending.
	async function handleMonitor(j, res, what) {
		if (j !== job) return false;	// replaced by a newer submit
		if (res.redirected) {		// 303 See Other to the result
			await showResult(j, res);
			return false;
		}
		if (res.status === 200 || res.status === 202) {
			let doc;
			try { doc = (await readBody(res)).json; } catch (e) { doc = undefined; }
			if (j !== job) return false;
			if (!doc || typeof doc !== 'object') {
				finish(j);
				setStatus('error');
				showError('protocol', what + ': not a status document', [
					['status', res.status]]);
				return false;
			}
			if (TERMINAL.includes(doc.status)) {
				showFinished(j, doc);
				return false;
			}
			showDoc(doc);
			return true;
		}
		finish(j);
		setStatus('error');
		await showProblem(res, what);
		return false;
	}

	async function follow(j, monitor, delay) {
		while (!j.done) {
			el.poll.textContent = 'in ' + delay + ' s (Retry-After)';
			await sleep(delay, j.abort.signal);
			if (j.done) return;
			el.poll.textContent = 'now';
			let res;
			try {
				res = await fetch(monitor, { cache: 'no-store', signal: j.abort.signal });
			} catch (e) {
				if (j.done) return;
				finish(j);
				setStatus('error');
				showNetworkError('polling the status monitor', monitor, e);
				return;
			}
			if (j.done) return;
			if (!(await handleMonitor(j, res, 'Status monitor'))) return;
			delay = retryAfter(res);
		}
	}

	async function submit(ev) {
		ev.preventDefault();
		if (job) drop(job);
		reset();
		if (apiError) {
			showError('config', 'Cannot submit', [['problem', apiError]]);
			return;
		}
		const j = job = { done: false, abort: new AbortController(), cancelUrl: null };
		const url = api + '/jobs/' + encodeURIComponent(el.type.value);
		setStatus('submitting', 'submitting…');
		el.submit.disabled = true;
		let res;
		try {
			res = await fetch(url, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: el.input.value,
				cache: 'no-store',
			});
		} catch (e) {
			finish(j);
			setStatus('error');
			showNetworkError('submitting the job', url, e);
			return;
		} finally {
			el.submit.disabled = false;
		}
		let monitor, doc;
		if (res.status === 202) {
			const loc = res.headers.get('Location');
			try { doc = (await readBody(res)).json; } catch (e) { doc = undefined; }
			monitor = loc ? new URL(loc, res.url).href :
			    (doc && doc.links && doc.links.self);
		} else {
			// A problem, or (not asked for here) an answer as the
			// monitor would give it for a finished job.
			if (!(await handleMonitor(j, res, 'Submit'))) {
				if (el.error.dataset.kind === 'problem') setStatus('rejected');
				return;
			}
			monitor = j.selfUrl;
		}
		if (!monitor) {
			finish(j);
			setStatus('error');
			showError('protocol', 'Submit: ' + res.status +
			    ' without a Location or links.self', []);
			return;
		}
		showDoc(doc);
		if (!j.cancelUrl) j.cancelUrl = monitor;
		el.cancel.disabled = false;
		follow(j, monitor, retryAfter(res));
	}

	async function cancel() {
		const j = job;
		if (!j || j.done || !j.cancelUrl) return;
		el.cancel.disabled = true;
		notice('canceling…');
		let res;
		try {
			res = await fetch(j.cancelUrl, { method: 'DELETE', cache: 'no-store' });
		} catch (e) {
			notice('Cancel failed: network error (' + e.message + ')', 'network');
			el.cancel.disabled = j.done;
			return;
		}
		if (j !== job) return;		// replaced by a newer submit
		if (res.status === 200) {
			// Still queued: canceled at once.
			notice('Canceled at once (200): the job was still queued.', '200');
			let doc;
			try { doc = (await readBody(res)).json; } catch (e) { doc = undefined; }
			if (doc && typeof doc === 'object' && !j.done) {
				if (TERMINAL.includes(doc.status)) showFinished(j, doc);
				else showDoc(doc);
			}
		} else if (res.status === 202) {
			// Running: the worker stops it; the monitor will say canceled.
			notice('Cancellation requested (202): the worker is stopping the job.', '202');
		} else if (res.status === 409) {
			let p = {};
			try { p = (await readBody(res)).json || {}; } catch (e) { /* status says it */ }
			notice('Too late to cancel (409 Conflict): ' +
			    (p.detail || 'the job has already finished') + '.', '409');
		} else {
			let p = {};
			try { p = (await readBody(res)).json || {}; } catch (e) { /* status says it */ }
			const code = p.error && p.error.code ? ' (' + p.error.code + ')' : '';
			notice('Cancel refused: ' + res.status + ' ' + (p.title || res.statusText) +
			    (p.detail ? ': ' + p.detail : '') + code, String(res.status));
			el.cancel.disabled = j.done;
		}
	}

	el.type.addEventListener('change', prefill);
	el.form.addEventListener('submit', submit);
	el.cancel.addEventListener('click', cancel);
	const initial = new URLSearchParams(location.search).get('type');
	if (initial && EXAMPLES[initial]) el.type.value = initial;
	prefill();
	if (apiError) showError('config', 'Bad API address', [['problem', apiError]]);
}());
