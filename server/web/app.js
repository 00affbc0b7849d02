// The dashboard's entry: the routes (history API, so every view has its own
// URL), the header's session state, and the link handling.
import { email, onSessionEnd, signOut, token } from './api.js';
import { announce, clear, el } from './dom.js';
import { renderAgent } from './views/agent.js';
import { renderAgents } from './views/agents.js';
import { renderCompare } from './views/compare.js';
import { renderKeys } from './views/keys.js';
import { renderOrg, renderOrgs } from './views/orgs.js';
import { renderSignIn } from './views/signin.js';
import { renderTask, renderTasks } from './views/tasks.js';
import { renderWebhook, renderWebhooks } from './views/webhooks.js';

const main = document.getElementById('main');
// For boot.js: the modules loaded and run.
document.documentElement.setAttribute('data-started', '');

// [pattern, view, needs a session]; params are the `:name` segments.
const routes = [
  [/^\/login$/, renderSignIn, false],
  [/^\/agents$/, renderAgents, true],
  [/^\/agents\/(?<id>[^/]+)$/, renderAgent, true],
  [/^\/agents\/(?<id>[^/]+)\/compare$/, renderCompare, true],
  [/^\/tasks$/, renderTasks, true],
  [/^\/tasks\/(?<id>[^/]+)$/, renderTask, true],
  [/^\/webhooks$/, renderWebhooks, true],
  [/^\/webhooks\/(?<id>[^/]+)$/, renderWebhook, true],
  [/^\/orgs$/, renderOrgs, true],
  [/^\/orgs\/(?<id>[^/]+)$/, renderOrg, true],
  [/^\/keys$/, renderKeys, true],
];

let renderCount = 0;

function decodePath(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
let endedBecause = '';

// Shows `url`; `state` (e.g. {flash: "Label moved."}) is the view's to read
// from history.state.
export function navigate(url, { replace = false, state = null } = {}) {
  if (replace) history.replaceState(state, '', url);
  else history.pushState(state, '', url);
  render({ focus: true });
}

function updateHeader() {
  const signedIn = token() !== null;
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('session').hidden = !signedIn;
  document.getElementById('who').textContent = signedIn ? email() : '';
  const section = location.pathname.split('/')[1];
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.nav === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

// Renders the page of the URL. After a navigation (`focus`), the new page's
// heading takes the focus once it is shown, so that a screen reader reads it
// and Tab starts from the top of the new page, unless the focus has been
// put somewhere on the page meanwhile.
async function render({ focus = false } = {}) {
  const count = ++renderCount;
  if (location.pathname === '/') {
    history.replaceState(history.state, '', `/agents${location.search}`);
  }
  const path = location.pathname.replace(/\/+$/, '') || '/agents';
  const params = new URLSearchParams(location.search);
  updateHeader();
  const route = routes.find(([pattern]) => pattern.test(path));
  if (!route) {
    clear(main).append(el('h1', {}, 'Not found'), el('p', {}, 'No page here. '),
      el('a', { href: '/agents' }, 'Back to the agents'));
    return;
  }
  const [pattern, view, needsSession] = route;
  if (needsSession && token() === null) {
    const back = location.pathname + location.search;
    navigate(`/login?next=${encodeURIComponent(back)}`, { replace: true });
    return;
  }
  if (!needsSession && token() !== null && path === '/login') {
    navigate('/agents', { replace: true });
    return;
  }
  const container = el('div', { class: 'view' });
  const note = endedBecause;
  endedBecause = '';
  clear(main).append(container);
  // A view renders into its container; a newer render replaces it, so a
  // slow answer for an old page never overwrites the current one.
  const stillCurrent = () => count === renderCount;
  try {
    const groups = Object.fromEntries(Object.entries(pattern.exec(path).groups || {}).map(([k, v]) => [k, decodePath(v)]));
    await view(container, { params: groups, query: params, navigate, stillCurrent, note });
  } catch (error) {
    if (!stillCurrent()) return;
    console.error(error);
  }
  if (stillCurrent()) {
    const heading = container.querySelector('h1');
    if (heading) {
      document.title = `${heading.textContent} · Clawmit`;
      announce(heading.textContent);
      const active = document.activeElement;
      if (focus && (!active || active === document.body || active === main)) {
        heading.setAttribute('tabindex', '-1');
        heading.focus({ preventScroll: true });
      }
    }
  }
}

onSessionEnd((reason) => {
  endedBecause = reason === 'expired' ? 'Your session has ended: sign in again.' : 'Signed out.';
  navigate('/login', { replace: false });
});

document.getElementById('sign-out').addEventListener('click', () => signOut());

// Same-origin links are routed here without a page load; modified clicks
// (new tab, download) are left to the browser.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest('a[href]');
  if (!link || link.getAttribute('target') || link.hasAttribute('download')) return;
  // getAttribute: an SVG <a> has no string `href` property.
  const url = new URL(link.getAttribute('href'), location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  event.preventDefault();
  if (url.hash && url.pathname === location.pathname && url.search === location.search) {
    document.getElementById(url.hash.slice(1))?.focus();
    return;
  }
  navigate(url.pathname + url.search);
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
});

window.addEventListener('popstate', () => render({ focus: true }));
render();
