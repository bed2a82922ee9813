// Start: sign in if needed, then open /tasks/<id> in the player, or the next task of a project's
// labeling queue (/projects/<id>/label; ?task=<id>: that task, in the queue), under the nav bar
// of the pages (its `g` keys listed by the player's `?`).

import {Keys} from "/static/pages/keys.js";
import {navBar} from "/static/pages/nav.js";
import {Api, ApiError} from "./api.js";
import {el} from "./dom.js";
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

// The player whose `?` lists the nav's keys under its own.
class ProjectPlayer extends Player {
  navKeys = null;
  queue = null;  // the labeling queue, when the player is opened on one

  showHelp() {
    const dialog = super.showHelp();
    dialog.querySelector("table").after(el("h3", {textContent: "Pages"}), this.navKeys.table());
    return dialog;
  }
}

// The nav bar of the pages for the project. With a player, its keys are registered after the
// player's hotkeys (a key the player takes stays the player's) and signing out first releases
// the queue's lock.
function nav(project, {page = null, where = project.title, player = null} = {}) {
  const keys = new Keys();
  const fail = error => {
    const message = error.body?.message || error.message;
    if (player?.statusLine) player.status(message, true);
    else app.append(el("p", {className: "status error", textContent: message}));
  };
  const help = () => (player ? player.showHelp() : keys.show());
  navBar(document.querySelector("header.nav"), {api, user, keys, projectId: project.id, page, where, help, fail,
                                                 leaving: async () => player?.queue?.release()});
  if (player) player.navKeys = keys;
  else keys.add("?", "show the keyboard", help);
}

// The task in the player, under the nav (`page`: its link marked current).
async function openTask(taskId, page = null) {
  const task = await api.get(`/api/tasks/${taskId}`);
  const [ui, project] = await Promise.all([api.get(`/api/projects/${task.project}/interface`),
                                           api.get(`/api/projects/${task.project}`)]);
  const player = new ProjectPlayer(app, api, task, user);
  nav(project, {page, where: `${project.title} · task ${task.id}`, player});
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
    if (place === null) return done(await api.get(`/api/projects/${projectId}`));
  }
  const player = await openTask(place?.task ?? taskId, "label");
  player.queue = new Queue(player, projectId, place);
  player.queue.mount();
}

function done(project) {
  const back = el("a", {href: `/projects/${project.id}`, textContent: "the project's tasks"});
  app.replaceChildren(el("p", {className: "queue-done"}, "No more tasks to label in this project. Back to ", back, "."));
  nav(project, {page: "label"});
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
