// <VideoRectangle> in the player: draw a box, move it, resize it by its corners, rotate it by
// the handle above it or by the Details panel's rotation (about its centre on screen; what is
// stored stays the rotated top-left corner and the angle). Boxes shown are the host's; a local
// preview only while dragging. A box's caption (its name, a padlock when locked) stays upright
// above it, whatever its angle; a locked box has no handles.

const HANDLE = 6, ROTATE_OFFSET = 22;
const rad = degrees => degrees * Math.PI / 180;
const rotate = (x, y, degrees) => {
  const c = Math.cos(rad(degrees)), s = Math.sin(rad(degrees));
  return {x: x * c - y * s, y: x * s + y * c};
};

const FIELDS = ["x", "y", "width", "height", "rotation"];

// The rectangle's kind: keyframes hold a box in percent of the frame and an angle in degrees.
export const KIND = {
  type: "videorectangle",
  keyframed: true,
  fields: FIELDS,
  check(shape) {
    for (const key of FIELDS) if (!Number.isFinite(shape[key])) throw new Error(`${key} must be a number`);
    if (shape.width <= 0 || shape.height <= 0) throw new Error("width and height must be positive");
  },
  details: shape => FIELDS.map(key => ({key, label: key, value: shape[key],
                                        unit: {x: "x", width: "x", y: "y", height: "y"}[key] || ""})),
  withDetail: (shape, key, value, size) => (key === "rotation" ? turned(shape, value, size) : {...shape, [key]: value}),
};

// The box turned to `rotation` about its centre, as the rotate handle turns it: the stored
// top-left corner moves. The turn is in the frame's pixels (`size`; without it percent across and
// down count alike).
function turned(shape, rotation, {width = 100, height = 100} = {}) {
  const sx = (width || 100) / 100, sy = (height || 100) / 100;
  const half = rotate(shape.width * sx / 2, shape.height * sy / 2, shape.rotation || 0);
  const centre = {x: shape.x * sx + half.x, y: shape.y * sy + half.y};
  const now = rotate(shape.width * sx / 2, shape.height * sy / 2, rotation);
  return {...shape, x: (centre.x - now.x) / sx, y: (centre.y - now.y) / sy, rotation};
}

export function mount(node, ctx) {
  if (!ctx.kind(KIND.type)) ctx.registerKind(KIND);
  ctx.registerControl(new BoxControl(node, ctx));
}

class BoxControl {
  constructor(node, ctx) {
    this.node = node;
    this.ctx = ctx;
    this.title = `▭ ${node.name}`;  // its button when there are several drawing tools
    this.drag = null;  // {mode, id, start, box, preview}
  }

  regions() {
    return this.ctx.regions(KIND.type).filter(r => r.from_name === this.node.name && !this.ctx.isHidden(r.id));
  }

  // A box in percent <-> on the overlay, in pixels.
  toPixels(box) {
    const corner = this.ctx.toPixels(box), scale = this.ctx.scale();
    return {...corner, width: box.width * scale.x, height: box.height * scale.y, rotation: box.rotation || 0};
  }

  toPercent(box) {
    const corner = this.ctx.toPercent(box), scale = this.ctx.scale();
    return {...corner, width: box.width / scale.x, height: box.height / scale.y, rotation: box.rotation || 0};
  }

  pixelBox(id) {
    if (this.drag?.id === id && this.drag.preview) return this.drag.preview;
    const box = this.ctx.shapeAt(id);
    return box && this.toPixels(box);
  }

  render(g) {
    const ctx = this.ctx;
    for (const region of this.regions()) {
      const box = this.pixelBox(region.id);
      if (!box) continue;
      const selected = region.id === ctx.selected;
      g.save();
      g.translate(box.x, box.y);
      g.rotate(rad(box.rotation));
      g.strokeStyle = ctx.colourOf(region);
      g.lineWidth = selected ? 2.5 : 1.5;
      g.fillStyle = g.strokeStyle + "22";
      g.fillRect(0, 0, box.width, box.height);
      g.strokeRect(0, 0, box.width, box.height);
      g.fillStyle = g.strokeStyle;
      if (selected && !ctx.isLocked(region.id)) {
        for (const [hx, hy] of this.corners(box)) g.fillRect(hx - HANDLE / 2, hy - HANDLE / 2, HANDLE, HANDLE);
        g.beginPath();
        g.arc(box.width / 2, -ROTATE_OFFSET, HANDLE / 2 + 1, 0, 2 * Math.PI);
        g.fill();
      }
      g.restore();
      // upright, above the top left of the box's extent on screen
      const corners = this.corners(box).map(([cx, cy]) => rotate(cx, cy, box.rotation));
      const left = Math.min(...corners.map(c => c.x)), top = Math.min(...corners.map(c => c.y));
      ctx.caption(g, region, box.x + left + 2, box.y + top - 4);
    }
    if (this.drag?.mode === "draw" && this.drag.preview) {
      const b = this.drag.preview;
      g.strokeStyle = "#fff";
      g.setLineDash([4, 3]);
      g.strokeRect(b.x, b.y, b.width, b.height);
      g.setLineDash([]);
    }
  }

