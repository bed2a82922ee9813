// Import (`/projects/<id>/import`): video files uploaded at once, each with its progress bar
// (a failed upload is sent again twice by itself, then offers Retry); Label Studio JSON exports
// (each all or nothing, its predictions counted per task); paths under a media root. Every file
// gets its own message: done (the task it made), or why it was refused.

import {ApiError} from "/static/player/api.js";
import {el} from "/static/player/dom.js";
import {describe} from "/static/pages/shell.js";

const RETRIES = 2;  // automatic attempts after the first, for a lost connection or a server error
const RETRY_MS = 500;  // doubled each time
const PARALLEL = 2;  // uploads at a time

const sizeOf = bytes => bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.ceil(bytes / 1e3)} kB`;
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

// POST one file as multipart/form-data with upload progress: {status, body} (status 0: no answer).
function send(url, file, csrf, progress) {
  return new Promise(resolve => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    if (csrf) xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.addEventListener("progress", event => { if (event.lengthComputable) progress(event.loaded / event.total); });
    xhr.addEventListener("load", () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON: the status says enough */ }
      resolve({status: xhr.status, body});
    });
    for (const end of ["error", "abort", "timeout"]) xhr.addEventListener(end, () => resolve({status: 0, body: null}));
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

const transient = status => status === 0 || (status >= 500 && status !== 501);

// Why the host refused a file: its own message (which names the file), except a role's refusal
// and a lost sign-in, which the shell words (a path outside the media roots is not the role's).
const refusal = error => error instanceof ApiError && error.status !== 401 && !["forbidden", "csrf"].includes(error.body.error)
  ? error.message : describe(error);

export async function mount(root, shell) {
  shell.title(`Import · ${shell.project?.title ?? ""}`);
  document.head.append(el("link", {rel: "stylesheet", href: "/static/pages/tasks.css"}));
  const url = `/api/projects/${shell.projectId}/tasks`;
  const tasksPage = `/projects/${shell.projectId}`;

  // --- videos ---
  const videoInput = el("input", {type: "file", multiple: true, accept: "video/*,.mkv,.avi,.mov", className: "videos"});
  const videoList = el("ul", {className: "files uploads"});
  const drop = el("div", {className: "drop", textContent: "Drop videos or Label Studio JSON files here, or "},
    el("button", {type: "button", className: "choose-videos", textContent: "choose videos (u)"}));
  const retryAll = el("button", {type: "button", className: "retry-all", textContent: "Retry failed (r)", hidden: true});
  const queue = [];
  let running = 0;

  function addVideo(file) {
    const bar = el("progress", {max: 1, value: 0});
    const message = el("span", {className: "message", textContent: `${sizeOf(file.size)}, waiting`});
    const retry = el("button", {type: "button", className: "retry", textContent: "Retry", hidden: true});
    const item = el("li", {className: "video"},
      el("div", {className: "file"}, el("span", {className: "name", textContent: file.name, title: file.name}), bar, retry),
      message);
    const upload = {file, item, bar, message, retry, attempts: 0};
    item.dataset.state = "waiting";
    retry.addEventListener("click", () => enqueue(upload));
    videoList.append(item);
    enqueue(upload);
  }

  function setState(upload, state, text) {
    upload.item.dataset.state = state;
    upload.item.className = `video ${state}`;
    upload.message.replaceChildren(...[text].flat());
    upload.retry.hidden = state !== "failed" || !upload.transient;
    retryAll.hidden = !videoList.querySelector("li.failed button.retry:not([hidden])");
  }

  function enqueue(upload) {
    upload.attempts = 0;
    setState(upload, "waiting", `${sizeOf(upload.file.size)}, waiting`);
    queue.push(upload);
    pump();
  }

  function pump() {
    while (running < PARALLEL && queue.length) {
      running++;
      const upload = queue.shift();
      uploadOne(upload).finally(() => { running--; pump(); });
    }
  }

  async function uploadOne(upload) {
    for (;;) {
      upload.bar.value = 0;
      setState(upload, "uploading", upload.attempts ? `sending again (attempt ${upload.attempts + 1})` : "uploading");
      const {status, body} = await send(url, upload.file, shell.api.csrf, fraction => {
        upload.bar.value = fraction;
        upload.message.textContent = `${Math.round(fraction * 100)}% of ${sizeOf(upload.file.size)}`;
      });
      if (status === 201) {
        const task = body.tasks[0];
        upload.bar.value = 1;
        const note = upload.attempts ? ` (after ${plural(upload.attempts, "retry")})` : "";
        setState(upload, "done", ["→ ", el("a", {href: `/tasks/${task}`, textContent: `task ${task}`}),
                                  `, indexing: see Tasks${note}`]);
        upload.item.dataset.task = task;
        return;
      }
      upload.transient = transient(status);
      const why = status === 0 ? "the connection was lost" : refusal(new ApiError(status, body));
      if (upload.transient && upload.attempts < RETRIES) {
        upload.attempts++;
        setState(upload, "retrying", `${why}; sending again`);
        await new Promise(resolve => setTimeout(resolve, RETRY_MS * 2 ** (upload.attempts - 1)));
        continue;
      }
      // the API's message names the file ("a.mp4: not a video"); a lost connection does not
      const text = status === 0 || !why.startsWith(`${upload.file.name}:`) ? `${upload.file.name}: ${why}` : why;
      setState(upload, "failed", upload.transient ? `${text} (tried ${upload.attempts + 1} times)` : text);
      return;
    }
  }

  const retryFailed = () => {
    for (const item of videoList.querySelectorAll("li.failed")) {
      const button = item.querySelector("button.retry");
      if (!button.hidden) button.click();
    }
  };
  retryAll.addEventListener("click", retryFailed);

  // --- Label Studio JSON ---
  const jsonInput = el("input", {type: "file", multiple: true, accept: ".json,application/json", className: "json"});
  const jsonList = el("ul", {className: "files json-imports"});

  async function importJson(file) {
    const message = el("div", {className: "message", textContent: "reading"});
    const item = el("li", {className: "json"}, el("div", {className: "file"},
      el("span", {className: "name", textContent: file.name, title: file.name})), message);
    item.dataset.state = "importing";
    jsonList.append(item);
    const fail = text => {
      item.dataset.state = "failed";
      item.className = "json failed";
      message.textContent = `${file.name}: ${text}; nothing was imported from it`;
    };
    let tasks;
    try {
      tasks = JSON.parse(await file.text());
    } catch (error) {
      return fail(`not JSON (${error.message})`);
    }
    message.textContent = "importing";
    let answer;
    try {  // not retried: an import that was stored must not be sent twice
      answer = await shell.api.request("POST", url, tasks, {}, {retries: 0});
    } catch (error) {
      return fail(error instanceof ApiError && error.body.path && error.status === 400
        ? `${error.message} (at ${error.body.path})` : refusal(error));
    }
    const imported = answer.imported || [];
    const predicted = imported.filter(t => t.predictions);
    const predictions = predicted.reduce((sum, t) => sum + t.predictions, 0);
    const annotations = imported.reduce((sum, t) => sum + t.annotations, 0);
    item.dataset.state = "done";
    item.dataset.predictions = predictions;
    item.className = "json done";
    message.replaceChildren(`${plural(answer.tasks.length, "task")} imported, with ${plural(annotations, "annotation")} ` +
      `and ${plural(predictions, "prediction")} (shown as predictions, not annotations)` +
      (answer.warnings.length ? `; ${plural(answer.warnings.length, "warning")}` : ""));
    if (predicted.length) {
      const rows = predicted.slice(0, 20).map(t => el("tr", {},
        el("td", {}, el("a", {href: `/tasks/${t.id}`, textContent: `task ${t.id}`})),
        el("td", {className: "count", textContent: plural(t.predictions, "prediction")})));
      if (predicted.length > 20) rows.push(el("tr", {}, el("td", {colSpan: 2, textContent: `and ${predicted.length - 20} more`})));
      item.append(el("table", {className: "predictions"}, el("tbody", {}, ...rows)));
    }
    if (answer.warnings.length) {
      item.append(el("ul", {className: "warnings"},
        ...answer.warnings.slice(0, 10).map(w => el("li", {textContent: `${w.path}: ${w.message}`}))));
    }
  }

  // --- paths ---
  const paths = el("textarea", {className: "paths", placeholder: "one path a line, relative to a media root (or absolute)"});
  const pathButton = el("button", {type: "button", className: "import-paths", textContent: "Import paths (ctrl+enter)"});
  const pathList = el("ul", {className: "files path-imports"});

  async function importPaths() {
    const lines = paths.value.split("\n").map(line => line.trim()).filter(Boolean);
    if (!lines.length) return shell.status("type a path first (t)", true);
    paths.value = "";
    for (const path of lines) {
      const message = el("div", {className: "message", textContent: "importing"});
      const item = el("li", {className: "path"}, el("div", {className: "file"}, el("span", {className: "name", textContent: path})),
        message);
      pathList.append(item);
      try {
        const answer = await shell.api.request("POST", url, {path}, {}, {retries: 0});
        const task = answer.tasks[0];
        item.dataset.state = "done";
        item.className = "path done";
        message.replaceChildren("→ ", el("a", {href: `/tasks/${task}`, textContent: `task ${task}`}), ", indexing: see Tasks");
      } catch (error) {
        const why = refusal(error);
        item.dataset.state = "failed";
        item.className = "path failed";
        message.textContent = why.startsWith(`${path}:`) || why.startsWith(`'${path}'`) ? why : `${path}: ${why}`;
      }
    }
  }
  pathButton.addEventListener("click", importPaths);

  // --- choosing files ---
  const take = files => {
    for (const file of files) {
      if (/\.json$/i.test(file.name) || file.type === "application/json") importJson(file);
      else addVideo(file);
    }
  };
  videoInput.addEventListener("change", () => { take([...videoInput.files]); videoInput.value = ""; });
  jsonInput.addEventListener("change", () => { take([...jsonInput.files]); jsonInput.value = ""; });
  drop.querySelector("button").addEventListener("click", () => videoInput.click());
  drop.addEventListener("dragover", event => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", event => {
    event.preventDefault();
    drop.classList.remove("over");
    take([...event.dataTransfer.files]);
  });
  const chooseJson = el("button", {type: "button", className: "choose-json", textContent: "Choose JSON files (j)"});
  chooseJson.addEventListener("click", () => jsonInput.click());

  root.replaceChildren(
    el("h2", {textContent: "Import"}),
    el("p", {className: "muted"}, "New tasks go to the project's ", el("a", {href: tasksPage, textContent: "Tasks (g t)"}),
      ", where their videos' indexing shows. A video already in the project is refused; nothing is kept of a file that fails."),
    el("div", {className: "import-page"},
      el("section", {className: "videos"}, el("h3", {textContent: "Videos"}), drop, videoInput, retryAll, videoList),
      el("section", {className: "label-studio"}, el("h3", {textContent: "Label Studio JSON export"}),
        el("p", {className: "muted", textContent: "Tasks with their annotations and predictions; a file is imported whole or not at all."}),
        chooseJson, jsonInput, jsonList),
      el("section", {className: "paths"}, el("h3", {textContent: "Paths under a media root"}), paths, pathButton, pathList)));
  videoInput.hidden = jsonInput.hidden = true;
  if (!shell.isAdmin) shell.status("importing needs an admin: the host will refuse your imports (403)", true);

  const keys = shell.keys;
  keys.add("u", "choose videos to upload", () => videoInput.click());
  keys.add("j", "choose Label Studio JSON files", () => jsonInput.click());
  keys.add("t", "type paths under a media root", () => paths.focus());
  keys.add("ctrl+enter", "import the typed paths", importPaths);
  keys.add("r", "retry the failed uploads", retryFailed);
}
