// Export (`/projects/<id>/export`): a format from GET /api/exporters with its own options as
// form fields (of their type, choices, default and help), for the whole project or the tasks
// selected on the tasks page (`?tasks=1,2,3`), run as a job (POST .../exports) with a progress
// bar, then a download link. An old export's download may be gone (410): the page says so.

import {ApiError} from "/static/player/api.js";
import {el} from "/static/player/dom.js";

const POLL_MS = 300;  // how often a running job is asked about
const STYLE = `
.export-page fieldset { border: 1px solid #3a3f48; margin: 8px 0; padding: 6px 10px; }
.export-page .option { display: grid; grid-template-columns: 110px 220px 1fr; gap: 10px; align-items: center; margin: 3px 0; }
.export-page .option input[type=checkbox] { justify-self: start; }
.export-page .scope label { margin-right: 18px; }
.export-page progress { width: 240px; }`;
const COMMON = [  // the options every format takes
  {name: "width", type: "number", help: "frame width in pixels (default: the probed video's)"},
  {name: "height", type: "number", help: "frame height in pixels (default: the probed video's)"},
  {name: "fps", type: "number", help: "frames per second (default: the config's or the video's)"},
  {name: "clip", type: "boolean", default: false, help: "cut boxes to the frame"},
];

// The task ids of `?tasks=1,2,3` (whole positive numbers only).
function selectedTasks() {
  const text = new URLSearchParams(location.search).get("tasks") || "";
  return text.split(",").map(s => s.trim()).filter(s => /^\d+$/.test(s)).map(Number).filter(n => n > 0);
}

// A form field for an option described as GET /api/exporters describes it.
function field(option) {
  const id = `option-${option.name}`;
  let input;
  if (option.choices?.length) {
    input = el("select", {id, name: option.name},
      ...option.choices.map(choice => el("option", {value: String(choice), textContent: String(choice)})));
    input.value = String(option.default);
  } else if (option.type === "boolean") {
    input = el("input", {id, name: option.name, type: "checkbox", checked: Boolean(option.default)});
  } else if (option.type === "integer" || option.type === "number") {
    input = el("input", {id, name: option.name, type: "number", step: option.type === "integer" ? "1" : "any",
                         value: option.default ?? ""});
  } else {
    input = el("input", {id, name: option.name, value: option.default ?? ""});
  }
  input.dataset.type = option.type;
  input.title = option.help || "";
  return el("div", {className: "option"}, el("label", {htmlFor: id, textContent: option.name}), input,
    el("span", {className: "muted help", textContent: option.help || ""}));
}

// A field's value for the request body; undefined when a number is left empty.
function valueOf(input) {
  if (input.type === "checkbox") return input.checked;
  if (input.value === "") return undefined;
  if (input.dataset.type === "integer" || input.dataset.type === "number") return Number(input.value);
  return input.value;
}

