// Zoom and pan of the video (the boxes follow), and brightness/contrast to read blurry frames.
// A readout (the control bar shows it beside the zoom buttons) says the zoom (100%: one video
// pixel per screen pixel); a click on it fits the video again.

import {setText} from "./dom.js";

export class Viewport {
  constructor(video, stage, onChange) {
    this.video = video;
    this.stage = stage;
    this.onChange = onChange;
    this.zoom = 1;
    this.pan = {x: 0, y: 0};
    this.filters = {brightness: 1, contrast: 1};
    this.readout = Object.assign(document.createElement("button"), {type: "button", className: "zoom-level"});
    this.readout.addEventListener("click", () => this.fit());
    video.addEventListener("loadedmetadata", () => this.showZoom());
    new ResizeObserver(() => this.showZoom()).observe(stage);
  }

  // The zoom in screen pixels per video pixel, on the readout.
  showZoom() {
    if (!this.video.videoWidth) return;
    const percent = Math.round(this.rect().width / this.video.videoWidth * 100);
    setText(this.readout, `${percent}%`);
    const title = `Zoom ${percent}% (100%: one video pixel per screen pixel). ` +
      "Click, or the fit button, to fit the video again; shift+wheel zooms about the pointer";
    if (this.readout.title !== title) this.readout.title = title;
  }

  // The video picture's rectangle without zoom (object-fit: contain in the stage).
  base() {
    const w = this.stage.clientWidth, h = this.stage.clientHeight;
    const vw = this.video.videoWidth || 16, vh = this.video.videoHeight || 9;
    const scale = Math.min(w / vw, h / vh);
    return {left: (w - vw * scale) / 2, top: (h - vh * scale) / 2, width: vw * scale, height: vh * scale};
  }

  // The picture's rectangle on screen (stage pixels), zoom and pan applied.
  rect() {
    const b = this.base();
    return {left: this.pan.x + this.zoom * b.left, top: this.pan.y + this.zoom * b.top,
            width: this.zoom * b.width, height: this.zoom * b.height};
  }

  apply() {
    this.video.style.transformOrigin = "0 0";
    this.video.style.transform = `translate(${this.pan.x}px, ${this.pan.y}px) scale(${this.zoom})`;
    this.video.style.filter = `brightness(${this.filters.brightness}) contrast(${this.filters.contrast})`;
    this.showZoom();
    this.onChange();
  }

  // Zoom to `zoom`, keeping the stage point (x, y) where it is.
  zoomAbout(zoom, x = this.stage.clientWidth / 2, y = this.stage.clientHeight / 2) {
    zoom = Math.min(32, Math.max(0.1, zoom));
    this.pan = {x: x - (x - this.pan.x) * zoom / this.zoom, y: y - (y - this.pan.y) * zoom / this.zoom};
    this.zoom = zoom;
    this.apply();
  }

  zoomIn() { this.zoomAbout(this.zoom * 1.25); }
  zoomOut() { this.zoomAbout(this.zoom / 1.25); }

  fit() {
    this.zoom = 1;
    this.pan = {x: 0, y: 0};
    this.apply();
  }

  // One video pixel per screen pixel, centred.
  actualSize() {
    const b = this.base();
    this.zoom = (this.video.videoWidth || b.width) / b.width;
    this.pan = {x: this.stage.clientWidth / 2 - this.zoom * (b.left + b.width / 2),
                y: this.stage.clientHeight / 2 - this.zoom * (b.top + b.height / 2)};
    this.apply();
  }

  panBy(dx, dy) {
    this.pan = {x: this.pan.x + dx, y: this.pan.y + dy};
    this.apply();
  }

  setFilter(name, value) {
    this.filters[name] = value;
    this.apply();
  }
}
