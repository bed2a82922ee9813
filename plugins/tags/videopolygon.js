// <VideoPolygon> in the player: draw a polygon by clicking its points (a click on the first point
// or Enter closes it, Escape cancels), drag a point, alt-click an edge to add a point there,
// alt-click a point (or press Delete with it selected) to remove it, drag inside to move the
// whole shape. Shapes shown are the host's; a local preview only while dragging. Points are in
// percent of the frame; the pointer's are kept inside it. The caption (its name, a padlock when
// locked) is above the top point; a locked polygon shows no point handles.

const TYPE = "videopolygon";
const HANDLE = 6, CLOSE = 8, EDGE = 5;
const TOLERANCE = 1;  // percent: how far outside the frame the host accepts a point (tracking may put one there)
const clamp = value => Math.min(100, Math.max(0, value));

// The selected point: {id, index} (the player has one selection, whichever tag's region it is).
let chosen = null;

export function mount(node, ctx) {
  if (!ctx.kind(TYPE)) ctx.registerKind(polygonKind(ctx));
  ctx.registerControl(new PolygonControl(node, ctx));
}

function checkPoints({points}) {
  if (!Array.isArray(points) || points.length < 3) throw new Error("a polygon needs at least 3 points");
  points.forEach((point, i) => {
    if (!Array.isArray(point) || point.length !== 2 || !point.every(Number.isFinite)) {
      throw new Error(`point ${i + 1} must be two numbers`);
    }
    if (point.some(v => v < -TOLERANCE || v > 100 + TOLERANCE)) {
      throw new Error(`point ${i + 1} is outside the frame (0..100%)`);
    }
  });
}

function bounds(points) {
  const xs = points.map(p => p[0]), ys = points.map(p => p[1]);
  const x = Math.min(...xs), y = Math.min(...ys);
  return {x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y};
}

// The index of the selected point in `shape` when it is a point of region `id`.
function chosenIndex(id, shape) {
  return chosen && chosen.id === id && chosen.index < shape.points.length ? chosen.index : null;
}

// Details: the bounding box (x, y move the whole shape; width, height scale it about its top
// left corner) and, while one is selected, the point.
function polygonKind(ctx) {
  return {
    type: TYPE,
    keyframed: true,
    fields: ["points"],
    check: checkPoints,
    details(shape) {
      const box = bounds(shape.points);
      const fields = [{key: "x", label: "x", value: box.x, unit: "x"}, {key: "y", label: "y", value: box.y, unit: "y"},
                      {key: "width", label: "width", value: box.width, unit: "x"},
                      {key: "height", label: "height", value: box.height, unit: "y"}];
      const index = chosenIndex(ctx.selected, shape);
      if (index === null) return fields;
      const [px, py] = shape.points[index];
      return [...fields, {key: "point-x", label: `point ${index + 1} x`, value: px, unit: "x"},
              {key: "point-y", label: `point ${index + 1} y`, value: py, unit: "y"}];
    },
    withDetail(shape, key, value) {
      const box = bounds(shape.points);
      const points = shape.points.map(p => [...p]);
      if (key === "x" || key === "y") {
        const axis = key === "x" ? 0 : 1, delta = value - box[key];
        return {points: points.map(p => { p[axis] += delta; return p; })};
      }
      if (key === "width" || key === "height") {
        if (!(value > 0) || !(box[key] > 0)) throw new Error(`${key} must be positive`);
        const axis = key === "width" ? 0 : 1, origin = axis ? box.y : box.x, factor = value / box[key];
        return {points: points.map(p => { p[axis] = origin + (p[axis] - origin) * factor; return p; })};
      }
      const index = chosenIndex(ctx.selected, shape);
      if (index === null) throw new Error("select a point first");
      points[index][key === "point-x" ? 0 : 1] = value;
      return {points};
    },
  };
}

function inside(p, points) {
  let odd = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const a = points[i], b = points[j];
    if ((a.y > p.y) !== (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) odd = !odd;
  }
  return odd;
}

// The point of segment a-b nearest to p.
function nearestOnSegment(p, a, b) {
  const dx = b.x - a.x, dy = b.y - a.y, length = dx * dx + dy * dy;
  const t = length ? Math.min(1, Math.max(0, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length)) : 0;
  return {x: a.x + t * dx, y: a.y + t * dy};
}

