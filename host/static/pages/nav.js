// The nav bar the pages and the player share: Projects; the project's pages when inside one
// (Settings for admins); Members (admins); where one is; the user; `?` and Sign out. Each link
// and Sign out has a key in `keys` (a Keys registry): g p, g t, g i, g e, g l, g s, g m, g o.

import {el} from "/static/player/dom.js";

// `bar`: the header to fill; `page`: the name of the link to mark current; `where`: what is
// open (the project's title...); `help()`: the keyboard list; `fail(error)`: show an error;
// `leaving()`: awaited before signing out (the player releases its task's lock).
export function navBar(bar, {api, user, keys, projectId = null, page = null, where = "", help, fail,
                             leaving = async () => {}}) {
  const isAdmin = user.role === "admin";
  const links = [["/", "Projects", "g p", "projects"]];
  if (projectId !== null) {
    const base = `/projects/${projectId}`;
    links.push([base, "Tasks", "g t", "tasks"], [`${base}/import`, "Import", "g i", "import"],
      [`${base}/export`, "Export", "g e", "export"], [`${base}/label`, "Label", "g l", "label"]);
    if (isAdmin) links.push([`${base}/settings`, "Settings", "g s", "settings"]);
  }
  if (isAdmin) links.push(["/members", "Members", "g m", "members"]);
  const items = links.map(([href, text, combo, name]) => {
    keys.add(combo, `go to ${text}`, () => { location.href = href; });
    const link = el("a", {href, textContent: text, title: `keys: ${combo}`});
    if (name === page) link.className = "current";
    return link;
  });
  const signOut = el("button", {type: "button", textContent: "Sign out", title: "keys: g o"});
  const out = async () => {
    try {
      await leaving();
      await api.post("/api/auth/logout");
      location.href = "/";
    } catch (error) {
      fail(error);
    }
  };
  signOut.addEventListener("click", out);
  keys.add("g o", "sign out", out);
  const helpButton = el("button", {type: "button", textContent: "?", title: "keyboard (?)", className: "help"});
  helpButton.addEventListener("click", () => help());
  bar.replaceChildren(el("a", {href: "/", className: "brand", textContent: "tracklabel"}), ...items,
    el("span", {className: "where", textContent: where}),
    el("span", {className: "user", textContent: `${user.name} (${user.role})`}), helpButton, signOut);
}
