// The pages' shell: sign-in, the nav bar (with the user and role), a hotkey registry that `?`
// lists, a status line that shows the API's errors, and a confirm dialog. Each page is
// `/static/pages/<page>.js` exporting `mount(root, shell)`; the page's name is <body data-page>.

import {Api, ApiError} from "/static/player/api.js";
import {el} from "/static/player/dom.js";
import {Keys} from "/static/pages/keys.js";
import {navBar} from "/static/pages/nav.js";

// What a failed API call says: a 403 as "not allowed for your role", a problem list by line.
export function describe(error) {
  if (!(error instanceof ApiError)) return error?.message || String(error);
  if (error.status === 403 && error.body?.error === "forbidden") return `not allowed for your role: ${error.message}`;
  if (error.status === 401) return "signed out: sign in again";
  return error.body?.path ? `${error.message} (at ${error.body.path})` : error.message;
}

class Shell {
  constructor(api, user) {
    this.api = api;
    this.user = user;
    this.isAdmin = user.role === "admin";
    const match = location.pathname.match(/^\/projects\/(\d+)/);
    this.projectId = match ? Number(match[1]) : null;
    this.project = null;  // the project's API object, when inside one
    this.keys = new Keys();
    this.statusLine = document.querySelector(".status");
  }

  // The status line: a message, or an error (red).
  status(message, isError = false) {
    this.statusLine.textContent = message;
    this.statusLine.classList.toggle("error", isError);
  }

  error(error) {
    this.status(describe(error), true);
    if (!(error instanceof ApiError)) console.error(error);
  }

  // Run an action; its error goes to the status line (the action's result, or undefined).
  async run(action) {
    try {
      return await action();
    } catch (error) {
      this.error(error);
      return undefined;
    }
  }

  title(text) {
    document.title = `${text} · tracklabel`;
  }

  // A modal question; resolves true when `yes` is chosen.
  confirm(message, yes = "Continue", no = "Cancel") {
    return new Promise(resolve => {
      const dialog = el("dialog", {className: "confirm"}, el("p", {textContent: message}),
        el("p", {className: "buttons"}, el("button", {type: "button", value: "yes", textContent: yes}),
          el("button", {type: "button", value: "no", textContent: no})));
      let answer = false;
      for (const button of dialog.querySelectorAll("button")) {
        button.addEventListener("click", () => { answer = button.value === "yes"; dialog.close(); });
      }
      dialog.addEventListener("close", () => { dialog.remove(); resolve(answer); });
      document.body.append(dialog);
      dialog.showModal();
    });
  }

  // The nav bar (nav.js), and `?` for the keyboard.
  nav(page) {
    navBar(document.querySelector("header.nav"), {api: this.api, user: this.user, keys: this.keys,
      projectId: this.projectId, page, where: this.project?.title ?? "", help: () => this.keys.show(),
      fail: error => this.error(error)});
    this.keys.add("?", "show the keyboard", () => this.keys.show());
  }
}

async function signedIn(api, root) {
  try {
    return await api.me();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
  }
  return new Promise(resolve => {
    const form = el("form", {className: "login"}, el("h2", {textContent: "Sign in"}),
      el("input", {name: "name", placeholder: "name", autocomplete: "username", required: true}),
      el("input", {name: "password", type: "password", placeholder: "password",
                   autocomplete: "current-password", required: true}),
      el("button", {textContent: "Sign in"}), el("p", {className: "status error"}));
    form.addEventListener("submit", async event => {
      event.preventDefault();
      try {
        resolve(await api.login(form.name.value, form.password.value));
      } catch (error) {
        form.querySelector(".status").textContent = describe(error);
      }
    });
    root.replaceChildren(form);
    form.name.focus();
  });
}

async function start() {
  const root = document.getElementById("page");
  const page = document.body.dataset.page;
  const api = new Api();
  const user = await signedIn(api, root);
  const shell = new Shell(api, user);
  window.shell = shell;
  try {
    if (shell.projectId !== null) shell.project = await api.get(`/api/projects/${shell.projectId}`);
  } catch (error) {
    shell.error(error);
  }
  shell.nav(page);
  root.replaceChildren();
  const module = await import(`/static/pages/${page}.js`);
  try {
    await module.mount(root, shell);
  } catch (error) {
    shell.error(error);
  }
  document.body.dataset.ready = "true";
}

start();
