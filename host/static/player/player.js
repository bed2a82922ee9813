// The player's core: the tags' modules build the interface; the clock, the annotation store,
// the viewport, the panels and the timeline are shared by all of them. Its other concerns have
// modules of their own: the bars under the video (controls.js), saving (saving.js), tracking
// (tracking.js), pointer dispatch on the video (pointer.js) and window.tracklabel (embed.js).

import {FrameClock} from "./clock.js";
import {ControlBar} from "./controls.js";
import {tagContext} from "./ctx.js";
import {el} from "./dom.js";
import {exposeApi} from "./embed.js";
import {Hotkeys} from "./hotkeys.js";
import {Panels} from "./panels.js";
import {Pointer} from "./pointer.js";
import {Saving} from "./saving.js";
import {RegionState} from "./settings.js";
import {AnnotationStore} from "./store.js";
import {Timeline} from "./timeline.js";
import {Tracking} from "./tracking.js";
import {Viewport} from "./viewport.js";

export class Player extends EventTarget {
  constructor(root, api, task, user) {
    super();
    this.root = root;
    this.api = api;
    this.task = task;
    this.user = user;
    this.controls = [];  // what tag modules registered to draw and edit on the video
    this.controlNodes = new Map();  // control -> the config node whose module registered it
    this.kinds = new Map();  // region type -> kind, registered by the tags' modules
    this.labelSets = [];  // {node, element, colours, selected}
    this.hotkeys = new Hotkeys(`tracklabel:hotkeys:${user.id}`,
                               event => this.controls.forEach(c => c.keydown?.(event)), api);
    this.saving = new Saving(this);
    this.tracking = new Tracking(this);
    this.bar = new ControlBar(this);
    this.hotkeys.addEventListener("remap", event => this.emit("hotkeys", event.detail));
    this.selected = null;
    this.frame = 1;
    this.regionState = new RegionState(api, task.id);  // kept per user on the host
    this.hidden = this.regionState.hidden;
    this.locked = this.regionState.locked;
    this.numbers = new Map();  // region id -> its number (nameOf), kept while the player is open
    this.lastNumber = 0;
  }

  // ---- building ----

  async mount(interfaceTree) {
    this.root.replaceChildren();
    this.main = el("div", {className: "main"});
    this.panels = new Panels(this, `tracklabel:layout:${this.user.id}`);
    const regionsLoaded = this.regionState.load();
    this.root.append(el("div", {className: "workspace"}, this.main, this.panels.element));
    const index = await this.api.get(`/api/tasks/${this.task.id}/frame-index`);
    this.framesCount = index.count;
    this.timelineElement = el("div", {className: "timeline"});
    this.timelineArea = el("div", {className: "timeline-area"});
    this.timeline = new Timeline(this, this.timelineElement, this.timelineArea);
    await this.mountNode(interfaceTree, this.main);
    if (!this.video) throw new Error("the config has no video to show");
    this.fps = this.fpsFor(index);
    this.clock = new FrameClock(this.video, index);
    this.store = new AnnotationStore(this.api, this.task, index.count, this.fps, this.kinds);
    this.keys();
    this.statusLine = el("div", {className: "status", role: "status"});
    this.main.append(...this.bar.build(), this.timelineElement);
    this.stage.append(this.statusLine);  // where the eye is: over the top of the video
    this.clock.addEventListener("frame", e => this.onFrame(e.detail));
    const calibrated = this.clock.calibrate();  // seeks asked for from here on queue behind it
    this.store.addEventListener("tracks", () => this.render());
    this.store.addEventListener("change", e => { this.panels.render(); this.emit("change", e.detail); });
    this.api.listeners.add(state => {
      if (state === "offline") this.status("The host is unreachable: retrying; your work is kept in this browser", true);
      else if (this.offline) this.status("Connected again");
      this.offline = state === "offline";
    });
    const {restored, prediction} = await this.store.load(this.user.id);
    await regionsLoaded;  // the hidden and locked regions this user left here, on any machine
    if (restored) this.status("Restored unsaved work from this browser");
    else if (prediction) this.status(`Started from prediction ${prediction}: Submit makes it your annotation`);
    exposeApi(this);
    await calibrated;  // frame 1 is on screen
    this.render();
    this.panels.render();
    window.__ready = performance.now();  // for benchmarks: navigation start to ready
    this.emit("ready", {});
  }

  fpsFor(index) {
    const rate = this.videoNode?.attrs?.frameRate;
    return typeof rate === "number" ? rate : index.fps;
  }

