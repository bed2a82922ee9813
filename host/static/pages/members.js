// Members (`/members`, admins): every user with role, annotation count and last activity; add a
// user with a role (their generated password and API token shown once), reset a password, list
// and revoke a user's tokens. Everything through /api/users; an annotator gets the API's 403,
// shown as such.

import {ApiError} from "/static/player/api.js";
import {el} from "/static/player/dom.js";

const when = text => (text ? new Date(text).toLocaleString() : "never");

export async function mount(root, shell) {
  shell.title("Members");
  let users;
  try {
    users = await shell.api.get("/api/users");
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403) throw error;
    root.replaceChildren(el("section", {className: "members denied"}, el("h2", {textContent: "Members"}),
      el("p", {className: "error", textContent: `Members are managed by admins: the host refused (403) — ${error.message}.`})));
    shell.error(error);
    return;
  }
  const page = new MembersPage(root, shell, users);
  page.render();
  page.bindKeys();
}

class MembersPage {
  constructor(root, shell, users) {
    this.root = root;
    this.shell = shell;
    this.users = users;
    this.selected = 0;  // index into users
    this.tokens = null;  // {user, rows, selected} while a user's tokens are shown
  }

  get user() { return this.users[this.selected]; }

  async reload() {
    this.users = await this.shell.api.get("/api/users");
    this.selected = Math.min(this.selected, this.users.length - 1);
    this.render();
  }

  render() {
    const rows = this.users.map((user, index) => {
      const reset = el("button", {type: "button", textContent: "Reset password", title: "keys: r"});
      reset.addEventListener("click", () => { this.select(index); this.resetPassword(); });
      const tokens = el("button", {type: "button", textContent: "Tokens", title: "keys: t"});
      tokens.addEventListener("click", () => { this.select(index); this.showTokens(); });
      const row = el("tr", {className: index === this.selected ? "selected" : ""},
        el("td", {textContent: user.name}), el("td", {className: "role", textContent: user.role}),
        el("td", {className: "number annotations", textContent: String(user.annotations)}),
        el("td", {textContent: when(user.last_activity)}), el("td", {textContent: when(user.created_at)}),
        el("td", {}, reset, " ", tokens));
      row.setAttribute("data-user", user.id);
      row.addEventListener("click", event => { if (!event.target.closest("button")) this.select(index); });
      return row;
    });
    const head = el("tr", {}, ...["Name", "Role", "Annotations", "Last activity", "Added", ""].map(
      (text, i) => el("th", {textContent: text, className: i === 2 ? "number" : ""})));
    this.root.replaceChildren(el("section", {className: "members"},
      el("h2", {textContent: "Members"}), this.addForm(),
      el("div", {className: "shown-once"}),
      el("table", {className: "list users"}, el("thead", {}, head), el("tbody", {}, ...rows)),
      el("div", {className: "tokens"})));
    if (this.tokens) this.renderTokens();
  }

  addForm() {
    const form = el("form", {className: "add toolbar"},
      el("input", {name: "name", placeholder: "new user's name", required: true, title: "keys: a"}),
      el("select", {name: "role", title: "role"},
        el("option", {value: "annotator", textContent: "annotator"}), el("option", {value: "admin", textContent: "admin"})),
      el("button", {className: "primary", textContent: "Add user"}));
    form.addEventListener("submit", event => {
      event.preventDefault();
      this.shell.run(async () => {
        const name = form.elements.name.value, role = form.elements.role.value;
        const created = await this.shell.api.post("/api/users", {name, role});
        await this.reload();
        this.select(this.users.findIndex(u => u.id === created.user.id));
        this.shownOnce(`${created.user.name} (${created.user.role}) was added.`, created.password, created.token);
        this.shell.status(`added ${created.user.name}`);
      });
    });
    return form;
  }

  // A secret shown once: the password (and the API token) to pass on.
  shownOnce(text, password, token) {
    const box = this.root.querySelector(".shown-once");
    const fields = [el("span", {textContent: `${text} Shown only this once: `}),
      el("label", {}, "password ", el("input", {className: "password", readOnly: true, value: password, size: 22}))];
    if (token) fields.push(el("label", {}, " API token ", el("input", {className: "token", readOnly: true, value: token, size: 48})));
    box.replaceChildren(el("p", {className: "secret"}, ...fields));
  }

  select(index) {
    if (index < 0 || index >= this.users.length) return;
    this.selected = index;
    this.root.querySelectorAll("table.users tbody tr").forEach((row, i) => row.classList.toggle("selected", i === index));
    if (this.tokens && this.tokens.user.id !== this.user.id) this.showTokens();
  }

  async resetPassword() {
    const user = this.user;
    if (!await this.shell.confirm(`Reset ${user.name}'s password? Their old one stops working and they are signed out everywhere.`, "Reset")) return;
    await this.shell.run(async () => {
      const answer = await this.shell.api.post(`/api/users/${user.id}/password`);
      this.shownOnce(`${user.name}'s password was reset.`, answer.password);
      this.shell.status(`reset ${user.name}'s password`);
    });
  }

  async showTokens() {
    const user = this.user;
    await this.shell.run(async () => {
      const rows = await this.shell.api.get(`/api/users/${user.id}/tokens`);
      this.tokens = {user, rows, selected: 0};
      this.renderTokens();
    });
  }

  renderTokens() {
    const {user, rows, selected} = this.tokens;
    const items = rows.map((token, index) => {
      const revoke = el("button", {type: "button", textContent: "Revoke", title: "keys: x"});
      revoke.addEventListener("click", () => { this.tokens.selected = index; this.revoke(); });
      const row = el("tr", {className: index === selected ? "selected" : ""},
        el("td", {className: "number", textContent: String(token.id)}), el("td", {textContent: token.kind === "api" ? "API token" : "login link"}),
        el("td", {textContent: when(token.created_at)}), el("td", {}, revoke));
      row.setAttribute("data-token", token.id);
      return row;
    });
    const body = items.length ? el("table", {className: "list"}, el("tbody", {}, ...items))
      : el("p", {className: "muted", textContent: "no tokens"});
    this.root.querySelector(".tokens").replaceChildren(
      el("h2", {textContent: `Tokens of ${user.name}`}), body);
  }

  async revoke() {
    const {user, rows, selected} = this.tokens || {};
    const token = rows?.[selected];
    if (!token) return;
    if (!await this.shell.confirm(`Revoke ${user.name}'s token ${token.id}? It signs nothing in from now on.`, "Revoke")) return;
    await this.shell.run(async () => {
      await this.shell.api.request("DELETE", `/api/users/${user.id}/tokens/${token.id}`);
      this.shell.status(`revoked token ${token.id} of ${user.name}`);
      await this.showTokens();
    });
  }

  moveToken(step) {
    if (!this.tokens?.rows.length) return;
    const last = this.tokens.rows.length - 1;
    this.tokens.selected = Math.max(0, Math.min(last, this.tokens.selected + step));
    this.renderTokens();
  }

  bindKeys() {
    const keys = this.shell.keys;
    keys.add("a", "add a user (the name field)", () => this.root.querySelector("form.add input[name=name]").focus());
    keys.add("j", "next member", () => this.select(this.selected + 1));
    keys.add("k", "previous member", () => this.select(this.selected - 1));
    keys.add("r", "reset the member's password", () => this.resetPassword());
    keys.add("t", "show the member's tokens", () => this.showTokens());
    keys.add("shift+j", "next token", () => this.moveToken(1));
    keys.add("shift+k", "previous token", () => this.moveToken(-1));
    keys.add("x", "revoke the selected token", () => this.revoke());
  }
}
