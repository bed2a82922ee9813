// Building elements: el("button", {textContent: "ok"}, child, ...); and setText, for what is
// redrawn on every frame.

export const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

// `node`'s text made `text`, written only when it differs: every write makes the browser lay
// the page out again at the next read of a size, which on every frame costs the frame step
// about as much as drawing 200 boxes.
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
