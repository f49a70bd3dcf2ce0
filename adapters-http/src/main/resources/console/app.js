// Boot, sign-in state, navigation and the hash router. Each route's page is a module loaded on navigation.
import { session, signOut } from './api.js';
import { h, clear, showError } from './ui.js';

const SEGMENT = '([^/?]+)';

/** Route patterns (over the hash without '#', query removed) → page module and what it needs. */
const ROUTES = [
  { pattern: /^\/signin$/, page: 'signin', needs: null, title: 'Sign in' },
  { pattern: /^\/instances$/, page: 'instances', needs: 'org' },
  { pattern: new RegExp(`^/instances/${SEGMENT}$`), page: 'instance', needs: 'org', names: ['id'] },
  { pattern: new RegExp(`^/instances/${SEGMENT}/sessions$`), page: 'sessions', needs: 'org', names: ['id'] },
  { pattern: new RegExp(`^/instances/${SEGMENT}/chat(?:/${SEGMENT})?$`), page: 'chat', needs: 'org', names: ['id', 'session'] },
  { pattern: new RegExp(`^/instances/${SEGMENT}/(usage|files|skills|channels)$`), page: null, needs: 'org', names: ['id', 'page'] },
  { pattern: /^\/keys$/, page: 'keys', needs: 'org' },
  { pattern: /^\/operator$/, page: 'operator', needs: 'admin' },
];

let cleanup = null;
let generation = 0;

/** Where a signed-in user starts: instances with an organization key, organizations with only an admin token. */
export function home() {
  const { orgKey, adminToken } = session();
  if (orgKey) return '#/instances';
  if (adminToken) return '#/operator';
  return '#/signin';
}

/** Navigates to `hash`, rendering it even when it is the current one. */
export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function match(path) {
  for (const route of ROUTES) {
    const found = route.pattern.exec(path);
    if (!found) continue;
    const params = {};
    (route.names ?? []).forEach((name, i) => {
      if (found[i + 1] !== undefined) params[name] = decodeURIComponent(found[i + 1]);
    });
    return { ...route, page: route.page ?? params.page, params };
  }
  return null;
}

function allowed(needs) {
  const { orgKey, adminToken } = session();
  return needs === null || (needs === 'org' && Boolean(orgKey)) || (needs === 'admin' && Boolean(adminToken));
}

/** Shows only the links the signed-in credential can use. */
export function updateNav() {
  const signedIn = Boolean(session().orgKey || session().adminToken);
  for (const link of document.querySelectorAll('#nav [data-needs]')) link.hidden = !allowed(link.dataset.needs);
  document.getElementById('sign-out').hidden = !signedIn;
  document.getElementById('who').textContent = signedIn ? (sessionStorage.getItem('chowder.orgName') ?? '') : '';
  const hash = location.hash.split('?')[0];
  for (const link of document.querySelectorAll('#nav a')) {
    if (hash.startsWith(link.getAttribute('href'))) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function route() {
  const current = ++generation;
  if (cleanup) {
    try { cleanup(); } catch { /* a page's cleanup must not block the next page */ }
    cleanup = null;
  }
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const main = clear(document.getElementById('main'));
  if (path === '' || path === '/') return navigate(home());
  const found = match(path);
  updateNav();
  document.getElementById('nav').classList.remove('open');
  document.getElementById('nav-toggle').setAttribute('aria-expanded', 'false');
  if (!found) {
    main.append(h('h1', {}, 'Not found'));
    showError(main, new Error(`There is no page at #${path}.`));
    return undefined;
  }
  if (!allowed(found.needs)) return navigate(session().orgKey || session().adminToken ? home() : '#/signin');
  const params = { ...found.params, query: new URLSearchParams(query) };
  try {
    const module = await import(`./pages/${found.page}.js`);
    if (current !== generation) return undefined;
    const result = await module.render(main, params);
    if (current === generation && typeof result === 'function') cleanup = result;
    else if (typeof result === 'function') result();
  } catch (error) {
    if (current !== generation) return undefined;
    if (!main.querySelector('h1')) main.append(h('h1', {}, found.page[0].toUpperCase() + found.page.slice(1)));
    showError(main, error);
  }
  if (current === generation && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
  return undefined;
}

function boot() {
  document.getElementById('sign-out').addEventListener('click', () => {
    signOut();
    sessionStorage.removeItem('chowder.orgName');
    navigate('#/signin');
  });
  const toggle = document.getElementById('nav-toggle');
  toggle.addEventListener('click', () => {
    const open = document.getElementById('nav').classList.toggle('open');
    toggle.setAttribute('aria-expanded', String(open));
  });
  window.addEventListener('hashchange', route);
  route();
}

boot();
