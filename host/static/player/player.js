// The player: the tags' modules build the interface; the clock, the annotation store, the
// viewport, the panels and the timeline are shared by all of them. Exposes window.tracklabel
// for embedding and automation.

import {FrameClock} from "./clock.js";
import {tagContext} from "./ctx.js";
import {el} from "./dom.js";
import {Hotkeys} from "./hotkeys.js";
import {Panels} from "./panels.js";
import {AnnotationStore} from "./store.js";
import {Timeline} from "./timeline.js";
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
                               event => this.controls.forEach(c => c.keydown?.(event)));
    this.selected = null;
    this.frame = 1;
    const saved = JSON.parse(localStorage.getItem(this.stateKey) || "{}");
    this.hidden = new Set(saved.hidden || []);
    this.locked = new Set(saved.locked || []);
  }

  get stateKey() { return `tracklabel:regions:${this.task.id}`; }

  // ---- building ----

  async mount(interfaceTree) {
    this.root.replaceChildren();
    this.main = el("div", {className: "main"});
    this.panels = new Panels(this, `tracklabel:layout:${this.user.id}`);
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
    this.buildControls();
    this.clock.addEventListener("frame", e => this.onFrame(e.detail));
    const calibrated = this.clock.calibrate();  // seeks asked for from here on queue behind it
    this.store.addEventListener("tracks", () => this.render());
    this.store.addEventListener("change", e => { this.panels.render(); this.emit("change", e.detail); });
    this.api.listeners.add(state => {
      if (state === "offline") this.status("The host is unreachable: retrying; your work is kept in this browser", true);
      else if (this.offline) this.status("Connected again");
      this.offline = state === "offline";
    });
    const {restored} = await this.store.load(this.user.id);
    if (restored) this.status("Restored unsaved work from this browser");
    this.keys();
    this.exposeApi();
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
    overlay.addEventListener("pointerdown", event => this.pointerdown(event));
    for (const type of ["pointermove", "pointerup"]) {
      overlay.addEventListener(type, event => {
        if (this.panning) return type === "pointerup" ? (this.panning = null) : this.panMove(event);
        this.controls.forEach(c => c[type]?.(event));
      });
    }
    overlay.addEventListener("wheel", event => {
      if (!event.shiftKey) return;
      event.preventDefault();
      const rect = overlay.getBoundingClientRect();
      this.viewport.zoomAbout(this.viewport.zoom * (event.deltaY < 0 ? 1.2 : 1 / 1.2),
                              event.clientX - rect.left, event.clientY - rect.top);
    }, {passive: false});
    document.addEventListener("keydown", e => { if (e.code === "Space" && !e.altKey) this.spaceHeld = true; });
    document.addEventListener("keyup", e => { if (e.code === "Space") this.spaceHeld = false; });
  }

  // Space or Shift held: the drag pans the zoomed video. A control in the middle of drawing a
  // shape (its busy() is true) gets the click; otherwise the controls are asked in turn until
  // one takes it (returns true: it hit one of its regions or handles): the selected region's
  // control first, then the others from the one drawn last (on top). When none does, the
  // selection is cleared and the drawing tool's control begins a new shape.
  pointerdown(event) {
    this.overlay.setPointerCapture(event.pointerId);
    if (this.spaceHeld || event.shiftKey) {
      this.panning = {x: event.clientX, y: event.clientY};
      return;
    }
    const drawing = this.controls.find(c => c.busy?.());  // a shape half drawn takes every click
    if (drawing) return drawing.pointerdown?.(event);
    if (this.pickOrder().some(c => c.pointerdown?.(event) === true)) return;
    const tool = this.drawingTool();
    if (!tool) return;
    if (this.selected) this.select(null);
    tool.draw(event);
  }

  // The controls in the order a click asks them: the selected region's first, then from the top.
  pickOrder() {
    const from = this.store.region(this.selected)?.from_name;
    const owns = c => Number(from !== undefined && this.controlNodes.get(c)?.name === from);
    return [...this.controls].reverse().sort((a, b) => owns(b) - owns(a));
  }

  // The control that draws new shapes: the one chosen in the tool buttons, else the first.
  drawingTool() {
    const tools = this.controls.filter(c => c.draw);
    return tools.includes(this.tool) ? this.tool : tools[0] || null;
  }

  panMove(event) {
    this.viewport.panBy(event.clientX - this.panning.x, event.clientY - this.panning.y);
    this.panning = {x: event.clientX, y: event.clientY};
  }

  registerControl(control, node) {
    this.controls.push(control);
    this.controlNodes.set(control, node);
    this.renderTools?.();
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
    localStorage.setItem(this.stateKey, JSON.stringify({hidden: [...this.hidden], locked: [...this.locked]}));
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
    this.renderReadout();
    this.panels.renderDetails();
    this.emit("drawn", this.frame);
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
    const slider = (name, title) => {
      const input = el("input", {type: "range", min: 0.2, max: 3, step: 0.05, value: 1, title, className: name});
      input.addEventListener("input", () => this.viewport.setFilter(name, Number(input.value)));
      return el("label", {className: "filter"}, title.split(" ")[0], input);
    };
    const view = el("div", {className: "controls view-controls"},
      button("−", "Zoom out", () => this.viewport.zoomOut(), "zoom-out"),
      button("+", "Zoom in (shift+wheel zooms about the pointer)", () => this.viewport.zoomIn(), "zoom-in"),
      button("fit", "Zoom to fit", () => this.viewport.fit(), "zoom-fit"),
      button("1:1", "Zoom 100% (one video pixel per screen pixel)", () => this.viewport.actualSize(), "zoom-100"),
      slider("brightness", "brightness of the video"), slider("contrast", "contrast of the video"),
      button("undo", "Undo (ctrl+z)", () => this.undo(), "undo"),
      button("redo", "Redo (ctrl+shift+z)", () => this.redo(), "redo"),
      button("?", "Hotkeys", () => this.hotkeys.showHelp(this.root), "help"));
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
      button("◆", "Add or remove a keyframe here (selected region; alt+k)", () => this.toggleKeyframe(), "toggle-keyframe"),
      button("⟿", "Cut or restore the lifespan after the previous keyframe (alt+i)", () => this.toggleInterpolation(),
             "toggle-interpolation"),
      button("◀ track", "Track the selected region backward from here (shift+alt+t)", () => this.track("backward"),
             "track-backward"),
      button("track ▶", "Track the selected region forward from here (alt+t)", () => this.track("forward"),
             "track-forward"),
      this.trackerSelect = el("select", {className: "tracker", title: "Tracker"}),
      this.saveButton);
    this.api.get("/api/trackers").then(list => this.trackerSelect.replaceChildren(
      ...list.map(t => el("option", {value: t.name, textContent: t.name, title: t.description, selected: t.name === "kcf"}))));
    const head = el("div", {className: "timeline-head"},
      button("▾ timeline", "Collapse or expand the timeline", () => {
        this.timelineElement.hidden = !this.timelineElement.hidden;
      }, "collapse-timeline"),
      button("−", "Show more frames", () => this.timeline.zoomBy(0.8), "timeline-zoom-out"),
      button("+", "Show fewer frames (ctrl+wheel on the timeline)", () => this.timeline.zoomBy(1.25), "timeline-zoom-in"));
    this.tools = el("span", {className: "tools"});
    view.append(this.tools);
    this.renderTools();
    this.main.append(view, bar, head, this.timelineElement, this.statusLine);
  }

  // A button per drawing tool when there is more than one (the chosen one draws new shapes).
  renderTools() {
    if (!this.tools) return;
    const tools = this.controls.filter(c => c.draw), active = this.drawingTool();
    this.tools.replaceChildren(...(tools.length < 2 ? [] : tools.map((control, i) => {
      const b = el("button", {type: "button", textContent: control.title || `tool ${i + 1}`,
                              title: "draw new shapes with this tool", className: control === active ? "active" : ""});
      b.dataset.action = "tool";
      b.addEventListener("click", () => { this.tool = control; this.renderTools(); });
      return b;
    })));
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

  // Automatic tracking from the current frame: a host job with progress and cancel; its
  // keyframes come back as one undoable edit.
  async track(direction) {
    if (!this.selected) return this.status("Select a region first", true);
    if (this.tracking) return this.status("Tracking is already running", true);
    const id = this.selected, from = this.frame;
    if (this.locked.has(id)) return this.status("This region is locked (alt+l unlocks it)", true);
    let job;
    try {
      job = await this.api.post(`/api/tasks/${this.task.id}/track`, {
        result: this.store.result, region: id, from, direction, tracker: this.trackerSelect.value || undefined});
    } catch (error) {
      return this.status(error.body?.message || error.message, true);
    }
    const cancel = el("button", {type: "button", textContent: "cancel", className: "cancel-track"});
    cancel.addEventListener("click", () => this.api.post(`/api/jobs/${job.id}/cancel`).catch(() => {}));
    this.tracking = job.id;
    try {
      while (!["done", "failed", "cancelled"].includes(job.state)) {
        this.statusLine.replaceChildren(`Tracking ${direction} from frame ${from}: ${Math.round(job.progress * 100)}% `, cancel);
        await new Promise(resolve => setTimeout(resolve, 300));
        job = await this.api.get(`/api/jobs/${job.id}`);
      }
    } finally {
      this.tracking = null;
    }
    if (job.state === "done") {
      await this.edit(() => this.store.replaceSequence(id, job.result.sequence), id);
      const lost = job.result.lost_at ? `, lost at frame ${job.result.lost_at}` : "";
      this.status(`Tracked ${job.result.tracked} frames${lost}: ${job.result.sequence.filter(k => k.auto).length} automatic keyframes`);
      this.emit("tracked", job.result);
    } else {
      this.status(job.state === "cancelled" ? "Tracking cancelled; nothing changed" : `Tracking failed: ${job.message}`,
                  job.state !== "cancelled");
    }
  }

  // The Details panel's field `key` of the selected region's shape set to `value`: a keyframe here.
  async setDetail(key, value) {
    const id = this.selected, frame = this.frame;
    await this.edit(async () => {
      const kind = this.store.kindOf(this.store.region(id));
      const {keyframe, ...shape} = this.store.shapeAt(id, frame) || {};
      await this.store.setShape(id, frame, kind.withDetail(shape, key, value));
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

  async save(overwriteVersion = null) {
    this.status("Saving…");  // what an earlier save said no longer holds
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
    this.status(`Not saved: version ${version} is on the host`, true);
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

  hotkey(combo, help, action, {up} = {}) { this.hotkeys.add(`label:${help}`, action, combo, help, {up}); }

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
    k.add("help", () => this.hotkeys.showHelp(this.root));
  }

  // ---- window.tracklabel ----

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, {detail})); }

  // boxAt: the shape the host computed (hidden or not); shapeAt: the shape shown (null if hidden).
  exposeApi() {
    const player = this;
    window.tracklabel = {
      seek: frame => player.seek(frame),
      get frame() { return player.frame; },
      get framesCount() { return player.framesCount; },
      regions: () => structuredClone(player.store.regions()),
      selectRegion: id => player.select(id),
      boxAt: (id, frame) => player.store.shapeAt(id, frame ?? player.frame),
      shapeAt: (id, frame) => (player.hidden.has(id) ? null : player.store.shapeAt(id, frame ?? player.frame)),
      on: (type, fn) => player.addEventListener(type, e => fn(e.detail)),
      player,
    };
  }
}
