// The agents list: GET /api/agents?page=&limit= (newest first), and "open by
// slug" through GET /api/agents/resolve?agent= — the API has no name search
// on the list (docs/DASHBOARD.md).
import { call, email, seg, withQuery } from '../api.js';
import { el, errorBox, shortCommit, time } from '../dom.js';
import { spacePicker } from './spaces.js';

const kLimits = [10, 25, 50, 100];

function positive(text, fallback) {
  const n = Number.parseInt(text, 10);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function labelChips(labels) {
  const names = Object.keys(labels || {}).sort();
  if (!names.length) return '—';
  return el('ul', { class: 'chips' }, names.map((name) => el('li', { class: 'chip' }, name)));
}

export function pager(base, page, totalPages, extra = {}) {
  const link = (to, text, rel) => el('a', { href: withQuery(base, { ...extra, page: to }), rel }, text);
  return el('nav', { class: 'pager', 'aria-label': 'Pages' },
    page > 1 ? link(page - 1, '← Newer', 'prev') : el('span', { class: 'disabled' }, '← Newer'),
    el('span', {}, `Page ${page} of ${Math.max(totalPages, 1)}`),
    page < totalPages ? link(page + 1, 'Older →', 'next') : el('span', { class: 'disabled' }, 'Older →'));
}

function findForm(navigate, org) {
  const input = el('input', { id: 'find-slug', name: 'agent', type: 'search', placeholder: 'code-reviewer', required: true });
  const problems = el('div', { class: 'problems' });
  const form = el('form', { class: 'inline', role: 'search' },
    el('label', { for: 'find-slug' }, 'Open by slug'), input,
    el('button', { type: 'submit' }, 'Open'), problems);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problems.replaceChildren();
    try {
      const found = await call('GET', withQuery('/api/agents/resolve', { agent: input.value.trim(), owner: org }));
      navigate(`/agents/${seg(found.agent.id)}`);
    } catch (error) {
      problems.append(errorBox(error.status === 404 ? { message: `no agent with slug '${input.value.trim()}'` } : error));
    }
  });
  return form;
}

export async function renderAgents(container, { query, navigate, stillCurrent }) {
  const page = positive(query.get('page'), 1);
  const limit = positive(query.get('limit'), 25);
  const org = query.get('org') || '';
  container.append(el('h1', {}, 'Agents'));
  const limitSelect = el('select', { id: 'limit', name: 'limit' },
    kLimits.map((n) => el('option', { value: n, selected: n === limit }, String(n))));
  const relist = () => navigate(withQuery('/agents', { org: space.select.value, limit: limitSelect.value === '25' ? null : limitSelect.value }));
  const space = spacePicker(org, relist);
  limitSelect.addEventListener('change', relist);
  container.append(el('div', { class: 'toolbar' }, findForm(navigate, org), space.field,
    el('div', { class: 'inline' }, el('label', { for: 'limit' }, 'Per page'), limitSelect)));
  const body = el('div', { 'aria-busy': 'true' }, el('p', {}, 'Loading…'));
  container.append(body);
  let list;
  try {
    [list] = await Promise.all([call('GET', withQuery('/api/agents', { page, limit, org })), space.load()]);
  } catch (error) {
    if (stillCurrent()) body.replaceChildren(errorBox(error));
    return;
  }
  if (!stillCurrent()) return;
  body.removeAttribute('aria-busy');
  const { total = 0, totalPages = 1 } = list.pagination || {};
  if (!list.data.length) {
    body.replaceChildren(el('p', {}, total ? 'No agents on this page.' : 'No agents yet: create one with `clawmit new` and `clawmit push`, or POST /api/agents.'));
    return;
  }
  // The list is one space's: its owner is that org, or the caller.
  const owner = org ? space.select.selectedOptions[0]?.textContent.replace(/ \([a-z]+\)$/, '') || org : email();
  const rows = list.data.map((agent) => el('tr', {},
    el('td', {}, el('a', { href: `/agents/${seg(agent.id)}` }, agent.name)),
    el('td', { class: 'mono' }, agent.slug || ''),
    el('td', {}, owner),
    el('td', {}, agent.head ? `v${agent.head.versionNumber} ` : '—',
      agent.head ? el('span', { class: 'mono muted' }, shortCommit(agent.head.commitId)) : null),
    el('td', {}, labelChips(agent.labels)),
    el('td', {}, agent.forkCount ?? 0),
    el('td', {}, time(agent.updatedAt || agent.createdAt))));
  body.replaceChildren(
    el('p', { class: 'muted' }, `${total} agent${total === 1 ? '' : 's'}`),
    el('div', { class: 'table-wrap' }, el('table', { class: 'agents' },
      el('caption', { class: 'visually-hidden' }, 'Agents, newest first'),
      el('thead', {}, el('tr', {}, ['Name', 'Slug', 'Owner', 'Head', 'Labels', 'Forks', 'Last change'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows))),
    pager('/agents', page, totalPages, { org, limit: limit === 25 ? null : limit }));
}
