// Hotkeys: Label Studio's defaults, each label's own, remappable (kept per user on the host:
// settings.js), and a help overlay (`?`) that lists them.

import {Setting} from "./settings.js";

// name -> [combo, what it does, the group `?` lists it under]; the tags' keys (labels, ...) are
// listed last, under "Labels".
export const DEFAULTS = {
  "play": ["alt+space", "play / pause", "Video"],
  "step-back": ["alt+arrowleft", "one frame back", "Video"],
  "step-forward": ["alt+arrowright", "one frame forward", "Video"],
  "hop-back": ["shift+alt+arrowleft", "10 frames back", "Video"],
  "hop-forward": ["shift+alt+arrowright", "10 frames forward", "Video"],
  "prev-key": ["ctrl+alt+arrowleft", "previous keyframe", "Video"],
  "next-key": ["ctrl+alt+arrowright", "next keyframe", "Video"],
  "first": ["home", "first frame", "Video"],
  "last": ["end", "last frame", "Video"],
  "toggle-keyframe": ["alt+k", "add or remove a keyframe here", "Keyframes and tracking"],
  "toggle-interpolation": ["alt+i", "cut or restore the lifespan", "Keyframes and tracking"],
  "track-forward": ["alt+t", "track the selected region forward", "Keyframes and tracking"],
  "track-backward": ["shift+alt+t", "track the selected region backward", "Keyframes and tracking"],
  "delete": ["backspace", "delete the selected region", "Regions"],
  "hide": ["alt+h", "hide / show the selected region", "Regions"],
  "lock": ["alt+l", "lock / unlock the selected region", "Regions"],
  "duplicate": ["ctrl+d", "duplicate the selected region", "Regions"],
  "undo": ["ctrl+z", "undo", "Annotation"],
  "redo": ["ctrl+shift+z", "redo", "Annotation"],
  "save": ["ctrl+enter", "submit / update", "Annotation"],
  "help": ["?", "show the hotkeys", "Annotation"],
  "submit-next": ["ctrl+shift+enter", "submit and open the next task (queue)", "Queue"],
  "skip": ["ctrl+shift+s", "skip this task (queue)", "Queue"],
  "prev-task": ["alt+pageup", "previous task (queue)", "Queue"],
  "next-task": ["alt+pagedown", "next task (queue)", "Queue"],
};

export function comboOf(event) {
  const key = event.code === "Space" ? "space" : event.key.toLowerCase();
  if (key === "?") return "?";
  return [event.ctrlKey && "ctrl", event.shiftKey && "shift", event.altKey && "alt", key]
    .filter(Boolean).join("+");
}

export class Hotkeys extends EventTarget {
  // `unhandled(event)` gets the keydown events outside fields that no hotkey took; a "remap"
  // event tells which action got which combo. The remapped combos are kept on the host through
  // `api` (in this browser only, under `storageKey`, without it).
  constructor(storageKey, unhandled = () => {}, api = null) {
    super();
    this.setting = api ? new Setting(api, "hotkeys", storageKey) : null;
    this.storageKey = storageKey;
    this.unhandled = unhandled;
    this.actions = new Map();  // name -> {help, run, combo, up}
    this.held = new Map();  // key held down -> the action with `up` it started
    this.custom = JSON.parse(localStorage.getItem(storageKey) || "{}");
    this.changed = false;  // remapped here before the host's combos arrived
    this.loaded = this.setting ? this.load() : Promise.resolve();
    document.addEventListener("keydown", event => this.dispatch(event));
    document.addEventListener("keyup", event => this.release(event));
  }

  // The combos kept on the host, applied to the actions added so far and to those added later.
  async load() {
    const custom = await this.setting.load();
    if (!custom || this.changed) return;
    this.custom = custom;
    for (const [name, action] of this.actions) {
      const combo = custom[name] || action.defaultCombo;
      if (combo === action.combo) continue;
      action.combo = combo;
      this.dispatchEvent(new CustomEvent("remap", {detail: {name, combo}}));
    }
  }

  // A named action with a default combo (remappable). With `up`, the action runs once when the
  // key goes down (not on auto-repeat) and `up` when it is released.
  add(name, run, combo = DEFAULTS[name]?.[0], help = DEFAULTS[name]?.[1], {up} = {}) {
    this.actions.set(name, {run, help, up, combo: this.custom[name] || combo, defaultCombo: combo});
  }

  remap(name, combo) {
    this.custom[name] = combo;
    this.changed = true;
    this.actions.get(name).combo = combo;
    if (this.setting) this.setting.save(this.custom);
    else localStorage.setItem(this.storageKey, JSON.stringify(this.custom));
    this.dispatchEvent(new CustomEvent("remap", {detail: {name, combo}}));
  }

  // A button's title: what the action does (or `text`) and its combo as it is now.
  title(name, text = this.actions.get(name)?.help ?? DEFAULTS[name]?.[1] ?? name) {
    const combo = this.actions.get(name)?.combo;
    return combo ? `${text} (${combo})` : text;
  }

  dispatch(event) {
    if (event.target.closest?.("input, select, textarea, dialog")) return;
    const combo = comboOf(event);
    for (const action of this.actions.values()) {
      if (action.combo === combo) {
        event.preventDefault();
        if (action.up) {
          if (event.repeat || this.held.has(event.code)) return;
          this.held.set(event.code, action);
        }
        action.run();
        return;
      }
    }
    this.unhandled(event);
  }

  release(event) {
    const action = this.held.get(event.code);
    if (!action) return;
    this.held.delete(event.code);
    action.up();
  }

  // The actions in DEFAULTS' order (the tags' keys last, as added), each with its group.
  listed() {
    const order = Object.keys(DEFAULTS), rank = name => (name in DEFAULTS ? order.indexOf(name) : order.length);
    return [...this.actions].sort(([a], [b]) => rank(a) - rank(b))
      .map(([name, action]) => [name, action, DEFAULTS[name]?.[2] ?? "Labels"]);
  }

  // The help overlay: every hotkey under its group's heading, each remappable by pressing the
  // new combo in its field.
  showHelp(root) {
    const dialog = document.createElement("dialog");
    dialog.className = "hotkeys";
    dialog.innerHTML = "<h3>Hotkeys</h3><table></table><p><button type=button>Close</button></p>";
    const table = dialog.querySelector("table");
    let heading = null;
    for (const [name, action, group] of this.listed()) {
      if (group !== heading) {
        const th = document.createElement("th");
        th.colSpan = 2;
        th.textContent = heading = group;
        table.insertRow().append(th);
      }
      const row = table.insertRow();
      row.insertCell().textContent = action.help;
      const input = document.createElement("input");
      input.value = action.combo || "";
      input.dataset.action = name;
      input.title = "press the new combination";
      input.addEventListener("keydown", event => {
        if (["Shift", "Control", "Alt", "Meta", "Tab"].includes(event.key)) return;
        event.preventDefault();
        input.value = comboOf(event);
        this.remap(name, input.value);
      });
      row.insertCell().append(input);
    }
    dialog.querySelector("button").addEventListener("click", () => { dialog.close(); dialog.remove(); });
    root.append(dialog);
    dialog.showModal();
    return dialog;
  }
}
