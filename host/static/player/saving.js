// Saving the annotation: Submit (the first save) or Update; a version conflict asks whether to
// reload the stored annotation or overwrite it.

import {el} from "./dom.js";

export class Saving {
  constructor(player) {
    this.player = player;
  }

  // True when the annotation is on the host afterwards.
  async save(overwriteVersion = null) {
    const player = this.player;
    player.status("Saving…");  // what an earlier save said no longer holds
    try {
      await player.store.save({overwriteVersion});
      player.status("Saved");
      player.emit("save", {annotation: player.store.annotation});
      return true;
    } catch (error) {
      if (error.status === 409) this.conflict(error.body.version);
      else player.status(error.body?.message || error.message, true);
      return false;
    }
  }

  conflict(version) {
    const player = this.player;
    player.status(`Not saved: version ${version} is on the host`, true);
    const dialog = el("dialog", {className: "conflict"},
      el("p", {textContent: `Someone saved this annotation meanwhile (version ${version}). ` +
                            "Reload theirs (your changes are dropped) or overwrite it with yours?"}));
    const choose = (text, action) => {
      const b = el("button", {type: "button", textContent: text});
      b.addEventListener("click", async () => { dialog.close(); dialog.remove(); await action(); });
      dialog.append(b);
    };
    choose("Reload theirs", () => player.store.reload());
    choose("Overwrite with mine", () => this.save(version));
    player.root.append(dialog);
    dialog.showModal();
  }
}