class PolygonControl {
  constructor(node, ctx) {
    this.node = node;
    this.ctx = ctx;
    this.title = `⬠ ${node.name}`;  // its button when there are several drawing tools
    this.drawing = null;  // {points: [[x, y]] percent, pointer: {x, y} px}
    this.drag = null;  // {mode: "vertex" | "move" | "saving", id, index, start, points, preview} percent
  }

  regions() {
    return this.ctx.regions(TYPE).filter(r => r.from_name === this.node.name && !this.ctx.isHidden(r.id));
  }

  own(id) { return id !== null && this.regions().some(r => r.id === id); }

  percentPoints(id) {
    if (this.drag?.id === id && this.drag.preview) return this.drag.preview;
    return this.ctx.shapeAt(id)?.points ?? null;
  }

  pixels(points) { return points.map(([x, y]) => this.ctx.toPixels({x, y})); }

  percent(p) {
    const q = this.ctx.toPercent(p);
    return [clamp(q.x), clamp(q.y)];
  }

  render(g) {
    const ctx = this.ctx;
    for (const region of this.regions()) {
      const points = this.percentPoints(region.id);
      if (!points) continue;
      const pts = this.pixels(points), selected = region.id === ctx.selected;
      const colour = ctx.colourOf(region);
      g.save();
      g.strokeStyle = g.fillStyle = colour;
      g.lineWidth = selected ? 2.5 : 1.5;
      g.beginPath();
      pts.forEach((p, i) => (i ? g.lineTo(p.x, p.y) : g.moveTo(p.x, p.y)));
      g.closePath();
      g.globalAlpha = 0.15;
      g.fill();
      g.globalAlpha = 1;
      g.stroke();
      const top = pts.reduce((a, b) => (b.y < a.y ? b : a));
      ctx.caption(g, region, top.x + 2, top.y - 6);
      if (selected && !ctx.isLocked(region.id)) {
        const index = chosenIndex(region.id, {points});
        pts.forEach((p, i) => {
          g.fillStyle = i === index ? "#fff" : colour;
          g.fillRect(p.x - HANDLE / 2, p.y - HANDLE / 2, HANDLE, HANDLE);
          g.strokeRect(p.x - HANDLE / 2, p.y - HANDLE / 2, HANDLE, HANDLE);
        });
      }
      g.restore();
    }
    if (this.drawing) this.renderDrawing(g);
  }

  renderDrawing(g) {
    const pts = this.pixels(this.drawing.points), pointer = this.drawing.pointer;
    g.save();
    g.strokeStyle = g.fillStyle = "#fff";
    g.lineWidth = 1.5;
    g.setLineDash([4, 3]);
    g.beginPath();
    pts.forEach((p, i) => (i ? g.lineTo(p.x, p.y) : g.moveTo(p.x, p.y)));
    g.lineTo(pointer.x, pointer.y);
    g.stroke();
    const closing = this.closes(pointer);
    pts.forEach((p, i) => {
      const size = i === 0 && closing ? 2 * CLOSE : HANDLE;
      g.fillRect(p.x - size / 2, p.y - size / 2, size, size);
    });
    g.restore();
  }

  // A click here closes the polygon being drawn (on its first point, once it has three).
  closes(p) {
    const points = this.drawing.points;
    if (points.length < 3) return false;
    const [first] = this.pixels([points[0]]);
    return Math.hypot(p.x - first.x, p.y - first.y) <= CLOSE;
  }

  // What the pointer is on: a point or an edge of the selected polygon, a polygon, or nothing.
  hit(p) {
    const selected = this.ctx.selected;
    const points = this.own(selected) && this.percentPoints(selected);
    if (points) {
      const pts = this.pixels(points);
      const index = pts.findIndex(q => Math.abs(q.x - p.x) <= HANDLE && Math.abs(q.y - p.y) <= HANDLE);
      if (index >= 0) return {mode: "vertex", id: selected, index};
      for (let i = 0; i < pts.length; i++) {
        const near = nearestOnSegment(p, pts[i], pts[(i + 1) % pts.length]);
        if (Math.hypot(near.x - p.x, near.y - p.y) <= EDGE) return {mode: "edge", id: selected, index: i + 1, at: near};
      }
    }
    for (const region of this.regions().reverse()) {
      const shape = this.percentPoints(region.id);
      if (shape && inside(p, this.pixels(shape))) return {mode: "move", id: region.id};
    }
    return null;
  }

