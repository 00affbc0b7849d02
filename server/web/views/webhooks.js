// Webhooks: the list and a create form (the secret shown once) — GET and
// POST /api/webhooks; one webhook (GET /api/webhooks/:id) with "send test"
// (POST …/test), switch on/off (PATCH), delete (DELETE, confirmed) and its
// deliveries log with each attempt (GET …/deliveries?page=&limit=), read
// again every 3 s while a delivery is pending (not while the tab is hidden).
import { call, seg, withQuery } from '../api.js';
import { confirmDialog, el, errorBox, time } from '../dom.js';
import { pager } from './agents.js';
import { fetchRows } from './list.js';
import { spacePicker } from './spaces.js';

const kEvents = ['agent.created', 'agent.updated', 'agent.forked', 'agent.deleted', 'version.created', 'label.moved',
  'task.created', 'task.started', 'task.completed', 'task.failed'];
const kPollMs = 3000;

function positive(text, fallback) {
  const n = Number.parseInt(text, 10);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function activeChip(hook) {
  return el('span', { class: hook.active ? 'chip status-completed' : 'chip status-failed' }, hook.active ? 'active' : 'off');
}

export async function renderWebhooks(container, { query, navigate, stillCurrent }) {
  const org = query.get('org') || '';
  container.append(el('h1', {}, 'Webhooks'));
  // An org's webhooks need its admin role; others see the API's 403.
  const space = spacePicker(org, (value) => navigate(withQuery('/webhooks', { org: value })));
  container.append(el('div', { class: 'toolbar' }, space.field));
  space.load().catch(() => {});
  const created = el('div', { 'aria-live': 'polite' });
  const problems = el('div', { class: 'problems' });
  const urlInput = el('input', { id: 'hook-url', name: 'url', type: 'url', required: true, placeholder: 'https://example.com/hooks/clawmit', class: 'wide' });
  const boxes = kEvents.map((event) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', name: 'events', value: event, checked: event === 'version.created' }), ` ${event}`));
  const form = el('form', { class: 'card' },
    el('h2', {}, 'Create a webhook'),
    el('div', { class: 'field' }, el('label', { for: 'hook-url' }, 'URL'), urlInput),
    el('fieldset', {}, el('legend', {}, 'Events'), el('div', { class: 'checks' }, boxes)),
    problems,
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary' }, 'Create webhook')));
  const list = el('div', {}, el('p', {}, 'Loading…'));

  async function load() {
    const hooks = await fetchRows(list, withQuery('/api/webhooks', { org }), 'No webhooks yet.', stillCurrent);
    if (!hooks) return;
    list.replaceChildren(el('div', { class: 'table-wrap' }, el('table', { class: 'webhooks' },
      el('caption', { class: 'visually-hidden' }, 'Your webhooks'),
      el('thead', {}, el('tr', {}, ['URL', 'Events', 'State', 'Failing since', 'Created'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, hooks.data.map((hook) => el('tr', {},
        el('td', { class: 'message' }, el('a', { href: `/webhooks/${seg(hook.id)}` }, hook.url)),
        el('td', {}, el('ul', { class: 'chips' }, hook.events.map((e) => el('li', { class: 'chip' }, e)))),
        el('td', {}, activeChip(hook)),
        el('td', {}, hook.failingSince ? time(hook.failingSince) : '—'),
        el('td', {}, time(hook.createdAt))))))));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problems.replaceChildren();
    const events = [...form.querySelectorAll('input[name=events]:checked')].map((box) => box.value);
    try {
      const hook = await call('POST', '/api/webhooks', { url: urlInput.value.trim(), events, orgId: org || undefined });
      const secret = el('input', { id: 'new-secret', readonly: true, value: hook.secret, class: 'mono wide' });
      created.replaceChildren(el('div', { class: 'card secret' },
        el('h2', {}, 'Webhook created'),
        el('p', {}, 'Copy its signing secret now: it is shown only this once. ',
          el('a', { href: `/webhooks/${seg(hook.id)}` }, 'Open the webhook')),
        el('label', { for: 'new-secret' }, 'Secret'), secret));
      secret.focus();
      secret.select();
      form.reset();
      load();
    } catch (error) {
      problems.append(errorBox(error));
    }
  });
  container.append(created, form, el('section', { class: 'card' }, el('h2', {}, 'Your webhooks'), list));
  await load();
}

function attemptsList(delivery) {
  if (!delivery.attempts || !delivery.attempts.length) return el('span', { class: 'muted' }, 'none yet');
  return el('ol', { class: 'attempts' }, delivery.attempts.map((a) => el('li', {},
    time(a.at), ' ', a.statusCode ? el('strong', {}, String(a.statusCode)) : '', a.durationMs !== undefined && a.durationMs !== null ? ` in ${a.durationMs} ms` : '',
    a.error ? el('span', { class: 'attempt-error' }, ` ${a.error}`) : '')));
}

// The breadcrumb names a webhook by its receiver's host (its URL is the
// heading; the id is among the facts).
function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export async function renderWebhook(container, { params, query, navigate, stillCurrent }) {
  const page = positive(query.get('page'), 1);
  const api = `/api/webhooks/${seg(params.id)}`;
  const selfPath = `/webhooks/${seg(params.id)}`;
  let hook;
  try {
    hook = await call('GET', api);
  } catch (error) {
    if (stillCurrent()) container.append(el('h1', {}, 'Webhook'), errorBox(error));
    return;
  }
  if (!stillCurrent()) return;
  const problems = el('div', { class: 'problems' });
  const note = el('p', { class: 'muted', 'aria-live': 'polite' });
  const deliveries = el('div', {}, el('p', {}, 'Loading…'));
  const test = el('button', { type: 'button', class: 'primary' }, 'Send test');
  const toggle = el('button', { type: 'button' }, hook.active ? 'Switch off' : 'Switch on');
  const remove = el('button', { type: 'button', class: 'danger' }, 'Delete');
  container.append(
    el('p', { class: 'crumbs' }, el('a', { href: '/webhooks' }, 'Webhooks'), ' / ', hostOf(hook.url)),
    el('h1', {}, hook.url),
    el('dl', { class: 'facts' },
      el('dt', {}, 'Id'), el('dd', { class: 'mono' }, hook.id),
      el('dt', {}, 'State'), el('dd', {}, activeChip(hook)),
      el('dt', {}, 'Events'), el('dd', {}, el('ul', { class: 'chips' }, hook.events.map((e) => el('li', { class: 'chip' }, e)))),
      el('dt', {}, 'Failing since'), el('dd', {}, hook.failingSince ? time(hook.failingSince) : '—'),
      el('dt', {}, 'Created'), el('dd', {}, time(hook.createdAt))),
    el('div', { class: 'toolbar' }, test, toggle, remove),
    problems,
    el('section', { class: 'card', 'aria-labelledby': 'deliveries-title' },
      el('h2', { id: 'deliveries-title' }, 'Deliveries'), note, deliveries));

  let timer = null;
  async function load() {
    clearTimeout(timer);
    let answer;
    try {
      answer = await call('GET', withQuery(`${api}/deliveries`, { page, limit: 20 }));
    } catch (error) {
      if (stillCurrent()) deliveries.replaceChildren(errorBox(error));
      return;
    }
    if (!stillCurrent()) return;
    const pending = answer.data.some((d) => d.status === 'pending');
    note.textContent = pending ? `Updating every ${kPollMs / 1000} s while a delivery is pending.` : '';
    // A hidden tab asks nothing (the rate limit is per user).
    const again = () => {
      if (!stillCurrent()) return;
      if (document.hidden) timer = setTimeout(again, kPollMs);
      else load();
    };
    if (pending) timer = setTimeout(again, kPollMs);
    if (!answer.data.length) {
      deliveries.replaceChildren(el('p', { class: 'muted' }, 'No deliveries yet.'));
      return;
    }
    const { totalPages = 1 } = answer.pagination || {};
    deliveries.replaceChildren(el('div', { class: 'table-wrap' }, el('table', { class: 'deliveries' },
      el('caption', { class: 'visually-hidden' }, 'Deliveries, newest first'),
      el('thead', {}, el('tr', {}, ['Event', 'Status', 'Attempts', 'Next attempt', 'Created'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, answer.data.map((d) => el('tr', {},
        el('td', { class: 'mono' }, d.event),
        el('td', {}, el('span', { class: `chip status-${d.status}` }, d.status)),
        el('td', {}, attemptsList(d)),
        el('td', {}, d.status === 'pending' ? time(d.nextAttemptAt) : '—'),
        el('td', {}, time(d.createdAt))))))),
    pager(selfPath, page, totalPages));
  }

  test.addEventListener('click', async () => {
    problems.replaceChildren();
    try {
      await call('POST', `${api}/test`);
      note.textContent = 'Test delivery queued.';
      load();
    } catch (error) {
      problems.append(errorBox(error));
    }
  });
  toggle.addEventListener('click', async () => {
    problems.replaceChildren();
    const ok = await confirmDialog(hook.active ? 'Switch the webhook off?' : 'Switch the webhook on?',
      hook.active ? 'New events will not be sent to it; its pending retries are dropped.' : 'New events will be sent to it again.',
      hook.active ? 'Switch off' : 'Switch on');
    if (!ok) return;
    try {
      await call('PATCH', api, { active: !hook.active });
      navigate(selfPath, { replace: true });
    } catch (error) {
      problems.append(errorBox(error));
    }
  });
  remove.addEventListener('click', async () => {
    problems.replaceChildren();
    const ok = await confirmDialog('Delete the webhook?', `${hook.url} receives nothing more; its pending deliveries are dropped.`, 'Delete');
    if (!ok) return;
    try {
      await call('DELETE', api);
      navigate('/webhooks', { replace: true });
    } catch (error) {
      problems.append(errorBox(error));
    }
  });
  await load();
}
