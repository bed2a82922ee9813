// window.tracklabel: the player for embedding pages and automation (tests drive it too).
// boxAt: the shape the host computed (hidden or not); shapeAt: the shape shown (null if hidden).

export function exposeApi(player) {
  window.tracklabel = {
    seek: frame => player.seek(frame),
    get frame() { return player.frame; },
    get framesCount() { return player.framesCount; },
    regions: () => structuredClone(player.store.regions()),
    selectRegion: id => player.select(id),
    boxAt: (id, frame) => player.store.shapeAt(id, frame ?? player.frame),
    shapeAt: (id, frame) => (player.hidden.has(id) ? null : player.store.shapeAt(id, frame ?? player.frame)),
    on: (type, fn) => player.addEventListener(type, e => fn(e.detail)),
    player,
  };
}
