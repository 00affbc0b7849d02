// The web dashboard (docs/DASHBOARD.md) in a real browser, against a real
// `clawmit serve` with a temporary data folder:
//
//   node tests/browser/dashboard_test.mjs <path to clawmit-serve>
//
// Signs in with the keyboard, lists the agents, opens one and its history,
// diffs two versions (the lines shown), moves a label and rolls back (each
// after a confirmation, a cancel first), creates and revokes an API key,
// filters the tasks and follows one as it runs, creates a webhook and sees
// its test delivery, creates an org and manages its members and
// invitations, refuses a viewer's write (the API's 403),
// shows hostile names and prompts as text, signs out (the token is gone, the
// list needs a sign-in again) and treats a refused token as an ended session;
// checks the Content-Security-Policy of every page and asset, that the page
// breaks none of it, that no request leaves the server's origin, and that the
// pages fit 390 px wide. With CLAWMIT_SCREENSHOTS=<folder> it saves the main
// pages there (docs/dashboard/ holds a set). Needs Debian's Chromium and
// `npm ci` in tests/browser; exits 77 (skipped) without them unless
// CLAWMIT_REQUIRE_BROWSER=1.
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { apiClient, check, failWith, finish, kCsp, requireBrowser, serveBinaryArgument, startServer } from './harness.mjs';

const chromiumPath = process.env.CLAWMIT_CHROMIUM || '/usr/bin/chromium';
const serveBinary = serveBinaryArgument('dashboard_test.mjs');
const screenshots = process.env.CLAWMIT_SCREENSHOTS || '';
const { chromium } = await requireBrowser(chromiumPath, 'chromium', 'playwright-core');

// The run makes a few hundred requests as one user within a minute or two:
// above the default 100 a minute, which a person clicking never reaches.
const startDashboardServer = (dataDir) => startServer(serveBinary, dataDir,
  ['--allow-private-webhooks', '--rate-limit-per-minute', '1000']);

// A webhook receiver on loopback: keeps each POST's headers and raw body.
function startReceiver() {
  const received = [];
  const receiver = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) => {
    receiver.listen(0, '127.0.0.1', () => resolve({ receiver, received, url: `http://127.0.0.1:${receiver.address().port}/hook` }));
  });
}

const kPromptV1 = 'You review pull requests.\nBe kind.\nCite the line.\n';
const kPromptV3 = 'You review pull requests.\nBe direct.\nCite the line.\nSuggest a fix.\n';

async function seed(api) {
  const credentials = { email: 'ada@example.com', password: 'correct horse' };
  await api.request('POST', '/api/auth/register', credentials);
  const login = await api.request('POST', '/api/auth/login', credentials);
  api.setToken(login.token);
  const other = await api.request('POST', '/api/agents', { name: 'Support bot', prompt: 'You answer support questions.' });
  const hostile = await api.request('POST', '/api/agents', {
    name: '<img src=x id=pwned-name>', slug: 'hostile', prompt: '<script>document.body.id="pwned"</script>\n  indented line',
  });
  const agent = await api.request('POST', '/api/agents', {
    name: 'Code reviewer', slug: 'code-reviewer', prompt: kPromptV1,
    tools: [{ name: 'read_file', description: 'Read a file', parameters: { path: 'string' } }],
    config: { temperature: 0.7, maxTokens: 2000 },
  });
  const v2 = await api.request('POST', `/api/agents/${agent.id}/versions`, {
    config: { temperature: 0.2, maxTokens: 2000 }, commitMessage: 'Cooler sampling',
  });
  const v3 = await api.request('POST', `/api/agents/${agent.id}/versions`, {
    prompt: kPromptV3,
    tools: [{ name: 'read_file', description: 'Read a file', parameters: { path: 'string' } },
      { name: 'search', description: 'Search the code', parameters: { query: 'string' } }],
    commitMessage: 'Be direct; add search',
  });
  await api.request('PUT', `/api/agents/${agent.id}/labels/production`, { versionId: agent.currentVersion.id });
  await api.request('PUT', `/api/agents/${agent.id}/labels/staging`, { versionId: v3.id, protected: true });
  const strict = await api.request('POST', `/api/agents/${agent.id}/fork`, {
    name: 'Strict reviewer', forkType: 'prompt_mutation', prompt: 'Be strict.\n', versionId: v2.id,
  });
  await api.request('POST', `/api/agents/${strict.id}/fork`, { name: 'Clone of strict', forkType: 'exact_clone' });
  const task = await api.request('POST', '/api/tasks', {
    agentId: agent.id, title: 'Review PR 42', priority: 'high', input: { pr: 42, repo: 'acme/api' },
  });
  await api.request('POST', '/api/tasks', { agentId: other.id, title: 'Answer ticket 7' });
  // An org where Bob is a viewer, with one agent.
  const org = await api.request('POST', '/api/orgs', { name: 'Acme', slug: 'acme' });
  const invitation = await api.request('POST', `/api/orgs/${org.id}/invitations`, { email: 'bob@example.com', role: 'viewer' });
  const orgAgent = await api.request('POST', '/api/agents', { name: 'Acme helper', prompt: 'You help Acme.', orgId: org.id });
  const bob = apiClient(api.base);
  const bobCredentials = { email: 'bob@example.com', password: 'battery staple' };
  await bob.request('POST', '/api/auth/register', bobCredentials);
  bob.setToken((await bob.request('POST', '/api/auth/login', bobCredentials)).token);
  await bob.request('POST', `/api/invitations/${invitation.token}/accept`);
  await api.request('POST', '/api/tasks', { agentId: orgAgent.id, title: 'Acme chore' });
  return { agent, v1: agent.currentVersion, v2, v3, other, hostile, task, org, orgAgent, bobCredentials };
}

