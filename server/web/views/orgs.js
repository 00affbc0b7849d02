// Organisations: the caller's orgs with their role, create one, accept an
// invitation by its token (GET, POST /api/orgs, POST
// /api/invitations/:token/accept); one org: its members (change a role,
// remove; PATCH and DELETE /api/orgs/:id/members/:userId), its invitations
// (create with the token shown once, list, revoke; …/invitations). The
// server decides who may do what; a refusal shows its 403.
import { call, seg } from '../api.js';
import { confirmDialog, el, errorBox, time } from '../dom.js';
import { fetchRows } from './list.js';

const kRoles = ['viewer', 'editor', 'admin', 'owner'];

function roleSelect(id, selected) {
  return el('select', { id, name: 'role' }, kRoles.map((r) => el('option', { value: r, selected: r === selected }, r)));
}

export async function renderOrgs(container, { navigate, stillCurrent }) {
  container.append(el('h1', {}, 'Organisations'));
  const flash = history.state && history.state.flash;
  if (flash) container.append(el('p', { class: 'flash', role: 'status' }, flash));
  const list = el('div', {}, el('p', {}, 'Loading…'));
  const createProblems = el('div', { class: 'problems' });
  const nameInput = el('input', { id: 'org-name', name: 'name', required: true });
  const slugInput = el('input', { id: 'org-slug', name: 'slug', required: true, autocomplete: 'off', placeholder: 'acme' });
  const create = el('form', { class: 'card' },
    el('h2', {}, 'Create an organisation'),
    el('div', { class: 'field' }, el('label', { for: 'org-name' }, 'Name'), nameInput),
    el('div', { class: 'field' }, el('label', { for: 'org-slug' }, 'Slug'), slugInput),
    createProblems,
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary' }, 'Create organisation')));
  create.addEventListener('submit', async (event) => {
    event.preventDefault();
    createProblems.replaceChildren();
    try {
      const org = await call('POST', '/api/orgs', { name: nameInput.value.trim(), slug: slugInput.value.trim() });
      navigate(`/orgs/${seg(org.slug)}`);
    } catch (error) {
      createProblems.append(errorBox(error));
    }
  });
  const tokenInput = el('input', { id: 'invitation-token', name: 'token', required: true, autocomplete: 'off', class: 'mono', placeholder: 'inv_…' });
  const acceptProblems = el('div', { class: 'problems' });
  const accept = el('form', { class: 'card' },
    el('h2', {}, 'Accept an invitation'),
    el('div', { class: 'field' }, el('label', { for: 'invitation-token' }, 'Invitation token'), tokenInput),
    acceptProblems,
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Accept')));
  accept.addEventListener('submit', async (event) => {
    event.preventDefault();
    acceptProblems.replaceChildren();
    try {
      const org = await call('POST', `/api/invitations/${seg(tokenInput.value.trim())}/accept`);
      navigate(`/orgs/${seg(org.slug)}`);
    } catch (error) {
      acceptProblems.append(errorBox(error));
    }
  });
  container.append(el('section', { class: 'card' }, el('h2', {}, 'Yours'), list), el('div', { class: 'columns always' }, create, accept));
  const orgs = await fetchRows(list, '/api/orgs', 'You belong to no organisation yet.', stillCurrent);
  if (!orgs) return;
  list.replaceChildren(el('div', { class: 'table-wrap' }, el('table', { class: 'orgs' },
    el('caption', { class: 'visually-hidden' }, 'Your organisations'),
    el('thead', {}, el('tr', {}, ['Name', 'Slug', 'Your role', 'Agents', 'Created'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, orgs.data.map((org) => el('tr', {},
      el('td', {}, el('a', { href: `/orgs/${seg(org.slug)}` }, org.name)),
      el('td', { class: 'mono' }, org.slug),
      el('td', {}, org.role),
      el('td', {}, el('a', { href: `/agents?org=${encodeURIComponent(org.slug)}` }, 'agents')),
      el('td', {}, time(org.createdAt))))))));
}

export async function renderOrg(container, { params, navigate, stillCurrent }) {
  const api = `/api/orgs/${seg(params.id)}`;
  const self = `/orgs/${seg(params.id)}`;
  let org;
  let members;
  try {
    [org, members] = await Promise.all([call('GET', api), call('GET', `${api}/members`)]);
  } catch (error) {
    if (stillCurrent()) container.append(el('h1', {}, 'Organisation'), errorBox(error));
    return;
  }
  if (!stillCurrent()) return;
  const problems = el('div', { class: 'problems' });
  const flash = history.state && history.state.flash;
  const reload = (text) => navigate(self, { replace: true, state: { flash: text } });

  const memberRows = members.data.map((member) => {
    const select = roleSelect(`role-${member.userId}`, member.role);
    select.setAttribute('aria-label', `Role of ${member.email}`);
    const save = el('button', { type: 'button' }, 'Change role');
    save.setAttribute('aria-label', `Change the role of ${member.email}`);
    save.addEventListener('click', async () => {
      problems.replaceChildren();
      if (select.value === member.role) return;
      const ok = await confirmDialog(`Change ${member.email}'s role?`, `${member.email} becomes ${select.value} of ${org.name} (now ${member.role}).`, 'Change role');
      if (!ok) return;
      try {
        await call('PATCH', `${api}/members/${seg(member.userId)}`, { role: select.value });
        reload(`${member.email} is now ${select.value}.`);
      } catch (error) {
        problems.append(errorBox(error));
      }
    });
    const remove = el('button', { type: 'button', class: 'danger' }, 'Remove');
    remove.setAttribute('aria-label', `Remove ${member.email}`);
    remove.addEventListener('click', async () => {
      problems.replaceChildren();
      const ok = await confirmDialog(`Remove ${member.email}?`, `${member.email} loses access to ${org.name}; their keys for it stop working.`, 'Remove');
      if (!ok) return;
      try {
        await call('DELETE', `${api}/members/${seg(member.userId)}`);
        reload(`${member.email} removed.`);
      } catch (error) {
        problems.append(errorBox(error));
      }
    });
    return el('tr', {}, el('td', {}, member.email), el('td', {}, el('div', { class: 'inline' }, select, save)),
      el('td', {}, time(member.joinedAt)), el('td', {}, remove));
  });

  const emailInput = el('input', { id: 'invite-email', name: 'email', type: 'email', required: true });
  const inviteRole = roleSelect('invite-role', 'viewer');
  const invited = el('div', { 'aria-live': 'polite' });
  const invite = el('form', { class: 'card' },
    el('h2', {}, 'Invite someone'),
    el('div', { class: 'toolbar' },
      el('div', { class: 'inline' }, el('label', { for: 'invite-email' }, 'Email'), emailInput),
      el('div', { class: 'inline' }, el('label', { for: 'invite-role' }, 'Role'), inviteRole),
      el('button', { type: 'submit', class: 'primary' }, 'Invite')),
    invited);
  const invitations = el('div', {});
  invite.addEventListener('submit', async (event) => {
    event.preventDefault();
    problems.replaceChildren();
    try {
      const made = await call('POST', `${api}/invitations`, { email: emailInput.value.trim(), role: inviteRole.value });
      const token = el('input', { id: 'invitation-token-new', readonly: true, value: made.token, class: 'mono wide' });
      invited.replaceChildren(el('div', { class: 'card secret' },
        el('p', {}, `Send this token to ${made.email}; it is shown only this once. They accept it under Organisations.`),
        el('label', { for: 'invitation-token-new' }, 'Invitation token'), token));
      token.focus();
      token.select();
      invite.reset();
      loadInvitations();
    } catch (error) {
      problems.append(errorBox(error));
    }
  });

  async function loadInvitations() {
    let answer;
    try {
      answer = await call('GET', `${api}/invitations`);
    } catch (error) {
      // Only admins list invitations; others see why.
      if (stillCurrent()) invitations.replaceChildren(errorBox(error));
      return;
    }
    if (!stillCurrent()) return;
    if (!answer.data.length) {
      invitations.replaceChildren(el('p', { class: 'muted' }, 'No invitations.'));
      return;
    }
    invitations.replaceChildren(el('div', { class: 'table-wrap' }, el('table', { class: 'invitations' },
      el('caption', { class: 'visually-hidden' }, 'Invitations'),
      el('thead', {}, el('tr', {}, ['Email', 'Role', 'Status', 'Expires', ''].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, answer.data.map((inv) => {
        const revoke = inv.status === 'pending' ? el('button', { type: 'button', class: 'danger' }, 'Revoke') : null;
        if (revoke) {
          revoke.setAttribute('aria-label', `Revoke the invitation of ${inv.email}`);
          revoke.addEventListener('click', async () => {
            const ok = await confirmDialog('Revoke the invitation?', `${inv.email}'s token stops working.`, 'Revoke');
            if (!ok) return;
            try {
              await call('DELETE', `${api}/invitations/${seg(inv.id)}`);
              loadInvitations();
            } catch (error) {
              problems.append(errorBox(error));
            }
          });
        }
        return el('tr', {}, el('td', {}, inv.email), el('td', {}, inv.role),
          el('td', {}, el('span', { class: `chip invitation-${inv.status}` }, inv.status)), el('td', {}, time(inv.expiresAt)), el('td', {}, revoke));
      })))));
  }

  // Settings: rename (admins), a new slug (the owner; its URLs change),
  // delete (the owner); the server checks the role.
  const renameInput = el('input', { id: 'org-rename', name: 'name', required: true, value: org.name });
  const slugInput = el('input', { id: 'org-new-slug', name: 'slug', required: true, value: org.slug, autocomplete: 'off' });
  const settings = el('form', { class: 'card' },
    el('h2', {}, 'Settings'),
    el('div', { class: 'toolbar' },
      el('div', { class: 'inline' }, el('label', { for: 'org-rename' }, 'Name'), renameInput),
      el('div', { class: 'inline' }, el('label', { for: 'org-new-slug' }, 'Slug'), slugInput),
      el('button', { type: 'submit' }, 'Save'),
      el('button', { type: 'button', class: 'danger', id: 'delete-org' }, 'Delete organisation')));
  settings.addEventListener('submit', async (event) => {
    event.preventDefault();
    problems.replaceChildren();
    const change = {};
    if (renameInput.value.trim() !== org.name) change.name = renameInput.value.trim();
    if (slugInput.value.trim() !== org.slug) change.slug = slugInput.value.trim();
    if (!Object.keys(change).length) return;
    if (change.slug) {
      const ok = await confirmDialog(`Change the slug to ${change.slug}?`,
        `Remotes and URLs naming ${org.slug} stop finding the organisation.`, 'Change slug');
      if (!ok) return;
    }
    try {
      const saved = await call('PATCH', api, change);
      navigate(`/orgs/${seg(saved.slug)}`, { replace: true, state: { flash: 'Settings saved.' } });
    } catch (error) {
      problems.append(errorBox(error));
    }
  });
  settings.querySelector('#delete-org').addEventListener('click', async () => {
    problems.replaceChildren();
    const ok = await confirmDialog(`Delete ${org.name}?`,
      `Its agents (with their versions, labels and tasks), webhooks, invitations, members and API keys are deleted. This cannot be undone.`,
      'Delete organisation');
    if (!ok) return;
    try {
      await call('DELETE', api);
      navigate('/orgs', { replace: true, state: { flash: `${org.name} deleted.` } });
    } catch (error) {
      problems.append(errorBox(error));
    }
  });

  container.append(
    el('p', { class: 'crumbs' }, el('a', { href: '/orgs' }, 'Organisations'), ' / ', org.slug),
    el('h1', {}, org.name),
    flash ? el('p', { class: 'flash', role: 'status' }, flash) : '',
    el('dl', { class: 'facts' },
      el('dt', {}, 'Slug'), el('dd', { class: 'mono' }, org.slug),
      el('dt', {}, 'Your role'), el('dd', {}, org.role || '—'),
      el('dt', {}, 'Members'), el('dd', {}, String(org.memberCount ?? members.data.length)),
      el('dt', {}, 'Agents'), el('dd', {}, el('a', { href: `/agents?org=${encodeURIComponent(org.slug)}` }, `the agents of ${org.name}`))),
    problems,
    el('section', { class: 'card', 'aria-labelledby': 'members-title' },
      el('h2', { id: 'members-title' }, 'Members'),
      el('div', { class: 'table-wrap' }, el('table', { class: 'members' },
        el('caption', { class: 'visually-hidden' }, 'Members'),
        el('thead', {}, el('tr', {}, ['Email', 'Role', 'Joined', ''].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, memberRows)))),
    invite,
    el('section', { class: 'card', 'aria-labelledby': 'invitations-title' }, el('h2', { id: 'invitations-title' }, 'Invitations'), invitations),
    settings);
  await loadInvitations();
}
