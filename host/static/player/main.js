// Start: sign in if needed, then open /tasks/<id> in the player, or list projects and tasks.

import {Api, ApiError} from "./api.js";
import {Player} from "./player.js";

const app = document.getElementById("app");
const api = new Api();

async function signedIn() {
  try {
    return await api.me();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
  }
  return new Promise(resolve => {
    app.innerHTML = `<form class="login"><h2>Sign in</h2>
      <input name="name" placeholder="name" autocomplete="username" required>
      <input name="password" type="password" placeholder="password" autocomplete="current-password" required>
      <button>Sign in</button><p class="status error"></p></form>`;
    const form = app.querySelector("form");
    form.addEventListener("submit", async event => {
      event.preventDefault();
      try {
        resolve(await api.login(form.name.value, form.password.value));
      } catch (error) {
        form.querySelector(".status").textContent = error.message;
      }
    });
  });
}

async function listTasks() {
  const projects = await api.get("/api/projects");
  app.replaceChildren();
  for (const project of projects) {
    const tasks = await api.get(`/api/projects/${project.id}/tasks`);
    const section = document.createElement("section");
    section.innerHTML = `<h2></h2><ul></ul>`;
    section.querySelector("h2").textContent = project.title;
    for (const task of tasks) {
      const item = document.createElement("li");
      item.innerHTML = `<a href="/tasks/${task.id}">task ${task.id}</a>`;
      section.querySelector("ul").append(item);
    }
    app.append(section);
  }
}

async function openTask(taskId) {
  const task = await api.get(`/api/tasks/${taskId}`);
  const ui = await api.get(`/api/projects/${task.project}/interface`);
  document.getElementById("where").textContent = `task ${task.id}`;
  const player = new Player(app, api, task, user);
  await player.mount(ui.root);
}

const user = await signedIn();
const match = location.pathname.match(/^\/tasks\/(\d+)/);
try {
  if (match) await openTask(Number(match[1])); else await listTasks();
} catch (error) {
  app.textContent = `Cannot open this: ${error.message}`;
  console.error(error);
}
