// <VideoEllipse> in the player, from the tracklabel-ellipse plugin: drag a rectangle to draw the
// ellipse inside it, drag inside an ellipse to move it, drag a handle of the selected one (the
// ends of its axes) to resize it about its centre. It uses only `ctx`. Ellipses shown are the
// host's (the plugin's interpolation); a local preview only while dragging.

const FIELDS = ["x", "y", "radiusX", "radiusY", "rotation"];
const DETAILS = {x: ["centre x", "x"], y: ["centre y", "y"], radiusX: ["radius x", "x"],
                 radiusY: ["radius y", "y"], rotation: ["rotation", ""]};
const HANDLE = 6, SMALLEST = 3;  // px
const rad = degrees => degrees * Math.PI / 180;
const rotate = (x, y, degrees) => {
  const c = Math.cos(rad(degrees)), s = Math.sin(rad(degrees));
  return {x: x * c - y * s, y: x * s + y * c};
};

// Keyframes hold the centre and radii in percent of the frame and an angle in degrees.
export const KIND = {
  type: "videoellipse",
  keyframed: true,
  fields: FIELDS,
  check(shape) {
    for (const key of FIELDS) if (!Number.isFinite(shape[key])) throw new Error(`${key} must be a number`);
    if (shape.radiusX <= 0 || shape.radiusY <= 0) throw new Error("both radii must be positive");
  },
  details: shape => FIELDS.map(key => ({key, label: DETAILS[key][0], value: shape[key], unit: DETAILS[key][1]})),
  withDetail: (shape, key, value) => ({...shape, [key]: value}),
};

export function mount(node, ctx) {
  if (!ctx.kind(KIND.type)) ctx.registerKind(KIND);
  ctx.registerControl(new EllipseControl(node, ctx));
}

class EllipseControl {
  constructor(node, ctx) {
    this.node = node;
    this.ctx = ctx;
    this.title = `◯ ${node.name}`;  // its button when there are several drawing tools
    this.drag = null;  // {mode, id, start, shape, axis, preview}
  }

  regions() {
    return this.ctx.regions(KIND.type).filter(r => r.from_name === this.node.name && !this.ctx.isHidden(r.id));
  }

  // An ellipse in percent <-> on the overlay: {cx, cy, rx, ry, rotation} in pixels.
  toPixels(shape) {
    const centre = this.ctx.toPixels(shape), scale = this.ctx.scale();
    return {cx: centre.x, cy: centre.y, rx: shape.radiusX * scale.x, ry: shape.radiusY * scale.y,
            rotation: shape.rotation || 0};
  }

  toPercent(e) {
    const centre = this.ctx.toPercent({x: e.cx, y: e.cy}), scale = this.ctx.scale();
    return {x: centre.x, y: centre.y, radiusX: e.rx / scale.x, radiusY: e.ry / scale.y, rotation: e.rotation};
  }

  shown(id) {
    if (this.drag?.id === id && this.drag.preview) return this.drag.preview;
    const shape = this.ctx.shapeAt(id);
    return shape && this.toPixels(shape);
  }

  // The ends of the axes, in the ellipse's own (rotated, centred) frame: [x, y, axis].
  handles(e) { return [[e.rx, 0, "rx"], [-e.rx, 0, "rx"], [0, e.ry, "ry"], [0, -e.ry, "ry"]]; }

  local(e, p) { return rotate(p.x - e.cx, p.y - e.cy, -e.rotation); }

