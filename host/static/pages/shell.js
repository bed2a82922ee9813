// The pages' shell: sign-in, the nav bar (with the user and role), a hotkey registry that `?`
// lists, a status line that shows the API's errors, and a confirm dialog. Each page is
// `/static/pages/<page>.js` exporting `mount(root, shell)`; the page's name is <body data-page>.

import {Api, ApiError} from "/static/player/api.js";
import {comboOf} from "/static/player/hotkeys.js";
import {el} from "/static/player/dom.js";

// A keyboard registry: `add(combo, help, run)`; a combo is one key ("n", "ctrl+s", "?") or two
// keys in a row ("g p"). Keys typed in fields are left alone unless the combo has ctrl or alt.
export class Keys {
  constructor() {
    this.actions = new Map();  // combo -> {help, run}
    this.prefix = null;
    document.addEventListener("keydown", event => this.dispatch(event));
  }

  add(combo, help, run) {
    if (this.actions.has(combo)) throw new Error(`hotkey ${combo} is taken: ${this.actions.get(combo).help}`);
    this.actions.set(combo, {help, run});
  }

  dispatch(event) {
    if (["Shift", "Control", "Alt", "Meta"].includes(event.key)) return;
    const combo = comboOf(event);
    const inField = event.target.closest?.("input, select, textarea, [contenteditable]");
    if (inField && !/\b(ctrl|alt)\+/.test(combo)) return;
    if (event.target.closest?.("dialog")) return;
    const full = this.prefix ? `${this.prefix} ${combo}` : combo;
    this.prefix = null;
    const action = this.actions.get(full);
    if (action) {
      event.preventDefault();
      action.run(event);
    } else if ([...this.actions.keys()].some(k => k.startsWith(`${combo} `))) {
      event.preventDefault();
      this.prefix = combo;
    }
  }

  // The help overlay: every hotkey with what it does.
  show() {
    const rows = [...this.actions].map(([combo, {help}]) =>
      el("tr", {}, el("td", {}, el("kbd", {textContent: combo})), el("td", {textContent: help})));
    const dialog = el("dialog", {className: "keys"}, el("h3", {textContent: "Keyboard"}),
      el("table", {}, ...rows), el("p", {}, el("button", {type: "button", textContent: "Close"})));
    dialog.querySelector("button").addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
    return dialog;
  }
}

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

  // The nav bar: Projects; the project's pages when inside one; Members (admins); the user.
  nav(page) {
    const links = [["/", "Projects", "g p", "projects"]];
    if (this.projectId !== null) {
      const base = `/projects/${this.projectId}`;
      links.push([base, "Tasks", "g t", "tasks"], [`${base}/import`, "Import", "g i", "import"],
        [`${base}/export`, "Export", "g e", "export"], [`${base}/label`, "Label", "g l", "label"]);
      if (this.isAdmin) links.push([`${base}/settings`, "Settings", "g s", "settings"]);
    }
    if (this.isAdmin) links.push(["/members", "Members", "g m", "members"]);
    const bar = document.querySelector("header.nav");
    const items = links.map(([href, text, combo, name]) => {
      this.keys.add(combo, `go to ${text}`, () => { location.href = href; });
      const link = el("a", {href, textContent: text, title: `keys: ${combo}`});
      if (name === page && (name !== "settings" || this.projectId !== null)) link.className = "current";
      return link;
    });
    const where = el("span", {className: "where"});
    if (this.project) where.textContent = this.project.title;
    const signOut = el("button", {type: "button", textContent: "Sign out", title: "keys: g o"});
    const out = () => this.run(async () => { await this.api.post("/api/auth/logout"); location.href = "/"; });
    signOut.addEventListener("click", out);
    this.keys.add("g o", "sign out", out);
    const help = el("button", {type: "button", textContent: "?", title: "keyboard (?)", className: "help"});
    help.addEventListener("click", () => this.keys.show());
    this.keys.add("?", "show the keyboard", () => this.keys.show());
    bar.replaceChildren(el("a", {href: "/", className: "brand", textContent: "tracklabel"}), ...items, where,
      el("span", {className: "user", textContent: `${this.user.name} (${this.user.role})`}), help, signOut);
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
