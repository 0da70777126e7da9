// Measures a peer job queue (graphile-worker or pg-boss) on the PostgreSQL
// cluster named by the libpq environment (PGHOST, PGPORT, PGUSER,
// PGDATABASE), so make bench can put the rsvp worker's numbers next to
// theirs on the same cluster in the same run.
//
//   node peer.mjs PEER TEST [N]
//     PEER  graphile | pgboss
//     TEST  setup | enqueue1 | enqueue8 | drain | pickup
//
// Each test prints exactly one JSON line on stdout; everything else goes to
// stderr.  Any failure (a job failing, a lost or repeated job, 120 s
// elapsed) exits non-zero.  BENCH_PEER_OPTS='{"key":value,...}' overrides
// the test's settings (see README.md); BENCH_PEER_VERBOSE=1 passes the
// peers' info logs through to stderr.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

const SCRIPT = new URL(import.meta.url).pathname;
const TIMEOUT_MS = 120_000;
const QUEUE = 'rsvp_bench_noop'; // pg-boss queue name
const TASK = 'rsvp_bench_noop'; // graphile-worker task identifier
const VERBOSE = !!process.env.BENCH_PEER_VERBOSE;
const DEFAULT_N = { enqueue1: 2000, enqueue8: 2000, drain: 20000, pickup: 200 };

// Wall-clock time in ms with a fraction, comparable across processes.
const now = () => performance.timeOrigin + performance.now();
const log = (...a) => console.error(`peer[${process.pid}]:`, ...a);

function version(pkg) {
	const url = new URL(`./node_modules/${pkg}/package.json`, import.meta.url);
	return JSON.parse(readFileSync(url, 'utf8')).version;
}

function overrides() {
	const raw = process.env.BENCH_PEER_OPTS;
	if (!raw) return {};
	const o = JSON.parse(raw);
	if (typeof o !== 'object' || o === null || Array.isArray(o))
		throw new Error('BENCH_PEER_OPTS must be a JSON object');
	return o;
}

// Space-separated: bench/run reads a field up to its first comma.
function settingsString(o) {
	return Object.entries(o)
		.map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)
		.join(' ');
}

// Direct connection for cleaning up and for watching the job table.
async function sqlClient() {
	const c = new pg.Client();
	c.on('error', e => log('sql client:', e.message));
	await c.connect();
	return c;
}

// ---------------------------------------------------------------------------
// graphile-worker

