// The diff between two versions of an agent's family:
// GET /api/agents/:id/versions/compare?from=&to= — the same semantic diff as
// `clawmit diff --json` (core::Diff): prompt hunks, tools added, removed and
// changed, config keys from → to. Prompt hunks are shown unified or side by
// side.
import { call, seg, withQuery } from '../api.js';
import { el, errorBox, shortCommit } from '../dom.js';

const kNoNewline = '\\ No newline at end of file';

function lineKind(line) {
  if (line === kNoNewline) return 'note';
  return { '+': 'add', '-': 'del', ' ': 'ctx' }[line[0]] || 'ctx';
}

function hunkHeader(hunk) {
  return `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`;
}

function unified(hunks) {
  const lines = [];
  for (const hunk of hunks) {
    lines.push(el('span', { class: 'line hunk' }, hunkHeader(hunk)));
    let oldNo = hunk.oldStart;
    let newNo = hunk.newStart;
    for (const line of hunk.lines) {
      const kind = lineKind(line);
      const left = kind === 'add' || kind === 'note' ? '' : oldNo++;
      const right = kind === 'del' || kind === 'note' ? '' : newNo++;
      lines.push(el('span', { class: `line ${kind}` },
        el('span', { class: 'no', 'aria-hidden': 'true' }, String(left)),
        el('span', { class: 'no', 'aria-hidden': 'true' }, String(right)),
        el('span', { class: 'text' }, line)));
    }
  }
  return el('pre', { class: 'diff unified', tabindex: '0', 'aria-label': 'prompt diff, unified' }, lines);
}

// Pairs each run of removed lines with the added lines after it.
function sideBySideRows(hunk) {
  const rows = [];
  let removed = [];
  let added = [];
  let oldNo = hunk.oldStart;
  let newNo = hunk.newStart;
  const flush = () => {
    for (let i = 0; i < Math.max(removed.length, added.length); i += 1) rows.push([removed[i] || null, added[i] || null]);
    removed = [];
    added = [];
  };
  for (const line of hunk.lines) {
    const kind = lineKind(line);
    if (kind === 'del') removed.push({ no: oldNo++, text: line.slice(1), kind });
    else if (kind === 'add') added.push({ no: newNo++, text: line.slice(1), kind });
    else if (kind === 'note') continue;
    else {
      flush();
      rows.push([{ no: oldNo++, text: line.slice(1), kind }, { no: newNo++, text: line.slice(1), kind }]);
    }
  }
  flush();
  return rows;
}

function sideBySide(hunks) {
  const cell = (side) => side
    ? [el('td', { class: `no ${side.kind}` }, String(side.no)), el('td', { class: `text ${side.kind}` }, side.text)]
    : [el('td', { class: 'no empty' }), el('td', { class: 'text empty' })];
  const body = [];
  for (const hunk of hunks) {
    body.push(el('tr', { class: 'hunk' }, el('td', { colspan: '4' }, hunkHeader(hunk))));
    for (const [left, right] of sideBySideRows(hunk)) body.push(el('tr', {}, cell(left), cell(right)));
  }
  return el('div', { class: 'table-wrap' }, el('table', { class: 'diff split' },
    el('caption', { class: 'visually-hidden' }, 'prompt diff, side by side'),
    el('thead', {}, el('tr', {}, el('th', { colspan: '2', scope: 'colgroup' }, 'From'), el('th', { colspan: '2', scope: 'colgroup' }, 'To'))),
    el('tbody', {}, body)));
}

function value(v) {
  return el('code', {}, JSON.stringify(v));
}

