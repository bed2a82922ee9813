// Automatic tracking from the current frame: the tracker chooser, and a host job with progress
// and cancel whose keyframes come back as one undoable edit.

import {el} from "./dom.js";

export class Tracking {
  constructor(player) {
    this.player = player;
    this.job = null;  // the running job's id
    this.select = el("select", {className: "tracker", title: "Tracker"});
    player.api.get("/api/trackers").then(list => this.select.replaceChildren(
      ...list.map(t => el("option", {value: t.name, textContent: t.name, title: t.description, selected: t.name === "kcf"}))));
  }

  async run(direction) {
    const player = this.player, api = player.api;
    if (!player.selected) return player.status("Select a region first", true);
    if (this.job) return player.status("Tracking is already running", true);
    const id = player.selected, from = player.frame;
    if (player.locked.has(id)) return player.status("This region is locked (alt+l unlocks it)", true);
    let job;
    try {
      // only the region tracked: the job keeps what it is sent
      job = await api.post(`/api/tasks/${player.task.id}/track`, {
        result: player.store.result.filter(r => r.id === id), region: id, from, direction,
        tracker: this.select.value || undefined});
    } catch (error) {
      return player.status(error.body?.message || error.message, true);
    }
    const cancel = el("button", {type: "button", textContent: "cancel", className: "cancel-track"});
    cancel.addEventListener("click", () => api.post(`/api/jobs/${job.id}/cancel`).catch(() => {}));
    this.job = job.id;
    try {
      while (!["done", "failed", "cancelled"].includes(job.state)) {
        player.status([`Tracking ${direction} from frame ${from}: ${Math.round(job.progress * 100)}% `, cancel]);
        await new Promise(resolve => setTimeout(resolve, 300));
        job = await api.get(`/api/jobs/${job.id}`);
      }
    } finally {
      this.job = null;
    }
    if (job.state === "done") {
      await player.edit(() => player.store.replaceSequence(id, job.result.sequence), id);
      const lost = job.result.lost_at ? `, lost at frame ${job.result.lost_at}` : "";
      player.status(`Tracked ${job.result.tracked} frames${lost}: ${job.result.sequence.filter(k => k.auto).length} automatic keyframes`);
      player.emit("tracked", job.result);
    } else {
      player.status(job.state === "cancelled" ? "Tracking cancelled; nothing changed" : `Tracking failed: ${job.message}`,
                    job.state !== "cancelled");
    }
  }
}
