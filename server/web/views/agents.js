// The agents list: GET /api/agents?page=&limit=&q= (newest first; `q`
// searches names, slugs and descriptions), and "open by slug" through
// GET /api/agents/resolve?agent= (docs/DASHBOARD.md).
import { call, email, seg, withQuery } from '../api.js';
import { announce, el, errorBox, labelChip, shortCommit, time } from '../dom.js';
import { spacePicker } from './spaces.js';

const kLimits = [10, 25, 50, 100];

function positive(text, fallback) {
  const n = Number.parseInt(text, 10);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function labelChips(labels) {
  const names = Object.keys(labels || {}).sort();
  if (!names.length) return '—';
  return el('ul', { class: 'chips' }, names.map((name) => labelChip(name, labels[name].protected)));
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

// The search box: `q` of GET /api/agents (name, slug or description, any
// case). Typing asks again after a pause, without a new history entry; the
// URL keeps the query, so a reload or a shared link shows the same list.
const kSearchDelayMs = 300;

export async function renderAgents(container, { query, navigate, stillCurrent }) {
  let page = positive(query.get('page'), 1);
  const limit = positive(query.get('limit'), 25);
  const org = query.get('org') || '';
  let search = (query.get('q') || '').trim();
  container.append(el('h1', {}, 'Agents'));
  // A limit from the URL that the select does not offer is shown too.
  // (the API caps it at 100).
  const shownLimit = Math.min(limit, 100);
  const limits = kLimits.includes(shownLimit) ? kLimits : [...kLimits, shownLimit].sort((a, b) => a - b);
  const limitSelect = el('select', { id: 'limit', name: 'limit' },
    limits.map((n) => el('option', { value: n, selected: n === shownLimit }, String(n))));
  const limitParam = () => (limit === 25 ? null : limit);
  const relist = () => navigate(withQuery('/agents', { org: space.select.value, limit: limitSelect.value === '25' ? null : limitSelect.value, q: search }));
  const space = spacePicker(org, relist);
  limitSelect.addEventListener('change', relist);
  const searchInput = el('input', {
    id: 'search', name: 'q', type: 'search', value: search, maxlength: 200, autocomplete: 'off',
    placeholder: 'name, slug, description', 'aria-controls': 'agent-list',
  });
  const searchForm = el('form', { class: 'inline', role: 'search', 'aria-label': 'Search the agents' },
    el('label', { for: 'search' }, 'Search'), searchInput);
  container.append(el('div', { class: 'toolbar' }, searchForm, findForm(navigate, org), space.field,
    el('div', { class: 'inline' }, el('label', { for: 'limit' }, 'Per page'), limitSelect)));
  const body = el('div', { id: 'agent-list', 'aria-busy': 'true' }, el('p', {}, 'Loading…'));
  container.append(body);
  const spaceLoaded = space.load();
  let asked = 0;
  // Reads the list for the current page and search into `body`; an answer
  // for an older search is dropped.
  const load = async () => {
    const mine = ++asked;
    const current = () => stillCurrent() && mine === asked;
    body.setAttribute('aria-busy', 'true');
    let list;
    try {
      [list] = await Promise.all([call('GET', withQuery('/api/agents', { page, limit, org, q: search })), spaceLoaded]);
    } catch (error) {
      if (current()) {
        body.removeAttribute('aria-busy');
        body.replaceChildren(errorBox(error));
      }
      return null;
    }
    if (!current()) return null;
    showList(body, list, { page, limit, org, search, owner: ownerOf(org, space) });
    return list;
  };
  let timer = null;
  const apply = async () => {
    clearTimeout(timer);
    const next = searchInput.value.trim();
    if (next === search) return;
    search = next;
    page = 1;
    history.replaceState(history.state, '', withQuery('/agents', { org, limit: limitParam(), q: search }));
    const list = await load();
    if (list) {
      const total = list.pagination?.total ?? 0;
      announce(search ? `${total} agent${total === 1 ? '' : 's'} match “${search}”` : `${total} agents`);
    }
  };
  searchInput.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(apply, kSearchDelayMs);
  });
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  await load();
}

// The list is one space's: its owner is that org, or the caller.
function ownerOf(org, space) {
  return org ? space.select.selectedOptions[0]?.textContent.replace(/ \([a-z]+\)$/, '') || org : email();
}

function showList(body, list, { page, limit, org, search, owner }) {
  body.removeAttribute('aria-busy');
  const { total = 0, totalPages = 1 } = list.pagination || {};
  if (!list.data.length) {
    let text = 'No agents yet: create one with `clawmit new` and `clawmit push`, or POST /api/agents.';
    if (total) text = 'No agents on this page.';
    else if (search) text = `No agent’s name, slug or description holds “${search}”.`;
    body.replaceChildren(el('p', { class: 'empty' }, text));
    return;
  }
  const rows = list.data.map((agent) => el('tr', {},
    el('td', {}, el('a', { href: `/agents/${seg(agent.id)}` }, agent.name)),
    el('td', { class: 'mono' }, agent.slug || ''),
    el('td', {}, owner),
    el('td', {}, agent.head ? `v${agent.head.versionNumber} ` : '—',
      agent.head ? el('span', { class: 'mono muted' }, shortCommit(agent.head.commitId)) : null),
    el('td', {}, labelChips(agent.labels)),
    el('td', {}, agent.forkCount ?? 0),
    el('td', {}, time(agent.updatedAt || agent.createdAt))));
  const count = `${total} agent${total === 1 ? '' : 's'}`;
  body.replaceChildren(
    el('p', { class: 'muted count' }, search ? `${count} matching “${search}”` : count),
    el('div', { class: 'table-wrap' }, el('table', { class: 'agents' },
      el('caption', { class: 'visually-hidden' }, 'Agents, newest first'),
      el('thead', {}, el('tr', {}, ['Name', 'Slug', 'Owner', 'Head', 'Labels', 'Forks', 'Last change'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows))),
    pager('/agents', page, totalPages, { org, limit: limit === 25 ? null : limit, q: search }));
}
