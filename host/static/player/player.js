// The player: the tags' modules build the interface; the clock, the annotation store and the
// timeline are shared by all of them. Exposes window.tracklabel for embedding and automation.

import {FrameClock} from "./clock.js";
import {AnnotationStore} from "./store.js";
import {Timeline} from "./timeline.js";

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

export class Player extends EventTarget {
  constructor(root, api, task, user) {
    super();
    this.root = root;
    this.api = api;
    this.task = task;
    this.user = user;
    this.controls = [];  // what tag modules registered to draw and edit on the video
    this.labelSets = [];  // {control node, values, colours, selected}
    this.hotkeys = new Map();  // "alt+arrowleft" -> {action, help}
    this.selected = null;
    this.hidden = new Set();
    this.frame = 1;
  }

  // ---- building ----

  async mount(interfaceTree) {
    this.root.replaceChildren();
    this.layout = {
      main: el("div", {className: "main"}),
      side: el("aside", {className: "side"}),
    };
    this.root.append(el("div", {className: "workspace"}, this.layout.main, this.layout.side));
    await this.mountNode(interfaceTree, this.layout.main);
    if (!this.video) throw new Error("the config has no video to show");
    this.buildControls();
    this.buildSide();
    const index = await this.api.get(`/api/tasks/${this.task.id}/frame-index`);
    this.clock = new FrameClock(this.video, index);
    this.framesCount = index.count;
    this.store = new AnnotationStore(this.api, this.task, index.count, this.fpsFor(index));
    this.timeline = new Timeline(this, this.layout.timeline);
    this.clock.addEventListener("frame", e => { this.frame = e.detail; this.render(); this.emit("frame", e.detail); });
    this.store.addEventListener("tracks", () => this.render());
    this.store.addEventListener("change", () => { this.renderSide(); this.emit("change", {}); });
    this.api.listeners.add(state => {
      if (state === "offline") this.status("The host is unreachable: retrying; your work is kept in this browser", true);
      else if (this.offline) this.status("Connected again");
      this.offline = state === "offline";
    });
    const {restored} = await this.store.load(this.user.id);
    if (restored) this.status("Restored unsaved work from this browser");
    this.keys();
    this.exposeApi();
    await this.clock.seek(1);
    this.render();
    this.renderSide();
    this.emit("ready", {});
  }

  fpsFor(index) {
    const rate = this.videoNode?.attrs?.frameRate;
    return typeof rate === "number" ? rate : index.fps;
  }

  async mountNode(node, container) {
    if (!node.module) throw new Error(`no player module for <${node.tag}>`);
    const module = await import(node.module);
    await module.mount(node, {player: this, container, mountChildren: this.mountChildren.bind(this)});
  }

  async mountChildren(node, container) {
    for (const child of node.children) await this.mountNode(child, container);
  }

  // Called by the Video tag's module.
  attachVideo(node, video, overlay, stage) {
    this.videoNode = node;
    this.video = video;
    this.overlay = overlay;
    this.stage = stage;
    video.src = `/api/tasks/${this.task.id}/video`;
    video.addEventListener("error", () => this.status(
      "This video cannot be played by the browser; the host is making a playable copy, reload in a while"));
    new ResizeObserver(() => this.render()).observe(stage);
    for (const type of ["pointerdown", "pointermove", "pointerup"]) {
      overlay.addEventListener(type, event => this.controls.forEach(c => c[type]?.(event)));
    }
  }

  registerControl(control) { this.controls.push(control); }

  registerLabels(set) {
    this.labelSets.push(set);
    this.renderSide?.();
  }

  // ---- geometry: percent of the video <-> pixels of the overlay ----

  view() {
    const w = this.overlay.clientWidth, h = this.overlay.clientHeight;
    const vw = this.video.videoWidth || 16, vh = this.video.videoHeight || 9;
    const scale = Math.min(w / vw, h / vh);
    const width = vw * scale, height = vh * scale;
    return {left: (w - width) / 2, top: (h - height) / 2, width, height};
  }

  toPixels(box) {
    const v = this.view();
    return {x: v.left + box.x / 100 * v.width, y: v.top + box.y / 100 * v.height,
            width: box.width / 100 * v.width, height: box.height / 100 * v.height,
            rotation: box.rotation || 0};
  }