const dataDir = mkdtempSync(join(tmpdir(), 'clawmit-dashboard-'));
let server;
let browser;
let hooks;
try {
  server = await startDashboardServer(dataDir);
  const base = server.base;
  const origin = new URL(base).origin;
  const api = apiClient(base);
  const seeded = await seed(api);
  hooks = await startReceiver();
  if (screenshots) mkdirSync(screenshots, { recursive: true });
  const shot = async (page, name) => {
    if (screenshots) await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  };

  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const foreign = [];
  const pageAnswers = [];
  const problems = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('data:') && new URL(url).origin !== origin) foreign.push(url);
  });
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (!url.pathname.startsWith('/api/')) pageAnswers.push({ path: url.pathname, status: response.status(), headers: response.headers() });
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));

  // Signed out: every page leads to the sign-in form.
  const first = await page.goto(`${base}/agents`);
  check(first.status() === 200, 'GET /agents answers the page');
  check(first.headers()['content-security-policy'] === kCsp, 'the page carries the strict Content-Security-Policy');
  check(first.headers()['x-content-type-options'] === 'nosniff' && first.headers()['referrer-policy'] === 'no-referrer',
    'the page carries nosniff and no-referrer');
  await page.waitForSelector('h1:text("Sign in")');
  check(new URL(page.url()).pathname === '/login', 'without a session /agents leads to /login');
  check(!(await page.textContent('main')).includes('null'), 'the sign-in page shows no "null"');
  await shot(page, 'sign-in');

  // A wrong password is refused with the API's message.
  await page.fill('#email', 'ada@example.com');
  await page.fill('#password', 'wrong password');
  await page.click('button:text("Sign in")');
  await page.waitForSelector('.error');
  check((await page.textContent('.error')).includes('invalid email or password'), 'a wrong password shows the API\'s error');

  // Sign in with the keyboard only.
  await page.fill('#email', '');
  await page.fill('#password', '');
  await page.focus('#email');
  await page.keyboard.type('ada@example.com');
  await page.keyboard.press('Tab');
  await page.keyboard.type('correct horse');
  await page.keyboard.press('Enter');
  await page.waitForSelector('h1:text("Agents")');
  await page.waitForSelector('table.agents');
  check(new URL(page.url()).pathname !== '/login', 'signed in, the page leaves /login');
  const stored = await page.evaluate(() => sessionStorage.getItem('clawmit.token'));
  check(typeof stored === 'string' && stored.split('.').length === 3, 'the JWT is kept in sessionStorage');
  check(await page.evaluate(() => document.cookie === ''), 'no cookie is set');
  check((await page.textContent('#who')) === 'ada@example.com', 'the header shows who is signed in');

  // The list.
  const names = await page.$$eval('table.agents tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
  check(JSON.stringify(names) === JSON.stringify(['Clone of strict', 'Strict reviewer', 'Code reviewer', '<img src=x id=pwned-name>', 'Support bot']),
    `the list shows the agents, newest first (${JSON.stringify(names)})`);
  const reviewerRow = await page.textContent('table.agents tbody tr:nth-child(3)');
  check(reviewerRow.includes('code-reviewer') && reviewerRow.includes('v3') && reviewerRow.includes(seeded.v3.commitId.slice(0, 7))
    && reviewerRow.includes('production') && reviewerRow.includes('staging') && reviewerRow.includes('ada@example.com'),
  'a row shows slug, owner, head version, commit and labels');
  check(await page.$eval('table.agents tbody tr:nth-child(3) li.chip.protected', (li) => li.textContent === 'staging (protected)' && li.querySelector('svg.lock') !== null),
    'a protected label is marked with a drawn padlock and the word for screen readers');
  check(await page.evaluate(() => !document.getElementById('pwned-name') && document.querySelectorAll('main img').length === 0),
    'a name holding HTML is shown as text');
  await shot(page, 'agents');

  // Paging with the API's page and limit.
  await page.selectOption('#limit', '10');
  await page.waitForURL(/limit=10/);
  await page.goto(`${base}/agents?page=2&limit=2`);
  await page.waitForSelector('table.agents');
  await page.click('a[rel=next]');
  await page.waitForURL(/page=3/);
  await page.waitForSelector('table.agents');
  const lastPage = await page.$$eval('table.agents tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
  check(JSON.stringify(lastPage) === '["Support bot"]' && (await page.textContent('.pager')).includes('Page 3 of 3'),
    `page 3 of 3 with limit 2 shows the last agent (${JSON.stringify(lastPage)})`);

  // Search (the API's `q`): typed with the keyboard, asked after a pause,
  // kept in the URL (page reset), paged with it, and shown again on reload.
  await page.goto(`${base}/agents?page=3&limit=1`);
  await page.waitForSelector('table.agents');
  check(await page.$eval('#search', (input) => input.labels.length === 1 && input.labels[0].textContent === 'Search'),
    'the search box has a label');
  const searches = [];
  const countSearch = (request) => {
    if (new URL(request.url()).searchParams.has('q')) searches.push(request.url());
  };
  page.on('request', countSearch);
  await page.focus('#search');
  await page.keyboard.type('REVIEW', { delay: 30 });
  await page.waitForURL(/q=REVIEW/);
  await page.waitForFunction(() => document.querySelector('#agent-list .count')?.textContent.includes('REVIEW'));
  page.off('request', countSearch);
  check(searches.length === 1, `typing asks the API once, after a pause (${searches.length} requests)`);
  const names1 = () => page.$$eval('table.agents tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
  const found = await names1();
  const searchUrl = new URL(page.url());
  check(JSON.stringify(found) === '["Strict reviewer"]' && searchUrl.searchParams.get('page') === null
    && searchUrl.searchParams.get('limit') === '1' && (await page.textContent('.pager')).includes('Page 1 of 2'),
  `typing "REVIEW" lists the matching agents from page 1, newest first, the query in the URL (${JSON.stringify(found)}, ${page.url()})`);
  check(await page.evaluate(() => document.activeElement?.id === 'search'), 'the search box keeps the focus while the list changes');
  check((await page.inputValue('#limit')) === '1', 'a limit the select does not offer (1) is shown as it is');
  check((await page.textContent('#status')) === '2 agents match “REVIEW”', 'the number of matches is announced');
  await shot(page, 'agents-search');
  await page.click('a[rel=next]');
  await page.waitForURL(/page=2/);
  await page.waitForSelector('table.agents');
  check(JSON.stringify(await names1()) === '["Code reviewer"]' && new URL(page.url()).searchParams.get('q') === 'REVIEW',
    'the next page keeps the search');
  await page.reload();
  await page.waitForSelector('table.agents');
  check((await page.inputValue('#search')) === 'REVIEW' && JSON.stringify(await names1()) === '["Code reviewer"]',
    'a reload shows the same search and page');
  await page.fill('#search', 'no such agent');
  await page.press('#search', 'Enter');
  await page.waitForSelector('#agent-list p.empty');
  check((await page.textContent('#agent-list')).includes('holds “no such agent”') && new URL(page.url()).searchParams.get('q') === 'no such agent',
    'Enter searches at once; no match says so');
  await page.fill('#search', '');
  await page.press('#search', 'Enter');
  await page.waitForFunction(() => document.querySelector('#agent-list .count')?.textContent === '5 agents');
  check(!new URL(page.url()).searchParams.has('q'), 'an empty search lists every agent again');

  // The first load when a module cannot be loaded, or the API cannot be
  // reached: a message, never a blank page.
  {
    const broken = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const tab = await broken.newPage();
    await tab.route('**/views/compare.js', (route) => route.abort());
    await tab.goto(`${base}/agents`);
    await tab.waitForSelector('main[data-load-failed] h1');
    check((await tab.textContent('main h1')) === 'The dashboard did not load'
      && await tab.evaluate(() => document.activeElement === document.querySelector('main h1')),
    'a module that cannot be loaded gives a message (focused), not a blank page');
    await tab.unroute('**/views/compare.js');
    await tab.route('**/api/**', (route) => route.abort('connectionrefused'));
    await tab.evaluate((jwt) => {
      sessionStorage.setItem('clawmit.token', jwt);
      sessionStorage.setItem('clawmit.email', 'ada@example.com');
    }, stored);
    await tab.click('button:text("Reload")');
    await tab.waitForSelector('main .error');
    check((await tab.textContent('main .error')).includes('NETWORK: cannot reach the server'), 'an API that cannot be reached is said so');
    await broken.close();
  }

  // Open by slug (the API's resolve), then the hostile prompt as text.
  await page.fill('#find-slug', 'hostile');
  await page.press('#find-slug', 'Enter');
  await page.waitForSelector('pre.prompt');
  const hostilePrompt = await page.textContent('pre.prompt');
  check(hostilePrompt === '<script>document.body.id="pwned"</script>\n  indented line' && await page.evaluate(() => document.body.id === ''),
    'a prompt holding a script is shown as text, whitespace kept, not run');
  check(await page.$eval('pre.prompt', (pre) => getComputedStyle(pre).whiteSpace) === 'pre-wrap', 'the prompt keeps whitespace (pre-wrap)');

  // The agent page.
  await page.click('a:text("Agents")');
  await page.waitForSelector('table.agents');
  await page.click('table.agents a:text("Code reviewer")');
  await page.waitForSelector('h1:text("Code reviewer")');
  await page.waitForSelector('table.history');
  const headingFocused = () => page.waitForFunction(() => document.activeElement === document.querySelector('main h1'), null, { timeout: 5000 })
    .then(() => true, () => false);
  check(await headingFocused(), 'after a link, the new page\'s heading has the focus');
  const history = await page.$$eval('table.history tbody tr', (rows) => rows.map((r) => r.children[2].textContent + '|' + r.children[3].textContent));
  check(JSON.stringify(history) === JSON.stringify(['v3|Be direct; add search', 'v2|Cooler sampling', 'v1|Create agent code-reviewer']),
    `the history lists the versions with their messages (${JSON.stringify(history)})`);
  check((await page.textContent('pre.prompt')) === kPromptV3, 'the head\'s prompt is shown');
  check((await page.textContent('ul.tools')).includes('search') && (await page.textContent('table.config')).includes('0.2'),
    'the head\'s tools and config are shown');
  const agentText = await page.textContent('main');
  check(!/null|undefined|NaN/.test(agentText), 'no "null", "undefined" or "NaN" on the agent page');
  await shot(page, 'agent');

  // The lineage, drawn in SVG; its nodes are links.
  await page.waitForSelector('svg.lineage');
  const nodes = await page.$$eval('svg.lineage a.node text', (texts) => texts.map((t) => t.textContent));
  check(JSON.stringify(nodes) === JSON.stringify(['Code reviewer · v3', 'Strict reviewer · v1', 'Clone of strict · v1']),
    `the lineage draws the family (${JSON.stringify(nodes)})`);
  const forkTypes = await page.$$eval('svg.lineage text.fork-type', (texts) => texts.map((t) => t.textContent));
  check(JSON.stringify(forkTypes) === JSON.stringify(['prompt mutation of v2', 'exact clone of v1']),
    `each fork shows its type and source version (${JSON.stringify(forkTypes)})`);
  check((await page.textContent('svg.lineage a.node.current text')) === 'Code reviewer · v3', 'the lineage marks this agent');
  await page.click('svg.lineage a.node:has-text("Strict reviewer")');
  await page.waitForSelector('h1:text("Strict reviewer")');
  check((await page.textContent('pre.prompt')) === 'Be strict.\n', 'a lineage node opens its agent');
  await page.click('a:text("Compare with its source, Code reviewer v2")');
  await page.waitForSelector('pre.diff');
  const forkDiff = await page.$$eval('pre.diff .line.add .text, pre.diff .line.del .text', (spans) => spans.map((s) => s.textContent));
  check((await page.textContent('h1')).startsWith('Compare v2') && forkDiff.includes('+Be strict.') && forkDiff.includes('-Be kind.'),
    `a fork compares with the version it came from (${JSON.stringify(forkDiff)})`);
  await page.goBack();
  await page.waitForSelector('h1:text("Strict reviewer")');
  await page.goBack();
  await page.waitForSelector('h1:text("Code reviewer")');
  await page.waitForSelector('table.history');
  check(await headingFocused(), 'after Back, the page\'s heading has the focus');

  // Diff v1 → v3.
  await page.check(`input[name=from][value="${seeded.v1.id}"]`);
  await page.check(`input[name=to][value="${seeded.v3.id}"]`);
  await page.click('button:text("Compare selected")');
  await page.waitForSelector('h1:text("Compare")');
  check((await page.textContent('h1')).startsWith('Compare v1') && (await page.textContent('h1')).includes('→ v3'), 'the compare page names v1 → v3');
  check((await page.textContent('main .crumbs')) === 'Agents / Code reviewer / compare', 'the compare page\'s breadcrumb names the agent');
  const lines = await page.$$eval('pre.diff .line', (spans) => spans.map((s) => `${s.classList[1]}:${s.querySelector('.text')?.textContent ?? s.textContent}`));
  const expected = ['hunk:@@ -1,3 +1,4 @@', 'ctx: You review pull requests.', 'del:-Be kind.', 'add:+Be direct.',
    'ctx: Cite the line.', 'add:+Suggest a fix.'];
  check(JSON.stringify(lines) === JSON.stringify(expected), `the prompt diff shows the hunk's lines (${JSON.stringify(lines)})`);
  const tools = await page.textContent('ul.tools-diff');
  check(tools.includes('added search') && tools.includes('Search the code') && !tools.includes('read_file'), 'tools: search added, read_file unchanged');
  const config = await page.textContent('ul.config');
  check(config.includes('temperature') && config.includes('0.7 → 0.2') && !config.includes('maxTokens'), 'config: temperature 0.7 → 0.2');
  await shot(page, 'compare');
  await page.click('a:text("Side-by-side view")');
  await page.waitForSelector('table.diff.split');
  const split = await page.$$eval('table.diff.split tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent).join('|')));
  check(split.includes('2|Be kind.|2|Be direct.') && split.includes('||4|Suggest a fix.'),
    `the side-by-side view pairs the changed lines (${JSON.stringify(split)})`);
  await shot(page, 'compare-side-by-side');

  // A prompt of the size teams keep (about 100 KB, 2,000 lines), and a
  // version changing every tenth line of it: shown whole, and their diff.
  // Made here, after the list's checks, which count the agents.
  const longLines = Array.from({ length: 2000 }, (_, i) => `Rule ${i + 1}: answer with care, cite the policy, keep it short.`);
  const longPrompt = longLines.join('\n') + '\n';
  const long = await api.request('POST', '/api/agents', { name: 'Long prompt', slug: 'long-prompt', prompt: longPrompt });
  const longV2 = await api.request('POST', `/api/agents/${long.id}/versions`, {
    prompt: longLines.map((l, i) => (i % 10 === 0 ? l.toUpperCase() : l)).join('\n') + '\n', commitMessage: 'Shout every tenth rule',
  });
  let started = Date.now();
  await page.goto(`${base}/agents/${long.id}?v=${long.currentVersion.id}`);
  await page.waitForSelector('pre.prompt');
  const longShown = await page.textContent('pre.prompt');
  const longMs = Date.now() - started;
  check(longShown === longPrompt, `a 100 KB prompt is shown whole (${longShown.length} characters, ${longMs} ms)`);
  started = Date.now();
  await page.goto(`${base}/agents/${long.id}/compare?from=${long.currentVersion.id}&to=${longV2.id}`);
  await page.waitForSelector('pre.diff');
  const longDiff = await page.$$eval('pre.diff .line.add, pre.diff .line.del', (spans) => spans.length);
  const longDiffMs = Date.now() - started;
  check(longDiff === 400, `the diff of two 100 KB prompts shows its 200 changed lines each way (${longDiff} lines, ${longDiffMs} ms)`);
  console.log(`long prompt: page ${longMs} ms, diff ${longDiffMs} ms`);
  check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'long lines wrap: no sideways scrolling');
  await page.goBack();
  await page.goBack();  // to the side-by-side diff of Code reviewer, where the test goes on
  await page.waitForSelector('table.diff.split');

  // Any two versions of the family, picked by agent and number.
  await page.waitForSelector('form.picker');
  await page.selectOption('#from-agent', { label: 'Strict reviewer (head v1)' });
  await page.fill('#from-number', '1');
  await page.selectOption('#to-agent', { label: 'Code reviewer (head v3)' });
  await page.fill('#to-number', '99');
  await page.click('form.picker button:text("Compare")');
  await page.waitForSelector('form.picker .error');
  check((await page.textContent('form.picker .error')).includes('no version 99'), 'a version number the agent lacks is refused');
  await page.fill('#to-number', '3');
  await page.click('form.picker button:text("Compare")');
  // The page is replaced while it loads: the heading may be missing for a moment.
  await page.waitForFunction(() => (document.querySelector('main h1')?.textContent || '').startsWith('Compare v1')
    && document.querySelector('main').textContent.includes('From Strict reviewer to Code reviewer (one family)'));
  await page.waitForSelector('pre.diff');
  const familyDiff = await page.$$eval('pre.diff .line.add .text, pre.diff .line.del .text', (spans) => spans.map((s) => s.textContent));
  check(familyDiff.includes('-Be strict.') && familyDiff.includes('+Be direct.'),
    `two agents of a family are compared (${JSON.stringify(familyDiff)})`);
  await page.goBack();
  await page.waitForSelector('table.diff.split');

  // Move production to v2: cancelled first, then confirmed.
  await page.goto(`${base}/agents/${seeded.agent.id}?v=${seeded.v2.id}`);
  await page.waitForSelector('h2:text("Version 2")');
  await page.fill('#label-name', 'production');
  await page.click('button:text("Move label here")');
  await page.waitForSelector('dialog#confirm[open]');
  check((await page.textContent('#confirm-text')).includes('moves from v1 to v2'), 'the label dialog says from where to where');
  await shot(page, 'confirm-label');
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog#confirm', { state: 'hidden' });
  let label = await api.request('GET', `/api/agents/${seeded.agent.id}/labels/production`);
  check(label.versionId === seeded.v1.id, 'a cancelled label move changes nothing');
  await page.click('button:text("Move label here")');
  await page.waitForSelector('dialog#confirm[open]');
  await page.click('#confirm-ok');
  await page.waitForSelector('.flash');
  check((await page.textContent('.flash')).includes('Label production moved to v2'), 'the page says the label moved');
  label = await api.request('GET', `/api/agents/${seeded.agent.id}/labels/production`);
  check(label.versionId === seeded.v2.id, 'the API sees production on v2');

  // A protected label is refused, then forced after a second confirmation.
  await page.fill('#label-name', 'staging');
  await page.click('button:text("Move label here")');
  await page.click('#confirm-ok');
  await page.waitForSelector('.error');
  check((await page.textContent('.error')).includes('LABEL_PROTECTED'), 'moving a protected label shows the API\'s refusal');
  check((await api.request('GET', `/api/agents/${seeded.agent.id}/labels/staging`)).versionId === seeded.v3.id, 'and nothing moved');
  await page.click('button:text("Move protected staging anyway")');
  await page.waitForSelector('dialog#confirm[open]');
  await page.click('#confirm-ok');
  await page.waitForSelector('.flash:text("Label staging moved to v2")');
  label = await api.request('GET', `/api/agents/${seeded.agent.id}/labels/staging`);
  check(label.versionId === seeded.v2.id && label.protected === true, 'the forced move lands, and the label stays protected');

  // Roll back to v1.
  await page.goto(`${base}/agents/${seeded.agent.id}?v=${seeded.v1.id}`);
  await page.waitForSelector('h2:text("Version 1")');
  await page.click('button:text("Roll back to v1")');
  await page.waitForSelector('dialog#confirm[open]');
  await page.click('#confirm-cancel');
  check((await api.request('GET', `/api/agents/${seeded.agent.id}`)).currentVersion.versionNumber === 3, 'a cancelled rollback changes nothing');
  await page.click('button:text("Roll back to v1")');
  await page.waitForSelector('dialog#confirm[open]');
  await page.click('#confirm-ok');
  await page.waitForSelector('.flash');
  check((await page.textContent('.flash')).includes('v4 created'), 'the page says the rollback made v4');
  const head = (await api.request('GET', `/api/agents/${seeded.agent.id}`)).currentVersion;
  check(head.versionNumber === 4 && head.prompt === kPromptV1, 'the API sees v4 with v1\'s prompt');
  check((await page.textContent('h2#version-title')).includes('Version 4 (head)'), 'the page shows the new head');

  // API keys: created (shown once), listed, revoked.
  await page.click('#nav a:text("API keys")');
  await page.waitForSelector('h1:text("API keys")');
  await page.fill('#key-name', 'ci');
  await page.check('input[value="agents:write"]');
  await page.click('button:text("Create key")');
  await page.waitForSelector('#new-key');
  const key = await page.inputValue('#new-key');
  check(key.startsWith('fc_live_'), 'the new key is shown once');
  await page.waitForSelector('table.keys');
  check((await page.textContent('table.keys')).includes(key.slice(0, 10)), 'the list shows the key\'s prefix');
  const keyWorks = await fetch(`${base}/api/agents`, { headers: { authorization: `Bearer ${key}` } });
  check(keyWorks.status === 200, 'the key works');
  await shot(page, 'keys');
  await page.click('button[aria-label="Revoke ci"]');
  await page.click('#confirm-ok');
  await page.waitForSelector('p:text("No keys yet.")');
  const keyRevoked = await fetch(`${base}/api/agents`, { headers: { authorization: `Bearer ${key}` } });
  check(keyRevoked.status === 401, 'the revoked key is refused');
  await page.selectOption('#space', 'acme');
  await page.waitForURL(/org=acme/);
  await page.fill('#key-name', 'acme-ci');
  await page.click('button:text("Create key")');
  await page.waitForSelector('#new-key');
  await page.waitForSelector('table.keys');
  const orgKeys = (await api.request('GET', '/api/api-keys?org=acme')).data;
  check(orgKeys.length === 1 && orgKeys[0].name === 'acme-ci' && !!orgKeys[0].orgId && (await page.textContent('table.keys')).includes('acme-ci'),
    'a key made in the org\'s space acts for the org and is listed there');

  // Tasks: filtered by status and agent; one task, updated as it runs.
  await page.click('#nav a:text("Tasks")');
  await page.waitForSelector('table.tasks');
  let taskTitles = await page.$$eval('table.tasks tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
  check(JSON.stringify(taskTitles) === '["Answer ticket 7","Review PR 42"]', `the tasks list shows both tasks (${JSON.stringify(taskTitles)})`);
  await page.selectOption('#task-status', 'queued');
  await page.selectOption('#task-agent', seeded.agent.id);
  await page.click('button:text("Filter")');
  await page.waitForURL(/status=queued/);
  await page.waitForSelector('table.tasks');
  taskTitles = await page.$$eval('table.tasks tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
  check(JSON.stringify(taskTitles) === '["Review PR 42"]', `filtered by status and agent, one task (${JSON.stringify(taskTitles)})`);
  await page.selectOption('#task-status', 'running');
  await page.click('button:text("Filter")');
  await page.waitForSelector('p:text("No tasks match.")');
  check(true, 'no running task matches');
  await page.goto(`${base}/tasks?status=queued&agentId=${seeded.agent.id}`);
  await page.click('table.tasks a:text("Review PR 42")');
  await page.waitForSelector('h1:text("Review PR 42")');
  check((await page.textContent('main .crumbs')) === 'Tasks / Review PR 42', 'the task page\'s breadcrumb names the task');
  check((await page.textContent('#task-input')).includes('"pr": 42') && (await page.textContent('#task-output')) === '(none yet)',
    'the task shows its input, and no output yet');
  await api.request('PATCH', `/api/tasks/${seeded.task.id}`, { status: 'running', output: { progress: 50 } });
  await page.waitForFunction(() => (document.querySelector('#task-output')?.textContent || '').includes('"progress": 50'), null, { timeout: 30000 });
  check((await page.textContent('dl.facts')).includes('running'), 'the page follows the task to running, with its output');
  await api.request('PATCH', `/api/tasks/${seeded.task.id}`, { status: 'completed', output: { verdict: 'approve' } });
  await page.waitForFunction(() => (document.querySelector('dl.facts')?.textContent || '').includes('completed'), null, { timeout: 30000 });
  check((await page.textContent('#task-output')).includes('"verdict": "approve"'), 'and to completed, with the merged output');
  await shot(page, 'task');
  await page.goto(`${base}/tasks`);
  await page.waitForSelector('table.tasks');
  await page.selectOption('#space', 'acme');
  await page.waitForURL(/org=acme/);
  await page.waitForSelector('table.tasks');
  taskTitles = await page.$$eval('table.tasks tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
  check(JSON.stringify(taskTitles) === '["Acme chore"]', `the org's space lists the org's tasks only (${JSON.stringify(taskTitles)})`);

  // Webhooks: created (the secret shown once), a test delivery seen with its attempt.
  await page.click('#nav a:text("Webhooks")');
  await page.waitForSelector('h1:text("Webhooks")');
  await page.fill('#hook-url', hooks.url);
  await page.check('input[value="task.completed"]');
  await page.click('button:text("Create webhook")');
  await page.waitForSelector('#new-secret');
  const secret = await page.inputValue('#new-secret');
  check(secret.startsWith('whsec_'), 'the webhook\'s secret is shown once');
  await page.waitForSelector('table.webhooks');
  await page.click('a:text("Open the webhook")');
  await page.waitForSelector('h2:text("Deliveries")');
  await page.click('button:text("Send test")');
  await page.waitForSelector('table.deliveries .chip.status-delivered', { timeout: 30000 });
  const delivery = await page.textContent('table.deliveries tbody tr');
  check(delivery.includes('webhook.test') && delivery.includes('200'), `the delivery shows its event and the attempt's status (${delivery})`);
  const got = hooks.received.find((r) => r.headers['x-clawmit-event'] === 'webhook.test');
  const digest = got ? 'sha256=' + createHmac('sha256', secret).update(got.body).digest('hex') : '';
  check(!!got && got.headers['x-clawmit-signature'] === digest, 'the receiver got the test, signed with the secret shown');
  check((await page.textContent('main .crumbs')) === `Webhooks / ${new URL(hooks.url).host}`, 'the webhook page\'s breadcrumb names its receiver\'s host');
  await shot(page, 'webhook');
  await page.click('button:text("Switch off")');
  await page.click('#confirm-ok');
  await page.waitForSelector('button:text("Switch on")');
  const hookList = await api.request('GET', '/api/webhooks');
  check(hookList.data.length === 1 && hookList.data[0].active === false, 'switching off is seen by the API');
  await page.click('button:text("Delete")');
  await page.click('#confirm-ok');
  await page.waitForSelector('p:text("No webhooks yet.")');
  check((await api.request('GET', '/api/webhooks')).data.length === 0, 'the deleted webhook is gone');
  await page.selectOption('#space', 'acme');
  await page.waitForURL(/org=acme/);
  await page.fill('#hook-url', hooks.url);
  await page.click('button:text("Create webhook")');
  await page.waitForSelector('#new-secret');
  await page.waitForSelector('table.webhooks');
  const orgHooks = await api.request('GET', '/api/webhooks?org=acme');
  check(orgHooks.data.length === 1 && (await api.request('GET', '/api/webhooks')).data.length === 0,
    'a webhook made in the org\'s space belongs to the org');

  // Organisations: create one, invite (the token shown once), a member's role changed and removed, an invitation revoked.
  await page.click('#nav a:text("Organisations")');
  await page.waitForSelector('table.orgs');
  check((await page.textContent('table.orgs')).includes('Acme') && (await page.textContent('table.orgs')).includes('owner'),
    'the organisations list shows Acme and the role');
  await page.fill('#org-name', 'Beta team');
  await page.fill('#org-slug', 'beta');
  await page.click('button:text("Create organisation")');
  await page.waitForSelector('h1:text("Beta team")');
  await page.fill('#invite-email', 'carol@example.com');
  await page.selectOption('#invite-role', 'editor');
  await page.click('button:text("Invite")');
  await page.waitForSelector('#invitation-token-new');
  const invitationToken = await page.inputValue('#invitation-token-new');
  check(invitationToken.startsWith('inv_'), 'the invitation token is shown once');
  await page.waitForSelector('table.invitations');
  check((await page.textContent('table.invitations')).includes('pending'), 'the invitation is listed as pending');
  const carol = apiClient(base);
  const carolCredentials = { email: 'carol@example.com', password: 'carol password' };
  await carol.request('POST', '/api/auth/register', carolCredentials);
  carol.setToken((await carol.request('POST', '/api/auth/login', carolCredentials)).token);
  await carol.request('POST', `/api/invitations/${invitationToken}/accept`);
  await page.reload();
  await page.waitForSelector('table.members');
  check((await page.textContent('table.members')).includes('carol@example.com'), 'the accepted member is listed');
  const carolId = (await api.request('GET', '/api/orgs/beta/members')).data.find((m) => m.email === 'carol@example.com').userId;
  await page.selectOption(`#role-${carolId}`, 'viewer');
  await page.click('button[aria-label="Change the role of carol@example.com"]');
  await page.click('#confirm-ok');
  await page.waitForSelector('.flash');
  let carolNow = (await api.request('GET', '/api/orgs/beta/members')).data.find((m) => m.email === 'carol@example.com');
  check(carolNow && carolNow.role === 'viewer', 'a role change is seen by the API');
  await shot(page, 'org');
  await page.click('button[aria-label="Remove carol@example.com"]');
  await page.click('#confirm-ok');
  await page.waitForSelector('.flash:text("removed")');
  carolNow = (await api.request('GET', '/api/orgs/beta/members')).data.find((m) => m.email === 'carol@example.com');
  check(!carolNow, 'a removed member is gone');
  await page.fill('#invite-email', 'dave@example.com');
  await page.click('button:text("Invite")');
  await page.waitForSelector('button[aria-label="Revoke the invitation of dave@example.com"]');
  await page.click('button[aria-label="Revoke the invitation of dave@example.com"]');
  await page.click('#confirm-ok');
  await page.waitForFunction(() => !document.querySelector('button[aria-label="Revoke the invitation of dave@example.com"]'));
  const dave = (await api.request('GET', '/api/orgs/beta/invitations')).data.find((i) => i.email === 'dave@example.com');
  check(dave && dave.status === 'revoked', 'a revoked invitation is seen by the API');
  await page.fill('#org-rename', 'Beta squad');
  await page.fill('#org-new-slug', 'beta-squad');
  await page.click('button:text("Save")');
  await page.waitForSelector('dialog#confirm[open]');
  await page.click('#confirm-ok');
  await page.waitForSelector('h1:text("Beta squad")');
  check(new URL(page.url()).pathname === '/orgs/beta-squad', 'a new slug moves the page to its URL');
  check((await api.request('GET', '/api/orgs/beta-squad')).name === 'Beta squad', 'the rename and the new slug are seen by the API');
  await page.click('#delete-org');
  await page.waitForSelector('dialog#confirm[open]');
  await page.click('#confirm-ok');
  await page.waitForSelector('.flash:text("Beta squad deleted.")');
  check(!(await api.request('GET', '/api/orgs')).data.some((o) => o.slug === 'beta-squad'), 'a deleted org is gone');

  // Readable on a phone: nothing wider than 390 px.
  await page.setViewportSize({ width: 390, height: 800 });
  for (const path of ['/agents', `/agents/${seeded.agent.id}`, `/agents/${seeded.agent.id}/compare?from=${seeded.v1.id}&to=${seeded.v3.id}`,
    '/tasks', `/tasks/${seeded.task.id}`, '/webhooks', '/orgs', '/orgs/acme', '/keys']) {
    await page.goto(base + path);
    await page.waitForSelector('main h1:not(:text("Sign in"))');
    await page.waitForLoadState('networkidle');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 390, `${path} fits 390 px (${width})`);
    if (path === `/agents/${seeded.agent.id}`) await shot(page, 'agent-phone');
  }
  await page.setViewportSize({ width: 1280, height: 800 });

  // Sign out: the token is gone; the list needs a sign-in again.
  await page.goto(`${base}/agents`);
  await page.waitForSelector('table.agents');
  await page.click('#sign-out');
  await page.waitForSelector('h1:text("Sign in")');
  check(await page.evaluate(() => sessionStorage.getItem('clawmit.token')) === null, 'sign out drops the token');
  await page.goto(`${base}/agents`);
  await page.waitForSelector('h1:text("Sign in")');
  check(new URL(page.url()).pathname === '/login', 'after sign out the list needs a sign-in');

  // Bob, a viewer of Acme: sees the org's agent, is refused a label move.
  // A `next` leading to another origin is not followed.
  await page.goto(`${base}/login?next=${encodeURIComponent('//evil.example/x')}`);
  await page.waitForSelector('h1:text("Sign in")');
  await page.fill('#email', seeded.bobCredentials.email);
  await page.fill('#password', seeded.bobCredentials.password);
  await page.click('button:text("Sign in")');
  await page.waitForSelector('h1:text("Agents")');
  check(page.url() === `${base}/agents`, `after sign-in a foreign next= is ignored (${page.url()})`);
  await page.waitForSelector('#space:not([hidden]), label[for=space]');
  await page.selectOption('#space', 'acme');
  await page.waitForURL(/org=acme/);
  await page.waitForSelector('table.agents a:text("Acme helper")');
  await page.click('table.agents a:text("Acme helper")');
  await page.waitForSelector('h2:text("Version 1")');
  await page.fill('#label-name', 'production');
  await page.click('button:text("Move label here")');
  await page.click('#confirm-ok');
  await page.waitForSelector('.error');
  const refusal = await page.textContent('.error');
  check(refusal.includes('FORBIDDEN'), `a viewer's label move is refused with the API's 403 (${refusal})`);
  const orgLabels = await api.request('GET', `/api/agents/${seeded.orgAgent.id}/labels`);
  check(orgLabels.data.length === 0, 'and nothing moved');
  await page.click('#sign-out');
  await page.waitForSelector('h1:text("Sign in")');

  // A token the server refuses (expired, or signed by another secret) ends the session.
  await page.evaluate(() => {
    sessionStorage.setItem('clawmit.token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad');
    sessionStorage.setItem('clawmit.email', 'ada@example.com');
  });
  await page.goto(`${base}/agents`);
  await page.waitForSelector('h1:text("Sign in")');
  check((await page.textContent('main')).includes('Your session has ended'), 'a refused token leads to sign-in, saying why');
  check(await page.evaluate(() => sessionStorage.getItem('clawmit.token')) === null, 'the refused token is dropped');

  // Headers and origins over the whole run.
  const assets = pageAnswers.filter((a) => a.status === 200 || a.status === 304);
  check(assets.some((a) => a.path === '/app.js') && assets.some((a) => a.path === '/style.css'), 'the scripts and styles came from the server');
  const withoutCsp = assets.filter((a) => a.headers['content-security-policy'] !== kCsp || a.headers['x-content-type-options'] !== 'nosniff');
  check(withoutCsp.length === 0, `every page and asset carries the CSP and nosniff (${JSON.stringify(withoutCsp.map((a) => a.path))})`);
  check(foreign.length === 0, `no request left the server's origin (${JSON.stringify(foreign)})`);
  const violations = problems.filter((p) => /Content Security Policy|Refused to/.test(p));
  check(violations.length === 0, `the page breaks none of the CSP (${JSON.stringify(violations)})`);
  const errors = problems.filter((p) => !/status of (401|403|404|409)/.test(p));
  check(errors.length === 0, `no script errors (${JSON.stringify(errors)})`);
} catch (error) {
  failWith(error);
  if (browser) {
    for (const open of browser.contexts().flatMap((c) => c.pages())) {
      console.error(`  at ${open.url()}: ${(await open.textContent('main').catch(() => '')).slice(0, 400)}`);
    }
  }
} finally {
  if (browser) await browser.close();
  if (server) server.child.kill('SIGTERM');
  if (hooks) hooks.receiver.close();
  rmSync(dataDir, { recursive: true, force: true });
}
finish();
