// Per-user settings kept on the host (GET/PUT /api/me/settings/<key>), so the layout, remapped
// hotkeys and hidden and locked regions follow the user to another browser. localStorage keeps
// a copy: it is used while the host is unreachable, and a change the host has not got yet (made
// offline, or just before a reload) wins over the host's value and is sent when the host answers.

const DELAY = 400;  // ms: changes within this are sent to the host once

export class Setting {
  constructor(api, key, fallbackKey) {
    this.api = api;
    this.key = key;
    this.fallbackKey = fallbackKey;
    this.url = `/api/me/settings/${encodeURIComponent(key)}`;
    this.timer = null;
    this.pending = null;  // a value the host has not got yet
    this.sending = Promise.resolve();
    api.listeners?.add(state => { if (state === "online" && this.pending && !this.timer) this.schedule(); });
  }

  // The copy in this browser (null when there is none).
  cached() {
    try { return JSON.parse(localStorage.getItem(this.fallbackKey) || "null"); } catch { return null; }
  }

  get unsent() { return localStorage.getItem(`${this.fallbackKey}:unsent`) !== null; }

  set unsent(value) {
    if (value) localStorage.setItem(`${this.fallbackKey}:unsent`, "1");
    else localStorage.removeItem(`${this.fallbackKey}:unsent`);
  }

  // The host's value (kept as this browser's copy too), else this browser's copy when the host
  // has none or cannot be reached, or when the copy has a change the host has not got.
  async load() {
    if (this.unsent) {
      this.pending = this.cached();
      this.schedule();
      return this.pending;
    }
    try {
      const {value} = await this.api.request("GET", this.url, undefined, {}, {retries: 0});
      if (value !== null) {
        localStorage.setItem(this.fallbackKey, JSON.stringify(value));
        return value;
      }
    } catch (error) {
      console.warn(`setting ${this.key}: using this browser's copy (${error.message})`);
    }
    return this.cached();
  }

  // Keep the value in this browser now and on the host shortly (one write for a burst).
  save(value) {
    localStorage.setItem(this.fallbackKey, JSON.stringify(value));
    this.unsent = true;
    this.pending = value;
    this.schedule();
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = null; this.flush(); }, DELAY);
  }

  // Send what the host has not got yet; resolves when it is stored (or could not be).
  flush() {
    clearTimeout(this.timer);
    this.timer = null;
    const value = this.pending;
    if (value === null) return this.sending;
    this.pending = null;
    this.sending = this.sending.then(() => this.api.request("PUT", this.url, {value}, {}, {retries: 0}))
      .then(() => { if (this.pending === null) this.unsent = false; })
      .catch(error => {
        if (error.status) {  // refused (too large): kept in this browser only
          if (this.pending === null) this.unsent = false;
        } else if (this.pending === null) {
          this.pending = value;  // sent again when the host answers
        }
        console.warn(`setting ${this.key}: kept in this browser (${error.message})`);
      });
    return this.sending;
  }
}

// A task's hidden and locked regions: two Sets, changed in place when the host's copy arrives.
export class RegionState {
  constructor(api, taskId) {
    this.setting = new Setting(api, `regions:${taskId}`, `tracklabel:regions:${taskId}`);
    const saved = this.setting.cached() || {};
    this.hidden = new Set(saved.hidden || []);
    this.locked = new Set(saved.locked || []);
  }

  async load() {
    const saved = await this.setting.load();
    if (!saved) return;
    for (const [set, ids] of [[this.hidden, saved.hidden], [this.locked, saved.locked]]) {
      set.clear();
      for (const id of ids || []) set.add(id);
    }
  }

  save() { this.setting.save({hidden: [...this.hidden], locked: [...this.locked]}); }
}
