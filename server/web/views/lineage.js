// An agent's family drawn as a tree in SVG, from GET /api/agents/:id/lineage:
// one row per agent (parents before children), each fork joined to its
// parent by an elbow labelled with its fork type and the version it was
// forked from. Built with DOM calls (createElementNS, textContent), so names
// stay text; colours come from style.css classes.
import { seg } from '../api.js';
import { el } from '../dom.js';

const kSvg = 'http://www.w3.org/2000/svg';
const kRow = 44;
const kIndent = 36;
const kPad = 8;
const kNodeHeight = 28;
const kCharWidth = 7.4;  // an estimate for the 13 px sans-serif labels

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(kSvg, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

const kForkNames = { exact_clone: 'exact clone', prompt_mutation: 'prompt mutation', tool_mutation: 'tool mutation' };

// Rows in preorder: {node, depth, parentRow}.
function flatten(root) {
  const rows = [];
  const walk = (node, depth, parentRow) => {
    const row = rows.length;
    rows.push({ node, depth, parentRow });
    for (const child of node.children || []) walk(child, depth + 1, row);
  };
  walk(root, 0, -1);
  return rows;
}

export function lineageTree(root, currentId) {
  const rows = flatten(root);
  const labelOf = (node) => `${node.name} · v${node.versionNumber}`;
  const forkOf = (node) => (node.forkType ? `${kForkNames[node.forkType] || node.forkType} of v${node.forkedFromVersionNumber}` : '');
  let width = 0;
  for (const { node, depth } of rows) {
    const boxWidth = labelOf(node).length * kCharWidth + 2 * kPad;
    width = Math.max(width, depth * kIndent + boxWidth + 12 + forkOf(node).length * kCharWidth * 0.9 + 4);
  }
  width = Math.ceil(width + 2);
  const height = rows.length * kRow;
  const picture = svg('svg', {
    class: 'lineage', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img',
    'aria-label': `Lineage of ${root.name}: ${rows.length} agent${rows.length === 1 ? '' : 's'}`,
  });
  picture.append(svg('title', {}, `Lineage of ${root.name}`));
  rows.forEach(({ node, depth, parentRow }, row) => {
    const x = depth * kIndent + 1;
    const y = row * kRow + (kRow - kNodeHeight) / 2;
    if (parentRow >= 0) {
      const px = (depth - 1) * kIndent + 1 + 14;
      const py = parentRow * kRow + kRow / 2 + kNodeHeight / 2;
      picture.append(svg('path', { class: `edge ${node.forkType || ''}`, d: `M${px} ${py} V${y + kNodeHeight / 2} H${x}` }));
    }
    const boxWidth = labelOf(node).length * kCharWidth + 2 * kPad;
    const link = svg('a', { href: `/agents/${seg(node.id)}`, class: node.id === currentId ? 'node current' : 'node' });
    link.append(
      svg('title', {}, `${node.name} (${node.slug}), head v${node.versionNumber}${node.forkType ? `, ${forkOf(node)}` : ''}`),
      svg('rect', { x, y, width: boxWidth, height: kNodeHeight, rx: 5 }),
      svg('text', { x: x + kPad, y: y + kNodeHeight / 2 + 4.5 }, labelOf(node)));
    picture.append(link);
    if (node.forkType) {
      picture.append(svg('text', { class: `fork-type ${node.forkType}`, x: x + boxWidth + 8, y: y + kNodeHeight / 2 + 4.5 }, forkOf(node)));
    }
  });
  return el('div', { class: 'table-wrap lineage-wrap' }, picture);
}
