// Start: sign in if needed, then open /tasks/<id> in the player, or the next task of a project's
// labeling queue (/projects/<id>/label; ?task=<id>: that task, in the queue).

import {Api, ApiError} from "./api.js";
import {Player} from "./player.js";
import {Queue} from "./queue.js";

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

async function openTask(taskId) {
  const task = await api.get(`/api/tasks/${taskId}`);
  const ui = await api.get(`/api/projects/${task.project}/interface`);
  document.getElementById("where").textContent = `task ${task.id}`;
  const player = new Player(app, api, task, user);
  await player.mount(ui.root);
  return player;
}

// The task asked for (locked to the user unless another annotator holds it), else the next one.
async function openQueue(projectId, taskId) {
  let place = null;
  if (taskId) {
    try {
      place = await api.post(`/api/tasks/${taskId}/lock`);
    } catch (error) {
      if (error.status !== 409) throw error;
    }
  } else {
    place = await api.post(`/api/projects/${projectId}/next`);
    if (place === null) return done(projectId);
  }
  const player = await openTask(place?.task ?? taskId);
  new Queue(player, projectId, place).mount();
}

function done(projectId) {
  const back = Object.assign(document.createElement("a"), {href: `/projects/${projectId}`, textContent: "the project's tasks"});
  const message = Object.assign(document.createElement("p"), {className: "queue-done"});
  message.append("No more tasks to label in this project. Back to ", back, ".");
  app.replaceChildren(message);
}

const user = await signedIn();
const task = location.pathname.match(/^\/tasks\/(\d+)/);
const queue = location.pathname.match(/^\/projects\/(\d+)\/label/);
try {
  if (task) await openTask(Number(task[1]));
  else if (queue) await openQueue(Number(queue[1]), Number(new URLSearchParams(location.search).get("task")) || null);
  else app.textContent = "Nothing to show here: open a task or a project's labeling queue";
} catch (error) {
  app.textContent = `Cannot open this: ${error.message}`;
  console.error(error);
}