async function graphile() {
	const gw = await import('graphile-worker');
	const logger = new gw.Logger(() => (level, message) => {
		if (level === 'error' || level === 'warning' || (VERBOSE && level === 'info'))
			process.stderr.write(`graphile-worker ${level}: ${message}\n`);
	});
	const jobs = 'graphile_worker._private_jobs';
	return {
		peer: 'graphile-worker',
		version: version('graphile-worker'),

		async setup() {
			await gw.runMigrations({ logger });
		},

		// Worker settings: graphile-worker's documented high-throughput preset
		// (worker.graphile.org/docs/performance: concurrentJobs 24,
		// maxPoolSize 25, localQueue 500, completeJobBatchDelay 0,
		// failJobBatchDelay 0) tuned for 2 cores: fewer concurrent jobs and
		// a larger local queue measured fastest here.  Prepared statements
		// on (the default).
		drainSettings: {
			concurrency: 8,
			maxPoolSize: 10,
			localQueueSize: 1000,
			completeJobBatchDelay: 0,
			failJobBatchDelay: 0,
			preparedStatements: true,
			pollInterval: 2000,
		},
		// Pickup: LISTEN/NOTIFY wakes the pool; no local queue (a local queue
		// adds a refetch step on the way from the notification to the job),
		// completions unbatched.
		pickupSettings: {
			concurrency: 1,
			maxPoolSize: 10,
			localQueueSize: -1,
			completeJobBatchDelay: -1,
			failJobBatchDelay: -1,
			preparedStatements: true,
			pollInterval: 2000,
		},
		enqueueSettings: { maxPoolSize: 10, api: 'makeWorkerUtils().addJob' },

		async enqueuer(s) {
			const utils = await gw.makeWorkerUtils({ logger, maxPoolSize: s.maxPoolSize });
			return {
				add: async seq => (await utils.addJob(TASK, { seq })).id,
				close: () => utils.release(),
			};
		},

		async bulkInsert(n) {
			const utils = await gw.makeWorkerUtils({ logger });
			try {
				for (let i = 0; i < n; i += 5000) {
					const batch = [];
					for (let j = i; j < Math.min(n, i + 5000); j++)
						batch.push({ identifier: TASK, payload: { seq: j } });
					await utils.addJobs(batch);
				}
			} finally {
				await utils.release();
			}
		},

		// handler(seq, id) is called synchronously at the start of each job.
		async startWorker(s, handler, { onListening } = {}) {
			const events = new EventEmitter();
			if (onListening) events.once('pool:listen:success', onListening);
			const runner = await gw.run({
				logger,
				events,
				noHandleSignals: true,
				concurrency: s.concurrency,
				maxPoolSize: s.maxPoolSize,
				pollInterval: s.pollInterval,
				noPreparedStatements: !s.preparedStatements,
				taskList: {
					[TASK]: async (payload, helpers) => {
						handler(payload.seq, String(helpers.job.id));
					},
				},
				preset: {
					worker: {
						localQueue: { size: s.localQueueSize },
						completeJobBatchDelay: s.completeJobBatchDelay,
						failJobBatchDelay: s.failJobBatchDelay,
					},
				},
			});
			return {
				async stop() {
					await runner.stop();
					await runner.promise;
				},
			};
		},

		async counts(c) {
			const r = await c.query(`SELECT count(*)::int AS left,
			    count(*) FILTER (WHERE last_error IS NOT NULL)::int AS failed
			    FROM ${jobs}`);
			return r.rows[0];
		},
		async analyze(c) {
			await c.query(`ANALYZE ${jobs}`);
		},
		async cleanup(c) {
			await c.query(`DELETE FROM ${jobs}`);
			await c.query('DELETE FROM graphile_worker._private_job_queues');
			await c.query(`VACUUM ANALYZE ${jobs}, graphile_worker._private_job_queues`);
		},
	};
}

// ---------------------------------------------------------------------------
// pg-boss

