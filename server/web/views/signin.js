// Sign in with email and password: POST /api/auth/login.
import { signIn } from '../api.js';
import { append, el, errorBox } from '../dom.js';

// Only a path of this site is followed after signing in.
function nextPath(query) {
  const next = query.get('next') || '/agents';
  const local = next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') && !next.startsWith('/login');
  return local ? next : '/agents';
}

export async function renderSignIn(container, { query, navigate, note }) {
  const emailInput = el('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username', required: true });
  const passwordInput = el('input', {
    id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true,
  });
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const problems = el('div', { class: 'problems' });
  const form = el('form', { class: 'card narrow', novalidate: false },
    el('div', { class: 'field' }, el('label', { for: 'email' }, 'Email'), emailInput),
    el('div', { class: 'field' }, el('label', { for: 'password' }, 'Password'), passwordInput),
    problems,
    el('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problems.replaceChildren();
    submit.disabled = true;
    try {
      await signIn(emailInput.value.trim(), passwordInput.value);
      navigate(nextPath(query), { replace: true });
    } catch (error) {
      problems.append(errorBox(error));
      passwordInput.select();
    } finally {
      submit.disabled = false;
    }
  });
  append(container, [
    el('h1', {}, 'Sign in'),
    note ? el('p', { class: 'note', role: 'status' }, note) : null,
    form]);
  emailInput.focus();
}
