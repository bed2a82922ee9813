// window.tracklabel: the player for embedding pages and automation (tests drive it too).
// boxAt and shapeAt (one function): the shape shown, null where the region is hidden (hide),
// outside its lifespan or not yet computed, as the README says.

export function exposeApi(player) {
  const shown = (id, frame) => (player.hidden.has(id) ? null : player.store.shapeAt(id, frame ?? player.frame));
  window.tracklabel = {
    seek: frame => player.seek(frame),
    get frame() { return player.frame; },
    get framesCount() { return player.framesCount; },
    regions: () => structuredClone(player.store.regions()),
    selectRegion: id => player.select(id),
    boxAt: shown,
    shapeAt: shown,
    on: (type, fn) => player.addEventListener(type, e => fn(e.detail)),
    player,
  };
}
