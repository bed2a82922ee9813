// <VideoRectangle> in the player: draw a box, move it, resize it by its corners, rotate it by
// the handle above it (about its centre on screen; what is stored stays the rotated top-left
// corner and the angle). Boxes shown are the host's; a local preview only while dragging.

const HANDLE = 6, ROTATE_OFFSET = 22;
const rad = degrees => degrees * Math.PI / 180;
const rotate = (x, y, degrees) => {
  const c = Math.cos(rad(degrees)), s = Math.sin(rad(degrees));
  return {x: x * c - y * s, y: x * s + y * c};
};

export function mount(node, {player}) {
  player.registerControl(new BoxControl(node, player));
}

class BoxControl {
  constructor(node, player) {
    this.node = node;
    this.player = player;
    this.drag = null;  // {mode, id, start, box, preview}
  }

  regions() {
    return this.player.store.regions().filter(r => r.from_name === this.node.name && !this.player.hidden.has(r.id));
  }

  pixelBox(id) {
    if (this.drag?.id === id && this.drag.preview) return this.drag.preview;
    const box = this.player.store.boxAt(id, this.player.frame);
    return box && this.player.toPixels(box);
  }

  render(g) {
    for (const region of this.regions()) {
      const box = this.pixelBox(region.id);
      if (!box) continue;
      const selected = region.id === this.player.selected;
      g.save();
      g.translate(box.x, box.y);
      g.rotate(rad(box.rotation));
      g.strokeStyle = this.player.colourOf(region);
      g.lineWidth = selected ? 2.5 : 1.5;
      g.fillStyle = g.strokeStyle + "22";
      g.fillRect(0, 0, box.width, box.height);
      g.strokeRect(0, 0, box.width, box.height);
      g.fillStyle = g.strokeStyle;
      g.font = "12px sans-serif";
      g.fillText(region.value.labels?.join(", ") || "", 2, -4);
      if (selected) {
        for (const [hx, hy] of this.corners(box)) g.fillRect(hx - HANDLE / 2, hy - HANDLE / 2, HANDLE, HANDLE);
        g.beginPath();
        g.arc(box.width / 2, -ROTATE_OFFSET, HANDLE / 2 + 1, 0, 2 * Math.PI);
        g.fill();
      }
      g.restore();
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

  point(event) {
    const rect = this.player.overlay.getBoundingClientRect();
    return {x: event.clientX - rect.left, y: event.clientY - rect.top};
  }

  // What the pointer is on: a handle of the selected box, a box, or nothing.
  hit(p) {
    const selected = this.player.selected;
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
    return {mode: "draw", id: null};
  }

  pointerdown(event) {
    const p = this.point(event);
    const target = this.hit(p);
    if (target.id && target.id !== this.player.selected) this.player.select(target.id);
    if (target.mode === "draw" && this.player.selected) this.player.select(null);
    if (target.id && this.player.locked.has(target.id)) return;  // a locked region is only selected
    this.drag = {...target, start: p, box: target.id ? {...this.pixelBox(target.id)} : null, preview: null};
    this.player.overlay.setPointerCapture(event.pointerId);
  }

  pointermove(event) {
    if (!this.drag) return;
    const p = this.point(event), d = this.drag, box = d.box;
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
    this.player.render();
  }

  async pointerup() {
    const d = this.drag;
    this.drag = null;
    if (!d || !d.preview) return this.player.render();
    const box = this.player.toPercent(d.preview);
    if (d.mode === "draw") {
      if (d.preview.width < 3 || d.preview.height < 3) return this.player.render();
      const object = this.node.to_names[0];
      await this.player.edit(async () => {
        const id = await this.player.store.create(this.node.name, object, this.player.activeLabels(object),
                                                  this.player.frame, box);
        this.player.select(id);
      });
    } else {
      this.drag = {...d, mode: "saving"};  // keep the preview until the host answers
      await this.player.edit(() => this.player.store.setBox(d.id, this.player.frame, box));
      this.drag = null;
    }
    this.player.render();
  }
}
