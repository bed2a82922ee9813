// Pointer dispatch on the video's overlay: a drag with space or shift held pans the zoomed
// video, shift+wheel zooms about the pointer; other pointer events go to the tags' controls.

export class Pointer {
  constructor(player, overlay) {
    this.player = player;
    this.overlay = overlay;
    this.panning = null;  // {x, y} of the last pan step while a pan drag is on
    this.spaceHeld = false;
    this.tool = null;  // the control chosen in the tool buttons to draw new shapes
    overlay.addEventListener("pointerdown", event => this.pointerdown(event));
    for (const type of ["pointermove", "pointerup"]) {
      overlay.addEventListener(type, event => {
        if (this.panning) return type === "pointerup" ? (this.panning = null) : this.panMove(event);
        player.controls.forEach(c => c[type]?.(event));
      });
    }
    overlay.addEventListener("wheel", event => this.wheel(event), {passive: false});
    document.addEventListener("keydown", e => { if (e.code === "Space" && !e.altKey) this.spaceHeld = true; });
    document.addEventListener("keyup", e => { if (e.code === "Space") this.spaceHeld = false; });
  }

  // Space or Shift held: the drag pans the zoomed video. A control in the middle of drawing a
  // shape (its busy() is true) gets the click; otherwise the controls are asked in turn until
  // one takes it (returns true: it hit one of its regions or handles): the selected region's
  // control first, then the others from the one drawn last (on top). When none does, the
  // selection is cleared and the drawing tool's control begins a new shape.
  pointerdown(event) {
    const player = this.player;
    this.overlay.setPointerCapture(event.pointerId);
    if (this.spaceHeld || event.shiftKey) {
      this.panning = {x: event.clientX, y: event.clientY};
      return;
    }
    const drawing = player.controls.find(c => c.busy?.());  // a shape half drawn takes every click
    if (drawing) return drawing.pointerdown?.(event);
    if (this.pickOrder().some(c => c.pointerdown?.(event) === true)) return;
    const tool = this.drawingTool();
    if (!tool) return;
    if (player.selected) player.select(null);
    tool.draw(event);
  }

  // The controls in the order a click asks them: the selected region's first, then from the top.
  pickOrder() {
    const player = this.player;
    const from = player.store.region(player.selected)?.from_name;
    const owns = c => Number(from !== undefined && player.controlNodes.get(c)?.name === from);
    return [...player.controls].reverse().sort((a, b) => owns(b) - owns(a));
  }

  // The control that draws new shapes: the one chosen in the tool buttons, else the first.
  drawingTool() {
    const tools = this.player.controls.filter(c => c.draw);
    return tools.includes(this.tool) ? this.tool : tools[0] || null;
  }

  panMove(event) {
    this.player.viewport.panBy(event.clientX - this.panning.x, event.clientY - this.panning.y);
    this.panning = {x: event.clientX, y: event.clientY};
  }

  wheel(event) {
    if (!event.shiftKey) return;
    event.preventDefault();
    const viewport = this.player.viewport, rect = this.overlay.getBoundingClientRect();
    viewport.zoomAbout(viewport.zoom * (event.deltaY < 0 ? 1.2 : 1 / 1.2),
                       event.clientX - rect.left, event.clientY - rect.top);
  }
}
