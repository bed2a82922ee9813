// <VideoKeyPoint> in the player: a click where no point is places one (with the chosen labels),
// a point is dragged to move it. Points shown are the host's; a local preview only while
// dragging. Points are in percent of the frame, kept inside it. Each point's caption is its name
// (and a padlock when locked).

const RADIUS = 5, GRAB = 9, CLICK = 4;
const TOLERANCE = 1;  // percent: how far outside the frame the host accepts a point (tracking may put one there)
const clamp = value => Math.min(100, Math.max(0, value));

export function mount(node, ctx) {
  if (!ctx.kind(POINT_KIND.type)) ctx.registerKind(POINT_KIND);
  ctx.registerControl(new PointControl(node, ctx));
}

const POINT_KIND = {
  type: "videokeypoint",
  keyframed: true,
  fields: ["x", "y"],
  check({x, y}) {
    for (const [key, value] of [["x", x], ["y", y]]) {
      if (!Number.isFinite(value)) throw new Error(`${key} must be a number`);
      if (value < -TOLERANCE || value > 100 + TOLERANCE) throw new Error(`${key} is outside the frame (0..100%)`);
    }
  },
  details: ({x, y}) => [{key: "x", label: "x", value: x, unit: "x"}, {key: "y", label: "y", value: y, unit: "y"}],
  withDetail: ({x, y}, key, value) => ({x, y, [key]: value}),
};

class PointControl {
  constructor(node, ctx) {
    this.node = node;
    this.ctx = ctx;
    this.title = `• ${node.name}`;  // its button when there are several drawing tools
    this.drag = null;  // {mode: "move" | "saving", id, preview} or {mode: "place", start}
  }

  regions() {
    return this.ctx.regions("videokeypoint").filter(r => r.from_name === this.node.name && !this.ctx.isHidden(r.id));
  }

  percentPoint(id) {
    if (this.drag?.id === id && this.drag.preview) return this.drag.preview;
    const shape = this.ctx.shapeAt(id);
    return shape && {x: shape.x, y: shape.y};
  }

  percent(p) {
    const q = this.ctx.toPercent(p);
    return {x: clamp(q.x), y: clamp(q.y)};
  }

  render(g) {
    const ctx = this.ctx;
    for (const region of this.regions()) {
      const point = this.percentPoint(region.id);
      if (!point) continue;
      const p = ctx.toPixels(point), selected = region.id === ctx.selected;
      g.save();
      g.fillStyle = ctx.colourOf(region);
      g.beginPath();
      g.arc(p.x, p.y, selected ? RADIUS + 2 : RADIUS, 0, 2 * Math.PI);
      g.fill();
      g.lineWidth = selected ? 2.5 : 1;
      g.strokeStyle = selected ? "#fff" : "#000";
      g.stroke();
      ctx.caption(g, region, p.x + RADIUS + 4, p.y - RADIUS - 2);
      g.restore();
    }
  }

  // The topmost point under the pointer, if any.
  hit(p) {
    for (const region of this.regions().reverse()) {
      const point = this.percentPoint(region.id);
      if (!point) continue;
      const q = this.ctx.toPixels(point);
      if (Math.hypot(q.x - p.x, q.y - p.y) <= GRAB) return region.id;
    }
    return null;
  }

  // One of this control's points: taken (selected, and dragged unless locked).
  pointerdown(event) {
    if (event.button !== 0) return false;
    const ctx = this.ctx, id = this.hit(ctx.pointer(event));
    if (!id) return false;
    if (id !== ctx.selected) ctx.select(id);
    if (!ctx.isLocked(id)) this.drag = {mode: "move", id, preview: null};  // a locked region is only selected
    return true;
  }

  // A new point where the click ends, when this is the drawing tool and the pointer hit nothing.
  draw(event) {
    if (event.button === 0) this.drag = {mode: "place", start: this.ctx.pointer(event)};
  }

  pointermove(event) {
    const d = this.drag;
    if (d?.mode !== "move") return;
    d.preview = this.percent(this.ctx.pointer(event));
    this.ctx.render();
  }

  async pointerup(event) {
    const ctx = this.ctx, d = this.drag;
    if (!d || d.mode === "saving") return;
    this.drag = null;
    if (d.mode === "place") {
      const p = ctx.pointer(event);
      if (Math.hypot(p.x - d.start.x, p.y - d.start.y) > CLICK) return;  // a drag, not a click
      const object = this.node.to_names[0];
      return ctx.edit(async () => {
        const id = await ctx.create({type: "videokeypoint", from_name: this.node.name, to_name: object,
                                     labels: ctx.activeLabels(object), frame: ctx.frame, shape: this.percent(p)});
        ctx.select(id);
      }, null);
    }
    if (!d.preview) return ctx.render();
    const saving = this.drag = {...d, mode: "saving"};  // keep the preview until the host answers
    await ctx.edit(() => ctx.setShape(d.id, ctx.frame, d.preview), d.id);
    if (this.drag === saving) this.drag = null;  // not a drag begun meanwhile
    ctx.render();
  }
}
