// The side panels: Regions (an outliner: each region named `#3 Car` with its colour and marked
// hidden or locked; select, hide, lock, delete, grouped by label or flat, filtered by label) and
// Details (the selected region named the same way, its label sets' pickers, its shape's exact
// fields as its kind lists them, in pixels or percent, and a compact, scrolling list of its
// keyframes: jump, delete, the lifespan toggle saying what it does, automatic and
// lifespan-ending keyframes marked). They collapse, resize and move to either side; the layout
// is kept per user on the host (settings.js).

import {el} from "./dom.js";
import {Setting} from "./settings.js";

const LAYOUT = {side: "right", width: 300, grouped: false, filter: "", units: "percent"};
const withDefaults = saved => ({...LAYOUT, ...saved, collapsed: {...saved?.collapsed}});

const button = (text, title, action) => {
  const b = el("button", {type: "button", textContent: text, title});
  b.addEventListener("click", event => { event.stopPropagation(); action(); });
  return b;
};

export class Panels {
  constructor(player, layoutKey) {
    this.player = player;
    this.setting = new Setting(player.api, "layout", layoutKey);
    this.layout = withDefaults(this.setting.cached());
    this.changed = false;  // by the user, before the host's layout arrived
    this.typing = false;  // a Details number typed but not yet entered (not redrawn meanwhile)
    this.revealed = null;  // the region and frame whose keyframe the list last scrolled to
    this.element = el("aside", {className: "side"});
    this.regions = this.panel("regions", "Regions");
    this.details = this.panel("details", "Details");
    this.labels = el("section", {className: "labels"});
    this.element.prepend(this.labels);
    const handle = el("div", {className: "resize-handle", title: "drag to resize; drop on the other half to move"});
    handle.addEventListener("pointerdown", event => this.drag(event));
    this.element.append(handle);
    this.apply();
    this.loaded = this.load();
  }

  // The layout kept on the host (unless the user changed it meanwhile).
  async load() {
    const layout = await this.setting.load();
    if (!layout || this.changed) return;
    this.layout = withDefaults(layout);
    for (const details of this.element.querySelectorAll("details.panel")) {
      details.open = !this.layout.collapsed[details.dataset.panel];
    }
    this.apply();
    this.render();
    if (this.player.store) this.player.render();
  }

  panel(name, title) {
    const body = el("div", {className: `panel-body ${name}`});
    const details = el("details", {className: `panel panel-${name}`, open: !this.layout.collapsed[name]},
                       el("summary", {textContent: title}), body);
    details.dataset.panel = name;
    details.addEventListener("toggle", () => {
      if (!!this.layout.collapsed[name] === !details.open) return;  // drawn as the layout says
      this.layout.collapsed[name] = !details.open;
      this.save();
    });
    this.element.append(details);
    return body;
  }

  save() {
    this.changed = true;
    this.setting.save(this.layout);
  }

  apply() {
    this.element.style.width = `${this.layout.width}px`;
    this.element.style.order = this.layout.side === "left" ? -1 : 1;
    this.element.dataset.side = this.layout.side;
  }

  // Drag the edge: resize; drop on the window's other half: move the panels there.
  drag(event) {
    const startX = event.clientX, startWidth = this.layout.width;
    const move = e => {
      const delta = this.layout.side === "right" ? startX - e.clientX : e.clientX - startX;
      this.layout.width = Math.min(700, Math.max(200, startWidth + delta));
      this.apply();
    };
    const up = e => {
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", up);
      const side = e.clientX < window.innerWidth / 3 ? "left" : e.clientX > 2 * window.innerWidth / 3 ? "right" : this.layout.side;
      if (side !== this.layout.side) { this.layout.width = startWidth; this.layout.side = side; }
      this.apply();
      this.save();
      this.player.render();
    };
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", up);
  }

  moveTo(side) {
    this.layout.side = side;
    this.apply();
    this.save();
  }

