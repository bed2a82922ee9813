// The side panels: Regions (an outliner: each region named `#3 Car` with its colour and marked
// hidden or locked; select, hide, lock, delete, grouped by label or flat, filtered by label) and
// Details (the selected region named the same way, its label sets' pickers, its shape's exact
// fields as its kind lists them, in pixels or percent, and a compact, scrolling list of its
// keyframes: jump, delete, the lifespan toggle saying what it does, automatic and
// lifespan-ending keyframes marked). They collapse, resize and move to either side; the layout
// is kept per user on the host (settings.js).

import {el, setText} from "./dom.js";
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
    this.typing = false;  // a Details number typed but not yet entered (its field is left alone)
    this.revealed = null;  // the region and frame whose keyframe the list last scrolled to
    // Details' parts, kept and patched (renderDetails); `drawn` says what each one shows
    this.nothing = el("p", {textContent: "No region selected"});
    this.head = el("div", {className: "details-head"});
    this.fields = el("div", {className: "details-fields"});
    this.list = el("ol", {className: "keyframes"});
    this.keyframes = [el("h4", {textContent: "Keyframes"}), this.list];
    this.rows = new Map();  // the list's rows by keyframe (frame, lifespan, auto)
    this.drawn = {};
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

  // Details is patched, not rebuilt: each part (the name and label pickers, the shape's fields,
  // the keyframe list) is redrawn only when what it shows changed, so an open picker stays open
  // while playing, and the field the annotator is in keeps its text and selection. While a
  // number is typed but not yet entered, a change that would replace its field waits for it.
  renderDetails() {
    const player = this.player, store = player.store;
    const region = player.selected && store.region(player.selected);
    const focused = this.details.contains(document.activeElement) ? document.activeElement : null;
    const kind = region && store.kindOf(region);
    const shape = kind?.keyframed ? store.shapeAt(region.id, player.frame) : null;
    const fields = shape && kind.details ? kind.details(shape) : [];
    const layout = !kind?.keyframed ? null
      : `${region.id} ${shape ? fields.map(f => `${f.key}:${f.label ?? f.key}:${f.unit}`).join() : "not visible"}`;
    if (this.typing && focused && layout !== this.drawn.fields) return;  // do not take the field away
    if (!region) return arrange(this.details, [this.nothing]);
    arrange(this.details, kind.keyframed ? [this.head, this.fields, ...this.keyframes] : [this.head]);
    this.renderHead(region);
    if (!kind.keyframed) return;
    this.renderFields(region, shape, fields, layout, focused);
    this.renderKeyframes(region);
  }

  // The region's name and its label sets' pickers (built by the tags' modules).
  renderHead(region) {
    const player = this.player;
    const shows = JSON.stringify([region.id, player.nameOf(region), player.colourOf(region), player.hidden.has(region.id),
                                  player.locked.has(region.id), region.value.labels, player.labelSets.length,
                                  player.comboOf("hide"), player.comboOf("lock")]);
    if (shows === this.drawn.head) return;
    // rebuilt when the region or its labels change: after a relabel in a picker the keys are the
    // player's again (the message says ctrl+z undoes it)
    this.head.replaceChildren(el("div", {className: "region-name"}, ...this.nameParts(region)),
                              ...player.labelSets.map(set => set.picker?.(region)).filter(Boolean));
    this.drawn.head = shows;
  }

  // A field's unit as shown: "x" and "y" are percent of the width / height, in px if chosen.
  factor(unit) {
    return this.layout.units === "pixels" ? this.player.pixelScale()[unit] || 1 : 1;
  }

  // The shape's fields at this frame, as the kind lists them, and whether it is a keyframe. Each
  // field keeps the region and frame of the number it shows (`at`): an entered number goes
  // there, even when another region is selected by the click that enters it.
  renderFields(region, shape, fields, layout, focused) {
    const player = this.player;
    if (layout !== this.drawn.fields) {
      const again = this.drawn.fieldsRegion === region.id && this.fields.contains(focused) ? focused.name : "";
      this.fields.replaceChildren(...(shape ? [this.fieldInputs(fields), el("p", {className: "kind"})]
                                            : [el("p", {textContent: "Not visible on this frame"})]));
      this.drawn.fields = layout;
      this.drawn.fieldsRegion = region.id;
      const field = again && this.fields.querySelector(`[name="${again}"]`);
      if (field) { field.focus({preventScroll: true}); field.select?.(); }
    }
    if (!shape) return;
    const units = this.fields.querySelector(".units");
    if (units.value !== this.layout.units) units.value = this.layout.units;
    for (const {key, value, unit} of fields) {
      const input = this.fields.querySelector(`input[name="${key}"]`);
      if (this.typing && input === focused) continue;  // the annotator's number, not yet entered
      input.at = {id: region.id, frame: player.frame};
      const shown = String(Number((value * this.factor(unit)).toFixed(4)));
      if (shown === input.shown) continue;  // unchanged: the text and its selection stay
      input.shown = shown;
      if (input.value !== shown) {
        input.value = shown;
        if (input === focused) input.select();  // the next number typed replaces it
      }
    }
    setText(this.fields.querySelector(".kind"), shape.keyframe ? "keyframe" : "interpolated");
  }

  fieldInputs(fields) {
    const units = el("select", {className: "units", name: "units"}, el("option", {value: "percent", textContent: "%"}),
                     el("option", {value: "pixels", textContent: "px"}));
    units.addEventListener("change", () => { this.layout.units = units.value; this.save(); this.renderDetails(); });
    return el("div", {className: "box-fields"}, units, ...fields.map(({key, label, unit}) => {
      const input = el("input", {type: "number", step: "any", name: key});
      input.addEventListener("input", () => { this.typing = true; });
      input.addEventListener("blur", () => {
        if (!this.typing) return;
        this.typing = false;  // left unentered: what waited for it is drawn now
        queueMicrotask(() => this.renderDetails());
      });
      input.addEventListener("change", async () => {
        this.typing = false;  // entered: the panel shows the keyframe it makes
        await this.player.setDetail(key, Number(input.value) / this.factor(unit), input.at);
        input.shown = null;  // the stored number shown (the one typed, or the old one where refused)
        this.renderDetails();
      });
      return el("label", {}, `${label ?? key} `, input);
    }));
  }

  // The keyframe list, a row per keyframe; a row stays while its keyframe does (a click on it
  // is not lost to a redraw). The frame column fits the video's longest frame number.
  renderKeyframes(region) {
    const player = this.player, list = this.list;
    if (list.dataset.region !== region.id) {
      list.replaceChildren();
      list.scrollTop = 0;
      list.dataset.region = region.id;
      this.rows = new Map();
    }
    const digits = String(String(player.framesCount).length);
    if (list.style.getPropertyValue("--frame-digits") !== digits) list.style.setProperty("--frame-digits", digits);
    const rows = region.value.sequence.map(key => {
      const id = `${key.frame} ${key.enabled} ${Boolean(key.auto)}`;
      return this.rows.get(id) ?? this.keyframeRow(region, key, id);
    });
    this.rows = new Map(rows.map(row => [row.dataset.key, row]));
    arrange(list, rows);
    for (const row of rows) row.classList.toggle("current", Number(row.dataset.frame) === player.frame);
    // The current frame's keyframe scrolled into view once as it becomes current (then the list
    // scrolls freely); the layout is read only then.
    const current = list.querySelector("li.current"), shown = current ? `${region.id}@${player.frame}` : null;
    if (shown !== this.revealed && list.clientHeight) {  // laid out (the panel is open)
      if (shown) reveal(list, current);
      this.revealed = shown;
    }
  }

  // One line of the keyframe list: jump, an automatic keyframe's mark, the lifespan toggle
  // (whether the region goes on after it or ends there) and delete.
  keyframeRow(region, key, id) {
    const player = this.player, {frame, auto} = key, goesOn = key.enabled;
    const item = el("li", {className: [auto && "auto", !goesOn && "ends"].filter(Boolean).join(" ")});
    item.dataset.frame = frame;
    item.dataset.key = id;
    const enabled = el("input", {type: "checkbox", checked: goesOn, className: "enabled"});
    enabled.addEventListener("change", () => player.edit(
      () => player.store.update(region.id, r => { r.value.sequence.find(k => k.frame === frame).enabled = !goesOn; })));
    item.append(button(`frame ${frame}`, "jump here", () => player.seek(frame)));
    if (auto) item.append(el("span", {className: "mark mark-auto", textContent: "auto", title: "written by automatic tracking"}));
    item.append(
      el("label", {className: "lifespan",
                   title: goesOn ? "the region goes on after this keyframe (uncheck to end it here)"
                                 : "the region ends at this keyframe (check to let it go on)"},
         enabled, goesOn ? "goes on" : "ends here"),
      button("×", "delete this keyframe", () => player.edit(() => player.store.deleteKeyframe(region.id, frame))));
    item.lastChild.classList.add("remove");
    return item;
  }
}

// Make `parent`'s children `children`, in order, moving none that is already in its place (a
// focused or clicked node stays).
function arrange(parent, children) {
  const kept = new Set(children);
  for (const child of [...parent.children]) if (!kept.has(child)) child.remove();
  children.forEach((child, i) => { if (parent.children[i] !== child) parent.insertBefore(child, parent.children[i] ?? null); });
}

// Scroll `list` just enough that `row` is in its view.
function reveal(list, row) {
  const view = list.getBoundingClientRect(), box = row.getBoundingClientRect();
  const top = view.top + list.clientTop, bottom = top + list.clientHeight;
  if (box.top < top) list.scrollTop -= top - box.top;
  else if (box.bottom > bottom) list.scrollTop += box.bottom - bottom;
}