  async mountNode(node, container) {
    if (!node.module) throw new Error(`no player module for <${node.tag}>`);
    const module = await import(node.module);
    await module.mount(node, tagContext(this, container, node));
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
    this.viewport = new Viewport(video, stage, () => this.render());
    video.src = `/api/tasks/${this.task.id}/video`;
    video.addEventListener("error", () => this.status(
      "This video cannot be played by the browser; the host is making a playable copy, reload in a while", true));
    video.addEventListener("loadedmetadata", () => this.render());
    new ResizeObserver(() => this.render()).observe(stage);
    this.pointer = new Pointer(this, overlay);
  }

  registerControl(control, node) {
    this.controls.push(control);
    this.controlNodes.set(control, node);
    this.bar.renderTools();
  }

  registerKind(kind) {
    const type = kind?.type;
    if (typeof type !== "string" || type !== type.toLowerCase() || !type) {
      throw new Error(`a kind's type must be a lower-case result type, not ${JSON.stringify(type)}`);
    }
    if (this.kinds.has(type)) throw new Error(`the region kind "${type}" is registered twice`);
    if (kind.keyframed && !(Array.isArray(kind.fields) && kind.fields.length)) {
      throw new Error(`the keyframed kind "${type}" names no fields`);
    }
    this.kinds.set(type, kind);
  }

  registerLabels(set) {
    this.labelSets.push(set);
    this.panels?.render();
  }

  // ---- geometry: percent of the video <-> pixels of the overlay ----

  view() { return this.viewport.rect(); }

  videoSize() { return {width: this.video.videoWidth, height: this.video.videoHeight}; }

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

  // Percent to the video's own pixels (the Details panel's px units).
  pixelScale() { return {x: (this.video.videoWidth || 100) / 100, y: (this.video.videoHeight || 100) / 100}; }

  // ---- state ----

  // The regions the timeline shows a row for: those of keyframed kinds.
  keyframedRegions() { return this.store ? this.store.keyframedRegions() : []; }

  // A region's labels: its kind says where they are (`labels(value)`), else `value.labels`.
  labelsOf(region) {
    const kind = this.store?.kindOf(region);
    return (kind?.labels ? kind.labels(region.value) : region.value.labels) || [];
  }

  // A region's short name, as CVAT names objects: its number and its labels, `#3 Car`. The
  // regions are numbered in the order drawn when the task opens, and one added later gets the
  // next number; a number stays with its region (deleting #2 leaves #3 as it was; undoing the
  // delete brings #2 back).
  nameOf(region) {
    if (!this.numbers.has(region.id)) {
      for (const r of this.store.regions()) if (!this.numbers.has(r.id)) this.numbers.set(r.id, ++this.lastNumber);
    }
    const labels = this.labelsOf(region).join(", ");
    return `#${this.numbers.get(region.id) ?? "?"}${labels ? ` ${labels}` : ""}`;
  }

  colourOf(region) {
    const label = this.labelsOf(region)[0];
    for (const set of this.labelSets) if (label in set.colours) return set.colours[label];
    return "#4aa3ff";
  }

  select(id) {
    this.selected = id;
    this.render();
    this.panels.render();
    this.emit("select", {id});
  }

  // The labels chosen for new regions on an object: those chosen in every label set of it.
  activeLabels(objectName) {
    const sets = this.labelSets.filter(s => s.node.to_names.includes(objectName));
    return [...new Set(sets.flatMap(s => [...s.selected]))];
  }

  toggle(set, id) {
    set.has(id) ? set.delete(id) : set.add(id);
    this.regionState.save();
    this.render();
    this.panels.render();
  }

  toggleHidden(id = this.selected) { if (id) this.toggle(this.hidden, id); }
  toggleLocked(id = this.selected) { if (id) this.toggle(this.locked, id); }

  onFrame(frame) {
    this.frame = frame;
    this.store.follow(frame);
    this.render();
    this.emit("frame", frame);
  }

  // Seeks queue up: the target is known at once, so fast key repeats add up. The frame itself
  // comes from the clock's events only (a seek that resolves late must not overwrite a newer one).
  async seek(frame) {
    this.target = Math.min(Math.max(Math.round(frame), 1), this.framesCount);
    const shown = await this.clock.seek(this.target);
    await this.store.follow(shown);
    this.render();
    return shown;
  }

  step(delta) { return this.seek((this.target ?? this.frame) + delta); }

  keyframeFrames() {
    const keyframed = this.store.keyframedRegions();
    const regions = this.selected ? keyframed.filter(r => r.id === this.selected) : keyframed;
    return [...new Set(regions.flatMap(r => r.value.sequence.map(k => k.frame)))].sort((a, b) => a - b);
  }