  // A point of the polygon being drawn, or one of this control's polygons or the selected one's
  // points and edges: taken (selected; dragged, or alt-click edited, unless locked).
  pointerdown(event) {
    if (event.button !== 0) return false;
    const ctx = this.ctx, p = ctx.pointer(event);
    if (this.drawing) {
      this.addPoint(p);
      return true;
    }
    const target = this.hit(p);
    if (!target) {
      if (chosen && this.own(chosen.id)) chosen = null;
      return false;
    }
    chosen = target.mode === "vertex" ? {id: target.id, index: target.index} : null;
    if (target.id !== ctx.selected) ctx.select(target.id);
    else ctx.render();
    if (ctx.isLocked(target.id)) return true;  // a locked region is only selected
    const {id, index} = target;
    if (event.altKey && target.mode === "vertex") this.removeVertex(id, index);
    else if (event.altKey && target.mode === "edge") this.insertVertex(id, index, this.percent(target.at));
    else {
      this.drag = {mode: target.mode === "vertex" ? "vertex" : "move", id, index, start: this.percent(p),
                   points: this.percentPoints(id).map(q => [...q]), preview: null};
    }
    return true;
  }

  // Drawing a polygon: every click on the video is its next point, whatever lies under it.
  busy() { return Boolean(this.drawing); }

  // A new polygon, when this is the drawing tool and the pointer hit nothing (not on alt-click).
  draw(event) {
    if (event.altKey || event.button !== 0) return;
    const p = this.ctx.pointer(event);
    this.drawing = {points: [this.percent(p)], pointer: p};
    this.ctx.render();
  }

  pointermove(event) {
    const p = this.ctx.pointer(event);
    if (this.drawing) {
      this.drawing.pointer = p;
      return this.ctx.render();
    }
    const d = this.drag;
    if (!d || d.mode === "saving") return;
    const q = this.percent(p);
    if (d.mode === "vertex") {
      d.preview = d.points.map((point, i) => (i === d.index ? q : point));
    } else {
      // the whole shape moves, as far as the frame's edges let it
      const box = bounds(d.points);
      const dx = Math.min(100 - box.x - box.width, Math.max(-box.x, q[0] - d.start[0]));
      const dy = Math.min(100 - box.y - box.height, Math.max(-box.y, q[1] - d.start[1]));
      d.preview = d.points.map(([x, y]) => [x + dx, y + dy]);
    }
    this.ctx.render();
  }

  async pointerup() {
    const d = this.drag;
    if (!d || d.mode === "saving") return;
    if (!d.preview) {
      this.drag = null;
      return this.ctx.render();
    }
    const saving = this.drag = {...d, mode: "saving"};  // keep the preview until the host answers
    await this.write(d.id, d.preview);
    if (this.drag === saving) this.drag = null;  // not a drag begun meanwhile
    this.ctx.render();
  }

  write(id, points) {
    const ctx = this.ctx;
    return ctx.edit(() => ctx.setShape(id, ctx.frame, {points}), id);
  }

  addPoint(p) {
    if (this.closes(p)) return this.finish();
    this.drawing.points.push(this.percent(p));
    this.drawing.pointer = p;
    this.ctx.render();
  }

  async finish() {
    const ctx = this.ctx, points = this.drawing.points;
    if (points.length < 3) return ctx.status("A polygon needs at least 3 points (Escape cancels it)", true);
    this.drawing = null;
    ctx.render();
    const object = this.node.to_names[0];
    await ctx.edit(async () => {
      const id = await ctx.create({type: TYPE, from_name: this.node.name, to_name: object,
                                   labels: ctx.activeLabels(object), frame: ctx.frame, shape: {points},
                                   value: {closed: true}});
      ctx.select(id);
    }, null);
  }

  async insertVertex(id, index, point) {
    const points = this.percentPoints(id).map(q => [...q]);
    points.splice(index, 0, point);
    chosen = {id, index};
    await this.write(id, points);
  }

  async removeVertex(id, index) {
    const points = this.percentPoints(id);
    if (!points) return;
    if (points.length <= 3) return this.ctx.status("A polygon keeps at least 3 points", true);
    chosen = null;
    await this.write(id, points.filter((_, i) => i !== index).map(q => [...q]));
  }

  // Enter closes the polygon being drawn, Escape drops it; Delete removes the selected point.
  keydown(event) {
    if (this.drawing && event.key === "Enter") {
      event.preventDefault();
      this.finish();
    } else if (this.drawing && event.key === "Escape") {
      event.preventDefault();
      this.drawing = null;
      this.ctx.render();
    } else if (event.key === "Delete" && chosen?.id === this.ctx.selected && this.own(chosen.id)) {
      event.preventDefault();
      this.removeVertex(chosen.id, chosen.index);
    }
  }
}
