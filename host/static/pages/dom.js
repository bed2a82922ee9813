// Building elements as the player's el(), with `dataset` among the props:
// el("tr", {dataset: {project: 3}}, child, ...).

import {el as plain} from "/static/player/dom.js";

export const el = (tag, {dataset = {}, ...props} = {}, ...children) => {
  const node = plain(tag, props, ...children);
  Object.assign(node.dataset, dataset);
  return node;
};
