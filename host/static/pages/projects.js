// Projects (`/`): every project the user can see, with its tasks, annotated tasks and last
// activity; Create project for admins. j/k move the selection, Enter opens it.

import {el} from "./dom.js";

const when = iso => new Date(iso).toLocaleString(undefined, {dateStyle: "medium", timeStyle: "short"});

export async function mount(root, shell) {
  shell.title("Projects");
  const projects = await shell.api.get("/api/projects");
  const toolbar = el("div", {className: "toolbar"});
  if (shell.isAdmin) {
    const create = el("button", {type: "button", className: "primary create", textContent: "Create project",
                                 title: "keys: n"});
    const go = () => { location.href = "/projects/new"; };
    create.addEventListener("click", go);
    shell.keys.add("n", "create a project", go);
    toolbar.append(create);
  }
  const head = el("tr", {}, el("th", {textContent: "Project"}), el("th", {className: "number", textContent: "Tasks"}),
    el("th", {className: "number", textContent: "Annotated"}), el("th", {textContent: "Last activity"}));
  const rows = projects.map(project => el("tr", {dataset: {project: project.id}},
    el("td", {}, el("a", {href: `/projects/${project.id}`, textContent: project.title}),
       project.description ? el("div", {className: "muted description", textContent: project.description}) : ""),
    el("td", {className: "number tasks", textContent: project.task_count}),
    el("td", {className: "number annotated", textContent: project.annotated_count}),
    el("td", {className: "muted", textContent: when(project.last_activity)})));
  const body = projects.length ? el("table", {className: "list"}, el("thead", {}, head), el("tbody", {}, ...rows))
    : el("p", {className: "muted", textContent: shell.isAdmin ? "No projects yet: create one (n)."
                                                             : "No projects yet: an admin creates them."});
  root.replaceChildren(el("section", {className: "projects"}, el("h2", {textContent: "Projects"}), toolbar, body));

  let current = -1;
  const select = index => {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row, i) => row.classList.toggle("selected", i === current));
    rows[current].scrollIntoView({block: "nearest"});
  };
  shell.keys.add("j", "next project", () => select(current + 1));
  shell.keys.add("k", "previous project", () => select(current - 1));
  shell.keys.add("enter", "open the selected project", () => {
    if (current >= 0) location.href = `/projects/${projects[current].id}`;
  });
}
