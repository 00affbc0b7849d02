// What the browser tests share: the clawmit-serve they start, the API from
// node, skipping when the browser or its driver is missing (exit 77, a
// failure with CLAWMIT_REQUIRE_BROWSER=1), and counting checks.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

// The Content-Security-Policy every dashboard page and asset carries.
export const kCsp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
  + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function skipOrFail(why) {
  if (process.env.CLAWMIT_REQUIRE_BROWSER === '1') {
    console.error(`FAIL: ${why}`);
    process.exit(1);
  }
  console.error(`SKIP: ${why}`);
  process.exit(77);
}

// The path of clawmit-serve, the test's first argument; a usage error without it.
export function serveBinaryArgument(script) {
  const binary = process.argv[2];
  if (!binary || !existsSync(binary)) {
    console.error(`usage: node ${script} <path to clawmit-serve>`);
    process.exit(2);
  }
  return binary;
}

// The browser driver `driver` (an npm package), once the browser at
// `browserPath` (Debian's `aptPackage`) is known to be there.
export async function requireBrowser(browserPath, aptPackage, driver) {
  if (!existsSync(browserPath)) skipOrFail(`no browser at ${browserPath} (apt-get install ${aptPackage})`);
  try {
    return await import(driver);
  } catch {
    return skipOrFail(`${driver} is not installed (npm ci --prefix tests/browser)`);
  }
}

let failures = 0;
export function check(condition, what) {
  console.log(`${condition ? 'ok' : 'FAIL'}: ${what}`);
  if (!condition) failures += 1;
}
// A step that threw: counted as a failure.
export function failWith(error) {
  console.error(`FAIL: ${error.stack || error}`);
  failures += 1;
}
// Prints the verdict and exits with it.
export function finish() {
  console.log(failures === 0 ? 'PASS' : `${failures} check(s) failed`);
  process.exit(failures === 0 ? 0 : 1);
}

// Starts `binary` (clawmit-serve) on a free port with `--data-dir dataDir`
// and `args`; resolves with the process and its base URL.
export function startServer(binary, dataDir, args = [], { stderr = 'ignore' } = {}) {
  const child = spawn(binary, ['--port', '0', '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', stderr] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = /listening on (http:\/\/[^ ]+)/.exec(line);
      if (match) resolve({ child, base: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`clawmit-serve exited with ${code}`)));
    setTimeout(() => reject(new Error('clawmit-serve did not start within 30 s')), 30000);
  });
}

// The API from node, to set up and to check what the browser did.
export function apiClient(base) {
  let token = '';
  const request = async (method, path, body) => {
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return { base, request, setToken: (t) => { token = t; } };
}
