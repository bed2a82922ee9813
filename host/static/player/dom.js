// Building elements: el("button", {textContent: "ok"}, child, ...).

export const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};
