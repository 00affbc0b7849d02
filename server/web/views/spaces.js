// The space a list shows: the caller's own, or one of their organisations
// (the API's `?org=`). The select appears only for members of an org.
import { call } from '../api.js';
import { el } from '../dom.js';

// {field, select, load()}: load() fills the select from GET /api/orgs.
export function spacePicker(org, onChange) {
  const select = el('select', { id: 'space', name: 'org' }, el('option', { value: '' }, 'Personal'));
  const field = el('div', { class: 'inline', hidden: true }, el('label', { for: 'space' }, 'Space'), select);
  select.addEventListener('change', () => onChange(select.value));
  const load = async () => {
    const orgs = await call('GET', '/api/orgs');
    for (const o of orgs.data || []) {
      select.append(el('option', { value: o.slug, selected: o.slug === org || o.id === org }, `${o.name} (${o.role})`));
    }
    field.hidden = !(orgs.data || []).length;
  };
  return { field, select, load };
}
