// The web dashboard (docs/DASHBOARD.md) in Firefox, against a real
// `clawmit serve` with a temporary data folder:
//
//   node tests/browser/dashboard_firefox_test.mjs <path to clawmit-serve>
//
// The main path of dashboard_test.mjs (which runs in Chromium), in Debian's
// firefox-esr driven by puppeteer-core over WebDriver BiDi: signs in with the
// keyboard, lists the agents, opens one, its history and a version's prompt,
// diffs two versions (the lines shown), moves a label (Escape cancels the
// confirmation, then it is confirmed) and signs out (the token is gone).
// Over the whole run: no script error, no CSP violation (the page's own
// `securitypolicyviolation` events, whose reporting is itself checked once)
// and no request to another origin. Needs firefox-esr and `npm ci` in
// tests/browser; exits 77 (skipped) without them unless
// CLAWMIT_REQUIRE_BROWSER=1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiClient, check, failWith, finish, kCsp, requireBrowser, serveBinaryArgument, startServer } from './harness.mjs';

const firefoxPath = process.env.CLAWMIT_FIREFOX || '/usr/bin/firefox-esr';
const serveBinary = serveBinaryArgument('dashboard_firefox_test.mjs');
const { default: puppeteer } = await requireBrowser(firefoxPath, 'firefox-esr', 'puppeteer-core');

const kPromptV1 = 'You review pull requests.\nBe kind.\nCite the line.\n';
const kPromptV3 = 'You review pull requests.\nBe direct.\nCite the line.\nSuggest a fix.\n';

async function seed(api) {
  const credentials = { email: 'ada@example.com', password: 'correct horse' };
  await api.request('POST', '/api/auth/register', credentials);
  api.setToken((await api.request('POST', '/api/auth/login', credentials)).token);
  const agent = await api.request('POST', '/api/agents', {
    name: 'Code reviewer', slug: 'code-reviewer', prompt: kPromptV1, config: { temperature: 0.7 },
  });
  const v2 = await api.request('POST', `/api/agents/${agent.id}/versions`, { config: { temperature: 0.2 }, commitMessage: 'Cooler sampling' });
  const v3 = await api.request('POST', `/api/agents/${agent.id}/versions`, { prompt: kPromptV3, commitMessage: 'Be direct' });
  await api.request('PUT', `/api/agents/${agent.id}/labels/production`, { versionId: agent.currentVersion.id });
  return { agent, v1: agent.currentVersion, v2, v3 };
}

// The text of each element matching `selector`.
const texts = (page, selector) => page.$$eval(selector, (nodes) => nodes.map((n) => n.textContent));
const textOf = (page, selector) => page.$eval(selector, (node) => node.textContent);
// Waits until an element matching `selector` holds `text`.
const waitForText = (page, selector, text) => page.waitForFunction(
  (s, t) => [...document.querySelectorAll(s)].some((n) => n.textContent.includes(t)), {}, selector, text);