export async function mount(root, shell) {
  shell.title("Export");
  const project = shell.projectId;
  const exporters = await shell.api.get("/api/exporters");
  const tasks = selectedTasks();
  const format = el("select", {name: "format", title: "keys: f"},
    ...exporters.map(e => el("option", {value: e.name, textContent: `${e.name} (${e.suffix})`})));
  format.value = exporters.some(e => e.name === "ls-json") ? "ls-json" : exporters[0]?.name;
  const description = el("p", {className: "muted description"});
  const own = el("fieldset", {className: "own-options"});
  const common = el("fieldset", {className: "common-options"}, el("legend", {textContent: "Every format"}),
    ...COMMON.map(field));
  const scope = el("fieldset", {className: "scope"}, el("legend", {textContent: "What"}),
    el("label", {}, el("input", {type: "radio", name: "scope", value: "project", checked: !tasks.length}),
      ` the whole project (keys: w)`),
    el("label", {}, el("input", {type: "radio", name: "scope", value: "tasks", checked: tasks.length > 0,
                                 disabled: !tasks.length}),
      ` the selected tasks (${tasks.length ? tasks.join(", ") : "none: select them on the tasks page"}) (keys: s)`));
  const start = el("button", {className: "primary", textContent: "Export", title: "keys: e"});
  const progress = el("progress", {max: 1, value: 0});
  const state = el("span", {className: "state muted"});
  const cancel = el("button", {type: "button", textContent: "Cancel", title: "keys: c", disabled: true});
  const result = el("p", {className: "result"});
  const form = el("form", {className: "export"}, el("div", {className: "toolbar"}, el("label", {}, "Format ", format)),
    description, own, common, scope, el("div", {className: "toolbar"}, start, progress, state, cancel), result);
  root.replaceChildren(el("section", {className: "export-page"}, el("style", {textContent: STYLE}),
    el("h2", {textContent: "Export"}), form));

  const showOptions = () => {
    const exporter = exporters.find(e => e.name === format.value);
    description.textContent = exporter.description;
    own.replaceChildren(el("legend", {textContent: `${exporter.name}'s own options`}),
      ...(exporter.options.length ? exporter.options.map(field) : [el("span", {className: "muted", textContent: "none"})]));
  };
  format.addEventListener("change", showOptions);
  showOptions();

  let job = null;
  const body = () => {
    const values = {format: format.value};
    for (const input of form.querySelectorAll(".own-options [name], .common-options [name]")) {
      const value = valueOf(input);
      if (value !== undefined) values[input.name] = value;
    }
    if (form.querySelector("input[name=scope]:checked").value === "tasks") values.tasks = tasks;
    return values;
  };
  const show = current => {
    job = current;
    progress.value = current.progress;
    state.textContent = `job ${current.id}: ${current.state}${current.message ? ` — ${current.message}` : ""}`;
    cancel.disabled = !["queued", "running"].includes(current.state);
    start.disabled = !cancel.disabled;
  };
  const follow = async () => {
    while (["queued", "running"].includes(job.state)) {
      await new Promise(resolve => setTimeout(resolve, POLL_MS));
      show(await shell.api.get(`/api/jobs/${job.id}`));
    }
    if (job.state === "done") {
      const url = `/api/jobs/${job.id}/download`;
      const name = job.result.file.split("/").pop();
      const warnings = job.result.warnings || [];  // what the format left out, and why
      result.replaceChildren("Ready: ", el("a", {className: "download", href: url, download: name, textContent: name, title: "keys: d"}),
        ` (${job.result.bytes} bytes)`,
        ...(warnings.length ? [el("ul", {className: "warnings"}, ...warnings.map(w => el("li", {
          textContent: `${w.task ? `task ${w.task}: ` : ""}${w.message}`, title: w.path})))] : []));
      shell.status(`export job ${job.id} is done`);
    } else {
      shell.status(`export job ${job.id} ${job.state}${job.message ? `: ${job.message}` : ""}`, job.state === "failed");
    }
  };
  form.addEventListener("submit", event => {
    event.preventDefault();
    if (start.disabled) return;
    result.replaceChildren();
    shell.run(async () => {
      show(await shell.api.post(`/api/projects/${project}/exports`, body()));
      await follow();
    });
  });
  cancel.addEventListener("click", () => shell.run(async () => {
    if (job) show(await shell.api.post(`/api/jobs/${job.id}/cancel`));
  }));
  // a download that is gone (410: removed for its age) is said so instead of saving an error
  result.addEventListener("click", event => {
    const link = event.target.closest("a.download");
    if (!link) return;
    event.preventDefault();
    shell.run(async () => {
      const response = await fetch(link.href, {method: "HEAD", credentials: "same-origin"});
      if (!response.ok) {
        const answer = await fetch(link.href, {credentials: "same-origin"});
        throw new ApiError(answer.status, await answer.json().catch(() => null));
      }
      const a = el("a", {href: link.href, download: link.download});
      document.body.append(a);
      a.click();
      a.remove();
    });
  });

  const keys = shell.keys;
  keys.add("f", "choose the format", () => format.focus());
  keys.add("e", "start the export", () => form.requestSubmit());
  keys.add("w", "export the whole project", () => { form.querySelector("input[value=project]").checked = true; });
  keys.add("s", "export the selected tasks", () => {
    const radio = form.querySelector("input[value=tasks]");
    if (!radio.disabled) radio.checked = true;
  });
  keys.add("c", "cancel the running export", () => cancel.click());
  keys.add("d", "download the export", () => form.querySelector("a.download")?.click());
}
