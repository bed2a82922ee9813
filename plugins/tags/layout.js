// <View> and <Header> in the player: a container, and a heading.

export async function mount(node, ctx) {
  if (node.tag === "Header") {
    const heading = document.createElement("h2");
    heading.className = "header";
    heading.textContent = node.attrs.value || node.text || "";
    ctx.container.append(heading);
    return;
  }
  const view = document.createElement("div");
  view.className = "view";
  if (node.attrs.style) view.setAttribute("style", node.attrs.style);
  ctx.container.append(view);
  await ctx.mountChildren(node, view);
}
