// DOM helpers. Server data reaches the page only as text nodes and
// attribute values set through the DOM (never innerHTML), so a prompt that
// holds "<script>" is shown, not run; the CSP forbids inline scripts anyway.

// el('a', {href: '/agents', class: 'x'}, 'text', child…): attributes by
// setAttribute, `on*` keys as listeners, strings as text nodes.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') {
      Object.assign(node.dataset, value);
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

// "2026-02-02T10:02:15Z" → local date and time, with the ISO form as title.
export function time(iso) {
  if (!iso) return el('span', {}, '—');
  const date = new Date(iso);
  const shown = Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
  return el('time', { datetime: iso, title: iso }, shown);
}

export function shortCommit(commitId) {
  return commitId ? commitId.slice(0, 7) : '';
}

// An error box for an ApiError or any Error.
export function errorBox(error) {
  const box = el('div', { class: 'error', role: 'alert' });
  box.append(el('strong', {}, error.code ? `${error.code}: ` : 'Error: '), error.message || String(error));
  if (error.details && error.details.length) {
    box.append(el('ul', {}, error.details.map((d) => el('li', {}, `${d.field}: ${d.message}`))));
  }
  return box;
}

export function announce(text) {
  const status = document.getElementById('status');
  if (status) status.textContent = text;
}

// Asks in the page's <dialog>; resolves true only on the Confirm button.
export function confirmDialog(title, text, confirmLabel = 'Confirm') {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = confirmLabel;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    document.getElementById('confirm-cancel').focus();
  });
}

// A JSON value as indented text (for tools, config, parameters).
export function jsonText(value) {
  return JSON.stringify(value, null, 2);
}

// A padlock drawn in SVG (no font needs to have a glyph for it), hidden from
// screen readers; the words beside it say "protected".
function lockIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  for (const [key, value] of Object.entries({ class: 'icon lock', viewBox: '0 0 16 16', width: '12', height: '12', 'aria-hidden': 'true', focusable: 'false' })) {
    svg.setAttribute(key, value);
  }
  const shackle = document.createElementNS(ns, 'path');
  shackle.setAttribute('d', 'M5 7.5V5a3 3 0 0 1 6 0v2.5');
  shackle.setAttribute('fill', 'none');
  shackle.setAttribute('stroke', 'currentColor');
  shackle.setAttribute('stroke-width', '1.8');
  const body = document.createElementNS(ns, 'rect');
  for (const [key, value] of Object.entries({ x: '2.5', y: '7', width: '11', height: '8', rx: '1.5', fill: 'currentColor' })) {
    body.setAttribute(key, value);
  }
  svg.append(shackle, body);
  return svg;
}

// One label as a chip; a protected one with a padlock and, for screen
// readers, the word.
export function labelChip(name, isProtected) {
  if (!isProtected) return el('li', { class: 'chip' }, name);
  return el('li', { class: 'chip protected', title: `${name} is protected` },
    name, ' ', lockIcon(), el('span', { class: 'visually-hidden' }, '(protected)'));
}
