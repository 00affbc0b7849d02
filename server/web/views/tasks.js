// Tasks: the list filtered by status and agent (GET /api/tasks?status=
// &agentId=&page=&limit=), and one task (GET /api/tasks/:id) with its input,
// output and times, read again every 3 s while it is queued or running (not while the tab is hidden).
import { call, seg, withQuery } from '../api.js';
import { el, errorBox, jsonText, time } from '../dom.js';
import { pager } from './agents.js';
import { spacePicker } from './spaces.js';

const kStatuses = ['queued', 'running', 'completed', 'failed', 'cancelled'];
const kPollMs = 3000;

function positive(text, fallback) {
  const n = Number.parseInt(text, 10);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function statusChip(status) {
  return el('span', { class: `chip status-${status}` }, status);
}

export async function renderTasks(container, { query, navigate, stillCurrent }) {
  const page = positive(query.get('page'), 1);
  const status = kStatuses.includes(query.get('status')) ? query.get('status') : '';
  const agentId = query.get('agentId') || '';
  const org = query.get('org') || '';
  container.append(el('h1', {}, 'Tasks'));
  const space = spacePicker(org, (value) => navigate(withQuery('/tasks', { org: value, status: statusSelect.value })));

  const statusSelect = el('select', { id: 'task-status', name: 'status' },
    el('option', { value: '' }, 'any'),
    kStatuses.map((s) => el('option', { value: s, selected: s === status }, s)));
  const agentSelect = el('select', { id: 'task-agent', name: 'agentId' }, el('option', { value: '' }, 'any'));
  const filters = el('form', { class: 'toolbar', 'aria-label': 'Filter the tasks' }, space.field,
    el('div', { class: 'inline' }, el('label', { for: 'task-status' }, 'Status'), statusSelect),
    el('div', { class: 'inline' }, el('label', { for: 'task-agent' }, 'Agent'), agentSelect),
    el('button', { type: 'submit' }, 'Filter'));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(withQuery('/tasks', { org, status: statusSelect.value, agentId: agentSelect.value }));
  });
  const body = el('div', {}, el('p', {}, 'Loading…'));
  container.append(filters, body);

  let tasks;
  let agents;
  try {
    [tasks, agents] = await Promise.all([
      call('GET', withQuery('/api/tasks', { org, status, agentId, page, limit: 25 })),
      call('GET', withQuery('/api/agents', { org, limit: 100 })),
      space.load(),
    ]);
  } catch (error) {
    if (stillCurrent()) body.replaceChildren(errorBox(error));
    return;
  }
  if (!stillCurrent()) return;
  // The first 100 agents; a filter on another one still works from its URL.
  const choices = agents.data.map((a) => ({ id: a.id, name: a.name }));
  if (agentId && !choices.some((a) => a.id === agentId)) choices.push({ id: agentId, name: agentId });
  for (const agent of choices) agentSelect.append(el('option', { value: agent.id, selected: agent.id === agentId }, agent.name));

  if (!tasks.data.length) {
    body.replaceChildren(el('p', { class: 'muted' }, 'No tasks match.'));
    return;
  }
  const rows = tasks.data.map((task) => el('tr', {},
    el('td', {}, el('a', { href: `/tasks/${seg(task.id)}` }, task.title)),
    el('td', {}, statusChip(task.status)),
    el('td', {}, task.priority || ''),
    el('td', {}, task.agent ? el('a', { href: `/agents/${seg(task.agent.id)}` }, task.agent.name) : task.agentId),
    el('td', {}, task.versionNumber ? `v${task.versionNumber}` : ''),
    el('td', {}, time(task.createdAt)),
    el('td', {}, time(task.startedAt)),
    el('td', {}, time(task.completedAt))));
  const { totalPages = 1, total = tasks.data.length } = tasks.pagination || {};
  body.replaceChildren(
    el('p', { class: 'muted' }, `${total} task${total === 1 ? '' : 's'}`),
    el('div', { class: 'table-wrap' }, el('table', { class: 'tasks' },
      el('caption', { class: 'visually-hidden' }, 'Tasks, newest first'),
      el('thead', {}, el('tr', {}, ['Title', 'Status', 'Priority', 'Agent', 'Version', 'Created', 'Started', 'Completed'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows))),
    pager('/tasks', page, totalPages, { org, status, agentId }));
}

function taskFacts(task) {
  return el('dl', { class: 'facts' },
    el('dt', {}, 'Status'), el('dd', {}, statusChip(task.status)),
    el('dt', {}, 'Priority'), el('dd', {}, task.priority || ''),
    el('dt', {}, 'Agent'), el('dd', {}, task.agent ? el('a', { href: `/agents/${seg(task.agent.id)}` }, task.agent.name) : task.agentId,
      task.versionNumber ? ` v${task.versionNumber}` : ''),
    el('dt', {}, 'Id'), el('dd', { class: 'mono' }, task.id),
    el('dt', {}, 'Created'), el('dd', {}, time(task.createdAt)),
    el('dt', {}, 'Started'), el('dd', {}, time(task.startedAt)),
    el('dt', {}, 'Completed'), el('dd', {}, time(task.completedAt)),
    el('dt', {}, 'Updated'), el('dd', {}, time(task.updatedAt)),
    task.leaseExpiresAt ? [el('dt', {}, 'Lease until'), el('dd', {}, time(task.leaseExpiresAt))] : null);
}

export async function renderTask(container, { params, stillCurrent }) {
  const path = `/api/tasks/${seg(params.id)}`;
  const heading = el('h1', {}, 'Task');
  const live = el('p', { class: 'muted', 'aria-live': 'polite' });
  const facts = el('div', {});
  const description = el('div', {});
  const input = el('pre', { class: 'code', id: 'task-input', tabindex: '0', 'aria-label': 'input' });
  const output = el('pre', { class: 'code', id: 'task-output', tabindex: '0', 'aria-label': 'output' });
  // The breadcrumb names the task by its title once it has come.
  const crumb = document.createTextNode(params.id);
  container.append(el('p', { class: 'crumbs' }, el('a', { href: '/tasks' }, 'Tasks'), ' / ', crumb), heading, live, facts, description,
    el('div', { class: 'columns always' },
      el('section', { class: 'card' }, el('h2', {}, 'Input'), input),
      el('section', { class: 'card' }, el('h2', {}, 'Output'), output)));

  const show = (task) => {
    heading.textContent = task.title;
    crumb.textContent = task.title;
    facts.replaceChildren(taskFacts(task));
    description.replaceChildren(task.description ? el('p', { class: 'pre' }, task.description) : '');
    input.textContent = jsonText(task.input ?? {});
    output.textContent = task.output === null || task.output === undefined ? '(none yet)' : jsonText(task.output);
  };
  let task;
  try {
    task = await call('GET', path);
  } catch (error) {
    if (stillCurrent()) container.append(errorBox(error));
    return;
  }
  if (!stillCurrent()) return;
  show(task);
  // Read again while it can still change; stops when the page is left.
  const poll = async () => {
    if (!stillCurrent()) return;
    if (task.status !== 'queued' && task.status !== 'running') {
      live.textContent = '';
      return;
    }
    live.textContent = `Updating every ${kPollMs / 1000} s while the task is ${task.status}.`;
    setTimeout(async () => {
      if (!stillCurrent()) return;
      // A hidden tab asks nothing (the rate limit is per user); it catches up when shown.
      if (document.hidden) {
        poll();
        return;
      }
      try {
        task = await call('GET', path);
        if (stillCurrent()) show(task);
      } catch (error) {
        if (stillCurrent()) live.replaceChildren(errorBox(error));
        return;
      }
      poll();
    }, kPollMs);
  };
  poll();
}
