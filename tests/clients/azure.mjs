// The Azure SDK's generic long-running-operation poller (createHttpPoller
// from @azure/core-lro) driving rsvp unchanged, over a plain
// @azure/core-rest-pipeline HttpClient.  BASE is the service's URL.
//
// The adapter below only carries requests and responses: it maps each HTTP
// answer to the OperationResponse shape core-lro reads (headers with
// lower-case names, the body parsed when it is JSON) and throws a RestError
// on a 4xx/5xx, as a generated SDK client would.  Everything else (which
// header to poll, when it is done, where the result is, how long to wait)
// is the library's own reading of what the service says.
//
// Prints "ok - ..." / "not ok - ..." per check, then "N passed, N failed";
// exits non-zero when a check failed.
import { isDeepStrictEqual } from "node:util";
import { createHttpPoller } from "@azure/core-lro";
import {
  RestError,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
} from "@azure/core-rest-pipeline";

const BASE = (process.env.BASE ?? "").replace(/\/+$/, "");
if (!/^https?:\/\//.test(BASE)) {
  console.error("azure.mjs: set BASE to the service's URL, e.g. http://127.0.0.1:8080");
  process.exit(2);
}
const INTERVAL_MS = 300; // the poller's own interval; Retry-After wins when sent
const CASE_TIMEOUT_MS = 25000;

const client = createDefaultHttpClient();

