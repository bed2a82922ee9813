// The bars under the video: the view (zoom and its level, filters, undo/redo, drawing tools, help
// and, at its right end, the save state), the transport (frames, keyframes, time, speed, lifespan
// toggles, tracking, Submit/Update) and the timeline's head (with the frames it shows). Nothing
// of theirs is over the video: an element there costs every frame step 1-2 ms (bench/player.py). A button with a hotkey takes its title from the hotkeys'
// table, and follows a remapped key.

import {el, setText} from "./dom.js";

export class ControlBar {
  constructor(player) {
    this.player = player;
    this.titled = [];  // [element, hotkey name, text or undefined]: titles to renew on a remap
    player.hotkeys.addEventListener("remap", () => this.retitle());
  }

  // A button; `hotkey` names its action in the hotkeys' table (its title says the combo), else
  // `title` is its title.
  button(text, name, action, {hotkey = null, title = ""} = {}) {
    const b = el("button", {textContent: text, type: "button"});
    b.dataset.action = name;
    b.addEventListener("click", action);
    if (hotkey) this.titled.push([b, hotkey, title || undefined]);
    else b.title = title;
    this.retitle();
    return b;
  }

  // A button for a hotkey's action, of the same name.
  action(text, name, action, title) { return this.button(text, name, action, {hotkey: name, title}); }

  retitle() {
    for (const [element, name, text] of this.titled) element.title = this.player.hotkeys.title(name, text);
  }

  build() {
    const player = this.player, viewport = player.viewport;
    player.hotkeys.add("first", () => player.seek(1));  // the transport's keys the player's table lacks
    player.hotkeys.add("last", () => player.seek(player.framesCount));
    this.frameInput = el("input", {type: "number", min: 1, max: player.framesCount, className: "frame-input",
                                   title: "Go to frame"});
    this.frameInput.addEventListener("change", () => player.seek(Number(this.frameInput.value)));
    const total = el("span", {className: "frame-total", textContent: player.framesCount});
    this.timeLabel = el("input", {className: "time", title: "Go to a time (m:ss.sss or seconds)", size: 9});
    this.timeLabel.addEventListener("change", () => this.goToTime());
    const speed = el("select", {title: "Playback speed"});
    for (const s of [0.25, 0.5, 1, 1.5, 2]) speed.append(el("option", {value: s, textContent: `${s}×`, selected: s === 1}));
    speed.addEventListener("change", () => { player.video.playbackRate = Number(speed.value); });
    this.playButton = this.action("▶", "play", () => player.clock.toggle());
    player.video.addEventListener("play", () => { this.playButton.textContent = "❚❚"; });
    player.video.addEventListener("pause", () => { this.playButton.textContent = "▶"; });
    this.saveButton = this.action("Submit", "save", () => player.save());
    const slider = (name, title) => {
      const input = el("input", {type: "range", min: 0.2, max: 3, step: 0.05, value: 1, title, className: name});
      input.addEventListener("input", () => viewport.setFilter(name, Number(input.value)));
      return el("label", {className: "filter"}, title.split(" ")[0], input);
    };
    this.tools = el("span", {className: "tools"});
    this.view = el("div", {className: "controls view-controls"},
      this.button("−", "zoom-out", () => viewport.zoomOut(), {title: "Zoom out"}),
      this.button("+", "zoom-in", () => viewport.zoomIn(), {title: "Zoom in (shift+wheel zooms about the pointer)"}),
      this.button("fit", "zoom-fit", () => viewport.fit(), {title: "Zoom to fit"}),
      this.button("1:1", "zoom-100", () => viewport.actualSize(), {title: "Zoom 100% (one video pixel per screen pixel)"}),
      viewport.readout,
      slider("brightness", "brightness of the video"), slider("contrast", "contrast of the video"),
      this.action("undo", "undo", () => player.undo()),
      this.action("redo", "redo", () => player.redo()),
      this.action("?", "help", () => player.showHelp()),
      this.tools, player.saving.badge);
    this.transport = el("div", {className: "controls"},
      this.action("|‹", "first", () => player.seek(1)),
      this.action("«", "hop-back", () => player.step(-10)),
      this.action("◆‹", "prev-key", () => player.jumpKeyframe(-1)),
      this.action("‹", "step-back", () => player.step(-1)),
      this.playButton,
      this.action("›", "step-forward", () => player.step(1)),
      this.action("›◆", "next-key", () => player.jumpKeyframe(1)),
      this.action("»", "hop-forward", () => player.step(10)),
      this.action("›|", "last", () => player.seek(player.framesCount)),
      el("span", {className: "readout"}, "frame ", this.frameInput, " / ", total),
      this.timeLabel, speed,
      this.action("◆", "toggle-keyframe", () => player.toggleKeyframe(), "add or remove a keyframe here (selected region)"),
      this.action("⟿", "toggle-interpolation", () => player.toggleInterpolation(),
                  "cut or restore the lifespan after the previous keyframe"),
      this.action("◀ track", "track-backward", () => player.track("backward")),
      this.action("track ▶", "track-forward", () => player.track("forward")),
      player.tracking.select,
      this.saveButton);
    this.head = el("div", {className: "timeline-head"},
      this.button("▾ timeline", "collapse-timeline", () => {
        player.timelineElement.hidden = !player.timelineElement.hidden;
      }, {title: "Collapse or expand the timeline"}),
      this.button("−", "timeline-zoom-out", () => player.timeline.zoomBy(0.8), {title: "Show more frames"}),
      this.button("+", "timeline-zoom-in", () => player.timeline.zoomBy(1.25),
                  {title: "Show fewer frames (ctrl+wheel on the timeline)"}),
      player.timeline.spanLabel);
    this.renderTools();
    return [this.view, this.transport, this.head];
  }

  goToTime() {
    const player = this.player, text = this.timeLabel.value;
    const [minutes, seconds] = text.includes(":") ? text.split(":").map(Number) : [0, Number(text)];
    const time = minutes * 60 + seconds;
    if (Number.isFinite(time)) player.seek(player.clock.frameAt(time));
    else player.status(`"${text}" is not a time`, true);
  }

  // A button per drawing tool when there is more than one (the chosen one draws new shapes).
  renderTools() {
    if (!this.tools) return;
    const pointer = this.player.pointer;
    const tools = this.player.controls.filter(c => c.draw), active = pointer.drawingTool();
    this.tools.replaceChildren(...(tools.length < 2 ? [] : tools.map((control, i) => {
      const b = el("button", {type: "button", textContent: control.title || `tool ${i + 1}`,
                              title: "draw new shapes with this tool", className: control === active ? "active" : ""});
      b.dataset.action = "tool";
      b.addEventListener("click", () => { pointer.tool = control; this.renderTools(); });
      return b;
    })));
  }

  // The frame and time readouts (left alone while typed in), the save button and the save state.
  render() {
    const player = this.player;
    if (document.activeElement !== this.frameInput) this.frameInput.value = player.frame;
    const seconds = player.clock.startOf(player.frame);
    if (document.activeElement !== this.timeLabel) {
      this.timeLabel.value = `${Math.floor(seconds / 60)}:${(seconds % 60).toFixed(3).padStart(6, "0")}`;
    }
    setText(this.saveButton, player.store.annotation ? "Update" : "Submit");
    this.saveButton.classList.toggle("dirty", player.store.dirty);
    player.saving.render();
  }
}