async function pgboss() {
	const { PgBoss } = await import('pg-boss');
	// Maintenance and cron timers off: the bench cleans up after itself and
	// they would only add queries at random moments.
	const make = extra => {
		const boss = new PgBoss({
			host: process.env.PGHOST,
			port: Number(process.env.PGPORT || 5432),
			user: process.env.PGUSER,
			database: process.env.PGDATABASE,
			supervise: false,
			schedule: false,
			...extra,
		});
		boss.on('error', e => log('pg-boss error:', e?.message ?? e));
		boss.on('warning', w => log('pg-boss warning:', w?.message ?? w));
		return boss;
	};
	const ownedBy = new Map();
	return {
		peer: 'pg-boss',
		version: version('pg-boss'),

		// The queue is created with notify: true, so every insert sends a
		// NOTIFY in its transaction; workers that enable useListenNotify
		// are woken by it instead of waiting for their poll.
		async setup() {
			const boss = make({});
			await boss.start();
			try {
				const q = await boss.getQueue(QUEUE);
				if (!q) await boss.createQueue(QUEUE, { notify: true });
				else if (!q.notify) await boss.updateQueue(QUEUE, { notify: true });
			} finally {
				await boss.stop();
			}
		},

		// Worker settings: batch fetches with burst mode (fetch again at once
		// while batches come back full instead of sleeping out the polling
		// interval), a few fetch loops so fetching and completing overlap.
		drainSettings: {
			batchSize: 1000,
			localConcurrency: 2,
			burstWhenBatchFull: true,
			pollingIntervalSeconds: 0.5,
			max: 10,
			useListenNotify: true,
		},
		// Pickup: useListenNotify plus the queue's notify option is what wakes
		// an idle pg-boss 12 worker at once; the polling interval is only the
		// fallback (0.5 s is its minimum).
		pickupSettings: {
			batchSize: 1,
			localConcurrency: 1,
			burstWhenBatchFull: false,
			pollingIntervalSeconds: 0.5,
			max: 10,
			useListenNotify: true,
		},
		enqueueSettings: { max: 10, api: 'send', queueNotify: true },

		async enqueuer(s) {
			const boss = make({ max: s.max });
			await boss.start();
			return {
				add: seq => boss.send(QUEUE, { seq }),
				close: () => boss.stop(),
			};
		},

		async bulkInsert(n) {
			const boss = make({});
			await boss.start();
			try {
				for (let i = 0; i < n; i += 5000) {
					const batch = [];
					for (let j = i; j < Math.min(n, i + 5000); j++) batch.push({ data: { seq: j } });
					await boss.insert(QUEUE, batch);
				}
			} finally {
				await boss.stop();
			}
		},

		// The pg-boss instance is started before the timed part; the timed
		// part starts at work().
		async prepareWorker(s) {
			const boss = make({ max: s.max, useListenNotify: s.useListenNotify });
			await boss.start();
			return boss;
		},
		async startWorker(s, handler, { onListening, boss } = {}) {
			boss ??= await this.prepareWorker(s);
			await boss.work(
				QUEUE,
				{
					batchSize: s.batchSize,
					localConcurrency: s.localConcurrency,
					burstWhenBatchFull: s.burstWhenBatchFull,
					pollingIntervalSeconds: s.pollingIntervalSeconds,
				},
				async batch => {
					for (const job of batch) handler(job.data.seq, job.id);
				},
			);
			// start() has already established the LISTEN connection.
			if (onListening) onListening();
			return {
				async stop() {
					await boss.stop({ graceful: true, timeout: 10000 });
				},
			};
		},

		async counts(c) {
			const r = await c.query(
				`SELECT count(*) FILTER (WHERE state < 'completed')::int AS left,
				    count(*) FILTER (WHERE state IN ('failed', 'cancelled'))::int AS failed
				    FROM pgboss.job WHERE name = $1`,
				[QUEUE],
			);
			return r.rows[0];
		},
		async analyze(c) {
			await c.query('ANALYZE pgboss.job');
		},
		async cleanup(c) {
			await c.query('DELETE FROM pgboss.job WHERE name = $1', [QUEUE]);
			await c.query('VACUUM ANALYZE pgboss.job');
		},
	};
}

// ---------------------------------------------------------------------------
// tests

function emit(obj) {
	process.stdout.write(JSON.stringify(obj) + '\n');
}

// Runs jobs with `width` adds in flight at all times.
async function addMany(enq, from, n, width) {
	let next = from;
	const end = from + n;
	const lane = async () => {
		while (next < end) await enq.add(next++);
	};
	await Promise.all(Array.from({ length: width }, lane));
}

async function enqueue(p, n, width) {
	const s = { ...p.enqueueSettings, ...overrides() };
	const c = await sqlClient();
	try {
		await p.cleanup(c);
		const enq = await p.enqueuer(s);
		let seconds;
		try {
			// Untimed warm-up: opens the pool's connections, prepares statements.
			await addMany(enq, -1000, Math.min(100, n), width);
			const t0 = now();
			await addMany(enq, 0, n, width);
			seconds = (now() - t0) / 1000;
		} finally {
			await enq.close();
		}
		const { left } = await p.counts(c);
		const want = n + Math.min(100, n);
		if (left !== want) throw new Error(`expected ${want} queued jobs, found ${left}`);
		await p.cleanup(c);
		return {
			test: width === 1 ? 'enqueue1' : 'enqueue8',
			n,
			seconds: +seconds.toFixed(4),
			per_sec: +(n / seconds).toFixed(1),
			settings: settingsString({ in_flight: width, ...s }),
		};
	} finally {
		await c.end();
	}
}

