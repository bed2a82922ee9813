// The timeline under the video: a row per region of a keyframed kind, named (`#3 Car` beside
// its colour), with its lifespan bars and keyframe diamonds (the annotator's filled, the
// tracker's hollow and smaller, a red bar closing a lifespan), a playhead, click and drag to
// scrub, the frame (and the row's name) on hover; a minimap above it with a line per region and
// the visible span, the frames shown in words, zoom (ctrl+wheel, buttons) and rows drawn only
// when visible. Under it, the area where tags add their own rows (same frame mapping).

import {setText} from "./dom.js";

const ROW = 22, HEAD = 18, VISIBLE_ROWS = 12, MINIMAP = 36;
const DIAMOND = 5, AUTO_DIAMOND = 3.5;  // px: half a keyframe diamond's width, the tracker's
const ENDED = "#f55", BACKGROUND = "#15181c";  // a lifespan's closing bar; the timeline's own colour

export class Timeline {
  constructor(player, element, area) {
    this.player = player;
    this.element = element;
    this.start = 1;  // first frame shown
    this.span = player.framesCount;  // frames shown
    this.top = 0;  // first row shown
    this.minimap = Object.assign(document.createElement("canvas"), {className: "minimap"});
    this.canvas = Object.assign(document.createElement("canvas"), {className: "timeline-canvas"});
    this.hover = Object.assign(document.createElement("div"), {className: "timeline-hover", hidden: true});
    this.spanLabel = Object.assign(document.createElement("span"), {className: "timeline-span"});
    element.append(this.minimap, this.canvas, area, this.hover);  // spanLabel: in the bar above
    this.canvas.addEventListener("pointerdown", e => this.pointer(e, true));
    this.canvas.addEventListener("pointermove", e => this.pointer(e, e.buttons === 1));
    this.canvas.addEventListener("pointerleave", () => { this.hover.hidden = true; });
    this.canvas.addEventListener("wheel", e => this.wheel(e), {passive: false});
    this.minimap.addEventListener("pointerdown", e => this.panTo(e, true));
    this.minimap.addEventListener("pointermove", e => e.buttons === 1 && this.panTo(e, false));
    new ResizeObserver(() => this.draw()).observe(element);
  }

  get width() { return this.element.clientWidth; }
  frameAtX(x) {
    return Math.min(this.player.framesCount, Math.max(1, Math.floor(this.start + x / this.width * this.span)));
  }
  xOf(frame) { return (frame - this.start) / this.span * this.width; }

  // What the tags' rows need: the frames shown and the mapping between frames and x.
  view() {
    const {start, span, width} = this;
    return {start, span, width, xOf: frame => (frame - start) / span * width,
            frameAtX: x => Math.min(this.player.framesCount, Math.max(1, Math.floor(start + x / width * span)))};
  }

  // Tell the tags when the frames shown or the width change.
  announce() {
    const key = `${this.start}:${this.span}:${this.width}`;
    if (key === this.announced) return;
    this.announced = key;
    this.player.emit("timeline", this.view());
  }

  zoomBy(factor, aroundFrame = this.player.frame) {
    const n = this.player.framesCount;
    const span = Math.min(n, Math.max(20, Math.round(this.span / factor)));
    const ratio = (aroundFrame - this.start) / this.span;
    this.span = span;
    this.start = Math.min(Math.max(1, Math.round(aroundFrame - ratio * span)), n - span + 1);
    this.draw();
  }

  wheel(event) {
    event.preventDefault();
    const rect = this.canvas.getBoundingClientRect();
    if (event.ctrlKey) {
      this.zoomBy(event.deltaY < 0 ? 1.25 : 0.8, this.frameAtX(event.clientX - rect.left));
    } else {
      const rows = this.player.keyframedRegions().length;
      this.top = Math.min(Math.max(0, this.top + Math.sign(event.deltaY)), Math.max(0, rows - VISIBLE_ROWS));
      this.draw();
    }
  }

  panTo(event, capture) {
    const rect = this.minimap.getBoundingClientRect();
    const frame = 1 + (event.clientX - rect.left) / rect.width * this.player.framesCount;
    this.start = Math.min(Math.max(1, Math.round(frame - this.span / 2)), this.player.framesCount - this.span + 1);
    if (capture) this.minimap.setPointerCapture(event.pointerId);
    this.draw();
  }

  pointer(event, scrub) {
    const rect = this.canvas.getBoundingClientRect();
    const frame = this.frameAtX(event.clientX - rect.left);
    const row = this.top + Math.floor((event.clientY - rect.top - HEAD) / ROW);
    const region = event.clientY - rect.top > HEAD && this.player.keyframedRegions()[row];
    this.hover.hidden = false;
    this.hover.textContent = region ? `${frame} · ${this.player.nameOf(region)}` : frame;
    this.hover.style.left = `${event.clientX - rect.left}px`;
    if (!scrub) return;
    if (event.type === "pointerdown") {
      if (region) this.player.select(region.id);
      this.canvas.setPointerCapture(event.pointerId);
    }
    this.player.seek(frame);
  }

  // Lifespan segments [start, end] from keyframes: docs/frames.md's rule.
  static segments(sequence, framesCount) {
    return sequence.map((key, i) => {
      const next = sequence[i + 1];
      const end = key.enabled ? (next ? next.frame - 1 : framesCount) : key.frame;
      return [key.frame, Math.min(end, framesCount)];
    });
  }