// send: one request through the HttpClient, answered as core-lro's
// OperationResponse ({ flatResponse, rawResponse }).
async function send(method, url, { body, abortSignal } = {}) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const request = createPipelineRequest({
    url,
    method,
    headers: createHttpHeaders(headers),
    body: body === undefined ? undefined : JSON.stringify(body),
    abortSignal,
    allowInsecureConnection: /^http:/.test(url), // the test stack has no TLS
  });
  const res = await client.sendRequest(request);
  const rawHeaders = res.headers.toJSON(); // names lower-cased
  const type = rawHeaders["content-type"] ?? "";
  let parsed = res.bodyAsText ?? undefined;
  if (/^application\/([!#$%&'*.^_`|~0-9a-z-]+\+)?json\b/i.test(type) && parsed) {
    parsed = JSON.parse(parsed);
  }
  const rawResponse = {
    statusCode: res.status,
    headers: rawHeaders,
    body: parsed,
    request: { method, url },
  };
  return { flatResponse: parsed, rawResponse, response: res, request };
}

// lro TYPE INPUT: the RunningOperation createHttpPoller expects, recording
// every request it made (for the checks, not for the poller).
function lro(type, input, log) {
  const answer = async (method, url, opts) => {
    log.t0 ??= Date.now();
    const r = await send(method, url, opts);
    log.push({
      method,
      url,
      status: r.rawResponse.statusCode,
      retryAfter: r.rawResponse.headers["retry-after"],
      body: r.rawResponse.body,
      at: Date.now() - log.t0,
    });
    if (r.rawResponse.statusCode >= 400) {
      const err = r.rawResponse.body?.error;
      throw new RestError(err?.message ?? `HTTP ${r.rawResponse.statusCode}`, {
        code: err?.code,
        statusCode: r.rawResponse.statusCode,
        request: r.request,
        response: r.response,
      });
    }
    return { flatResponse: r.flatResponse, rawResponse: r.rawResponse };
  };
  return {
    sendInitialRequest: () => answer("POST", `${BASE}/jobs/${type}`, { body: input }),
    sendPollRequest: (path, options) =>
      answer("GET", path, { abortSignal: options?.abortSignal }),
  };
}

// --- reporting
let passed = 0;
let failed = 0;
function check(name, ok, ...why) {
  if (ok) {
    passed++;
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}`);
    for (const w of why) console.log(`    ${w}`);
  }
}
const show = (v) => (v instanceof Error ? `${v.name}: ${v.message}` : JSON.stringify(v));
const eq = (name, got, want) =>
  check(name, isDeepStrictEqual(got, want), `got:  ${show(got)}`, `want: ${show(want)}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// run: the poller to its end; { result } or { error }, and the state.
async function run(poller) {
  const t0 = Date.now();
  try {
    const result = await poller.pollUntilDone({
      abortSignal: AbortSignal.timeout(CASE_TIMEOUT_MS),
    });
    return { result, state: poller.operationState, ms: Date.now() - t0 };
  } catch (error) {
    return { error, state: poller.operationState, ms: Date.now() - t0 };
  }
}

// trace: one comment line with the requests the poller made and their timing.
function trace(name, log, out) {
  const seq = log.map((r) => `${r.method} ${r.url.replace(BASE, "")} ${r.status}` +
    (r.retryAfter ? ` (Retry-After ${r.retryAfter})` : "") + ` @${r.at} ms`);
  console.log(`# ${name}: ${out.state?.status} after ${out.ms} ms: ${seq.join(", ")}`);
}

const polled = (log, url) => log.some((r) => r.method === "GET" && r.url === url);

// kase NAME FN: one case; an exception in it is one more failed check.
async function kase(name, fn) {
  try {
    await fn();
  } catch (e) {
    check(`${name}: runs without an exception`, false, show(e), ...(e.stack ?? "").split("\n").slice(1, 4));
  }
}

// --- a sleep job polled to completion
await kase("sleep", async () => {
  const log = [];
  const poller = createHttpPoller(lro("sleep", { seconds: 2 }, log), {
    intervalInMs: INTERVAL_MS,
  });
  const out = await run(poller);
  trace("sleep", log, out);
  const id = log[0]?.body?.id;
  check("sleep: submit answers 202 with an id", log[0]?.status === 202 && !!id,
    `got: ${show(log[0])}`);
  check("sleep: the poller resolves", !out.error, `threw: ${show(out.error)}`);
  eq("sleep: operation state succeeded", out.state?.status, "succeeded");
  eq("sleep: the poller polled Operation-Location (the operation monitor)",
    out.state?.config?.operationLocation, `${BASE}/jobs/${id}/status`);
  check("sleep: it GETs /jobs/{id}/status", polled(log, `${BASE}/jobs/${id}/status`),
    `requests: ${show(log.map((r) => `${r.method} ${r.url} ${r.status}`))}`);
  eq("sleep: resourceLocation from the monitor is the result URL",
    out.state?.config?.resourceLocation, `${BASE}/jobs/${id}/result`);
  const last = log[log.length - 1];
  eq("sleep: the final GET is the result URL, answered 200",
    last && `${last.method} ${last.url} ${last.status}`, `GET ${BASE}/jobs/${id}/result 200`);
  const plain = await send("GET", `${BASE}/jobs/${id}/result`);
  eq("sleep: a plain GET of the result answers 200", plain.rawResponse.statusCode, 200);
  eq("sleep: a plain GET of the result is {\"slept\":2}", plain.rawResponse.body, { slept: 2 });
  eq("sleep: the poller's result equals the plain GET's", out.result, plain.rawResponse.body);
  eq("sleep: operationState.result too", out.state?.result, plain.rawResponse.body);
});

// --- a job that fails
await kase("fail", async () => {
  const log = [];
  const poller = createHttpPoller(
    lro("fail", { code: "demo_failure", message: "no", status: 422 }, log),
    { intervalInMs: INTERVAL_MS },
  );
  const out = await run(poller);
  trace("fail", log, out);
  const id = log[0]?.body?.id;
  check("fail: submit answers 202", log[0]?.status === 202 && !!id, `got: ${show(log[0])}`);
  check("fail: the poller rejects", !!out.error, `resolved: ${show(out.result)}`);
  eq("fail: operation state failed", out.state?.status, "failed");
  check("fail: the thrown error carries error.code demo_failure and the message",
    /\bdemo_failure\b/.test(out.error?.message ?? "") && /\bno\b/.test(out.error?.message ?? ""),
    `got: ${show(out.error)}`);
  check("fail: it is the state's error",
    out.error !== undefined && out.error === out.state?.error, `state.error: ${show(out.state?.error)}`);
  const mon = log.filter((r) => r.url === `${BASE}/jobs/${id}/status`).pop();
  eq("fail: the last monitor answer is 200 with error {code, message}",
    mon && [mon.status, mon.body?.status, mon.body?.error?.code, mon.body?.error?.message],
    [200, "failed", "demo_failure", "no"]);
  const plain = await send("GET", `${BASE}/jobs/${id}/result`);
  eq("fail: a plain GET of the result answers 422 with error.code demo_failure",
    [plain.rawResponse.statusCode, plain.rawResponse.body?.error?.code], [422, "demo_failure"]);
});

// --- a job canceled while the poller waits for it
await kase("cancel", async () => {
  const log = [];
  const poller = createHttpPoller(lro("sleep", { seconds: 30 }, log), {
    intervalInMs: INTERVAL_MS,
  });
  const done = run(poller);
  await poller.submitted();
  const id = log[0]?.body?.id;
  check("cancel: submit answers 202", log[0]?.status === 202 && !!id, `got: ${show(log[0])}`);
  await sleep(1000);
  const del = await send("DELETE", `${BASE}/jobs/${id}`);
  check("cancel: DELETE answers 202 (running) or 200 (still queued)",
    [200, 202].includes(del.rawResponse.statusCode), `got: ${del.rawResponse.statusCode}`);
  const out = await done;
  trace("cancel", log, out);
  check("cancel: the poller rejects", !!out.error, `resolved: ${show(out.result)}`);
  eq("cancel: operation state canceled", out.state?.status, "canceled");
  eq("cancel: the thrown error is core-lro's canceled error",
    out.error?.message, "Operation was canceled");
  check("cancel: the poller stops long before the 30 s sleep would end",
    out.ms < 15000, `took ${out.ms} ms`);
  const plain = await send("GET", `${BASE}/jobs/${id}/result`);
  eq("cancel: a plain GET of the result answers 410", plain.rawResponse.statusCode, 410);
});

console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
