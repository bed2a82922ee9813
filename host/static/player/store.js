// The annotation being edited: its regions (Label Studio JSON), the keyframe edits of
// DESIGN.md, the per-frame boxes computed by the host, saving with optimistic concurrency, and
// a local copy of unsaved work that survives a reload.

const SEQUENCE_TYPES = new Set(["videorectangle"]);

export class AnnotationStore extends EventTarget {
  constructor(api, task, framesCount, fps) {
    super();
    this.api = api;
    this.task = task;
    this.framesCount = framesCount;
    this.fps = fps;
    this.annotation = null;  // {id, version} once stored on the host
    this.result = [];
    this.dirty = false;
    this.tracks = new Map();  // region id -> {frame[], x[], ..., keyframe[]} (visible frames)
    this.draftKey = `tracklabel:task:${task.id}`;
  }

  // The annotator's latest annotation of the task (or a new one), and any unsaved local copy.
  async load(userId) {
    const all = await this.api.get(`/api/tasks/${this.task.id}/annotations`);
    const own = all.filter(a => a.kind === "annotation" && a.author === userId).pop();
    if (own) {
      this.annotation = {id: own.id, version: own.version};
      this.result = own.result;
    }
    const draft = JSON.parse(localStorage.getItem(this.draftKey) || "null");
    let restored = false;
    if (draft && (!own || draft.annotationId === own.id)) {
      this.result = draft.result;
      if (draft.annotationId) this.annotation = {id: draft.annotationId, version: draft.version};
      this.dirty = restored = true;
    }
    await this.refreshTracks();
    return {restored};
  }

  regions() { return this.result.filter(r => SEQUENCE_TYPES.has(String(r.type).toLowerCase())); }
  region(id) { return this.result.find(r => r.id === id); }

