// The labeling queue in the player (opened from /projects/<id>/label): Submit and next, Skip,
// the previous and next task, the task's place in the queue, and the task's lock, refreshed
// while the player is open and released when it is left.

import {el} from "./dom.js";

export const queueUrl = (projectId, taskId = null) =>
  `/projects/${projectId}/label${taskId === null ? "" : `?task=${taskId}`}`;

export class Queue {
  // `place`: the host's answer for the task (POST .../next or .../lock), or null when another
  // annotator holds the task (it is shown all the same, and the player says so).
  constructor(player, projectId, place) {
    this.player = player;
    this.projectId = projectId;
    this.place = place;
  }

  get task() { return this.player.task.id; }

  mount() {
    const player = this.player, bar = player.bar, k = player.hotkeys;
    k.add("submit-next", () => this.submitNext());
    k.add("skip", () => this.skip());
    k.add("prev-task", () => this.go(this.place?.previous));
    k.add("next-task", () => this.go(this.place?.next));
    this.position = el("span", {className: "queue-position"});
    this.prev = bar.action("‹ task", "prev-task", () => this.go(this.place?.previous));
    this.next = bar.action("task ›", "next-task", () => this.go(this.place?.next));
    this.element = el("div", {className: "controls queue-bar"}, this.prev, this.position, this.next,
      bar.action("Skip", "skip", () => this.skip()),
      bar.action("Submit and next", "submit-next", () => this.submitNext()));
    player.main.prepend(this.element);
    player.addEventListener("save", () => this.refresh());
    if (!this.place) player.status("Another annotator has this task open: your work may overlap theirs", true);
    this.show();
    const seconds = this.place?.lock_seconds;
    if (seconds) this.timer = setInterval(() => this.refresh(), Math.max(1, seconds / 3) * 1000);
    window.addEventListener("pagehide", () => this.release());
  }

  show() {
    const place = this.place;
    this.position.textContent = place ? `task ${place.index} of ${place.total} · ${place.left} left`
                                      : `task ${this.task}`;
    this.prev.disabled = !place?.previous;
    this.next.disabled = !place?.next;
  }

  // Keep the lock (and the place, which a save changes).
  async refresh() {
    if (this.leaving) return;  // a lock asked for now could outlive its release
    try {
      this.place = await this.player.api.post(`/api/tasks/${this.task}/lock`);
      this.show();
    } catch (error) {
      this.player.status(error.body?.message || error.message, true);
    }
  }

  // Leaving the page (or signing out) ends the lock, by a request that outlives the page.
  release() {
    this.leaving = true;
    clearInterval(this.timer);
    return fetch(`/api/tasks/${this.task}/lock`, {method: "DELETE", keepalive: true, credentials: "same-origin",
                                                  headers: {"X-CSRF-Token": this.player.api.csrf || ""}}).catch(() => {});
  }

  async submitNext() {
    this.leaving = true;
    if (await this.player.save()) location.assign(queueUrl(this.projectId));
    else this.leaving = false;
  }

  async skip() {
    try {
      await this.player.api.post(`/api/tasks/${this.task}/skip`);
    } catch (error) {
      return this.player.status(error.body?.message || error.message, true);
    }
    location.assign(queueUrl(this.projectId));
  }

  go(taskId) {
    if (taskId) location.assign(queueUrl(this.projectId, taskId));
  }
}
