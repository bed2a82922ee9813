// <TimelineLabels> in the player: a row per <Label> under the shared timeline, on its frame
// mapping. Drag on a row to make a range with that label (a click makes a one-frame range), drag
// a range's ends to change it, click it to select it (Backspace, "delete range" or the Regions
// list deletes it). Hold a label's hotkey, playing or stepping, to record a range from the frame
// the key went down on to the frame it came up on; its button relabels the selected range (and
// says so), or marks the frame shown. Keys are shown as the annotator mapped them. Ranges are
// 1-based and inclusive, as Label Studio writes them.

const TYPE = "timelinelabels";
const ROW = 20, EDGE = 5;  // px: a row's height; how near an end grabs it
const PALETTE = ["#944bff", "#98c84e", "#e8843c", "#3cb6e8", "#e83c7a", "#d6c73a"];

export function mount(node, ctx) {
  const rows = node.children.map((child, i) => ({
    value: child.attrs.value, title: child.attrs.alias || child.attrs.value, hotkey: child.attrs.hotkey,
    colour: child.attrs.background || PALETTE[i % PALETTE.length]}));
  if (!ctx.kind?.(TYPE)) {  // one kind for every <TimelineLabels> of the config
    ctx.registerKind({type: TYPE, keyframed: false, labels: value => value.timelinelabels || []});
  }
  const canvas = document.createElement("canvas");
  canvas.className = "timeline-labels";
  canvas.dataset.name = node.name;
  Object.assign(canvas.style, {display: "block", width: "100%", touchAction: "none", cursor: "crosshair"});
  ctx.timelineArea.append(canvas);

  let drag = null;  // {mode: "new" | "start" | "end", row, anchor | id, index, fixed, start, end}
  const recording = new Map();  // label value -> the frame its hotkey went down on

  const mine = () => ctx.regions(TYPE).filter(r => r.from_name === node.name);
  const labelOf = region => region.value.timelinelabels?.[0];
  const selectedMine = () => mine().find(r => r.id === ctx.selected) || null;
  const local = event => {
    const rect = canvas.getBoundingClientRect();
    return {x: event.clientX - rect.left, y: event.clientY - rect.top};
  };
  const clamp = frame => Math.min(Math.max(frame, 1), ctx.framesCount);
  // The frame whose start edge is nearest to x.
  const boundary = x => { const t = ctx.timeline; return Math.round(t.start + x / t.width * t.span); };

  function draw() {
    const t = ctx.timeline, width = t.width, height = ROW * rows.length;
    if (!width) return;  // the timeline is collapsed
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
    if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
    canvas.style.height = `${height}px`;
    const g = canvas.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    g.font = "11px sans-serif";
    const bar = (start, end, y, colour, alpha) => {
      const x0 = t.xOf(start), x1 = t.xOf(end + 1);
      if (x1 < 0 || x0 > width) return null;
      g.globalAlpha = alpha;
      g.fillStyle = colour;
      g.fillRect(x0, y + 3, Math.max(2, x1 - x0), ROW - 6);
      g.globalAlpha = 1;
      return [x0, Math.max(x0 + 2, x1)];
    };
    rows.forEach((row, i) => {
      const y = i * ROW;
      g.fillStyle = i % 2 ? "#181b20" : "#1e2228";
      g.fillRect(0, y, width, ROW);
      for (const region of mine().filter(r => labelOf(r) === row.value)) {
        const selected = region.id === ctx.selected;
        region.value.ranges.forEach((range, index) => {
          const dragged = drag && drag.id === region.id && drag.index === index;
          const {start, end} = dragged ? drag : range;
          const span = bar(start, end, y, row.colour, ctx.isHidden(region.id) ? 0.2 : 0.75);
          if (!span || !selected) return;
          g.strokeStyle = "#fff";
          g.strokeRect(span[0] + 0.5, y + 2.5, span[1] - span[0] - 1, ROW - 5);
          g.fillStyle = "#fff";
          for (const x of span) g.fillRect(x - 2, y + 5, 4, ROW - 10);
        });
      }
      if (drag?.mode === "new" && drag.row === row) bar(drag.start, drag.end, y, row.colour, 0.5);
      if (recording.has(row.value)) {
        const from = recording.get(row.value);
        bar(Math.min(from, ctx.frame), Math.max(from, ctx.frame), y, row.colour, 0.5);
      }
      g.fillStyle = "#ddd";
      const combo = row.key && ctx.comboOf(row.key);
      g.fillText(combo ? `${row.title} [${combo}]` : row.title, 4, y + 14);
    });
    g.fillStyle = "#f33";
    g.fillRect(t.xOf(ctx.frame), 0, 2, height);
  }

  // The range under x on a row: the nearer end within EDGE px, else its body.
  function hit(row, x) {
    const t = ctx.timeline;
    let found = null;
    for (const region of mine()) {
      if (labelOf(region) !== row.value || ctx.isHidden(region.id)) continue;
      region.value.ranges.forEach((range, index) => {
        const x0 = t.xOf(range.start), x1 = t.xOf(range.end + 1);
        if (x < x0 - EDGE || x > x1 + EDGE) return;
        const near = Math.min(Math.abs(x - x0), Math.abs(x - x1));
        const edge = near > EDGE ? "body" : Math.abs(x - x1) <= Math.abs(x - x0) ? "end" : "start";
        const candidate = {region, index, range, edge};
        if (!found || region.id === ctx.selected) found = candidate;
      });
    }
    return found;
  }

  async function addRange(row, start, end) {
    await ctx.edit(async () => {
      const id = await ctx.add({type: TYPE, from_name: node.name, to_name: node.to_names[0], origin: "manual",
                                value: {ranges: [{start, end}], timelinelabels: [row.value]}});
      ctx.select(id);
    }, null);
  }

  canvas.addEventListener("pointerdown", event => {
    if (event.button !== 0) return;
    const {x, y} = local(event);
    const row = rows[Math.floor(y / ROW)];
    if (!row) return;
    canvas.setPointerCapture(event.pointerId);
    const found = hit(row, x);
    if (!found) {
      const frame = ctx.timeline.frameAtX(x);
      drag = {mode: "new", row, anchor: frame, start: frame, end: frame};
    } else {
      ctx.select(found.region.id);
      if (found.edge !== "body" && !ctx.isLocked(found.region.id)) {
        const {start, end} = found.range;
        drag = {mode: found.edge, id: found.region.id, index: found.index, start, end,
                fixed: found.edge === "end" ? start : end};
      }
    }
    draw();
  });

  canvas.addEventListener("pointermove", event => {
    if (!drag) return;
    const {x} = local(event);
    const moving = drag.mode === "new" ? ctx.timeline.frameAtX(x)
      : clamp(drag.mode === "start" ? boundary(x) : boundary(x) - 1);
    const fixed = drag.mode === "new" ? drag.anchor : drag.fixed;
    drag.start = Math.min(fixed, moving);
    drag.end = Math.max(fixed, moving);
    draw();
  });

  canvas.addEventListener("pointerup", async () => {
    const done = drag;
    drag = null;
    if (!done) return;
    const range = done.mode !== "new" && ctx.region(done.id)?.value.ranges[done.index];
    if (done.mode === "new") {
      await addRange(done.row, done.start, done.end);
    } else if (range && (range.start !== done.start || range.end !== done.end)) {
      await ctx.edit(() => ctx.update(done.id, region => {
        Object.assign(region.value.ranges[done.index], {start: done.start, end: done.end});
      }), done.id);
    }
    draw();
  });
  canvas.addEventListener("pointercancel", () => { drag = null; draw(); });

  // The label set in the side panel: a button per label, and one to delete the selected range.
  const element = document.createElement("div");
  element.className = "label-set timeline-label-set";
  element.dataset.name = node.name;
  const colours = {};
  const titled = [];  // [button, row]: titled with the row's key as the annotator maps it

  // The selected range's label becomes the row's, announced (one undo step takes it back).
  function relabel(region, row) {
    const name = ctx.nameOf(region), undo = ctx.comboOf("undo");
    ctx.edit(() => {
      const done = ctx.update(region.id, r => { r.value.timelinelabels = [row.value]; });
      ctx.status(`${name} relabelled ${row.value} — ${undo ? `${undo} undoes` : "undo takes it back"}`);
      return done;
    }, region.id);
  }

  for (const row of rows) {
    colours[row.value] = row.colour;
    const button = document.createElement("button");
    Object.assign(button, {type: "button", className: "label", textContent: row.title});
    button.dataset.label = row.value;
    button.style.borderColor = row.colour;
    button.addEventListener("click", () => {
      const region = selectedMine();
      if (!region) return addRange(row, ctx.frame, ctx.frame);
      if (labelOf(region) !== row.value) relabel(region, row);
    });
    element.append(button);
    titled.push([button, row]);
    if (row.hotkey) {
      row.key = ctx.hotkey(row.hotkey, `record a "${row.value}" range (${node.name})`, () => {
        recording.set(row.value, ctx.frame);
        draw();
      }, {up: () => {
        const from = recording.get(row.value);
        recording.delete(row.value);
        if (from !== undefined) addRange(row, Math.min(from, ctx.frame), Math.max(from, ctx.frame));
      }});
    }
  }
  const remove = document.createElement("button");
  Object.assign(remove, {type: "button", textContent: "delete range"});
  remove.dataset.action = "delete-range";
  remove.addEventListener("click", () => {
    const region = selectedMine();
    if (region) ctx.edit(() => ctx.remove(region.id), region.id);
  });
  element.append(remove);
  ctx.registerLabels({node, element, colours, selected: new Set()});

  // The buttons' titles and the rows' captions name the keys as the annotator maps them.
  function retitle() {
    for (const [button, row] of titled) {
      const combo = row.key && ctx.comboOf(row.key);
      button.title = "relabel the selected range, or mark this frame" + (combo ? ` (hold ${combo} to record)` : "");
    }
    const combo = ctx.comboOf("delete");
    remove.title = `delete the selected range${combo ? ` (${combo})` : ""}`;
    draw();
  }
  retitle();
  ctx.on("hotkeys", retitle);
  for (const type of ["timeline", "frame", "change", "select", "drawn"]) ctx.on(type, draw);
}