  // The box of a region at frame f as the host computed it, or null where it is hidden.
  boxAt(id, f) {
    const t = this.tracks.get(id);
    if (!t) return null;
    let lo = 0, hi = t.frame.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (t.frame[mid] === f) {
        return {x: t.x[mid], y: t.y[mid], width: t.width[mid], height: t.height[mid],
                rotation: t.rotation[mid], keyframe: t.keyframe[mid]};
      }
      if (t.frame[mid] < f) lo = mid + 1; else hi = mid - 1;
    }
    return null;
  }

  async refreshTracks(id = null) {
    const query = id ? `?region=${encodeURIComponent(id)}` : "";
    const body = await this.api.post(`/api/tasks/${this.task.id}/tracks${query}`, {result: this.result});
    if (!id) this.tracks.clear();
    for (const track of body.regions) this.tracks.set(track.id, track);
    this.emit("tracks");
  }

  // The interpolated (or held) box at f even where the lifespan hides it.
  async boxEvenHidden(id, f) {
    const body = await this.api.post(
      `/api/tasks/${this.task.id}/tracks?region=${encodeURIComponent(id)}&from=${f}&to=${f}&hidden=1`,
      {result: this.result});
    const t = body.regions[0];
    return t && t.frame.length ? {x: t.x[0], y: t.y[0], width: t.width[0], height: t.height[0],
                                  rotation: t.rotation[0]} : null;
  }

  check(box, f) {
    if (!(f >= 1 && f <= this.framesCount)) throw new Error(`frame ${f} is outside 1..${this.framesCount}`);
    for (const key of ["x", "y", "width", "height", "rotation"]) {
      if (!Number.isFinite(box[key])) throw new Error(`${key} must be a number`);
    }
    if (box.width <= 0 || box.height <= 0) throw new Error("width and height must be positive");
  }

  keyframe(f, box, enabled) {
    const key = {frame: f, x: box.x, y: box.y, width: box.width, height: box.height,
                 rotation: box.rotation || 0, enabled};
    if (this.fps) key.time = f / this.fps;
    return key;
  }

  // A new region with one keyframe at f.
  async create(control, objectName, labels, f, box) {
    this.check(box, f);
    const id = Math.random().toString(36).slice(2, 12);
    const value = {framesCount: this.framesCount, sequence: [this.keyframe(f, box, true)]};
    if (labels.length) value.labels = labels;
    if (this.fps) value.duration = this.framesCount / this.fps;
    this.result.push({id, type: "videorectangle", from_name: control, to_name: objectName,
                      origin: "manual", value});
    await this.changed(id);
    return id;
  }

  // Changing the box at f writes a keyframe there (DESIGN.md's rule for `enabled`).
  async setBox(id, f, box) {
    this.check(box, f);
    const seq = this.region(id).value.sequence;
    const at = seq.findIndex(k => k.frame === f);
    if (at >= 0) {
      Object.assign(seq[at], this.keyframe(f, box, seq[at].enabled));
      delete seq[at].auto;  // an edited automatic keyframe is the annotator's now
    } else {
      const before = seq.filter(k => k.frame <= f).pop();
      const enabled = before ? before.enabled : (seq.length && f < seq[0].frame ? seq[0].enabled : true);
      const after = seq.length && f > seq[seq.length - 1].frame;
      seq.push(this.keyframe(f, box, after ? true : enabled));
      seq.sort((a, b) => a.frame - b.frame);
    }
    await this.changed(id);
  }

  async toggleKeyframe(id, f) {
    const seq = this.region(id).value.sequence;
    const at = seq.findIndex(k => k.frame === f);
    if (at >= 0) {
      seq.splice(at, 1);
    } else {
      const box = await this.boxEvenHidden(id, f) || seq[0];
      const before = seq.filter(k => k.frame <= f).pop() || seq[0];
      seq.push(this.keyframe(f, box, before ? before.enabled : true));
      seq.sort((a, b) => a.frame - b.frame);
    }
    await this.changed(id);
  }

  // Flip `enabled` on the last keyframe at or before f: cuts or restores the lifespan.
  async toggleInterpolation(id, f) {
    const key = this.region(id).value.sequence.filter(k => k.frame <= f).pop();
    if (!key) return false;
    key.enabled = !key.enabled;
    await this.changed(id);
    return true;
  }

  async remove(id) {
    this.result = this.result.filter(r => r.id !== id);
    this.tracks.delete(id);
    await this.changed(null);
  }

  async changed(id) {
    this.dirty = true;
    this.saveDraft();
    this.emit("change", {id});
    if (id) await this.refreshTracks(id); else this.emit("tracks");
  }

  saveDraft() {
    localStorage.setItem(this.draftKey, JSON.stringify({
      result: this.result, annotationId: this.annotation?.id, version: this.annotation?.version,
      time: Date.now()}));
  }

  // Submit (first save) or update; a 409 is reported, never overwritten silently.
  async save({overwriteVersion = null} = {}) {
    let stored;
    if (!this.annotation) {
      stored = await this.api.post(`/api/tasks/${this.task.id}/annotations`, {result: this.result});
    } else {
      const version = overwriteVersion ?? this.annotation.version;
      stored = await this.api.put(`/api/annotations/${this.annotation.id}`,
                                  {result: this.result}, {"If-Match": `"${version}"`});
    }
    this.annotation = {id: stored.id, version: stored.version};
    this.result = stored.result;
    this.dirty = false;
    localStorage.removeItem(this.draftKey);
    this.emit("saved", stored);
    await this.refreshTracks();
    return stored;
  }

  // Drop local edits and take the stored annotation.
  async reload() {
    const stored = await this.api.get(`/api/annotations/${this.annotation.id}`);
    this.annotation = {id: stored.id, version: stored.version};
    this.result = stored.result;
    this.dirty = false;
    localStorage.removeItem(this.draftKey);
    this.emit("change", {id: null});
    await this.refreshTracks();
  }

  emit(type, detail = {}) { this.dispatchEvent(new CustomEvent(type, {detail})); }
}
