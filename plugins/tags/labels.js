// <Labels> in the player: a button per <Label> (with its colour and hotkey). The chosen label
// goes to new regions; choosing one while a region is selected relabels that region (unless its
// kind keeps its labels elsewhere: a kind with its own `labels(value)`).

export function mount(node, ctx) {
  const element = document.createElement("div");
  element.className = "label-set";
  const set = {node, element, colours: {}, selected: new Set()};
  for (const option of node.children) {
    const value = option.attrs.value;
    set.colours[value] = option.attrs.background || "#4aa3ff";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "label";
    button.dataset.label = value;
    button.style.borderColor = set.colours[value];
    button.textContent = option.attrs.alias || value;
    if (option.attrs.hotkey) button.title = `hotkey: ${option.attrs.hotkey}`;
    const choose = () => {
      const single = node.attrs.choice !== "multiple";
      if (set.selected.has(value)) set.selected.delete(value);
      else { if (single) set.selected.clear(); set.selected.add(value); }
      for (const b of element.children) b.classList.toggle("active", set.selected.has(b.dataset.label));
      const region = ctx.selected && ctx.region(ctx.selected);
      if (region && set.selected.size && !ctx.kind(region.type)?.labels) {
        const labels = [...set.selected];
        ctx.edit(() => ctx.update(region.id, r => { r.value.labels = labels; }));
      }
    };
    button.addEventListener("click", choose);
    if (option.attrs.hotkey) ctx.hotkey(option.attrs.hotkey, `label ${value}`, choose);
    element.append(button);
  }
  ctx.registerLabels(set);
}
