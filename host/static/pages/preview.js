// The config editor's live preview: the player's own tag modules, mounted for an interface tree
// on a generated sample frame, through a context with the player's surface (ctx.js) and no
// task behind it. Lists the tools (controls) and region kinds the config gives.

import {DEFAULTS} from "../player/hotkeys.js";
import {el} from "./dom.js";

const FRAMES = 100;

export async function preview(root, tree) {
  const tools = [], kinds = new Map(), events = new EventTarget();
  const timelineArea = el("div", {className: "timeline-area"}), labelsArea = el("div", {className: "labels"});
  let overlay = null;
  const keys = new Map();  // a tag's key's name -> its combo (as the config says: no remapping here)
  const mountNode = async (node, container) => {
    if (!node.module) throw new Error(`no player module for <${node.tag}>`);
    const module = await import(node.module);
    await module.mount(node, context(container));
  };
  const context = container => ({
    container,
    mountChildren: async (node, element) => { for (const child of node.children) await mountNode(child, element); },
    attachVideo: (node, video, canvas, stage) => {
      video.hidden = true;
      stage.style.height = "300px";
      overlay = canvas;
    },
    registerKind: kind => kinds.set(kind.type.toLowerCase(), kind),
    kind: type => kinds.get(String(type).toLowerCase()) || null,
    registerControl: control => tools.push(control),
    registerLabels: set => labelsArea.append(set.element),  // the player shows them in its side panel
    activeLabels: () => [],
    hotkey: (combo, help) => { keys.set(`label:${help}`, combo); return `label:${help}`; },
    comboOf: name => keys.get(name) ?? DEFAULTS[name]?.[0] ?? null,
    timelineArea,
    get timeline() { return {start: 1, span: FRAMES, width: timelineArea.clientWidth}; },
    frame: 1, framesCount: FRAMES, fps: 25, playing: false, selected: null,
    select: () => {}, isHidden: () => false, isLocked: () => false, colourOf: () => "#4aa3ff", nameOf: () => "",
    caption: () => {},
    on: (type, fn) => events.addEventListener(type, event => fn(event.detail)),
    seek: () => {}, render: () => {}, status: () => {},
    regions: () => [], region: () => null, shapeAt: () => null,
    edit: () => {}, create: () => null, add: () => {}, setShape: () => {}, update: () => {}, remove: () => {},
  });
  const stage = el("div", {className: "preview-stage"});
  root.replaceChildren(stage);
  await mountNode(tree, stage);
  stage.append(timelineArea, labelsArea);
  if (overlay) sampleFrame(overlay);
  const list = el("ul", {className: "tools"}, ...tools.map(control =>
    el("li", {dataset: {tool: control.node?.name || ""}, textContent: `${control.node?.tag} “${control.node?.name}”`})),
    ...[...kinds.keys()].filter(type => !tools.some(c => c.node?.tag.toLowerCase() === type))
      .map(type => el("li", {dataset: {kind: type}, textContent: type})));
  root.append(el("div", {className: "preview-tools"}, el("b", {textContent: "Tools: "}), list));
}

// A sample frame: a sky, a road and two shapes, drawn where the video would be.
function sampleFrame(canvas) {
  const width = canvas.clientWidth || 480, height = canvas.clientHeight || 300;
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext("2d");
  const sky = g.createLinearGradient(0, 0, 0, height);
  sky.addColorStop(0, "#5b7fa6");
  sky.addColorStop(1, "#c9d6df");
  g.fillStyle = sky;
  g.fillRect(0, 0, width, height);
  g.fillStyle = "#555";
  g.fillRect(0, height * 0.65, width, height * 0.35);
  g.fillStyle = "#c33";
  g.fillRect(width * 0.2, height * 0.5, width * 0.18, height * 0.2);
  g.fillStyle = "#eee";
  g.beginPath();
  g.arc(width * 0.65, height * 0.55, height * 0.08, 0, 2 * Math.PI);
  g.fill();
  g.fillStyle = "#222";
  g.font = "12px sans-serif";
  g.fillText("sample frame", 8, 16);
}
