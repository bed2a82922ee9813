// Projects (`/`): every project the user can see, with its tasks, annotated tasks and last
// activity; Create project for admins.

import {el} from "/static/player/dom.js";

export async function mount(root, shell) {
  shell.title("Projects");
  const projects = await shell.api.get("/api/projects");
  const rows = projects.map(project => el("tr", {dataset: {project: project.id}},
    el("td", {}, el("a", {href: `/projects/${project.id}`, textContent: project.title}))));
  root.replaceChildren(el("section", {className: "projects"}, el("h2", {textContent: "Projects"}),
    el("table", {className: "list"}, el("tbody", {}, ...rows))));
}
