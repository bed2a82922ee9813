// <Labels> in the player: a chip per <Label> (its colour, its hotkey shown on it). The chosen
// labels go to new regions; choosing one while a region is selected relabels that region, as in
// Label Studio, and says so (one undo step takes it back). Details shows a picker of the set
// (a select, or checkboxes for choice="multiple") that relabels the same way. Only regions of
// the set's object whose kind keeps its labels in `value.labels` (a kind with its own
// `labels(value)` keeps them elsewhere) are relabelled.

const make = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

export function mount(node, ctx) {
  const single = node.attrs.choice !== "multiple";
  const options = node.children.map(option => ({
    value: option.attrs.value, title: option.attrs.alias || option.attrs.value, hotkey: option.attrs.hotkey,
    colour: option.attrs.background || "#4aa3ff"}));
  const ours = new Set(options.map(o => o.value));
  const element = make("div", {className: "label-set"});
  const set = {node, element, colours: {}, selected: new Set(), picker};

  const labelled = region => Boolean(region) && node.to_names.includes(region.to_name) && !ctx.kind(region.type)?.labels;

  // The region's labels of this set become `chosen` (those of other sets stay), announced.
  function relabel(id, chosen) {
    const region = ctx.region(id), before = region.value.labels || [];
    const after = [...before.filter(l => !ours.has(l)), ...options.map(o => o.value).filter(v => chosen.has(v))];
    if (after.length === before.length && after.every((l, i) => l === before[i])) return;
    const name = ctx.nameOf(region), undo = ctx.comboOf("undo");
    ctx.edit(() => {
      const done = ctx.update(id, r => { r.value.labels = after; });
      ctx.status(`${name} relabelled ${after.join(", ") || "(no label)"} — ${undo ? `${undo} undoes` : "undo takes it back"}`);
      return done;
    }, id);
  }

  // Details' picker for the selected region, or null where this set does not label it.
  function picker(region) {
    if (!labelled(region)) return null;
    const has = new Set(region.value.labels || []), locked = ctx.isLocked(region.id);
    if (single) {
      const select = make("select", {className: "label-picker", title: `relabel (${node.name})`, disabled: locked,
                                     ariaLabel: `label (${node.name})`},
        make("option", {value: "", textContent: "(no label)"}),
        ...options.map(o => make("option", {value: o.value, textContent: o.title, selected: has.has(o.value)})));
      select.addEventListener("change", () => relabel(region.id, new Set(select.value ? [select.value] : [])));
      return make("div", {className: "label-picker-row"}, make("span", {textContent: "label"}), select);
    }
    const boxes = options.map(o => make("input", {type: "checkbox", value: o.value, checked: has.has(o.value), disabled: locked}));
    for (const box of boxes) {
      box.addEventListener("change", () => relabel(region.id, new Set(boxes.filter(b => b.checked).map(b => b.value))));
    }
    return make("fieldset", {className: "label-picker", title: `relabel (${node.name})`},
                ...options.map((o, i) => make("label", {}, boxes[i], o.title)));
  }

  const keyed = [];  // [chip, its key's badge, the key's name]: shown as the annotator maps them
  const showKeys = () => {
    for (const [button, badge, key] of keyed) {
      const combo = ctx.comboOf(key);
      badge.textContent = combo || "";
      badge.hidden = !combo;
      button.title = `labels new regions; relabels the selected one${combo ? ` (${combo})` : ""}`;
    }
  };
  for (const {value, title, hotkey, colour} of options) {
    set.colours[value] = colour;
    const button = make("button", {type: "button", className: "label", title: "labels new regions; relabels the selected one"},
                        title);
    button.dataset.label = value;
    button.style.borderColor = colour;
    const choose = () => {
      if (set.selected.has(value)) set.selected.delete(value);
      else { if (single) set.selected.clear(); set.selected.add(value); }
      for (const b of element.children) b.classList.toggle("active", set.selected.has(b.dataset.label));
      const region = ctx.selected && ctx.region(ctx.selected);
      if (labelled(region) && set.selected.size) relabel(region.id, set.selected);
    };
    button.addEventListener("click", choose);
    if (hotkey) {
      const badge = make("kbd", {className: "hotkey"});
      button.append(badge);
      keyed.push([button, badge, ctx.hotkey(hotkey, `label ${value}`, choose)]);
    }
    element.append(button);
  }
  showKeys();
  ctx.on("hotkeys", showKeys);
  ctx.registerLabels(set);
}
