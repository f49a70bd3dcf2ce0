// #/instances/<id>/skills: the skills the instance's gateway knows (installed in its workspace and bundled with
// OpenClaw), whether each is ready; install one from the operator's catalog (or ClawHub when the operator allows it),
// show what it still needs, turn it on or off, remove an installed one. See docs/skills.md.
import { api } from '../api.js';
import { h, showError, confirmAction } from '../ui.js';
import { button, dataTable, empty, instanceLink, instancePath, labelled, whileBusy, dropErrors } from '../page-kit.js';

const skillPath = (id, name, rest = '') => instancePath(id, `/skills/${encodeURIComponent(name)}${rest}`);

function readiness(skill) {
  return skill.ready ? h('span', { class: 'yes' }, 'Ready') : h('span', { class: 'no' }, 'Not ready');
}

function details(main, id, skill, cell) {
  const show = button('Details', () => whileBusy(show, main, async () => {
    const found = await api(skillPath(id, skill.name));
    const missing = found.missing_env ?? [];
    empty(cell).append(h('span', { class: 'mono small' }, found.path));
    if (missing.length) cell.append(h('div', { class: 'small' }, `Needs: ${missing.join(', ')}`));
  }), { label: `Details of ${skill.name}`, kind: 'secondary' });
  return show;
}

function actions(main, id, skill, reload, cell) {
  const setEnabled = (enabled, control) => whileBusy(control, main, async () => {
    await api(skillPath(id, skill.name), { method: 'PATCH', body: { enabled } });
    await reload();
  });
  const on = button('Turn on', () => setEnabled(true, on), { label: `Turn on ${skill.name}` });
  const off = button('Turn off', () => setEnabled(false, off), { label: `Turn off ${skill.name}` });
  const list = [details(main, id, skill, cell), on, off];
  if (skill.source === 'openclaw-workspace') {
    const remove = button('Remove', () => {
      if (!confirmAction(`Remove the skill "${skill.name}" from this instance's workspace, with its settings?`)) return;
      whileBusy(remove, main, async () => {
        await api(skillPath(id, skill.name), { method: 'DELETE' });
        await reload();
      });
    }, { label: `Remove ${skill.name}`, kind: 'danger' });
    list.push(remove);
  }
  return h('div', { class: 'actions' }, list);
}

function skillTable(main, id, label, skills, reload) {
  if (skills.length === 0) return h('p', { class: 'empty' }, 'None.');
  return dataTable(label, ['Name', 'Description', 'Ready', 'Details', 'Actions'], skills.map((skill) => {
    const cell = h('div', {}, '—');
    return [h('span', { class: 'mono' }, skill.name), skill.description, readiness(skill), cell, actions(main, id, skill, reload, cell)];
  }));
}

/** "NAME=value" lines as an object; blank lines skipped. */
function envLines(text) {
  const env = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const at = line.indexOf('=');
    if (at <= 0) throw new Error(`Each environment line is NAME=value: "${line.trim().slice(0, 40)}" is not.`);
    env[line.slice(0, at).trim()] = line.slice(at + 1);
  }
  return env;
}

function installForm(main, id, reload) {
  const slug = h('input', { id: 'skill-slug', type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const env = h('textarea', { id: 'skill-env', autocomplete: 'off', spellcheck: 'false' });
  const submit = h('button', { type: 'submit' }, 'Install');
  const result = h('div', { role: 'status' });
  const form = h('form', { class: 'card form', 'aria-labelledby': 'install-skill' },
    h('h2', { id: 'install-skill' }, 'Install a skill'),
    labelled('Skill slug', slug, 'A skill of the operator\'s catalog (e.g. weather-report), or @owner/name on ClawHub if the operator allows it.'),
    labelled('Environment (optional)', env, 'One NAME=value per line; values are write-only and stored encrypted.'),
    submit, result);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    whileBusy(submit, main, async () => {
      const body = { slug: slug.value.trim() };
      const values = envLines(env.value);
      if (Object.keys(values).length) body.env = values;
      const installed = await api(instancePath(id, '/skills/install'), { method: 'POST', body });
      const missing = installed.status === 'installed_missing_env' && installed.required_env?.length
        ? ` It still needs: ${installed.required_env.join(', ')}.` : '';
      empty(result).append(h('p', { class: 'notice' }, `${installed.message ?? `Installed ${installed.skill}.`}${missing}`));
      form.reset();
      await reload();
    });
  });
  return form;
}

export async function render(main, params) {
  const id = params.id;
  const installed = h('section', { class: 'skill-group', 'aria-labelledby': 'skills-installed' });
  const bundled = h('section', { class: 'skill-group', 'aria-labelledby': 'skills-bundled' });
  main.append(instanceLink(id), h('h1', {}, 'Skills'), installed, bundled);
  const reload = async () => {
    const skills = await api(`${instancePath(id, '/skills')}?eligible_only=false`);
    const mine = skills.filter((skill) => skill.source === 'openclaw-workspace');
    const others = skills.filter((skill) => skill.source !== 'openclaw-workspace');
    empty(installed).append(h('h2', { id: 'skills-installed' }, `Installed (${mine.length})`),
      skillTable(main, id, 'Installed skills', mine, reload));
    empty(bundled).append(h('h2', { id: 'skills-bundled' }, `Bundled with OpenClaw (${others.length})`),
      skillTable(main, id, 'Bundled skills', others, reload));
  };
  main.append(installForm(main, id, async () => {
    dropErrors(main);
    await reload();
  }));
  try {
    await reload();
  } catch (error) {
    showError(main, error);
  }
}
