// #/instances/<id>/files?path=DIR: browse the instance's workspace, upload a file (multipart), download one (a fetch
// with the Authorization header and a Blob URL: there is no cookie, so a plain link could not authenticate), view a
// text file, delete a file or an empty directory.
import { api } from '../api.js';
import { h, showError, formatTime, confirmAction } from '../ui.js';
import { button, dataTable, empty, formatBytes, instanceLink, instancePath, labelled, whileBusy, dropErrors } from '../page-kit.js';

/** The hash of this page at workspace directory `dir`. */
function at(id, dir) {
  const base = `#/instances/${encodeURIComponent(id)}/files`;
  return dir && dir !== '.' ? `${base}?path=${encodeURIComponent(dir)}` : base;
}

/** `name` inside directory `dir` ('.' is the workspace). */
export function join(dir, name) {
  return dir && dir !== '.' ? `${dir}/${name}` : name;
}

function breadcrumbs(id, dir) {
  const segments = dir === '.' ? [] : dir.split('/');
  const items = [h('li', {}, segments.length === 0
    ? h('span', { 'aria-current': 'page' }, 'workspace')
    : h('a', { href: at(id, '.') }, 'workspace'))];
  segments.forEach((segment, index) => {
    const path = segments.slice(0, index + 1).join('/');
    items.push(h('li', {}, index === segments.length - 1
      ? h('span', { 'aria-current': 'page' }, segment)
      : h('a', { href: at(id, path) }, segment)));
  });
  return h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' }, h('ol', {}, items));
}

/** Saves the file at `path` through a Blob URL, fetched with the signed-in key. */
async function download(id, path) {
  const response = await api(`${instancePath(id, '/files/download')}?${new URLSearchParams({ path })}`, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  const link = h('a', { href: url, download: path.split('/').pop(), hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once started; give the browser a moment before freeing the Blob.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function viewer(main, id, path, content) {
  const close = button('Close', () => section.remove(), { label: `Close ${path}`, kind: 'secondary' });
  const section = h('section', { class: 'card file-view', 'aria-label': `Content of ${path}` },
    h('div', { class: 'title-row' }, h('h2', {}, path), close),
    h('pre', { tabindex: '0', 'aria-label': 'File content' }, content));
  main.querySelector('.file-view')?.remove();
  main.append(section);
  section.scrollIntoView?.({ block: 'nearest' });
}

function rows(main, id, listing, reload) {
  return listing.entries.map((entry) => {
    const name = entry.is_dir
      ? h('a', { href: at(id, entry.path) }, `${entry.name}/`)
      : h('span', { class: 'mono' }, entry.name);
    const actions = [];
    if (!entry.is_dir) {
      const get = button('Download', () => whileBusy(get, main, () => download(id, entry.path)), { label: `Download ${entry.name}` });
      const view = button('View', () => whileBusy(view, main, async () => {
        const file = await api(`${instancePath(id, '/files/content')}?${new URLSearchParams({ path: entry.path })}`);
        viewer(main, id, entry.path, file.content);
      }), { label: `View ${entry.name}` });
      actions.push(view, get);
    }
    const remove = button('Delete', () => {
      const what = entry.is_dir ? `the empty directory "${entry.path}"` : `"${entry.path}"`;
      if (!confirmAction(`Delete ${what} from the workspace? This cannot be undone.`)) return;
      whileBusy(remove, main, async () => {
        await api(`${instancePath(id, '/files')}?${new URLSearchParams({ path: entry.path })}`, { method: 'DELETE' });
        await reload();
      });
    }, { label: `Delete ${entry.name}`, kind: 'danger' });
    actions.push(remove);
    return [name, entry.is_dir ? '—' : formatBytes(entry.size), formatTime(entry.mod_time),
      h('span', { class: 'mono small' }, entry.permissions), h('div', { class: 'actions' }, actions)];
  });
}

function uploadForm(main, id, dir, reload) {
  const file = h('input', { id: 'upload-file', type: 'file' });
  const name = h('input', { id: 'upload-name', type: 'text', autocomplete: 'off', placeholder: 'the file\'s own name' });
  const submit = h('button', { type: 'submit' }, 'Upload');
  const done = h('p', { class: 'small', role: 'status' });
  const form = h('form', { class: 'card form upload', 'aria-labelledby': 'upload-title' },
    h('h2', { id: 'upload-title' }, `Upload to ${dir === '.' ? 'the workspace' : dir}`),
    labelled('File to upload', file), labelled('Save as (optional)', name, 'A name or a relative path inside this directory.'),
    submit, done);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    whileBusy(submit, main, async () => {
      if (!chosen) throw new Error('Choose a file to upload first.');
      const target = join(dir, name.value.trim() || chosen.name);
      const body = new FormData();
      body.append('path', target);
      body.append('file', chosen, chosen.name);
      await api(instancePath(id, '/files/upload'), { method: 'POST', body });
      done.textContent = `Uploaded ${target}.`;
      form.reset();
      await reload();
    });
  });
  return form;
}

export async function render(main, params) {
  const id = params.id;
  const dir = (params.query?.get('path') ?? '').replace(/^\/+|\/+$/g, '') || '.';
  const list = h('section', { class: 'file-list', 'aria-label': 'Directory listing' });
  main.append(instanceLink(id), h('h1', {}, 'Files'), breadcrumbs(id, dir), list);
  const reload = async () => {
    const listing = await api(`${instancePath(id, '/files')}?${new URLSearchParams({ path: dir })}`);
    empty(list);
    if (listing.entries.length === 0) list.append(h('p', { class: 'empty' }, 'This directory is empty.'));
    else list.append(dataTable(`Files in ${dir === '.' ? 'the workspace' : dir}`, ['Name', 'Size', 'Modified', 'Mode', 'Actions'],
      rows(main, id, listing, reload)));
    if (listing.truncated) list.append(h('p', { class: 'muted small' }, 'The listing was cut at the server\'s limit of entries.'));
  };
  try {
    await reload();
    main.append(uploadForm(main, id, dir, async () => {
      dropErrors(main);
      await reload();
    }));
  } catch (error) {
    showError(main, error);
  }
}
