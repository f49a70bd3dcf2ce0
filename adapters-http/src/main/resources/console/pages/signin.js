// #/signin: an organization key and/or an operator's admin token, checked against the API before they are kept.
import { api, signIn } from '../api.js';
import { h, field, showError, clearError } from '../ui.js';
import { home, navigate, updateNav } from '../app.js';

export async function render(main) {
  const orgKey = h('input', { id: 'signin-org-key', type: 'password', autocomplete: 'off', spellcheck: 'false', placeholder: 'chd_org_…' });
  const adminToken = h('input', { id: 'signin-admin-token', type: 'password', autocomplete: 'off', spellcheck: 'false' });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'card form', novalidate: true },
    field('Organization key', orgKey),
    field('Admin token', adminToken),
    h('p', { class: 'hint' }, 'Either may be empty. They are kept in this tab only (sessionStorage) and sent to this Chowder\'s API.'),
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError(main);
    const key = orgKey.value.trim();
    const token = adminToken.value.trim();
    if (!key && !token) {
      showError(main, new Error('Enter an organization key or an admin token.'));
      return;
    }
    submit.disabled = true;
    try {
      let name = null;
      if (key) name = (await api('/v1/organization', { credential: key })).name;
      if (token) await api('/v1/admin/organizations', { credential: token });
      signIn({ orgKey: key, adminToken: token });
      if (name) sessionStorage.setItem('chowder.orgName', name);
      else sessionStorage.removeItem('chowder.orgName');
      updateNav();
      navigate(home());
    } catch (error) {
      showError(main, error);
    } finally {
      submit.disabled = false;
    }
  });
  main.append(h('h1', {}, 'Sign in'), form);
  orgKey.focus();
}
