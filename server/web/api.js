// The session and the calls to the public API (docs/DASHBOARD.md).
//
// The JWT from POST /api/auth/login is kept in sessionStorage: only this
// origin's scripts can read it, it ends with the tab, and it travels only in
// the Authorization header this module sets, never in a cookie, so another
// site cannot make the browser send it (no CSRF). It is dropped on sign out,
// on any 401 and when its `exp` passes.

const kTokenKey = 'clawmit.token';
const kEmailKey = 'clawmit.email';

export class ApiError extends Error {
  constructor(status, code, message, details, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || [];
    this.body = body;
  }
}

const listeners = new Set();

// Calls fn(reason) whenever the session ends ("signed-out", "expired").
export function onSessionEnd(fn) {
  listeners.add(fn);
}

export function token() {
  return sessionStorage.getItem(kTokenKey);
}

export function email() {
  return sessionStorage.getItem(kEmailKey) || '';
}

// The `exp` of a JWT in milliseconds, or null; the payload is read, never
// trusted: the server checks the signature on every request.
function expiry(jwt) {
  try {
    const payload = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(payload));
    return typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

let expiryTimer = null;

function armExpiry() {
  clearTimeout(expiryTimer);
  const jwt = token();
  const at = jwt ? expiry(jwt) : null;
  if (at === null) return;
  const wait = Math.max(0, at - Date.now());
  // setTimeout holds at most 2^31-1 ms (24.8 days).
  if (wait < 2 ** 31 - 1) expiryTimer = setTimeout(() => endSession('expired'), wait);
}

export function endSession(reason) {
  const had = token() !== null;
  sessionStorage.removeItem(kTokenKey);
  sessionStorage.removeItem(kEmailKey);
  clearTimeout(expiryTimer);
  if (had) for (const fn of listeners) fn(reason);
}

export async function signIn(address, password) {
  const answer = await call('POST', '/api/auth/login', { email: address, password }, { anonymous: true });
  sessionStorage.setItem(kTokenKey, answer.token);
  sessionStorage.setItem(kEmailKey, answer.user && answer.user.email ? answer.user.email : address);
  armExpiry();
  return answer;
}

// The server has no logout or revocation route for JWTs (docs/DASHBOARD.md):
// signing out forgets the token here; it stays valid until its `exp`.
export function signOut() {
  endSession('signed-out');
}

// One request to the API; resolves with the parsed JSON (null for 204),
// rejects with an ApiError carrying the API's error code and message.
export async function call(method, path, body, options = {}) {
  const headers = { accept: 'application/json' };
  if (!options.anonymous) {
    const jwt = token();
    if (!jwt) {
      endSession('expired');
      throw new ApiError(401, 'UNAUTHENTICATED', 'sign in first');
    }
    headers.authorization = `Bearer ${jwt}`;
  }
  const init = { method, headers, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(0, 'NETWORK', `cannot reach the server (${error.message}): check that it is running and reachable, then reload the page`);
  }
  const text = await response.text();
  let parsed = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) {
    const error = parsed && parsed.error ? parsed.error : {};
    if (response.status === 401 && !options.anonymous) endSession('expired');
    throw new ApiError(response.status, error.code || `HTTP_${response.status}`,
      error.message || `the server answered ${method} ${path} with ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, error.details, parsed);
  }
  return parsed;
}

// A path with its query: query('/api/agents', {page: 2}) → '/api/agents?page=2'.
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

// Segments of API paths are encoded: ids come from the server, but a view
// never builds a path from text it has not escaped.
export function seg(value) {
  return encodeURIComponent(String(value));
}

armExpiry();