  prepare(canvas, height) {
    const ratio = window.devicePixelRatio || 1, width = this.width;
    if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
    if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
    canvas.style.height = `${height}px`;
    const g = canvas.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    return g;
  }

  draw() {
    if (!this.width) return;  // collapsed
    const player = this.player, n = player.framesCount, regions = player.keyframedRegions();
    const moved = player.frame !== this.drawnFrame;
    this.drawnFrame = player.frame;
    if (moved && (player.frame < this.start || player.frame >= this.start + this.span)) {  // follow the playhead
      this.start = Math.min(Math.max(1, player.frame - Math.floor(this.span / 4)), n - this.span + 1);
    }
    this.drawMinimap(regions);
    const rows = Math.min(VISIBLE_ROWS, Math.max(1, regions.length));
    const height = HEAD + ROW * rows, width = this.width;
    const g = this.prepare(this.canvas, height);
    g.fillStyle = "#888";
    g.font = "10px sans-serif";
    const step = Math.max(1, Math.ceil(this.span / 10 / 10) * 10);
    for (let f = Math.ceil(this.start / step) * step || 1; f < this.start + this.span; f += step) {
      g.fillText(String(f), this.xOf(f) + 2, 11);
    }
    const end = this.start + this.span - 1;
    regions.slice(this.top, this.top + rows).forEach((region, i) => {
      const y = HEAD + i * ROW, colour = player.colourOf(region), hidden = player.hidden.has(region.id);
      if (region.id === player.selected) {
        g.fillStyle = "rgba(255,255,255,0.1)";
        g.fillRect(0, y, width, ROW);
      }
      const sequence = region.value.sequence;
      g.fillStyle = colour;
      g.globalAlpha = hidden ? 0.15 : 0.45;
      for (const [a, b] of Timeline.segments(sequence, n)) {
        if (b < this.start || a > end) continue;
        g.fillRect(this.xOf(a), y + 11, Math.max(2, this.xOf(b + 1) - this.xOf(a)), 8);
      }
      g.globalAlpha = 1;
      for (const key of sequence) {
        if (key.frame < this.start || key.frame > end) continue;
        const current = region.id === player.selected && key.frame === player.frame;
        this.drawKeyframe(g, key, y, current ? "#ffa500" : colour);
      }
      g.fillStyle = colour;
      g.fillRect(4, y + 3, 7, 7);
      g.fillStyle = hidden ? "#777" : "#ddd";
      g.fillText(player.nameOf(region), 14, y + 10);
    });
    g.fillStyle = "#f33";
    g.fillRect(this.xOf(player.frame), 0, 2, height);
    setText(this.spanLabel, `frames ${this.start}–${end} of ${n}`);
    this.announce();
  }

  // A keyframe's diamond on the row at y, centred on the playhead at its frame and kept whole at
  // the timeline's ends: filled (the annotator's) or hollow and smaller (automatic tracking's);
  // a red bar after it when it ends the lifespan.
  drawKeyframe(g, key, y, colour) {
    const half = key.auto ? AUTO_DIAMOND : DIAMOND, cy = y + 15;
    const x = Math.min(Math.max(this.xOf(key.frame) + 1, DIAMOND + 1), this.width - DIAMOND - 1);
    g.beginPath();
    g.moveTo(x, cy - half); g.lineTo(x + half, cy); g.lineTo(x, cy + half); g.lineTo(x - half, cy);
    g.closePath();
    g.fillStyle = key.auto ? BACKGROUND : colour;
    g.fill();
    if (key.auto) {
      g.strokeStyle = colour;
      g.lineWidth = 1.5;
      g.stroke();
    }
    if (!key.enabled) {
      g.fillStyle = ENDED;
      g.fillRect(Math.min(x + DIAMOND + 1, this.width - 2), y + 8, 2, ROW - 8);
    }
  }

  // One line per region over the whole video (drawn again only when the regions or the width
  // change), and the span the timeline shows.
  drawMinimap(regions) {
    const n = this.player.framesCount, width = this.width;
    const g = this.prepare(this.minimap, MINIMAP);
    const key = `${width}:${this.player.store?.revision}:${regions.length}`;
    if (this.linesKey !== key) {
      this.linesKey = key;
      this.lines = this.lines || document.createElement("canvas");
      const lines = this.prepare(this.lines, MINIMAP);
      const line = Math.max(1, Math.min(4, MINIMAP / Math.max(1, regions.length)));
      regions.forEach((region, i) => {
        lines.fillStyle = this.player.colourOf(region);
        for (const [a, b] of Timeline.segments(region.value.sequence, n)) {
          lines.fillRect((a - 1) / n * width, (i * line) % MINIMAP, Math.max(1, (b - a + 1) / n * width), line);
        }
      });
    }
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.drawImage(this.lines, 0, 0);
    const ratio = window.devicePixelRatio || 1;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.strokeStyle = "#fff";
    g.strokeRect((this.start - 1) / n * width + 0.5, 0.5, this.span / n * width - 1, MINIMAP - 1);
    g.fillStyle = "#f33";
    g.fillRect((this.player.frame - 1) / n * width, 0, 1, MINIMAP);
  }
}
