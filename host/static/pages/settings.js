// Create a project (`/projects/new`) or change one (`/projects/<id>/settings`): title and the
// labeling config in an editor with line numbers, checked as you type (POST /api/config/check:
// each problem on its line), a live preview made by the player's tag modules, templates to
// start from. A config with problems is not saved; one that drops what annotations use asks first.

import {ApiError} from "/static/player/api.js";
import {el} from "./dom.js";
import {preview} from "./preview.js";

const CHECK_AFTER_MS = 300;

export async function mount(root, shell) {
  const creating = shell.projectId === null;
  shell.title(creating ? "New project" : `Settings · ${shell.project?.title ?? ""}`);
  if (!shell.isAdmin) {
    root.replaceChildren(el("p", {className: "muted", textContent: "Only admins create and change projects."}));
    shell.status("not allowed for your role: only admins create and change projects", true);
    return;
  }
  const templates = await shell.api.get("/api/config/templates");
  const project = creating ? null : shell.project;
  const title = el("input", {name: "title", placeholder: "title", value: project?.title ?? "", size: 50});
  const description = el("textarea", {name: "description", rows: 2, placeholder: "what annotators are asked to do",
                                      value: project?.description ?? ""});
  const text = el("textarea", {name: "label_config", spellcheck: false, wrap: "off", value: project?.label_config ?? ""});
  const gutter = el("div", {className: "gutter", ariaHidden: "true"});
  const problemsList = el("ul", {className: "problems"});
  const previewPane = el("div", {className: "preview"});
  const save = el("button", {type: "button", className: "primary save", textContent: creating ? "Create" : "Save",
                             title: "keys: ctrl+s"});
  const templateButtons = templates.map((template, i) => {
    const button = el("button", {type: "button", textContent: template.title, title: `keys: alt+${i + 1}`,
                                 dataset: {template: template.name}});
    const use = () => { text.value = template.config; if (!title.value) title.value = template.title; edited(); };
    button.addEventListener("click", use);
    shell.keys.add(`alt+${i + 1}`, `start from the template “${template.title}”`, use);
    return button;
  });
  root.replaceChildren(el("section", {className: "settings"},
    el("h2", {textContent: creating ? "New project" : "Project settings"}),
    el("div", {className: "toolbar"}, el("label", {}, "Title ", title), save),
    el("label", {className: "description"}, "Description ", description),
    el("div", {className: "toolbar templates"}, el("span", {className: "muted", textContent: "Start from:"}),
      ...templateButtons),
    el("div", {className: "config-columns"},
      el("div", {className: "config-editor"}, el("div", {className: "editor"}, gutter, text), problemsList),
      el("div", {className: "config-preview"}, el("h3", {textContent: "Preview"}), previewPane))));

  let state = {ok: false, problems: []}, timer = null, asked = 0;
  const numbers = () => {
    const count = text.value.split("\n").length, bad = new Map();
    for (const p of state.problems) if (p.line) bad.set(p.line, [...(bad.get(p.line) || []), p.message]);
    gutter.replaceChildren(...Array.from({length: count}, (_, i) => el("div", {
      textContent: i + 1, className: bad.has(i + 1) ? "bad" : "", title: (bad.get(i + 1) || []).join("\n")})));
    gutter.scrollTop = text.scrollTop;
  };
  const goToLine = line => {
    const lines = text.value.split("\n"), start = lines.slice(0, line - 1).join("\n").length + (line > 1 ? 1 : 0);
    text.focus();
    text.setSelectionRange(start, start + (lines[line - 1] || "").length);
  };
  const check = async () => {
    const mine = ++asked;
    const answer = await shell.run(() => shell.api.post("/api/config/check", {label_config: text.value}));
    if (!answer || mine !== asked) return;
    state = answer;
    numbers();
    problemsList.replaceChildren(...answer.problems.map(p => {
      const item = el("li", {textContent: p.line ? `line ${p.line}: ${p.message}` : p.message});
      if (p.line) item.addEventListener("click", () => goToLine(p.line));
      return item;
    }));
    root.querySelector(".config-editor").dataset.state = answer.ok ? "ok" : "problems";
    if (answer.ok) {
      try {
        await preview(previewPane, answer.root);
      } catch (error) {
        previewPane.replaceChildren(el("p", {className: "error", textContent: `preview: ${error.message}`}));
      }
    }
  };
  const edited = () => {
    numbers();
    clearTimeout(timer);
    timer = setTimeout(check, CHECK_AFTER_MS);
  };
  text.addEventListener("input", edited);
  text.addEventListener("scroll", () => { gutter.scrollTop = text.scrollTop; });

  const submit = async () => {
    await check();
    if (!state.ok) {
      shell.status(`not saved: the config has ${state.problems.length} problem${state.problems.length === 1 ? "" : "s"}`
                   + ` (${state.problems.map(p => p.line ? `line ${p.line}` : p.message).join(", ")})`, true);
      return;
    }
    const body = {title: title.value, description: description.value, label_config: text.value};
    if (creating) {
      const created = await shell.run(() => shell.api.post("/api/projects", body));
      if (created) location.href = `/projects/${created.id}`;
      return;
    }
    try {
      await shell.api.request("PATCH", `/api/projects/${project.id}`, body);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 409) return shell.error(error);
      const {annotations, controls, labels} = error.body;
      const what = [...controls.map(c => `the control “${c}”`), ...labels.map(l => `the label “${l}”`)].join(", ");
      const go = await shell.confirm(`This config drops ${what}. ${annotations} annotation`
                                     + `${annotations === 1 ? " uses" : "s use"} it. Save anyway?`, "Save anyway");
      if (!go) return shell.status("not saved");
      if (await shell.run(() => shell.api.request("PATCH", `/api/projects/${project.id}`, {...body, confirm: true})) === undefined) return;
    }
    shell.status("saved");
  };
  save.addEventListener("click", submit);
  shell.keys.add("ctrl+s", creating ? "create the project" : "save", submit);
  shell.keys.add("alt+e", "edit the config", () => text.focus());
  shell.keys.add("alt+t", "edit the title", () => title.focus());
  shell.keys.add("alt+d", "edit the description", () => description.focus());
  numbers();
  if (text.value) await check();
  title.focus();
}