async function drain(p, n) {
	const s = { ...p.drainSettings, ...overrides() };
	const c = await sqlClient();
	try {
		await p.cleanup(c);
		await p.bulkInsert(n);
		await p.analyze(c);
		const queued = (await p.counts(c)).left;
		if (queued !== n) throw new Error(`bulk insert queued ${queued} of ${n} jobs`);

		const seen = new Uint8Array(n);
		let ran = 0;
		let repeats = 0;
		let allRan;
		const allRanP = new Promise(r => (allRan = r));
		const handler = seq => {
			if (seq >= 0 && seq < n && !seen[seq]) {
				seen[seq] = 1;
				if (++ran === n) allRan();
			} else {
				repeats++;
			}
		};
		const boss = p.prepareWorker ? await p.prepareWorker(s) : undefined;
		const t0 = now();
		const w = await p.startWorker(s, handler, { boss });
		let t1;
		// A job that fails never reaches allRan: look for failures once a
		// second meanwhile (one cheap query, no measurable load).
		const watch = new AbortController();
		const failedP = (async () => {
			for (;;) {
				await sleep(1000, undefined, { signal: watch.signal });
				const { failed } = await p.counts(c);
				if (failed) throw new Error(`${failed} jobs failed`);
			}
		})();
		try {
			await Promise.race([allRanP, failedP]);
			watch.abort();
			// Every handler has run; now wait for the last completion to be
			// committed.  End = when a query first sees none left.
			for (;;) {
				const { left, failed } = await p.counts(c);
				if (failed) throw new Error(`${failed} jobs failed`);
				if (left === 0) {
					t1 = now();
					break;
				}
				await sleep(2);
			}
		} finally {
			watch.abort();
			await failedP.catch(() => {});
			await w.stop();
		}
		if (repeats) throw new Error(`${repeats} jobs ran more than once`);
		await p.cleanup(c);
		const seconds = (t1 - t0) / 1000;
		return {
			test: 'drain',
			n,
			seconds: +seconds.toFixed(4),
			per_sec: +(n / seconds).toFixed(1),
			settings: settingsString(s),
		};
	} finally {
		await c.end();
	}
}

function percentile(sorted, q) {
	const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
	return sorted[i];
}

// The worker runs in a child process (pickup-worker, below) so that this
// process's event loop cannot delay it; the child reports each handler
// start over IPC with its own clock reading.
async function pickup(p, n) {
	const s = { ...p.pickupSettings, ...overrides() };
	const c = await sqlClient();
	let child;
	try {
		await p.cleanup(c);
		child = fork(SCRIPT, [process.argv[2], 'pickup-worker'], {
			stdio: ['ignore', 2, 2, 'ipc'],
			env: { ...process.env, BENCH_PEER_OPTS: JSON.stringify(s) },
		});
		const exited = new Promise(r => child.once('exit', (code, sig) => r(sig ?? code)));
		const started = new Map(); // seq -> t1
		const waiters = new Map(); // seq -> resolve
		let repeated = 0;
		let ready;
		const readyP = new Promise((res, rej) => {
			ready = res;
			exited.then(x => rej(new Error(`pickup worker exited early: ${x}`)));
		});
		child.on('message', m => {
			if (m.ready) return ready();
			if (started.has(m.seq)) {
				repeated++;
				return;
			}
			started.set(m.seq, m.t1);
			waiters.get(m.seq)?.();
		});
		await readyP;

		const enq = await p.enqueuer(p.enqueueSettings);
		const t0s = new Map();
		const one = async seq => {
			const ran = new Promise(r => waiters.set(seq, r));
			await enq.add(seq);
			t0s.set(seq, now());
			let timer;
			await Promise.race([
				ran,
				new Promise((_, rej) => {
					timer = setTimeout(() => rej(new Error(`job ${seq} not picked up in 10 s`)), 10_000);
				}),
			]);
			clearTimeout(timer);
			waiters.delete(seq);
			// Let the worker settle back into idle before the next job.
			await sleep(10 + Math.random() * 10);
		};
		try {
			// Untimed warm-up: connections, prepared statements, JIT.
			for (let i = 0; i < 20; i++) await one(-1 - i);
			for (let i = 0; i < n; i++) await one(i);
		} finally {
			await enq.close();
			child.send({ stop: true });
		}
		const code = await exited;
		child = null;
		if (code !== 0) throw new Error(`pickup worker exited with ${code}`);
		if (repeated) throw new Error(`${repeated} jobs ran more than once`);

		const lat = [];
		for (let i = 0; i < n; i++) lat.push(started.get(i) - t0s.get(i));
		if (VERBOSE) log('pickup ms in submit order:', lat.map(x => x.toFixed(2)).join(' '));
		lat.sort((a, b) => a - b);
		const { left, failed } = await p.counts(c);
		if (failed) throw new Error(`${failed} jobs failed`);
		if (left) throw new Error(`${left} jobs left unfinished`);
		await p.cleanup(c);
		const r3 = x => +x.toFixed(3);
		return {
			test: 'pickup',
			n,
			p50_ms: r3(percentile(lat, 0.5)),
			p95_ms: r3(percentile(lat, 0.95)),
			p99_ms: r3(percentile(lat, 0.99)),
			max_ms: r3(lat[lat.length - 1]),
			min_ms: r3(lat[0]),
			settings: settingsString(s),
		};
	} finally {
		if (child) child.kill('SIGKILL');
		await c.end();
	}
}