  toPercent(px) {
    const v = this.view();
    return {x: (px.x - v.left) / v.width * 100, y: (px.y - v.top) / v.height * 100,
            width: px.width / v.width * 100, height: px.height / v.height * 100,
            rotation: px.rotation || 0};
  }

  // ---- state ----

  visibleRegions() { return this.store ? this.store.regions() : []; }

  colourOf(region) {
    const label = region.value.labels?.[0];
    for (const set of this.labelSets) if (label in set.colours) return set.colours[label];
    return "#4aa3ff";
  }

  select(id) {
    this.selected = id;
    this.render();
    this.renderSide();
    this.emit("select", {id});
  }

  activeLabels(objectName) {
    const set = this.labelSets.find(s => s.node.to_names.includes(objectName));
    return set ? [...set.selected] : [];
  }

  // Seeks queue up: the target is known at once, so fast key repeats add up.
  async seek(frame) {
    this.target = Math.min(Math.max(Math.round(frame), 1), this.framesCount);
    const shown = await this.clock.seek(this.target);
    this.frame = shown;
    this.render();
    return shown;
  }

  step(delta) { return this.seek((this.target ?? this.frame) + delta); }

  keyframeFrames() {
    const regions = this.selected ? [this.store.region(this.selected)].filter(Boolean) : this.store.regions();
    return [...new Set(regions.flatMap(r => r.value.sequence.map(k => k.frame)))].sort((a, b) => a - b);
  }

  async jumpKeyframe(direction) {
    const frames = this.keyframeFrames();
    const from = this.target ?? this.frame;
    const target = direction > 0 ? frames.find(f => f > from) : frames.filter(f => f < from).pop();
    if (target) await this.seek(target);
  }

  async edit(action) {
    try {
      await action();
    } catch (error) {
      this.status(error.body?.message || error.message, true);
      await this.store.refreshTracks();
    }
  }