  render() {
    const player = this.player, store = player.store;
    if (!store) return;
    this.labels.replaceChildren(...player.labelSets.map(set => set.element));
    const all = store.regions();
    const labels = [...new Set(all.flatMap(r => player.labelsOf(r)))].sort();
    const filter = el("select", {className: "region-filter", title: "show only one label"},
                      el("option", {value: "", textContent: "all labels"}),
                      ...labels.map(l => el("option", {value: l, textContent: l, selected: l === this.layout.filter})));
    filter.addEventListener("change", () => { this.layout.filter = filter.value; this.save(); this.render(); });
    const grouped = el("label", {}, el("input", {type: "checkbox", checked: this.layout.grouped, className: "group-by-label"}),
                       " group by label");
    grouped.firstChild.addEventListener("change", e => { this.layout.grouped = e.target.checked; this.save(); this.render(); });
    const shown = all.filter(r => !this.layout.filter || player.labelsOf(r).includes(this.layout.filter));
    const rows = [];
    if (this.layout.grouped) {
      const groups = new Map();
      for (const r of shown) {
        const key = player.labelsOf(r)[0] || "(no label)";
        groups.set(key, [...(groups.get(key) || []), r]);
      }
      for (const [label, members] of groups) {
        rows.push(el("div", {className: "group", textContent: `${label} (${members.length})`}));
        rows.push(...members.map(r => this.regionRow(r)));
      }
    } else {
      rows.push(...shown.map(r => this.regionRow(r)));
    }
    this.regions.replaceChildren(el("div", {className: "region-tools"}, filter, grouped), ...rows);
    this.renderDetails();
  }

  // A region's swatch, name and marks (hidden, locked), as Regions and Details show it.
  nameParts(region) {
    const player = this.player, hotkeys = player.hotkeys;
    const swatch = el("span", {className: "swatch"});
    swatch.style.background = player.colourOf(region);
    const parts = [swatch, el("span", {className: "name", textContent: player.nameOf(region)})];
    if (player.hidden.has(region.id)) {
      parts.push(el("span", {className: "mark mark-hidden", textContent: "hidden", title: hotkeys.title("hide", "hidden on the video; show it")}));
    }
    if (player.locked.has(region.id)) {
      parts.push(el("span", {className: "mark mark-locked", textContent: "locked", title: hotkeys.title("lock", "locked: no edits; unlock it")}));
    }
    return parts;
  }

  regionRow(region) {
    const player = this.player, hotkeys = player.hotkeys, id = region.id;
    const row = el("div", {className: "region" + (id === player.selected ? " selected" : "")});
    row.dataset.region = id;
    row.classList.toggle("hidden", player.hidden.has(id));
    const keyframed = player.store.kindOf(region).keyframed;
    const actions = el("span", {className: "region-actions"},
      button(player.hidden.has(id) ? "show" : "hide", hotkeys.title("hide", "hide or show"), () => player.toggleHidden(id)),
      button(player.locked.has(id) ? "unlock" : "lock", hotkeys.title("lock", "lock or unlock"), () => player.toggleLocked(id)),
      button("delete", hotkeys.title("delete"), () => player.deleteRegion(id)));
    const [hide, lock, remove] = actions.children;
    hide.dataset.action = "hide";
    lock.dataset.action = "lock";
    remove.dataset.action = "delete";
    row.append(...this.nameParts(region),
               el("small", {className: "count", textContent: keyframed ? `${region.value.sequence.length} kf` : region.type}),
               actions);
    row.addEventListener("click", () => player.select(id));
    return row;
  }