async function pickupWorker(p) {
	const s = JSON.parse(process.env.BENCH_PEER_OPTS);
	let listening;
	const listeningP = new Promise(r => (listening = r));
	const handler = (seq, id) => {
		const t1 = now();
		process.send({ seq, t1, id });
	};
	const w = await p.startWorker(s, handler, { onListening: () => listening() });
	await listeningP;
	const stop = new Promise(r => process.on('message', m => m.stop && r()));
	// The parent is gone: nobody will read the results.
	const orphaned = () => process.exit(1);
	process.on('disconnect', orphaned);
	process.send({ ready: true });
	await stop;
	await w.stop();
	process.off('disconnect', orphaned);
	process.disconnect();
}

// ---------------------------------------------------------------------------

async function main() {
	const [peerArg, test, nArg] = process.argv.slice(2);
	const peers = { graphile, pgboss };
	if (!peers[peerArg] || !(test in DEFAULT_N || test === 'setup' || test === 'pickup-worker')) {
		console.error('usage: peer.mjs graphile|pgboss setup|enqueue1|enqueue8|drain|pickup [N]');
		process.exit(2);
	}
	for (const v of ['PGHOST', 'PGUSER', 'PGDATABASE'])
		if (!process.env[v]) throw new Error(`${v} is not set`);
	delete process.env.DATABASE_URL;
	const n = nArg === undefined ? DEFAULT_N[test] : Number(nArg);
	if (test in DEFAULT_N && !(Number.isInteger(n) && n > 0)) throw new Error(`bad N: ${nArg}`);

	const p = await peers[peerArg]();
	let r;
	switch (test) {
		case 'setup': {
			const t0 = now();
			await p.setup();
			const c = await sqlClient();
			try {
				await p.cleanup(c);
			} finally {
				await c.end();
			}
			r = { test, seconds: +((now() - t0) / 1000).toFixed(3) };
			break;
		}
		case 'enqueue1':
			r = await enqueue(p, n, 1);
			break;
		case 'enqueue8':
			r = await enqueue(p, n, 8);
			break;
		case 'drain':
			r = await drain(p, n);
			break;
		case 'pickup':
			r = await pickup(p, n);
			break;
		case 'pickup-worker':
			return pickupWorker(p);
	}
	emit({ peer: p.peer, version: p.version, ...r });
}

const deadline = setTimeout(() => {
	log(`timed out after ${TIMEOUT_MS / 1000} s`);
	process.exit(1);
}, TIMEOUT_MS);
deadline.unref();

main().then(
	() => {
		// Everything is stopped and closed; if a handle still keeps the
		// process alive, say which and fail rather than hang.
		setTimeout(() => {
			log('still running 10 s after finishing; open:', process.getActiveResourcesInfo().join(' '));
			process.exit(1);
		}, 10_000).unref();
	},
	err => {
		log('failed:', err?.stack ?? err);
		process.exit(1);
	},
);
