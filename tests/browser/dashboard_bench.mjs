// The dashboard's figures for docs/PERFORMANCE.md: the first load's weight
// and the time until the agents list (10,000 agents) and an agent with 1,000
// versions are shown, in headless Chromium against a real `clawmit serve`;
// and the time of the list's search (`GET /api/agents?q=`) from node.
//
//   node tests/browser/dashboard_bench.mjs <path to clawmit-serve> [agents] [versions] [runs]
//
// Not run by CI (it takes a minute or two to seed). Needs Debian's Chromium
// and `npm ci` in tests/browser.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const [serveBinary, agentCount = '10000', versionCount = '1000', runCount = '5'] = process.argv.slice(2);
const chromiumPath = process.env.CLAWMIT_CHROMIUM || '/usr/bin/chromium';

function startServer(dataDir) {
  const args = ['--port', '0', '--data-dir', dataDir, '--rate-limit-per-minute', '1000000',
    '--rate-limit-per-day', '100000000'];
  const child = spawn(serveBinary, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /listening on (http:\/\/[^ ]+)/.exec(line);
      if (match) resolve({ child, base: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`clawmit-serve exited with ${code}`)));
  });
}

async function request(base, token, method, path, body) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

// Runs `count` calls of `make(i)`, `parallel` at a time.
async function pool(count, parallel, make) {
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) await make(next++);
  }));
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const dataDir = mkdtempSync(join(tmpdir(), 'clawmit-dashboard-bench-'));
const server = await startServer(dataDir);
const { base } = server;
try {
  const credentials = { email: 'ada@example.com', password: 'correct horse' };
  await request(base, '', 'POST', '/api/auth/register', credentials);
  const { token } = await request(base, '', 'POST', '/api/auth/login', credentials);
  let started = Date.now();
  const prompt = 'You review pull requests.\n'.repeat(40);
  const deep = await request(base, token, 'POST', '/api/agents', { name: 'Deep history', prompt });
  await pool(Number(versionCount) - 1, 1, (i) => request(base, token, 'POST', `/api/agents/${deep.id}/versions`, {
    prompt: `${prompt}Version ${i + 2}.\n`, commitMessage: `Edit ${i + 2}`,
  }));
  await pool(Number(agentCount) - 1, 8, (i) => request(base, token, 'POST', '/api/agents', {
    name: `Agent ${i}`, prompt: `${prompt}Agent ${i}.\n`, config: { temperature: 0.5 },
  }));
  console.log(`seeded ${agentCount} agents and ${versionCount} versions in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // The search of the list (`q`), from node: the API alone, one request at a
  // time, the median of 21.
  for (const q of ['agent 9999', 'agent 123', 'agent', 'AGENT 5', 'no such agent']) {
    const times = [];
    let total = 0;
    for (let run = 0; run < 21; run += 1) {
      const t0 = performance.now();
      total = (await request(base, token, 'GET', `/api/agents?q=${encodeURIComponent(q)}&limit=20`)).pagination.total;
      times.push(performance.now() - t0);
    }
    console.log(`GET /api/agents?q=${q}&limit=20: ${total} found, ${median(times).toFixed(1)} ms (median of 21; `
      + `${Math.min(...times).toFixed(1)}–${Math.max(...times).toFixed(1)})`);
  }
  const plain = [];
  for (let run = 0; run < 21; run += 1) {
    const t0 = performance.now();
    await request(base, token, 'GET', '/api/agents?limit=20');
    plain.push(performance.now() - t0);
  }
  console.log(`GET /api/agents?limit=20: ${median(plain).toFixed(1)} ms (median of 21)`);

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  const measure = async (path, selector) => {
    const times = [];
    let weight = null;
    for (let run = 0; run < Number(runCount); run += 1) {
      // A new context each run: an empty cache, as a first visit.
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addInitScript(([jwt]) => {
        sessionStorage.setItem('clawmit.token', jwt);
        sessionStorage.setItem('clawmit.email', 'ada@example.com');
      }, [token]);
      const page = await context.newPage();
      started = Date.now();
      await page.goto(base + path);
      await page.waitForSelector(selector);
      times.push(Date.now() - started);
      weight = await page.evaluate(() => {
        const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
        const sum = (filter) => entries.filter(filter).reduce((total, e) => total + e.decodedBodySize, 0);
        return {
          files: entries.filter((e) => !new URL(e.name).pathname.startsWith('/api/')).length,
          assets: sum((e) => !new URL(e.name).pathname.startsWith('/api/')),
          api: sum((e) => new URL(e.name).pathname.startsWith('/api/')),
          transferred: entries.reduce((total, e) => total + e.transferSize, 0),
        };
      });
      await context.close();
    }
    console.log(`${path}: shown in ${median(times)} ms (median of ${runCount}; ${times.join(', ')}); `
      + `${weight.files} files, ${weight.assets} bytes of page, ${weight.api} bytes of API answers, `
      + `${weight.transferred} bytes transferred with headers`);
  };
  await measure('/agents', 'table.agents tbody tr:nth-child(25)');
  await measure('/agents?page=400', 'table.agents tbody tr:nth-child(25)');
  await measure('/agents?q=agent%20123', 'table.agents tbody tr:nth-child(11)');
  await measure(`/agents/${deep.id}`, 'table.history tbody tr:nth-child(20)');
  await measure(`/agents/${deep.id}?page=50`, 'table.history tbody tr:nth-child(20)');
  await browser.close();
} finally {
  server.child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