  render(g) {
    for (const region of this.regions()) {
      const e = this.shown(region.id);
      if (!e) continue;
      const selected = region.id === this.ctx.selected;
      g.save();
      g.translate(e.cx, e.cy);
      g.rotate(rad(e.rotation));
      g.strokeStyle = this.ctx.colourOf(region);
      g.lineWidth = selected ? 2.5 : 1.5;
      g.fillStyle = g.strokeStyle + "22";
      g.beginPath();
      g.ellipse(0, 0, e.rx, e.ry, 0, 0, 2 * Math.PI);
      g.fill();
      g.stroke();
      g.fillStyle = g.strokeStyle;
      if (selected && !this.ctx.isLocked(region.id)) {
        for (const [hx, hy] of this.handles(e)) g.fillRect(hx - HANDLE / 2, hy - HANDLE / 2, HANDLE, HANDLE);
      }
      g.restore();
      // the caption upright, above the left of the turned ellipse's extent on screen
      const t = rad(e.rotation), cos = Math.cos(t), sin = Math.sin(t);
      const halfWidth = Math.hypot(e.rx * cos, e.ry * sin), halfHeight = Math.hypot(e.rx * sin, e.ry * cos);
      this.ctx.caption(g, region, e.cx - halfWidth, e.cy - halfHeight - 4);
    }
    const preview = this.drag?.mode === "draw" && this.drag.preview;
    if (preview) {
      g.strokeStyle = "#fff";
      g.setLineDash([4, 3]);
      g.beginPath();
      g.ellipse(preview.cx, preview.cy, preview.rx, preview.ry, 0, 0, 2 * Math.PI);
      g.stroke();
      g.setLineDash([]);
    }
  }

  // What the pointer is on: a handle of the selected ellipse, an ellipse, or nothing (null).
  hit(p) {
    const selected = this.ctx.selected;
    const chosen = selected && this.regions().some(r => r.id === selected) && this.shown(selected);
    if (chosen) {
      const q = this.local(chosen, p);
      const handle = this.handles(chosen).find(([hx, hy]) => Math.abs(q.x - hx) <= HANDLE && Math.abs(q.y - hy) <= HANDLE);
      if (handle) return {mode: "resize", id: selected, axis: handle[2]};
    }
    for (const region of this.regions().reverse()) {
      const e = this.shown(region.id);
      if (!e) continue;
      const q = this.local(e, p);
      if ((q.x / e.rx) ** 2 + (q.y / e.ry) ** 2 <= 1) return {mode: "move", id: region.id};
    }
    return null;
  }

  // One of this control's ellipses or the selected one's handles: taken (selected, and
  // dragged unless locked).
  pointerdown(event) {
    const p = this.ctx.pointer(event);
    const target = this.hit(p);
    if (!target) return false;
    if (target.id !== this.ctx.selected) this.ctx.select(target.id);
    if (!this.ctx.isLocked(target.id)) this.drag = {...target, start: p, shape: {...this.shown(target.id)}, preview: null};
    return true;
  }

  // A new ellipse, when this is the drawing tool and the pointer hit nothing.
  draw(event) {
    this.drag = {mode: "draw", id: null, start: this.ctx.pointer(event), shape: null, preview: null};
  }

  pointermove(event) {
    if (!this.drag) return;
    const p = this.ctx.pointer(event), d = this.drag, e = d.shape;
    if (d.mode === "draw") {
      d.preview = {cx: (d.start.x + p.x) / 2, cy: (d.start.y + p.y) / 2,
                   rx: Math.abs(p.x - d.start.x) / 2, ry: Math.abs(p.y - d.start.y) / 2, rotation: 0};
    } else if (d.mode === "move") {
      d.preview = {...e, cx: e.cx + p.x - d.start.x, cy: e.cy + p.y - d.start.y};
    } else if (d.mode === "resize") {
      const q = this.local(e, p);
      d.preview = {...e, [d.axis]: Math.max(SMALLEST / 2, Math.abs(d.axis === "rx" ? q.x : q.y))};
    }
    this.ctx.render();
  }

  async pointerup() {
    const d = this.drag;
    this.drag = null;
    if (!d || !d.preview) return this.ctx.render();
    const shape = this.toPercent(d.preview);
    if (d.mode === "draw") {
      if (d.preview.rx * 2 < SMALLEST || d.preview.ry * 2 < SMALLEST) return this.ctx.render();
      const object = this.node.to_names[0];
      await this.ctx.edit(async () => {
        const id = await this.ctx.create({type: KIND.type, from_name: this.node.name, to_name: object,
                                          labels: this.ctx.activeLabels(object), frame: this.ctx.frame, shape});
        this.ctx.select(id);
      });
    } else {
      this.drag = {...d, mode: "saving"};  // keep the preview until the host answers
      await this.ctx.edit(() => this.ctx.setShape(d.id, this.ctx.frame, shape), d.id);
      this.drag = null;
    }
    this.ctx.render();
  }
}