const started = Date.now();
const dataDir = mkdtempSync(join(tmpdir(), 'clawmit-dashboard-firefox-'));
let server;
let browser;
try {
  server = await startServer(serveBinary, dataDir);
  const { base } = server;
  const origin = new URL(base).origin;
  const api = apiClient(base);
  const seeded = await seed(api);

  browser = await puppeteer.launch({
    browser: 'firefox', executablePath: firefoxPath, headless: true,
    // No update checks, telemetry or other traffic of the browser's own.
    extraPrefsFirefox: { 'app.update.enabled': false, 'datareporting.policy.dataSubmissionEnabled': false },
  });
  const version = await browser.version();
  console.log(`browser: ${version}`);
  const page = await browser.newPage();
  page.setDefaultTimeout(60000);  // CI runs it beside other tests on few cores
  await page.setViewport({ width: 1280, height: 800 });
  const foreign = [];
  const seen = new Set();
  const problems = [];
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:')) return;
    if (new URL(url).origin !== origin) foreign.push(url);
    else seen.add(new URL(url).pathname);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  // Reports each CSP violation of every page as a console error.
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });

  // Signed out, /agents leads to the sign-in form.
  const first = await page.goto(`${base}/agents`);
  check(first.status() === 200 && first.headers()['content-security-policy'] === kCsp, 'GET /agents answers the page with the CSP');
  await waitForText(page, 'h1', 'Sign in');
  check(new URL(page.url()).pathname === '/login', 'without a session /agents leads to /login');

  // Sign in with the keyboard only.
  await page.focus('#email');
  await page.keyboard.type('ada@example.com');
  await page.keyboard.press('Tab');
  await page.keyboard.type('correct horse');
  await page.keyboard.press('Enter');
  await page.waitForSelector('table.agents');
  check(new URL(page.url()).pathname === '/agents', 'signed in with the keyboard, the page shows /agents');
  const stored = await page.evaluate(() => sessionStorage.getItem('clawmit.token'));
  check(typeof stored === 'string' && stored.split('.').length === 3, 'the JWT is kept in sessionStorage');
  check((await textOf(page, '#who')) === 'ada@example.com', 'the header shows who is signed in');

  // The list, then the agent.
  const names = await texts(page, 'table.agents tbody tr td:first-child');
  check(JSON.stringify(names) === '["Code reviewer"]', `the list shows the agent (${JSON.stringify(names)})`);
  const row = await textOf(page, 'table.agents tbody tr');
  check(row.includes('code-reviewer') && row.includes('v3') && row.includes('production'), 'its row shows slug, head and label');
  await page.click('table.agents a');
  await waitForText(page, 'h1', 'Code reviewer');
  await page.waitForSelector('table.history');
  const history = await page.$$eval('table.history tbody tr',
    (rows) => rows.map((r) => `${r.children[2].textContent}|${r.children[3].textContent}`));
  check(JSON.stringify(history) === JSON.stringify(['v3|Be direct', 'v2|Cooler sampling', 'v1|Create agent code-reviewer']),
    `the history lists the versions with their messages (${JSON.stringify(history)})`);
  check((await textOf(page, 'pre.prompt')) === kPromptV3, 'the head\'s prompt is shown');

  // A version's prompt, from its link in the history.
  await page.click(`table.history a[href*="v=${seeded.v1.id}"]`);
  await waitForText(page, 'h2#version-title', 'Version 1');
  check((await textOf(page, 'pre.prompt')) === kPromptV1, 'v1\'s prompt is shown, whitespace kept');
  check(await page.$eval('pre.prompt', (pre) => getComputedStyle(pre).whiteSpace) === 'pre-wrap', 'the prompt is pre-wrap');

  // Diff v1 → v3.
  await page.click(`input[name=from][value="${seeded.v1.id}"]`);
  await page.click(`input[name=to][value="${seeded.v3.id}"]`);
  await page.click('form.compare-form button[type=submit]');
  await page.waitForSelector('pre.diff');
  const heading = await textOf(page, 'h1');
  check(heading.startsWith('Compare v1') && heading.includes('→ v3'), `the compare page names v1 → v3 (${heading})`);
  const lines = await page.$$eval('pre.diff .line',
    (spans) => spans.map((s) => `${s.classList[1]}:${s.querySelector('.text')?.textContent ?? s.textContent}`));
  const expected = ['hunk:@@ -1,3 +1,4 @@', 'ctx: You review pull requests.', 'del:-Be kind.', 'add:+Be direct.',
    'ctx: Cite the line.', 'add:+Suggest a fix.'];
  check(JSON.stringify(lines) === JSON.stringify(expected), `the prompt diff shows the hunk's lines (${JSON.stringify(lines)})`);
  check((await textOf(page, 'ul.config')).includes('0.7 → 0.2'), 'the config change is shown');

  // Move production from v1 to v2: Escape cancels, then it is confirmed.
  await page.goto(`${base}/agents/${seeded.agent.id}?v=${seeded.v2.id}`);
  await waitForText(page, 'h2#version-title', 'Version 2');
  await page.type('#label-name', 'production');
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog#confirm[open]');
  check((await textOf(page, '#confirm-text')).includes('moves from v1 to v2'), 'the label dialog says from where to where');
  check(await page.evaluate(() => document.activeElement?.id) === 'confirm-cancel', 'the dialog\'s focus starts on Cancel');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('dialog#confirm').open);
  let label = await api.request('GET', `/api/agents/${seeded.agent.id}/labels/production`);
  check(label.versionId === seeded.v1.id, 'Escape cancels: the label did not move');
  await page.keyboard.press('Enter');  // the focus is back on the label field
  await page.waitForSelector('dialog#confirm[open]');
  await page.click('#confirm-ok');
  await waitForText(page, '.flash', 'Label production moved to v2');
  label = await api.request('GET', `/api/agents/${seeded.agent.id}/labels/production`);
  check(label.versionId === seeded.v2.id, 'confirmed, the API sees production on v2');

  // Sign out: the token is gone; the list needs a sign-in again.
  await page.click('#sign-out');
  await waitForText(page, 'h1', 'Sign in');
  check(await page.evaluate(() => sessionStorage.getItem('clawmit.token')) === null, 'sign out drops the token');
  await page.goto(`${base}/agents`);
  await waitForText(page, 'h1', 'Sign in');
  check(new URL(page.url()).pathname === '/login', 'after sign out the list needs a sign-in');

  // The CSP reporting works here: an inline style attribute is refused and reported.
  const before = problems.length;
  await page.evaluate(() => document.body.setAttribute('style', 'color: red'));
  await page.waitForFunction(() => getComputedStyle(document.body).color !== 'rgb(255, 0, 0)');
  await new Promise((resolve) => { setTimeout(resolve, 500); });
  const probe = problems.splice(before);
  check(probe.some((p) => p.startsWith('CSP violation: style-src')), `a CSP violation would be seen (${JSON.stringify(probe)})`);

  check(seen.has('/app.js') && seen.has('/views/compare.js') && seen.has('/api/auth/login'),
    `the page's requests were watched (${seen.size} paths)`);
  check(foreign.length === 0, `no request left the server's origin (${JSON.stringify(foreign)})`);
  check(problems.length === 0, `no script error and no CSP violation (${JSON.stringify(problems)})`);
} catch (error) {
  failWith(error);
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) server.child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
finish();
