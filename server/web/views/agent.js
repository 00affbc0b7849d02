// One agent: GET /api/agents/:id, its labels, its history paged
// (GET …/versions?page=&limit=), one version (GET …/versions/:ref) with its
// prompt, tools and config; rollback (POST …/rollback) and label moves
// (PUT …/labels/:label, compare-and-swap), each after a confirmation.
import { call, seg, withQuery } from '../api.js';
import { announce, append, confirmDialog, el, errorBox, jsonText, labelChip, shortCommit, time } from '../dom.js';
import { pager } from './agents.js';
import { lineageTree } from './lineage.js';

const kHistoryLimit = 20;

function positive(text, fallback) {
  const n = Number.parseInt(text, 10);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function authorText(version) {
  if (version.author && version.author.name) return version.author.name;
  if (version.createdBy && version.createdBy.email) return version.createdBy.email;
  return '—';
}

function labelsByVersion(labels) {
  const by = new Map();
  for (const label of labels) {
    if (!by.has(label.versionId)) by.set(label.versionId, []);
    by.get(label.versionId).push(label);
  }
  return by;
}

function chips(labels) {
  if (!labels || !labels.length) return null;
  return el('ul', { class: 'chips' }, labels.map((label) => labelChip(label.name, label.protected)));
}

function historyTable(agent, versions, labels, selectedId, agentPath, page) {
  const byVersion = labelsByVersion(labels);
  const rows = versions.map((version, index) => el('tr', { class: version.id === selectedId ? 'selected' : null },
    el('td', {}, el('input', {
      type: 'radio', name: 'from', value: version.id, 'aria-label': `compare from v${version.versionNumber}`,
      checked: index === 1 || (versions.length === 1 && index === 0),
    })),
    el('td', {}, el('input', {
      type: 'radio', name: 'to', value: version.id, 'aria-label': `compare to v${version.versionNumber}`, checked: index === 0,
    })),
    el('td', {}, el('a', { href: withQuery(agentPath, { page: page === 1 ? null : page, v: version.id }) }, `v${version.versionNumber}`)),
    el('td', { class: 'message' }, (version.commitMessage || '').split('\n')[0]),
    el('td', {}, authorText(version)),
    el('td', {}, time(version.authoredAt || version.createdAt)),
    el('td', { class: 'mono' }, shortCommit(version.commitId)),
    el('td', {}, chips(byVersion.get(version.id)), version.id === agent.currentVersionId ? el('span', { class: 'chip head' }, 'head') : null)));
  return el('table', { class: 'history' },
    el('caption', { class: 'visually-hidden' }, 'Version history, newest first'),
    el('thead', {}, el('tr', {}, ['From', 'To', 'Version', 'Message', 'Author', 'Time', 'Commit', 'Labels'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows));
}

function toolsSection(tools) {
  if (!tools || !tools.length) return el('p', { class: 'muted' }, 'No tools.');
  return el('ul', { class: 'tools' }, tools.map((tool) => el('li', {},
    el('h4', { class: 'mono' }, tool.name),
    tool.description ? el('p', {}, tool.description) : null,
    el('pre', { class: 'code' }, jsonText(tool.parameters ?? {})))));
}

function configSection(config) {
  const keys = Object.keys(config || {});
  if (!keys.length) return el('p', { class: 'muted' }, 'No config.');
  return el('table', { class: 'config' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Key'), el('th', { scope: 'col' }, 'Value'))),
    el('tbody', {}, keys.sort().map((key) => el('tr', {},
      el('th', { scope: 'row', class: 'mono' }, key), el('td', { class: 'mono' }, JSON.stringify(config[key]))))));
}

function versionActions(agent, version, labels, refresh) {
  const problems = el('div', { class: 'problems' });
  const isHead = version.id === agent.currentVersionId;
  const rollback = el('button', { type: 'button', disabled: isHead, title: isHead ? 'this is the head' : null }, `Roll back to v${version.versionNumber}`);
  rollback.addEventListener('click', async () => {
    problems.replaceChildren();
    const ok = await confirmDialog('Roll back?',
      `A new version of ${agent.name} will be created with the content of v${version.versionNumber}.`, 'Roll back');
    if (!ok) return;
    try {
      const made = await call('POST', `/api/agents/${seg(agent.id)}/rollback`, { versionId: version.id });
      announce(`Rolled back: v${made.versionNumber} created`);
      refresh({ v: made.id, flash: `Rolled back to v${version.versionNumber}: v${made.versionNumber} created.` });
    } catch (error) {
      problems.append(errorBox(error));
    }
  });

  const labelInput = el('input', { id: 'label-name', name: 'label', required: true, list: 'label-names', autocomplete: 'off' });
  const move = el('button', { type: 'submit' }, 'Move label here');
  const form = el('form', { class: 'inline' },
    el('label', { for: 'label-name' }, 'Label'), labelInput,
    el('datalist', { id: 'label-names' }, labels.map((label) => el('option', { value: label.name }))),
    move);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problems.replaceChildren();
    const name = labelInput.value.trim();
    const current = labels.find((label) => label.name === name);
    const from = current ? `from v${current.versionNumber}` : '(a new label)';
    const ok = await confirmDialog(`Move ${name}?`,
      `Label ${name} of ${agent.name} moves ${from} to v${version.versionNumber}.`, 'Move label');
    if (!ok) return;
    const move = async (force) => {
      // Compare-and-swap: refused (409) if someone moved it since this page loaded.
      await call('PUT', `/api/agents/${seg(agent.id)}/labels/${seg(name)}`, {
        versionId: version.id, expectedCommitId: current ? current.commitId : null, message: 'moved from the dashboard',
        ...(force ? { force: true } : {}),
      });
      refresh({ v: version.id, flash: `Label ${name} moved to v${version.versionNumber}.` });
    };
    try {
      await move(false);
    } catch (error) {
      problems.append(errorBox(error));
      if (error.code !== 'LABEL_PROTECTED') return;
      // Protected: admins (and the owner of a personal space) may force it.
      const force = el('button', { type: 'button', class: 'danger' }, `Move protected ${name} anyway`);
      force.addEventListener('click', async () => {
        const sure = await confirmDialog(`Force ${name}?`,
          `${name} is protected. Forcing moves it ${from} to v${version.versionNumber}; it stays protected.`, 'Force the move');
        if (!sure) return;
        problems.replaceChildren();
        try {
          await move(true);
        } catch (forced) {
          problems.append(errorBox(forced));
        }
      });
      problems.append(force);
    }
  });
  return el('div', { class: 'actions-panel' }, el('div', { class: 'toolbar' }, rollback, form), problems);
}

function versionPanel(agent, version, labels, refresh) {
  const own = labels.filter((label) => label.versionId === version.id);
  return el('section', { class: 'card', 'aria-labelledby': 'version-title' },
    el('h2', { id: 'version-title' }, `Version ${version.versionNumber}`,
      version.id === agent.currentVersionId ? ' (head)' : ''),
    el('dl', { class: 'facts' },
      el('dt', {}, 'Message'), el('dd', { class: 'pre' }, version.commitMessage || ''),
      el('dt', {}, 'Author'), el('dd', {}, authorText(version),
        version.author?.email && version.author.email !== authorText(version) ? ` <${version.author.email}>` : ''),
      el('dt', {}, 'Time'), el('dd', {}, time(version.authoredAt || version.createdAt)),
      el('dt', {}, 'Commit'), el('dd', { class: 'mono' }, version.commitId || ''),
      el('dt', {}, 'Labels'), el('dd', {}, chips(own) || '—')),
    versionActions(agent, version, labels, refresh),
    el('h3', {}, 'Prompt'),
    el('pre', { class: 'prompt', tabindex: '0', 'aria-label': 'prompt' }, version.prompt ?? ''),
    el('h3', {}, 'Tools'), toolsSection(version.tools),
    el('h3', {}, 'Config'), configSection(version.config));
}

// The node whose children hold `id`, or null.
function findParent(node, id) {
  for (const child of node.children || []) {
    if (child.id === id) return node;
    const found = findParent(child, id);
    if (found) return found;
  }
  return null;
}

export async function renderAgent(container, { params, query, navigate, stillCurrent }) {
  const id = params.id;
  const page = positive(query.get('page'), 1);
  const agentPath = `/agents/${seg(id)}`;
  const api = `/api/agents/${seg(id)}`;
  const flash = history.state && history.state.flash;
  let agent;
  let labels;
  let versions;
  try {
    [agent, labels, versions] = await Promise.all([
      call('GET', api),
      call('GET', `${api}/labels`),
      call('GET', withQuery(`${api}/versions`, { page, limit: kHistoryLimit })),
    ]);
  } catch (error) {
    if (stillCurrent()) container.append(el('h1', {}, 'Agent'), errorBox(error));
    return;
  }
  if (!stillCurrent()) return;
  labels = labels.data || [];
  const selectedRef = query.get('v') || agent.currentVersionId;
  let version = versions.data.find((v) => v.id === selectedRef);
  if (!version) {
    try {
      version = await call('GET', `${api}/versions/${seg(selectedRef)}`);
    } catch (error) {
      if (stillCurrent()) container.append(el('h1', {}, agent.name), errorBox(error));
      return;
    }
    if (!stillCurrent()) return;
  }
  const refresh = ({ v, flash: text }) => navigate(withQuery(agentPath, { v }), { replace: true, state: { flash: text } });

  const compareForm = el('form', { class: 'compare-form', 'aria-label': 'Compare two versions' },
    el('div', { class: 'table-wrap' }, historyTable(agent, versions.data, labels, version.id, agentPath, page)),
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Compare selected')));
  compareForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(compareForm);
    navigate(withQuery(`${agentPath}/compare`, { from: data.get('from'), to: data.get('to') }));
  });
  const { totalPages = 1, total = versions.data.length } = versions.pagination || {};

  // The family tree, loaded after the page: an agent without forks has none.
  const lineage = el('section', { class: 'card', 'aria-labelledby': 'lineage-title', hidden: true },
    el('h2', { id: 'lineage-title' }, 'Lineage'));
  call('GET', `${api}/lineage`).then((answer) => {
    if (!stillCurrent() || !answer.root || !(answer.root.children || []).length) return;
    lineage.append(lineageTree(answer.root, agent.id));
    // A fork: its diff from the version it was forked from (one family).
    const find = (node) => (node.id === agent.id ? node : (node.children || []).map(find).find(Boolean));
    const self = find(answer.root);
    const parent = self && self.forkedFromVersionId ? findParent(answer.root, agent.id) : null;
    if (self && parent) {
      lineage.append(el('p', {}, el('a', {
        href: withQuery(`${agentPath}/compare`, { from: self.forkedFromVersionId, to: agent.currentVersionId }),
      }, `Compare with its source, ${parent.name} v${self.forkedFromVersionNumber}`)));
    }
    lineage.hidden = false;
  }, () => {});

  append(container, [
    el('p', { class: 'crumbs' }, el('a', { href: '/agents' }, 'Agents'), ' / ', agent.slug || agent.id),
    el('h1', {}, agent.name),
    flash ? el('p', { class: 'flash', role: 'status' }, flash) : null,
    agent.description ? el('p', {}, agent.description) : null,
    el('dl', { class: 'facts' },
      el('dt', {}, 'Slug'), el('dd', { class: 'mono' }, agent.slug || ''),
      el('dt', {}, 'Id'), el('dd', { class: 'mono' }, agent.id),
      el('dt', {}, 'Head'), el('dd', {}, agent.currentVersion ? `v${agent.currentVersion.versionNumber}` : '—'),
      el('dt', {}, 'Labels'), el('dd', {}, chips(labels) || '—'),
      el('dt', {}, 'Forks'), el('dd', {}, String(agent.forkCount ?? 0)),
      el('dt', {}, 'Updated'), el('dd', {}, time(agent.updatedAt))),
    el('div', { class: 'columns' },
      el('section', { class: 'card', 'aria-labelledby': 'history-title' },
        el('h2', { id: 'history-title' }, `History (${total} version${total === 1 ? '' : 's'})`),
        compareForm,
        pager(agentPath, page, totalPages)),
      versionPanel(agent, version, labels, refresh)),
    lineage]);
}
