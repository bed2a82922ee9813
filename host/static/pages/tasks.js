// Tasks (`/projects/<id>`), the data manager: the project's tasks a page at a time from
// GET /api/projects/<id>/task-list, with a thumbnail, the video's facts, annotations and their
// authors, the last update and the background jobs (polled while one runs); filter, sort,
// paging; select tasks (click, shift-click for a range, all on the page) to delete or export.

import {el} from "/static/player/dom.js";

const FILTERS = [["all", "All"], ["not_annotated", "Not annotated"], ["mine", "Mine"], ["warnings", "With warnings"]];
const SORTS = [["id", "ID"], ["updated", "Last update"], ["annotations", "Annotations"]];
const PER_PAGE = [25, 50, 100, 200];
const POLL_MS = 1000;

const when = iso => new Date(iso).toLocaleString(undefined, {dateStyle: "medium", timeStyle: "short"});
const seconds = s => s == null ? "" : `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, "0")}`;

// The state of the list, kept in the page's query string so a reload shows the same page.
function readState() {
  const query = new URLSearchParams(location.search);
  const sort = query.get("sort") || "id";
  return {filter: query.get("filter") || "all", sort: sort.replace(/^-/, ""), descending: sort.startsWith("-"),
          page: Number(query.get("page")) || 1, perPage: Number(query.get("per_page")) || 50};
}