  renderDetails() {
    const player = this.player, panel = this.details;
    const focused = panel.contains(document.activeElement) ? document.activeElement : null;
    if (focused && this.typing) return;  // do not fight the typing
    const region = player.selected && player.store.region(player.selected);
    if (!region) {
      panel.replaceChildren(el("p", {textContent: "No region selected"}));
      return;
    }
    const kind = player.store.kindOf(region);
    const parts = [el("div", {className: "region-name"}, ...this.nameParts(region)),
                   ...player.labelSets.map(set => set.picker?.(region)).filter(Boolean)];
    if (!kind.keyframed) {
      panel.replaceChildren(...parts);
      return;
    }
    const shape = player.store.shapeAt(region.id, player.frame);
    const units = el("select", {className: "units"}, el("option", {value: "percent", textContent: "%"}),
                     el("option", {value: "pixels", textContent: "px"}));
    units.value = this.layout.units;
    units.addEventListener("change", () => { this.layout.units = units.value; this.save(); this.renderDetails(); });
    if (shape) {
      const scale = this.layout.units === "pixels" ? player.pixelScale() : {x: 1, y: 1};
      const factor = unit => scale[unit] || 1;  // "x" and "y" are percent of the width / height
      const fields = kind.details ? kind.details(shape) : [];
      parts.push(el("div", {className: "box-fields"}, units, ...fields.map(({key, label, value, unit}) => {
        const input = el("input", {type: "number", step: "any", value: Number((value * factor(unit)).toFixed(4))});
        input.name = key;
        input.addEventListener("input", () => { this.typing = true; });
        input.addEventListener("blur", () => { this.typing = false; });
        input.addEventListener("change", () => {
          this.typing = false;  // entered: the panel shows the keyframe it makes
          player.setDetail(key, Number(input.value) / factor(unit));
        });
        return el("label", {}, `${label ?? key} `, input);
      })), el("p", {className: "kind", textContent: shape.keyframe ? "keyframe" : "interpolated"}));
    } else {
      parts.push(el("p", {textContent: "Not visible on this frame"}));
    }
    const previous = panel.querySelector(".keyframes"), scrolled = previous?.scrollTop;
    const keys = el("ol", {className: "keyframes"}, ...region.value.sequence.map(key => this.keyframeRow(region, key)));
    keys.dataset.region = region.id;
    panel.replaceChildren(...parts, el("h4", {textContent: "Keyframes"}), keys);
    if (previous?.dataset.region === region.id) keys.scrollTop = scrolled;  // where it was scrolled to
    // The current frame's keyframe scrolled into view once as it becomes current (then the list
    // scrolls freely).
    const current = keys.querySelector("li.current"), shown = current ? `${region.id}@${player.frame}` : null;
    if (keys.clientHeight) {  // laid out (the panel is open)
      if (shown && shown !== this.revealed) reveal(keys, current);
      this.revealed = shown;
    }
    if (focused?.name) panel.querySelector(`input[name="${focused.name}"]`)?.focus();  // typing goes on there
  }

  // One line of the keyframe list: jump, an automatic keyframe's mark, the lifespan toggle
  // (whether the region goes on after it or ends there) and delete.
  keyframeRow(region, key) {
    const player = this.player;
    const item = el("li", {className: [key.frame === player.frame && "current", key.auto && "auto", !key.enabled && "ends"]
                                        .filter(Boolean).join(" ")});
    item.dataset.frame = key.frame;
    const enabled = el("input", {type: "checkbox", checked: key.enabled, className: "enabled"});
    enabled.addEventListener("change", () => player.edit(
      () => player.store.update(region.id, r => { r.value.sequence.find(k => k.frame === key.frame).enabled = !key.enabled; })));
    item.append(button(`frame ${key.frame}`, "jump here", () => player.seek(key.frame)));
    if (key.auto) item.append(el("span", {className: "mark mark-auto", textContent: "auto", title: "written by automatic tracking"}));
    item.append(
      el("label", {className: "lifespan",
                   title: key.enabled ? "the region goes on after this keyframe (uncheck to end it here)"
                                      : "the region ends at this keyframe (check to let it go on)"},
         enabled, key.enabled ? "goes on" : "ends here"),
      button("×", "delete this keyframe", () => player.edit(() => player.store.deleteKeyframe(region.id, key.frame))));
    item.lastChild.classList.add("remove");
    return item;
  }
}

// Scroll `list` just enough that `row` is in its view.
function reveal(list, row) {
  const view = list.getBoundingClientRect(), box = row.getBoundingClientRect();
  const top = view.top + list.clientTop, bottom = top + list.clientHeight;
  if (box.top < top) list.scrollTop -= top - box.top;
  else if (box.bottom > bottom) list.scrollTop += box.bottom - bottom;
}