  async jumpKeyframe(direction) {
    const frames = this.keyframeFrames(), from = this.target ?? this.frame;
    const target = direction > 0 ? frames.find(f => f > from) : frames.filter(f => f < from).pop();
    if (target) await this.seek(target);
  }

  // Run an edit; a locked region refuses edits, and an error is shown, not thrown.
  async edit(action, id = this.selected) {
    if (id && this.locked.has(id)) return this.status("This region is locked (alt+l unlocks it)", true);
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
    this.bar.render();
    this.panels.renderDetails();
    this.emit("drawn", this.frame);
  }

  // Keyframe and lifespan toggles, for regions of keyframed kinds.
  keyframedSelection() {
    if (!this.selected) return this.status("Select a region first", true);
    if (!this.store.kindOf(this.store.region(this.selected))?.keyframed) {
      return this.status("This region has no keyframes", true);
    }
    return this.selected;
  }

  async toggleKeyframe() {
    if (!this.keyframedSelection()) return;
    await this.edit(() => this.store.toggleKeyframe(this.selected, this.frame));
  }

  async toggleInterpolation() {
    if (!this.keyframedSelection()) return;
    await this.edit(async () => {
      if (!await this.store.toggleInterpolation(this.selected, this.frame)) {
        this.status("No keyframe at or before this frame", true);
      }
    });
  }

  track(direction) { return this.tracking.run(direction); }

  // The Details panel's field `key` of a region's shape at a frame set to `value`: a keyframe
  // there. The field says which region and frame it showed (by the time a number is entered, a
  // click may have selected another region); the selected region at this frame by default.
  async setDetail(key, value, {id = this.selected, frame = this.frame} = {}) {
    await this.edit(async () => {
      const kind = this.store.kindOf(this.store.region(id));
      const {keyframe, ...shape} = this.store.shapeAt(id, frame) || {};
      await this.store.setShape(id, frame, kind.withDetail(shape, key, value, this.videoSize()));
    }, id);
  }

  async removeRegion(id) {
    if (this.selected === id) this.select(null);
    await this.store.remove(id);
  }

  async deleteRegion(id = this.selected) {
    if (!id) return;
    await this.edit(() => this.removeRegion(id), id);
  }

  async duplicate() {
    if (!this.selected) return;
    await this.edit(async () => {
      const {id, done} = this.store.duplicate(this.selected);
      this.select(id);
      await done;
    }, null);
  }

  async undo() {
    if (!await this.store.undo()) this.status("Nothing to undo");
  }

  async redo() {
    if (!await this.store.redo()) this.status("Nothing to redo");
  }

  // ---- saving ----

  save(overwriteVersion = null) { return this.saving.save(overwriteVersion); }

  status(message, isError = false) {
    if (!this.statusLine) return;
    this.statusLine.replaceChildren(...(message ? [message].flat() : []));  // text, or text and buttons
    this.statusLine.classList.toggle("error", Boolean(message) && isError);
    this.statusLine.classList.remove("shown");  // the fade starts again for the new message
    void this.statusLine.offsetWidth;
    this.statusLine.classList.add("shown");
  }

  // ---- hotkeys ----

  // A tag's key; the name to ask its combo by (comboOf), which the annotator may remap.
  hotkey(combo, help, action, {up} = {}) {
    const name = `label:${help}`;
    this.hotkeys.add(name, action, combo, help, {up});
    return name;
  }

  comboOf(name) { return this.hotkeys.actions.get(name)?.combo ?? null; }

  keys() {
    const k = this.hotkeys;
    k.add("play", () => this.clock.toggle());
    k.add("step-back", () => this.step(-1));
    k.add("step-forward", () => this.step(1));
    k.add("hop-back", () => this.step(-10));
    k.add("hop-forward", () => this.step(10));
    k.add("prev-key", () => this.jumpKeyframe(-1));
    k.add("next-key", () => this.jumpKeyframe(1));
    k.add("delete", () => this.deleteRegion());
    k.add("hide", () => this.toggleHidden());
    k.add("lock", () => this.toggleLocked());
    k.add("duplicate", () => this.duplicate());
    k.add("undo", () => this.undo());
    k.add("redo", () => this.redo());
    k.add("save", () => this.save());
    k.add("toggle-keyframe", () => this.toggleKeyframe());
    k.add("toggle-interpolation", () => this.toggleInterpolation());
    k.add("track-forward", () => this.track("forward"));
    k.add("track-backward", () => this.track("backward"));
    k.add("help", () => this.showHelp());
  }

  showHelp() { return this.hotkeys.showHelp(this.root); }

  // ---- events ----

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, {detail})); }
}
