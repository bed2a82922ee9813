// The pages' keyboard registry (the player uses it for the nav's `g` keys): `add(combo, help,
// run)`; a combo is one key ("n", "ctrl+s", "?") or two keys in a row ("g p"). Keys typed in
// fields are left alone unless the combo has ctrl or alt; a key another handler took (the
// player's own hotkeys) is left to it.

import {comboOf} from "/static/player/hotkeys.js";
import {el} from "/static/player/dom.js";

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
    if (event.defaultPrevented) {
      this.prefix = null;
      return;
    }
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

  // Every hotkey with what it does, as a table.
  table() {
    return el("table", {className: "keys"}, ...[...this.actions].map(([combo, {help}]) =>
      el("tr", {}, el("td", {}, el("kbd", {textContent: combo})), el("td", {textContent: help}))));
  }

  // The help overlay: the table in a dialog.
  show() {
    const dialog = el("dialog", {className: "keys"}, el("h3", {textContent: "Keyboard"}), this.table(),
      el("p", {}, el("button", {type: "button", textContent: "Close"})));
    dialog.querySelector("button").addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
    return dialog;
  }
}
