// The only thing a tag's module gets of the player: `mount(node, ctx)`. One ctx per config node,
// a facade over the Player (documented in docs/plugins.md, "The tag's module in the player").

import {drawCaption} from "./caption.js";

export function tagContext(player, container, node) {
  const store = () => player.store;
  const regions = () => (player.store ? player.store.regions() : []);  // none while mounting
  return {
    // ---- building ----
    container,
    mountChildren: (node, element) => player.mountChildren(node, element),
    attachVideo: (node, video, overlay, stage) => player.attachVideo(node, video, overlay, stage),
    registerKind: kind => player.registerKind(kind),
    kind: type => player.kinds.get(String(type).toLowerCase()) || null,
    registerControl: control => player.registerControl(control, node),
    registerLabels: set => player.registerLabels(set),
    activeLabels: objectName => player.activeLabels(objectName),
    hotkey: (combo, help, action, {up} = {}) => player.hotkey(combo, help, action, {up}),
    comboOf: name => player.comboOf(name),
    get timelineArea() { return player.timelineArea; },
    get timeline() { return player.timeline.view(); },

    // ---- state and events ----
    get frame() { return player.frame; },
    get framesCount() { return player.framesCount; },
    get fps() { return player.fps; },
    get playing() { return Boolean(player.video && !player.video.paused); },
    get selected() { return player.selected; },
    select: id => player.select(id),
    isHidden: id => player.hidden.has(id),
    isLocked: id => player.locked.has(id),
    colourOf: region => player.colourOf(region),
    nameOf: region => player.nameOf(region),
    caption: (g, region, x, y) => drawCaption(
      g, {name: player.nameOf(region), colour: player.colourOf(region), locked: player.locked.has(region.id)}, x, y),
    on: (type, fn) => player.addEventListener(type, event => fn(event.detail)),
    seek: frame => player.seek(frame),
    render: () => player.render(),
    status: (message, isError = false) => player.status(message, isError),

    // ---- geometry ----
    toPixels: ({x, y}) => {
      const v = player.view();
      return {x: v.left + x / 100 * v.width, y: v.top + y / 100 * v.height};
    },
    toPercent: ({x, y}) => {
      const v = player.view();
      return {x: (x - v.left) / v.width * 100, y: (y - v.top) / v.height * 100};
    },
    scale: () => {
      const v = player.view();
      return {x: v.width / 100, y: v.height / 100};
    },
    pointer: event => {
      const rect = player.overlay.getBoundingClientRect();
      return {x: event.clientX - rect.left, y: event.clientY - rect.top};
    },
    videoSize: () => player.videoSize(),

    // ---- regions ----
    regions: (type = null) => regions().filter(r => type === null || r.type.toLowerCase() === type),
    region: id => regions().find(r => r.id === id) || null,
    shapeAt: (id, frame = player.frame) => (player.hidden.has(id) || !player.store ? null : store().shapeAt(id, frame)),
    create: ({type, from_name, to_name, labels = [], frame = player.frame, shape, value = {}}) =>
      store().create({type, from_name, to_name, labels, frame, shape, value}),
    add: region => store().add(region),
    setShape: (id, frame, shape) => store().setShape(id, frame, shape),
    update: (id, change) => store().update(id, change),
    remove: id => player.removeRegion(id),
    edit: (action, id = player.selected) => player.edit(action, id),
  };
}
