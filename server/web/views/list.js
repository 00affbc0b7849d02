// A list page's rows, read from the API into `list`: an error box when the
// request fails, `emptyText` when there are no rows.
import { call } from '../api.js';
import { el, errorBox } from '../dom.js';

// The answer of GET `path` when it has rows to show; null when `list` shows
// an error or `emptyText` instead, or the page has moved on (stillCurrent).
export async function fetchRows(list, path, emptyText, stillCurrent) {
  let answer;
  try {
    answer = await call('GET', path);
  } catch (error) {
    if (stillCurrent()) list.replaceChildren(errorBox(error));
    return null;
  }
  if (!stillCurrent()) return null;
  if (!answer.data.length) {
    list.replaceChildren(el('p', { class: 'muted' }, emptyText));
    return null;
  }
  return answer;
}
