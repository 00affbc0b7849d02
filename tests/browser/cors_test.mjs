// CORS from a real browser: pages on two other origins call a real
// `clawmit serve` started with `--cors-origin` naming only the first.
//
//   node tests/browser/cors_test.mjs <path to clawmit-serve>
//
// The allowed page's requests (a preflighted POST with Authorization and a
// JSON body, then a GET reading a header the server exposes) succeed; the
// other page's are refused by the browser, and the server never sees its
// POST. Needs Debian's Chromium and `npm ci` in tests/browser; exits 77
// (skipped) without them unless CLAWMIT_REQUIRE_BROWSER=1.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, failWith, finish, requireBrowser, serveBinaryArgument, startServer } from './harness.mjs';

const chromiumPath = process.env.CLAWMIT_CHROMIUM || '/usr/bin/chromium';
const serveBinary = serveBinaryArgument('cors_test.mjs');
const { chromium } = await requireBrowser(chromiumPath, 'chromium', 'playwright-core');

// A page on its own loopback origin; its script is in the page.
function servePage() {
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>clawmit CORS test</title><p>page</p>');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function json(response) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text };
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'clawmit-cors-'));
const allowedPage = await servePage();
const otherPage = await servePage();
const allowedOrigin = `http://127.0.0.1:${allowedPage.address().port}`;
const otherOrigin = `http://127.0.0.1:${otherPage.address().port}`;
let server;
let browser;
try {
  server = await startServer(serveBinary, dataDir, ['--cors-origin', allowedOrigin], { stderr: 'inherit' });
  const api = server.base;
  const credentials = JSON.stringify({ email: 'ada@example.com', password: 'correct horse' });
  const headers = { 'content-type': 'application/json' };
  await fetch(`${api}/api/auth/register`, { method: 'POST', headers, body: credentials });
  const login = await json(await fetch(`${api}/api/auth/login`, { method: 'POST', headers, body: credentials }));
  check(typeof login.token === 'string', 'logged in from node');

  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext();
  const page = await context.newPage();

  // What a page's script does: a POST that needs a preflight (Authorization,
  // JSON), then a GET whose X-Request-Id header is exposed to the page.
  const callApi = ({ api, token, name }) => (async () => {
    try {
      const created = await fetch(`${api}/api/agents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, prompt: 'You answer support questions.' }),
      });
      const body = await created.json();
      const listed = await fetch(`${api}/api/agents`, { headers: { authorization: `Bearer ${token}` } });
      return {
        ok: true, status: created.status, name: body.name,
        listStatus: listed.status, requestId: listed.headers.get('x-request-id'),
      };
    } catch (error) {
      return { ok: false, error: String(error) };
    }
  })();

  await page.goto(`${allowedOrigin}/`);
  const allowed = await page.evaluate(callApi, { api, token: login.token, name: 'From the allowed page' });
  check(allowed.ok && allowed.status === 201 && allowed.name === 'From the allowed page',
    `the allowed origin creates an agent (${JSON.stringify(allowed)})`);
  check(allowed.listStatus === 200 && !!allowed.requestId,
    'the allowed origin reads the list and its exposed X-Request-Id header');

  await page.goto(`${otherOrigin}/`);
  const refused = await page.evaluate(callApi, { api, token: login.token, name: 'From another page' });
  check(!refused.ok && /TypeError|Failed to fetch/.test(refused.error),
    `another origin is refused by the browser (${JSON.stringify(refused)})`);

  const list = await json(await fetch(`${api}/api/agents`, { headers: { authorization: `Bearer ${login.token}` } }));
  const names = (list.data || []).map((agent) => agent.name);
  check(names.includes('From the allowed page'), 'the allowed page\'s agent is stored');
  check(!names.includes('From another page'), 'the refused preflight kept the POST from the server');
} catch (error) {
  failWith(error);
} finally {
  if (browser) await browser.close();
  if (server) server.child.kill('SIGTERM');
  allowedPage.close();
  otherPage.close();
  rmSync(dataDir, { recursive: true, force: true });
}
finish();
