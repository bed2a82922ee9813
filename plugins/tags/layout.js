// <View> and <Header> in the player: a container, and a heading.

export async function mount(node, {container, mountChildren}) {
  if (node.tag === "Header") {
    const heading = document.createElement("h2");
    heading.className = "header";
    heading.textContent = node.attrs.value || node.text || "";
    container.append(heading);
    return;
  }
  const view = document.createElement("div");
  view.className = "view";
  if (node.attrs.style) view.setAttribute("style", node.attrs.style);
  container.append(view);
  await mountChildren(node, view);
}