function keyedChanges(changes, what) {
  const items = [];
  for (const [key, v] of Object.entries(changes.added || {})) {
    items.push(el('li', { class: 'add' }, el('span', { class: 'sign' }, '+ '), el('code', {}, key), ': ', value(v)));
  }
  for (const [key, v] of Object.entries(changes.removed || {})) {
    items.push(el('li', { class: 'del' }, el('span', { class: 'sign' }, '− '), el('code', {}, key), ': ', value(v)));
  }
  for (const [key, change] of Object.entries(changes.changed || {})) {
    items.push(el('li', { class: 'chg' }, el('span', { class: 'sign' }, '~ '), el('code', {}, key), ': ',
      value(change.from), ' → ', value(change.to)));
  }
  return items.length ? el('ul', { class: `changes ${what}` }, items) : null;
}

function toolsDiff(tools) {
  const items = [];
  for (const tool of tools.added || []) {
    items.push(el('li', { class: 'add' }, el('span', { class: 'sign' }, '+ '), 'added ', el('code', {}, tool.name),
      tool.description ? `: ${tool.description}` : ''));
  }
  for (const tool of tools.removed || []) {
    items.push(el('li', { class: 'del' }, el('span', { class: 'sign' }, '− '), 'removed ', el('code', {}, tool.name),
      tool.description ? `: ${tool.description}` : ''));
  }
  for (const [name, change] of Object.entries(tools.changed || {})) {
    items.push(el('li', { class: 'chg' }, el('span', { class: 'sign' }, '~ '), 'changed ', el('code', {}, name),
      change.description ? el('div', {}, 'description: ', value(change.description.from), ' → ', value(change.description.to)) : null,
      change.parameters ? el('div', {}, 'parameters:', keyedChanges(change.parameters, 'parameters')) : null));
  }
  return el('ul', { class: 'changes tools-diff' }, items);
}

function versionName(side) {
  return `v${side.versionNumber} (${shortCommit(side.commitId)})`;
}

// The version `number` of agent `agentId`: the sync listing
// (`?after=N-1&limit=1`) answers exactly that one.
async function versionByNumber(agentId, number) {
  const answer = await call('GET', withQuery(`/api/agents/${seg(agentId)}/versions`, { after: number - 1, limit: 1 }));
  const version = (answer.data || [])[0];
  if (!version || version.versionNumber !== number) {
    throw Object.assign(new Error(`the agent has no version ${number}`), { code: 'NOT_FOUND' });
  }
  return version;
}

function familyMembers(root) {
  const members = [];
  const walk = (node) => {
    members.push({ id: node.id, name: node.name, head: node.versionNumber });
    for (const child of node.children || []) walk(child);
  };
  walk(root);
  return members;
}

// "Compare other versions": any two versions of the family (the agent, its
// ancestors and their forks), by agent and version number.
function pickerForm(id, answer, members, navigate) {
  const side = (name, current) => {
    const agentSelect = el('select', { id: `${name}-agent`, name: `${name}Agent` },
      members.map((m) => el('option', { value: m.id, selected: m.id === (current.agentId || id) }, `${m.name} (head v${m.head})`)));
    const number = el('input', { id: `${name}-number`, name: `${name}Number`, type: 'number', min: '1', required: true, value: current.versionNumber, class: 'narrow-number' });
    return { agentSelect, number, field: el('fieldset', { class: 'inline' }, el('legend', {}, name === 'from' ? 'From' : 'To'),
      el('label', { for: `${name}-agent` }, 'Agent'), agentSelect, el('label', { for: `${name}-number` }, 'Version'), number) };
  };
  const from = side('from', answer.from);
  const to = side('to', answer.to);
  const problems = el('div', { class: 'problems' });
  const form = el('form', { class: 'card picker', 'aria-label': 'Compare other versions' },
    el('h2', {}, 'Compare other versions of the family'),
    el('div', { class: 'toolbar' }, from.field, to.field, el('button', { type: 'submit' }, 'Compare')), problems);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problems.replaceChildren();
    try {
      const [a, b] = await Promise.all([
        versionByNumber(from.agentSelect.value, Number(from.number.value)),
        versionByNumber(to.agentSelect.value, Number(to.number.value)),
      ]);
      navigate(withQuery(`/agents/${seg(id)}/compare`, { from: a.id, to: b.id }));
    } catch (error) {
      problems.append(errorBox(error));
    }
  });
  return form;
}