  render() {
    if (!this.overlay || !this.store) return;
    const ratio = window.devicePixelRatio || 1;
    const w = this.overlay.clientWidth, h = this.overlay.clientHeight;
    if (this.overlay.width !== Math.round(w * ratio)) this.overlay.width = Math.round(w * ratio);
    if (this.overlay.height !== Math.round(h * ratio)) this.overlay.height = Math.round(h * ratio);
    const g = this.overlay.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, w, h);
    for (const control of this.controls) control.render?.(g, this.frame);
    this.timeline?.draw();
    this.renderReadout();
    this.renderDetails();
  }

  // ---- controls under the video ----

  buildControls() {
    const button = (text, title, action, name) => {
      const b = el("button", {textContent: text, title, type: "button"});
      b.dataset.action = name;
      b.addEventListener("click", action);
      return b;
    };
    this.frameInput = el("input", {type: "number", min: 1, className: "frame-input", title: "Go to frame"});
    this.frameInput.addEventListener("change", () => this.seek(Number(this.frameInput.value)));
    this.totalLabel = el("span", {className: "frame-total"});
    this.timeLabel = el("input", {className: "time", title: "Go to a time (m:ss.sss or seconds)", size: 9});
    this.timeLabel.addEventListener("change", () => {
      const [minutes, seconds] = this.timeLabel.value.includes(":")
        ? this.timeLabel.value.split(":").map(Number) : [0, Number(this.timeLabel.value)];
      const time = minutes * 60 + seconds;
      if (Number.isFinite(time)) this.seek(this.clock.frameAt(time));
      else this.status(`"${this.timeLabel.value}" is not a time`, true);
    });
    const speed = el("select", {title: "Playback speed"});
    for (const s of [0.25, 0.5, 1, 1.5, 2]) speed.append(el("option", {value: s, textContent: `${s}×`, selected: s === 1}));
    speed.addEventListener("change", () => { this.video.playbackRate = Number(speed.value); });
    this.playButton = button("▶", "Play/pause (alt+space)", () => this.clock.toggle(), "play");
    this.video.addEventListener("play", () => { this.playButton.textContent = "❚❚"; });
    this.video.addEventListener("pause", () => { this.playButton.textContent = "▶"; });
    this.saveButton = button("Submit", "Save to the host (ctrl+enter)", () => this.save(), "save");
    this.statusLine = el("div", {className: "status", role: "status"});
    const bar = el("div", {className: "controls"},
      button("|‹", "First frame", () => this.seek(1), "first"),
      button("«", "Back 10 frames (shift+alt+left)", () => this.step(-10), "hop-back"),
      button("◆‹", "Previous keyframe (ctrl+alt+left)", () => this.jumpKeyframe(-1), "prev-key"),
      button("‹", "Back one frame (alt+left)", () => this.step(-1), "step-back"),
      this.playButton,
      button("›", "Forward one frame (alt+right)", () => this.step(1), "step-forward"),
      button("›◆", "Next keyframe (ctrl+alt+right)", () => this.jumpKeyframe(1), "next-key"),
      button("»", "Forward 10 frames (shift+alt+right)", () => this.step(10), "hop-forward"),
      button("›|", "Last frame", () => this.seek(this.framesCount), "last"),
      el("span", {className: "readout"}, "frame ", this.frameInput, " / ", this.totalLabel),
      this.timeLabel, speed,
      button("◆", "Add or remove a keyframe here (selected region)", () => this.toggleKeyframe(), "toggle-keyframe"),
      button("⟿", "Cut or restore the lifespan after the previous keyframe", () => this.toggleInterpolation(),
             "toggle-interpolation"),
      this.saveButton);
    this.layout.timeline = el("div", {className: "timeline"});
    const collapse = button("▾ timeline", "Collapse or expand the timeline", () => {
      this.layout.timeline.hidden = !this.layout.timeline.hidden;
    }, "collapse-timeline");
    this.layout.main.append(bar, el("div", {className: "timeline-head"}, collapse), this.layout.timeline, this.statusLine);
  }

  renderReadout() {
    if (document.activeElement !== this.frameInput) this.frameInput.value = this.frame;
    this.frameInput.max = this.framesCount;
    this.totalLabel.textContent = this.framesCount;
    const seconds = this.clock.startOf(this.frame);
    if (document.activeElement !== this.timeLabel) {
      this.timeLabel.value = `${Math.floor(seconds / 60)}:${(seconds % 60).toFixed(3).padStart(6, "0")}`;
    }
    this.saveButton.textContent = this.store.annotation ? "Update" : "Submit";
    this.saveButton.classList.toggle("dirty", this.store.dirty);
  }

  async toggleKeyframe() {
    if (!this.selected) return this.status("Select a region first", true);
    await this.edit(() => this.store.toggleKeyframe(this.selected, this.frame));
  }

  async toggleInterpolation() {
    if (!this.selected) return this.status("Select a region first", true);
    await this.edit(async () => {
      if (!await this.store.toggleInterpolation(this.selected, this.frame)) {
        this.status("No keyframe at or before this frame", true);
      }
    });
  }

  // ---- the side panel: labels, regions, exact numbers ----

  buildSide() {
    this.layout.labels = el("section", {className: "labels"});
    this.layout.regions = el("section", {className: "regions"});
    this.layout.details = el("section", {className: "details"});
    this.layout.side.append(this.layout.labels, el("h3", {textContent: "Regions"}), this.layout.regions,
                            el("h3", {textContent: "Details"}), this.layout.details);
  }

  renderSide() {
    if (!this.layout?.labels || !this.store) return;
    this.layout.labels.replaceChildren(...this.labelSets.map(set => set.element));
    this.layout.regions.replaceChildren(...this.store.regions().map(region => {
      const row = el("div", {className: "region" + (region.id === this.selected ? " selected" : "")});
      row.dataset.region = region.id;
      const swatch = el("span", {className: "swatch"});
      swatch.style.background = this.colourOf(region);
      const hide = el("button", {type: "button", textContent: this.hidden.has(region.id) ? "show" : "hide"});
      hide.addEventListener("click", e => {
        e.stopPropagation();
        this.hidden.has(region.id) ? this.hidden.delete(region.id) : this.hidden.add(region.id);
        this.renderSide(); this.render();
      });
      const remove = el("button", {type: "button", textContent: "delete"});
      remove.addEventListener("click", e => { e.stopPropagation(); this.deleteRegion(region.id); });
      row.append(swatch, el("span", {textContent: region.value.labels?.join(", ") || "(no label)"}),
                 el("small", {textContent: ` ${region.value.sequence.length} keyframes`}), hide, remove);
      row.addEventListener("click", () => this.select(region.id));
      return row;
    }));
    this.renderDetails();
  }

  renderDetails() {
    const panel = this.layout?.details;
    if (!panel) return;
    const box = this.selected && this.store.boxAt(this.selected, this.frame);
    if (!this.selected || !box) {
      panel.replaceChildren(el("p", {textContent: this.selected ? "Not visible on this frame" : "No region selected"}));
      return;
    }
    if (panel.contains(document.activeElement)) return;  // do not fight the typing
    const fields = ["x", "y", "width", "height", "rotation"].map(key => {
      const input = el("input", {type: "number", step: "any", value: Number(box[key].toFixed(4))});
      input.name = key;
      input.addEventListener("change", () => this.setExact(key, Number(input.value)));
      return el("label", {}, `${key} `, input);
    });
    panel.replaceChildren(...fields, el("p", {textContent: box.keyframe ? "keyframe" : "interpolated"}));
  }

  async setExact(key, value) {
    const box = {...this.store.boxAt(this.selected, this.frame), [key]: value};
    await this.edit(() => this.store.setBox(this.selected, this.frame, box));
  }

  async deleteRegion(id) {
    if (this.selected === id) this.selected = null;
    await this.edit(() => this.store.remove(id));
  }

  // ---- saving ----

  async save(overwriteVersion = null) {
    try {
      await this.store.save({overwriteVersion});
      this.status("Saved");
      this.emit("save", {annotation: this.store.annotation});
    } catch (error) {
      if (error.status === 409) return this.conflict(error.body.version);
      this.status(error.body?.message || error.message, true);
    }
  }

  conflict(version) {
    const dialog = el("dialog", {className: "conflict"},
      el("p", {textContent: `Someone saved this annotation meanwhile (version ${version}). ` +
                            "Reload theirs (your changes are dropped) or overwrite it with yours?"}));
    const choose = (text, action) => {
      const b = el("button", {type: "button", textContent: text});
      b.addEventListener("click", async () => { dialog.close(); dialog.remove(); await action(); });
      dialog.append(b);
    };
    choose("Reload theirs", () => this.store.reload());
    choose("Overwrite with mine", () => this.save(version));
    this.root.append(dialog);
    dialog.showModal();
  }

  status(message, isError = false) {
    if (!this.statusLine) return;
    this.statusLine.textContent = message || "";
    this.statusLine.classList.toggle("error", Boolean(message) && isError);
  }

  // ---- hotkeys ----

  hotkey(combo, help, action) { this.hotkeys.set(combo.toLowerCase(), {help, action}); }

  keys() {
    this.hotkey("alt+space", "play / pause", () => this.clock.toggle());
    this.hotkey("alt+arrowleft", "one frame back", () => this.step(-1));
    this.hotkey("alt+arrowright", "one frame forward", () => this.step(1));
    this.hotkey("shift+alt+arrowleft", "10 frames back", () => this.step(-10));
    this.hotkey("shift+alt+arrowright", "10 frames forward", () => this.step(10));
    this.hotkey("ctrl+alt+arrowleft", "previous keyframe", () => this.jumpKeyframe(-1));
    this.hotkey("ctrl+alt+arrowright", "next keyframe", () => this.jumpKeyframe(1));
    this.hotkey("backspace", "delete the selected region", () => this.selected && this.deleteRegion(this.selected));
    this.hotkey("ctrl+enter", "save", () => this.save());
    document.addEventListener("keydown", event => {
      if (event.target.closest?.("input, select, textarea")) return;
      const combo = [event.ctrlKey && "ctrl", event.shiftKey && "shift", event.altKey && "alt",
                     event.code === "Space" ? "space" : event.key.toLowerCase()].filter(Boolean).join("+");
      const entry = this.hotkeys.get(combo);
      if (entry) {
        event.preventDefault();
        entry.action();
      }
    });
  }

  // ---- window.tracklabel ----

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, {detail})); }

  exposeApi() {
    const player = this;
    window.tracklabel = {
      seek: frame => player.seek(frame),
      get frame() { return player.frame; },
      get framesCount() { return player.framesCount; },
      regions: () => structuredClone(player.store.regions()),
      selectRegion: id => player.select(id),
      boxAt: (id, frame) => player.store.boxAt(id, frame ?? player.frame),
      on: (type, fn) => player.addEventListener(type, e => fn(e.detail)),
      player,
    };
  }
}