export async function mount(root, shell) {
  shell.title(`Tasks · ${shell.project?.title ?? ""}`);
  document.head.append(el("link", {rel: "stylesheet", href: "/static/pages/tasks.css"}));
  const project = shell.projectId;
  const state = readState();
  const selected = new Set();  // task ids, kept across pages
  let rows = [];  // the page's tasks
  let cursor = -1;  // the row the keyboard is on
  let anchor = null;  // the row a shift-click or shift+x range starts from
  let total = 0;
  let poll = null;

  const filter = el("select", {className: "filter", title: "keys: 1 2 3 4"},
    ...FILTERS.map(([value, text], i) => el("option", {value, textContent: `${text} (key ${i + 1})`})));
  const sort = el("select", {className: "sort", title: "keys: s (next), r (reverse)"},
    ...SORTS.map(([value, text]) => el("option", {value, textContent: text})));
  const order = el("button", {type: "button", className: "order", title: "reverse the order (r)"});
  const perPage = el("select", {className: "per-page", title: "tasks per page"},
    ...PER_PAGE.map(n => el("option", {value: n, textContent: `${n} per page`})));
  const previous = el("button", {type: "button", className: "previous", textContent: "‹ Previous", title: "keys: p"});
  const next = el("button", {type: "button", className: "next", textContent: "Next ›", title: "keys: n"});
  const where = el("span", {className: "page-of muted"});
  const count = el("span", {className: "selection muted"});
  const remove = el("button", {type: "button", className: "delete", textContent: "Delete…",
                               title: "delete the selected tasks (shift+d)"});
  const exporting = el("button", {type: "button", className: "export", textContent: "Export…",
                                  title: "export the selected tasks, or all (e)"});
  const importing = el("a", {href: `/projects/${project}/import`, textContent: "Import", title: "keys: g i"});
  const all = el("input", {type: "checkbox", className: "all", title: "select all on this page (a)"});
  const body = el("tbody");
  const table = el("table", {className: "list tasks"},
    el("thead", {}, el("tr", {}, el("th", {}, all), el("th", {className: "number", textContent: "ID"}),
      el("th", {textContent: ""}), el("th", {textContent: "Video"}), el("th", {className: "number", textContent: "Frames"}),
      el("th", {className: "number", textContent: "Rate"}), el("th", {className: "number", textContent: "Duration"}),
      el("th", {textContent: "Timing"}), el("th", {className: "number", textContent: "Annotations"}),
      el("th", {textContent: "By"}), el("th", {className: "number", textContent: "Predictions"}),
      el("th", {textContent: "Last update"}), el("th", {textContent: "Jobs"}))),
    body);
  const empty = el("p", {className: "empty muted"});
  if (!shell.isAdmin) remove.hidden = true;
  root.replaceChildren(el("section", {className: "tasks-page"},
    el("h2", {textContent: "Tasks"}),
    el("div", {className: "toolbar"}, filter, sort, order, perPage, previous, where, next, count, remove, exporting,
      importing),
    table, empty));

  // --- loading a page ---

  const pushState = () => {
    const query = new URLSearchParams({filter: state.filter, sort: (state.descending ? "-" : "") + state.sort,
                                       page: state.page, per_page: state.perPage});
    history.replaceState(null, "", `${location.pathname}?${query}`);
  };

  // Answers can arrive out of order (two quick key presses): one to a question asked before the
  // latest is stale and is dropped, or it would show a list of the wrong sort or filter.
  let asked = 0;
  async function load() {
    clearTimeout(poll);
    const question = ++asked;
    const query = new URLSearchParams({filter: state.filter, sort: (state.descending ? "-" : "") + state.sort,
                                       page: state.page, per_page: state.perPage});
    const shown = `${query.get("filter")} ${query.get("sort")} ${query.get("page")}`;  // data-loaded once drawn
    const answer = await shell.api.get(`/api/projects/${project}/task-list?${query}`);
    if (question !== asked) return;
    total = answer.total;
    const pages = Math.max(1, Math.ceil(total / state.perPage));
    if (state.page > pages) {  // past the end (tasks were deleted): the last page
      state.page = pages;
      return load();
    }
    rows = answer.tasks;
    pushState();
    draw();
    if (rows.some(busy)) poll = setTimeout(() => shell.run(load), POLL_MS);
    root.querySelector(".tasks-page").dataset.loaded = shown;
  }
  const reload = () => shell.run(load);

  // A task whose video is being indexed or proxied (or waits for it): polled.
  const busy = task => Object.values(task.jobs).some(job => job && ["queued", "running"].includes(job.state));

  // --- drawing ---

  function draw() {
    filter.value = state.filter;
    sort.value = state.sort;
    perPage.value = state.perPage;
    order.textContent = state.descending ? "↓ descending" : "↑ ascending";
    const pages = Math.max(1, Math.ceil(total / state.perPage));
    where.textContent = `page ${state.page} of ${pages} · ${total} task${total === 1 ? "" : "s"}`;
    previous.disabled = state.page <= 1;
    next.disabled = state.page >= pages;
    body.replaceChildren(...rows.map(row));
    empty.textContent = total ? "" : state.filter === "all" ? "No tasks yet: import videos or a Label Studio export (g i)."
      : "No task matches this filter.";
    cursor = Math.min(cursor, rows.length - 1);
    drawSelection();
  }

  function row(task, index) {
    const media = task.media;
    const box = el("input", {type: "checkbox", className: "pick", checked: selected.has(task.id)});
    box.addEventListener("click", event => { pick(index, event.shiftKey); box.blur(); });  // keys work on
    const thumb = task.thumbnail ? el("img", {src: task.thumbnail, alt: "", loading: "lazy", className: "thumb"})
      : el("span", {className: "thumb none"});
    const warnings = media?.warnings?.length
      ? el("span", {className: "warning", textContent: " ⚠", title: media.warnings.join("\n")}) : "";
    const authors = task.authors.map(a => `${a.name ?? "imported"}${a.annotations > 1 ? ` (${a.annotations})` : ""}`);
    const tr = el("tr", {},
      el("td", {}, box),
      el("td", {className: "number id", textContent: task.id}),
      el("td", {}, thumb),
      el("td", {className: "name"}, el("a", {href: `/tasks/${task.id}`, textContent: task.name || `task ${task.id}`,
                                            title: "open in the player (o)"}), warnings),
      el("td", {className: "number frames", textContent: media?.frames ?? ""}),
      el("td", {className: "number fps", textContent: media?.fps ? `${+media.fps.toFixed(3)} fps` : ""}),
      el("td", {className: "number duration", textContent: seconds(media?.duration)}),
      el("td", {className: "timing", textContent: media ? (media.constant_rate ? "constant" : "variable") : ""}),
      el("td", {className: "number annotations", textContent: task.annotations}),
      el("td", {className: "authors", textContent: authors.join(", ")}),
      el("td", {className: "number predictions", textContent: task.predictions || ""}),
      el("td", {className: "updated muted", textContent: when(task.updated_at)}),
      el("td", {className: "jobs"}, ...jobCells(task)));
    tr.dataset.task = task.id;
    tr.classList.toggle("picked", selected.has(task.id));
    tr.classList.toggle("cursor", index === cursor);
    tr.classList.toggle("indexed", media !== null);
    tr.classList.toggle("warned", Boolean(media?.warnings?.length));
    return tr;
  }

  function jobCells(task) {
    const cells = [];
    for (const [kind, job] of Object.entries(task.jobs)) {
      if (!job) continue;
      const label = {index: "indexing", proxy: "proxy"}[kind];
      const part = el("span", {className: `job ${kind} ${job.state}`});
      if (job.state === "running" || job.state === "queued") {
        part.append(`${label} `, el("progress", {max: 1, value: job.progress}),
          ` ${Math.round(job.progress * 100)}%`);
      } else {
        part.textContent = job.state === "done" ? (kind === "index" ? "indexed" : "proxy ready")
          : `${label} ${job.state}`;
        if (job.message) part.title = job.message;
      }
      cells.push(part);
    }
    if (!cells.length && !task.video) cells.push(el("span", {className: "muted", textContent: "no local video"}));
    return cells;
  }

  function drawSelection() {
    const trs = body.querySelectorAll("tr");
    trs.forEach((tr, i) => {
      const id = rows[i].id;
      tr.classList.toggle("picked", selected.has(id));
      tr.classList.toggle("cursor", i === cursor);
      tr.querySelector("input.pick").checked = selected.has(id);
    });
    const onPage = rows.filter(t => selected.has(t.id)).length;
    all.checked = rows.length > 0 && onPage === rows.length;
    all.indeterminate = onPage > 0 && onPage < rows.length;
    count.textContent = selected.size ? `${selected.size} selected (esc clears)` : "";
    remove.disabled = !selected.size;
    exporting.textContent = selected.size ? `Export ${selected.size}…` : "Export all…";
  }

  // --- selecting ---

  // Toggle a row; with `range`, set every row from the anchor to it as the anchor is.
  function pick(index, range = false) {
    if (index < 0 || index >= rows.length) return;
    if (range && anchor !== null && anchor < rows.length) {
      const on = selected.has(rows[anchor].id);
      const [from, to] = anchor < index ? [anchor, index] : [index, anchor];
      for (let i = from; i <= to; i++) on ? selected.add(rows[i].id) : selected.delete(rows[i].id);
    } else {
      const id = rows[index].id;
      selected.has(id) ? selected.delete(id) : selected.add(id);
      anchor = index;
    }
    cursor = index;
    drawSelection();
  }

  function pickPage() {
    const every = rows.every(t => selected.has(t.id));
    for (const task of rows) every ? selected.delete(task.id) : selected.add(task.id);
    drawSelection();
  }

  function clearSelection() {
    selected.clear();
    anchor = null;
    drawSelection();
  }

  function move(step) {
    if (!rows.length) return;
    cursor = Math.max(0, Math.min(rows.length - 1, cursor + step));
    drawSelection();
    body.children[cursor].scrollIntoView({block: "nearest"});
  }

  // --- actions ---

  async function removeSelected() {
    if (!selected.size) return shell.status("select tasks to delete first (x, shift+x, a)", true);
    const ids = [...selected];
    const ok = await shell.confirm(`Delete ${ids.length} task${ids.length === 1 ? "" : "s"} with their annotations? ` +
                                   "This cannot be undone.", "Delete");
    if (!ok) return;
    await shell.run(async () => {
      const answer = await shell.api.post(`/api/projects/${project}/tasks/delete`, {tasks: ids});
      clearSelection();
      shell.status(`deleted ${answer.deleted.length} task${answer.deleted.length === 1 ? "" : "s"}`);
      await load();
    });
  }

  function exportSelected() {
    const ids = [...selected].sort((a, b) => a - b);
    location.href = `/projects/${project}/export${ids.length ? `?tasks=${ids.join(",")}` : ""}`;
  }

  const change = update => { Object.assign(state, update); reload(); };
  const setFilter = value => change({filter: value, page: 1});
  const setSort = value => change({sort: value, page: 1});

  // a control that was used gives the keyboard back to the page's keys
  for (const control of [filter, sort, perPage, all]) control.addEventListener("change", () => control.blur());
  filter.addEventListener("change", () => setFilter(filter.value));
  sort.addEventListener("change", () => setSort(sort.value));
  order.addEventListener("click", () => change({descending: !state.descending, page: 1}));
  perPage.addEventListener("change", () => change({perPage: Number(perPage.value), page: 1}));
  previous.addEventListener("click", () => state.page > 1 && change({page: state.page - 1}));
  next.addEventListener("click", () => !next.disabled && change({page: state.page + 1}));
  all.addEventListener("click", event => { event.preventDefault(); pickPage(); all.blur(); });
  remove.addEventListener("click", removeSelected);
  exporting.addEventListener("click", exportSelected);

  const keys = shell.keys;
  FILTERS.forEach(([value, text], i) => keys.add(String(i + 1), `show ${text.toLowerCase()}`, () => setFilter(value)));
  keys.add("s", "sort by the next column (ID, last update, annotations)", () => {
    const at = SORTS.findIndex(([value]) => value === state.sort);
    setSort(SORTS[(at + 1) % SORTS.length][0]);
  });
  keys.add("r", "reverse the order", () => change({descending: !state.descending, page: 1}));
  keys.add("n", "next page", () => !next.disabled && change({page: state.page + 1}));
  keys.add("p", "previous page", () => state.page > 1 && change({page: state.page - 1}));
  keys.add("j", "next task", () => move(1));
  keys.add("k", "previous task", () => move(-1));
  keys.add("x", "select or unselect the task", () => pick(cursor));
  keys.add("shift+x", "select from the last selected task to this one", () => pick(cursor, true));
  keys.add("a", "select all on the page (again: none)", pickPage);
  keys.add("escape", "clear the selection", clearSelection);
  keys.add("o", "open the task in the player", () => { if (cursor >= 0) location.href = `/tasks/${rows[cursor].id}`; });
  keys.add("shift+d", "delete the selected tasks", removeSelected);
  keys.add("e", "export the selected tasks (none selected: all)", exportSelected);
  keys.add("u", "reload the list", reload);

  await load();
}
