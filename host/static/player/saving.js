// Saving the annotation: Submit (the first save) or Update; a version conflict asks whether to
// reload the stored annotation or overwrite it. The save-state badge in the control bar says in a
// word or two what the host has: nothing yet, unsaved changes, saving, saved, or not saved (in
// red, until the next change; why is in its title). The message over the video says it too, why
// included.

import {el} from "./dom.js";

export class Saving {
  constructor(player) {
    this.player = player;
    this.saving = 0;  // saves asked for and not done
    this.line = Promise.resolve(true);  // the last save asked for: whether it stored the annotation
    this.failure = null;  // {message, revision}: the last save's failure, shown until a change
    this.badge = el("span", {className: "save-state", role: "status"});
  }

  // True when the annotation is on the host afterwards. One save at a time: a save asked for while
  // another is under way waits for it, then sends the version it stored (sent at once, it would
  // post a second annotation or conflict with that one); it is dropped if that one failed, whose
  // failure stands.
  async save(overwriteVersion = null) {
    this.player.status("Saving…");  // what an earlier save said no longer holds
    const waits = this.saving > 0;
    this.saving++;
    this.render();
    const saved = this.line.then(before => (waits && !before ? false : this.send(overwriteVersion)));
    this.line = saved.catch(() => false);  // a save that threw does not stop the next ones
    try {
      return await saved;
    } finally {
      this.saving--;
      this.render();
    }
  }

  async send(overwriteVersion) {
    const player = this.player;
    this.failure = null;
    this.render();
    try {
      await player.store.save({overwriteVersion});
      player.status("Saved");
      player.emit("save", {annotation: player.store.annotation});
      return true;
    } catch (error) {
      if (error.status === 409) this.conflict(error.body.version);
      else this.failed(error.body?.message || error.message);
      return false;
    }
  }

  failed(reason) {
    this.failure = {message: `Not saved: ${reason}`, revision: this.player.store.revision};
    this.player.status(this.failure.message, true);
  }

  conflict(version) {
    const player = this.player;
    this.failed(`version ${version} is on the host`);
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

  // The badge as things are now (the player renders it with the control bar, after every change).
  render() {
    const store = this.player.store;
    if (this.failure?.revision !== store.revision) this.failure = null;
    const [state, text, title = text] = this.saving ? ["saving", "Saving…"]
      : this.failure ? ["failed", "Not saved", this.failure.message]
      : store.dirty ? ["unsaved", "Unsaved changes"]
      : store.annotation ? ["saved", "Saved", `version ${store.annotation.version} is on the host`]
      : ["new", "Not submitted"];
    if (this.badge.dataset.state === state && this.badge.title === title) return;
    this.badge.dataset.state = state;
    this.badge.textContent = text;
    this.badge.title = title;
  }
}