  corners(box) { return [[0, 0], [box.width, 0], [box.width, box.height], [0, box.height]]; }

  local(box, p) { return rotate(p.x - box.x, p.y - box.y, -box.rotation); }

  // What the pointer is on: a handle of the selected box, a box, or nothing.
  hit(p) {
    const selected = this.ctx.selected;
    const box = selected && this.regions().some(r => r.id === selected) && this.pixelBox(selected);
    if (box) {
      const q = this.local(box, p);
      if (Math.hypot(q.x - box.width / 2, q.y + ROTATE_OFFSET) <= HANDLE + 2) return {mode: "rotate", id: selected};
      const corner = this.corners(box).findIndex(([hx, hy]) => Math.abs(q.x - hx) <= HANDLE && Math.abs(q.y - hy) <= HANDLE);
      if (corner >= 0) return {mode: "resize", id: selected, corner};
    }
    for (const region of this.regions().reverse()) {
      const b = this.pixelBox(region.id);
      if (!b) continue;
      const q = this.local(b, p);
      if (q.x >= 0 && q.y >= 0 && q.x <= b.width && q.y <= b.height) return {mode: "move", id: region.id};
    }
    return null;
  }

  // One of this control's boxes or the selected box's handles: taken (selected, and dragged
  // unless locked).
  pointerdown(event) {
    const p = this.ctx.pointer(event);
    const target = this.hit(p);
    if (!target) return false;
    if (target.id !== this.ctx.selected) this.ctx.select(target.id);
    if (!this.ctx.isLocked(target.id)) {  // a locked region is only selected
      this.drag = {...target, start: p, box: {...this.pixelBox(target.id)}, preview: null};
    }
    return true;
  }

  // A new box, when this is the drawing tool and the pointer hit nothing.
  draw(event) {
    this.drag = {mode: "draw", id: null, start: this.ctx.pointer(event), box: null, preview: null};
  }

  pointermove(event) {
    if (!this.drag) return;
    const p = this.ctx.pointer(event), d = this.drag, box = d.box;
    if (d.mode === "draw") {
      d.preview = {x: Math.min(d.start.x, p.x), y: Math.min(d.start.y, p.y),
                   width: Math.abs(p.x - d.start.x), height: Math.abs(p.y - d.start.y), rotation: 0};
    } else if (d.mode === "move") {
      d.preview = {...box, x: box.x + p.x - d.start.x, y: box.y + p.y - d.start.y};
    } else if (d.mode === "resize") {
      // the opposite corner stays where it is, in the box's own (rotated) frame
      const q = this.local(box, p);
      const [ox, oy] = this.corners(box)[(d.corner + 2) % 4];
      const x0 = Math.min(ox, q.x), y0 = Math.min(oy, q.y);
      const origin = rotate(x0, y0, box.rotation);
      d.preview = {x: box.x + origin.x, y: box.y + origin.y, width: Math.abs(q.x - ox),
                   height: Math.abs(q.y - oy), rotation: box.rotation};
    } else if (d.mode === "rotate") {
      const half = rotate(box.width / 2, box.height / 2, box.rotation);
      const centre = {x: box.x + half.x, y: box.y + half.y};
      const angle = Math.atan2(p.y - centre.y, p.x - centre.x) * 180 / Math.PI + 90;
      const rotation = ((angle + 180) % 360 + 360) % 360 - 180;
      const turned = rotate(box.width / 2, box.height / 2, rotation);
      d.preview = {...box, x: centre.x - turned.x, y: centre.y - turned.y, rotation};
    }
    this.ctx.render();
  }

  async pointerup() {
    const d = this.drag;
    if (d?.mode === "saving") return;  // its edit is on its way to the host
    this.drag = null;
    if (!d || !d.preview) return this.ctx.render();
    const box = this.toPercent(d.preview);
    if (d.mode === "draw") {
      if (d.preview.width < 3 || d.preview.height < 3) return this.ctx.render();
      const object = this.node.to_names[0];
      await this.ctx.edit(async () => {
        const id = await this.ctx.create({type: KIND.type, from_name: this.node.name, to_name: object,
                                          labels: this.ctx.activeLabels(object), frame: this.ctx.frame, shape: box});
        this.ctx.select(id);
      });
    } else {
      const saving = this.drag = {...d, mode: "saving"};  // keep the preview until the host answers
      await this.ctx.edit(() => this.ctx.setShape(d.id, this.ctx.frame, box), d.id);
      if (this.drag === saving) this.drag = null;  // not a drag begun meanwhile
    }
    this.ctx.render();
  }
}
