// API keys: create with scopes (the key is shown once), list with last use,
// revoke — POST, GET and DELETE /api/api-keys (a JWT only).
import { call, seg, withQuery } from '../api.js';
import { confirmDialog, el, errorBox, time } from '../dom.js';
import { fetchRows } from './list.js';
import { spacePicker } from './spaces.js';

const kScopes = ['agents:read', 'agents:write', 'tasks:read', 'tasks:write', 'webhooks:read', 'webhooks:write'];

export async function renderKeys(container, { query, navigate, stillCurrent }) {
  // Your keys, or an org's: made with its orgId (scopes capped by your role),
  // listed by its admins.
  const org = query.get('org') || '';
  container.append(el('h1', {}, 'API keys'));
  const space = spacePicker(org, (value) => navigate(withQuery('/keys', { org: value })));
  container.append(el('div', { class: 'toolbar' }, space.field));
  space.load().catch(() => {});
  const created = el('div', { 'aria-live': 'polite' });
  const problems = el('div', { class: 'problems' });
  const nameInput = el('input', { id: 'key-name', name: 'name', required: true, maxlength: '100' });
  const scopeBoxes = kScopes.map((scope) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', name: 'scopes', value: scope, checked: scope === 'agents:read' }), ` ${scope}`));
  const form = el('form', { class: 'card' },
    el('h2', {}, 'Create a key'),
    el('div', { class: 'field' }, el('label', { for: 'key-name' }, 'Name'), nameInput),
    el('fieldset', {}, el('legend', {}, 'Scopes'), el('div', { class: 'checks' }, scopeBoxes)),
    problems,
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary' }, 'Create key')));
  const list = el('div', {}, el('p', {}, 'Loading…'));

  async function load() {
    const keys = await fetchRows(list, withQuery('/api/api-keys', { org }), 'No keys yet.', stillCurrent);
    if (!keys) return;
    const rows = keys.data.map((key) => {
      const revoke = el('button', { type: 'button', class: 'danger' }, 'Revoke');
      revoke.setAttribute('aria-label', `Revoke ${key.name}`);
      revoke.addEventListener('click', async () => {
        const ok = await confirmDialog(`Revoke ${key.name}?`,
          `The key ${key.keyPrefix}… stops working at once; programs using it get 401.`, 'Revoke');
        if (!ok) return;
        try {
          await call('DELETE', `/api/api-keys/${seg(key.id)}`);
          created.replaceChildren(el('p', { class: 'flash', role: 'status' }, `Key ${key.name} revoked.`));
          load();
        } catch (error) {
          problems.replaceChildren(errorBox(error));
        }
      });
      return el('tr', {},
        el('td', {}, key.name), el('td', { class: 'mono' }, `${key.keyPrefix}…`),
        el('td', {}, el('ul', { class: 'chips' }, (key.scopes || []).map((s) => el('li', { class: 'chip' }, s)))),
        el('td', {}, key.lastUsedAt ? time(key.lastUsedAt) : 'never'),
        el('td', {}, time(key.createdAt)), el('td', {}, revoke));
    });
    list.replaceChildren(el('div', { class: 'table-wrap' }, el('table', { class: 'keys' },
      el('caption', { class: 'visually-hidden' }, 'Your API keys'),
      el('thead', {}, el('tr', {}, ['Name', 'Prefix', 'Scopes', 'Last used', 'Created', ''].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows))));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problems.replaceChildren();
    const scopes = [...form.querySelectorAll('input[name=scopes]:checked')].map((box) => box.value);
    try {
      const key = await call('POST', '/api/api-keys', { name: nameInput.value.trim(), scopes, orgId: org || undefined });
      const secret = el('input', { id: 'new-key', readonly: true, value: key.key, class: 'mono wide' });
      created.replaceChildren(el('div', { class: 'card secret' },
        el('h2', {}, `Key ${key.name} created`),
        el('p', {}, 'Copy it now: it is shown only this once.'),
        el('label', { for: 'new-key' }, 'Key'), secret));
      secret.focus();
      secret.select();
      form.reset();
      load();
    } catch (error) {
      problems.append(errorBox(error));
    }
  });
  container.append(created, form, el('section', { class: 'card' }, el('h2', {}, 'Your keys'), list));
  await load();
}