export async function renderCompare(container, { params, query, navigate, stillCurrent }) {
  const id = params.id;
  const from = query.get('from');
  const to = query.get('to');
  const layout = query.get('layout') === 'split' ? 'split' : 'unified';
  const agentPath = `/agents/${seg(id)}`;
  // The breadcrumb names the agent: its name comes with the family (the
  // lineage, which the picker needs too), the id until it has come.
  const agentLink = el('a', { href: agentPath }, id);
  container.append(el('p', { class: 'crumbs' }, el('a', { href: '/agents' }, 'Agents'), ' / ', agentLink, ' / compare'));
  const family = call('GET', `/api/agents/${seg(id)}/lineage`).then((lineage) => familyMembers(lineage.root), () => null);
  const nameOf = (members, agentId) => members?.find((m) => m.id === agentId)?.name || agentId;
  if (!from || !to) {
    container.append(el('h1', {}, 'Compare'), errorBox({ message: 'choose two versions in the agent\'s history' }));
    const members = await family;
    if (stillCurrent()) agentLink.textContent = nameOf(members, id);
    return;
  }
  let answer;
  let members;
  try {
    [answer, members] = await Promise.all([call('GET', withQuery(`/api/agents/${seg(id)}/versions/compare`, { from, to })), family]);
  } catch (error) {
    if (stillCurrent()) container.append(el('h1', {}, 'Compare'), errorBox(error));
    return;
  }
  if (!stillCurrent()) return;
  agentLink.textContent = nameOf(members, id);
  const diff = answer.diff || {};
  const sameAgent = !answer.from.agentId || answer.from.agentId === answer.to.agentId;
  container.append(el('h1', {}, `Compare ${versionName(answer.from)} → ${versionName(answer.to)}`));
  if (!sameAgent) {
    container.append(el('p', { class: 'muted' },
      `From ${nameOf(members, answer.from.agentId)} to ${nameOf(members, answer.to.agentId)} (one family).`));
  }
  const swap = el('a', { href: withQuery(`${agentPath}/compare`, { from: to, to: from, layout: layout === 'split' ? 'split' : null }) }, 'Swap sides');
  const layoutLink = el('a', { href: withQuery(`${agentPath}/compare`, { from, to, layout: layout === 'split' ? null : 'split' }) },
    layout === 'split' ? 'Unified view' : 'Side-by-side view');
  container.append(el('p', { class: 'toolbar' }, swap, layoutLink));
  const picker = members ? pickerForm(id, answer, members, navigate) : el('div', {});
  if (!diff.prompt && !diff.tools && !diff.config) {
    container.append(el('p', { class: 'card' }, 'No differences: the two versions have the same prompt, tools and config.'), picker);
    return;
  }
  if (diff.prompt) {
    container.append(el('section', { class: 'card', 'aria-labelledby': 'diff-prompt' },
      el('h2', { id: 'diff-prompt' }, 'Prompt'),
      diff.prompt.hunks && diff.prompt.hunks.length
        ? (layout === 'split' ? sideBySide(diff.prompt.hunks) : unified(diff.prompt.hunks))
        : el('p', {}, 'The prompt changed (no line hunks).')));
  }
  if (diff.tools) {
    container.append(el('section', { class: 'card', 'aria-labelledby': 'diff-tools' },
      el('h2', { id: 'diff-tools' }, 'Tools'), toolsDiff(diff.tools)));
  }
  if (diff.config) {
    container.append(el('section', { class: 'card', 'aria-labelledby': 'diff-config' },
      el('h2', { id: 'diff-config' }, 'Config'), keyedChanges(diff.config, 'config')));
  }
  container.append(picker);
}
