// The timeline under the video: a row per region with its lifespan bars and keyframe
// diamonds, a playhead, click and drag to scrub, the frame number on hover.

const ROW = 22, HEAD = 18;

export class Timeline {
  constructor(player, element) {
    this.player = player;
    this.element = element;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "timeline-canvas";
    this.hover = document.createElement("div");
    this.hover.className = "timeline-hover";
    element.append(this.canvas, this.hover);
    this.canvas.addEventListener("pointerdown", e => this.pointer(e, true));
    this.canvas.addEventListener("pointermove", e => this.pointer(e, e.buttons === 1));
    this.canvas.addEventListener("pointerleave", () => { this.hover.hidden = true; });
    new ResizeObserver(() => this.draw()).observe(element);
  }

  frameAtX(x) {
    const n = this.player.framesCount;
    return Math.min(n, Math.max(1, Math.floor(x / this.canvas.clientWidth * n) + 1));
  }

  xOf(frame) { return (frame - 1) / this.player.framesCount * this.canvas.clientWidth; }

  pointer(event, scrub) {
    const rect = this.canvas.getBoundingClientRect();
    const frame = this.frameAtX(event.clientX - rect.left);
    this.hover.hidden = false;
    this.hover.textContent = frame;
    this.hover.style.left = `${event.clientX - rect.left}px`;
    if (!scrub) return;
    if (event.type === "pointerdown") {
      const row = Math.floor((event.clientY - rect.top - HEAD) / ROW);
      const region = this.player.visibleRegions()[row];
      if (region) this.player.select(region.id);
      this.canvas.setPointerCapture(event.pointerId);
    }
    this.player.seek(frame);
  }

  // Lifespan segments [start, end] from keyframes: DESIGN.md's rule.
  static segments(sequence, framesCount) {
    const out = [];
    sequence.forEach((key, i) => {
      const next = sequence[i + 1];
      const end = key.enabled ? (next ? next.frame - 1 : framesCount) : key.frame;
      out.push([key.frame, Math.min(end, framesCount)]);
    });
    return out;
  }

  draw() {
    const regions = this.player.visibleRegions();
    const width = this.element.clientWidth, height = HEAD + ROW * Math.max(1, regions.length);
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = width * ratio;
    this.canvas.height = height * ratio;
    this.canvas.style.height = `${height}px`;
    const g = this.canvas.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    g.fillStyle = "#888";
    g.font = "10px sans-serif";
    const n = this.player.framesCount, step = Math.max(1, Math.ceil(n / 10 / 10) * 10);
    for (let f = 1; f <= n; f += step) g.fillText(String(f), this.xOf(f) + 2, 11);
    regions.forEach((region, row) => {
      const y = HEAD + row * ROW;
      const colour = this.player.colourOf(region);
      if (region.id === this.player.selected) {
        g.fillStyle = "rgba(255,255,255,0.08)";
        g.fillRect(0, y, width, ROW);
      }
      const sequence = region.value.sequence;
      g.fillStyle = colour;
      g.globalAlpha = 0.45;
      for (const [a, b] of Timeline.segments(sequence, n)) {
        g.fillRect(this.xOf(a), y + 7, Math.max(2, this.xOf(b + 1) - this.xOf(a)), ROW - 14);
      }
      g.globalAlpha = 1;
      for (const key of sequence) {
        const x = this.xOf(key.frame) + 1, cy = y + ROW / 2;
        const current = region.id === this.player.selected && key.frame === this.player.frame;
        g.fillStyle = current ? "#fff" : colour;
        g.beginPath();
        g.moveTo(x, cy - 6); g.lineTo(x + 5, cy); g.lineTo(x, cy + 6); g.lineTo(x - 5, cy);
        g.closePath();
        g.fill();
        if (!key.enabled) { g.strokeStyle = "#f55"; g.stroke(); }
      }
    });
    g.fillStyle = "#f33";
    g.fillRect(this.xOf(this.player.frame), 0, 2, height);
  }
}
