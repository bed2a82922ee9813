// The annotation being edited: its regions (Label Studio JSON), the keyframe edits of
// docs/frames.md, the per-frame boxes computed by the host, saving with optimistic concurrency, and
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
    this.revision = 0;  // counts changes to the regions (answers computed before one are stale)
    this.tracks = new Map();  // region id -> {frame[], x[], ..., keyframe[]} (visible frames)
    this.window = {from: 1, to: 0};  // the frames whose boxes are here (a window around the playhead)
    this.undoStack = [];
    this.redoStack = [];
    this.draftKey = `tracklabel:task:${task.id}`;
  }

  static WINDOW = 300;  // frames each side of the playhead whose boxes are fetched at once

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
    await this.refreshTracks(null, 1);
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

  // Fetch the boxes of the window around `frame` (all regions, or one after its edit). Answers
  // can arrive out of order: one computed from regions or a window that have changed since is
  // not applied (it would overwrite newer boxes); the question is asked again as things are now.
  async refreshTracks(id = null, frame = null) {
    if (frame !== null) {
      const half = AnnotationStore.WINDOW;
      this.window = {from: Math.max(1, frame - half), to: Math.min(this.framesCount, frame + half)};
    }
    for (;;) {
      const {revision, window} = this;
      const range = `from=${window.from}&to=${window.to}`;
      const query = id ? `?region=${encodeURIComponent(id)}&${range}` : `?${range}`;
      const body = await this.api.post(`/api/tasks/${this.task.id}/tracks${query}`, {result: this.result});
      if (revision !== this.revision || window !== this.window) continue;
      if (!id) this.tracks.clear();
      for (const track of body.regions) this.tracks.set(track.id, track);
      this.emit("tracks");
      return;
    }
  }

  // Keep the window ahead of the playhead: refetch in the background when it nears an edge.
  follow(frame) {
    const {from, to} = this.window, margin = AnnotationStore.WINDOW / 3;
    const near = (frame - from < margin && from > 1) || (to - frame < margin && to < this.framesCount);
    if ((near || frame < from || frame > to) && !this.fetching) {
      this.fetching = this.refreshTracks(null, frame).finally(() => { this.fetching = null; });
    }
    return frame >= from && frame <= to ? null : this.fetching;
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
    this.snapshot();
    const id = Math.random().toString(36).slice(2, 12);
    const value = {framesCount: this.framesCount, sequence: [this.keyframe(f, box, true)]};
    if (labels.length) value.labels = labels;
    if (this.fps) value.duration = this.framesCount / this.fps;
    this.result.push({id, type: "videorectangle", from_name: control, to_name: objectName,
                      origin: "manual", value});
    await this.changed(id);
    return id;
  }

  // Changing the box at f writes a keyframe there (docs/frames.md's rule for `enabled`).
  async setBox(id, f, box) {
    this.check(box, f);
    this.snapshot();
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

  // The box is asked of the host first; the regions are read and changed after the answer, in
  // one step (an edit made meanwhile is neither lost nor undone by this one).
  async toggleKeyframe(id, f) {
    const hasKey = () => this.region(id).value.sequence.some(k => k.frame === f);
    const box = hasKey() ? null : await this.boxEvenHidden(id, f);
    this.snapshot();
    const seq = this.region(id).value.sequence;
    const at = seq.findIndex(k => k.frame === f);
    if (at >= 0) {
      seq.splice(at, 1);
    } else {
      const before = seq.filter(k => k.frame <= f).pop() || seq[0];
      seq.push(this.keyframe(f, box || seq[0], before ? before.enabled : true));
      seq.sort((a, b) => a.frame - b.frame);
    }
    await this.changed(id);
  }

  // Flip `enabled` on the last keyframe at or before f: cuts or restores the lifespan.
  async toggleInterpolation(id, f) {
    const key = this.region(id).value.sequence.filter(k => k.frame <= f).pop();
    if (!key) return false;
    this.snapshot();
    key.enabled = !key.enabled;
    await this.changed(id);
    return true;
  }

  // Any other change to a region (labels, ...), undoable like the rest.
  async update(id, change) {
    this.snapshot();
    change(this.region(id));
    await this.changed(id);
  }

  // A copy of a region: its id at once, and the host's boxes for it when `done` settles.
  duplicate(id) {
    this.snapshot();
    const copy = structuredClone(this.region(id));
    copy.id = Math.random().toString(36).slice(2, 12);
    this.result.push(copy);
    return {id: copy.id, done: this.changed(copy.id)};
  }

  // The region's keyframes as automatic tracking left them (undoable like any edit).
  async replaceSequence(id, sequence) {
    this.snapshot();
    this.region(id).value.sequence = sequence;
    await this.changed(id);
  }

  async deleteKeyframe(id, f) {
    const seq = this.region(id).value.sequence;
    if (seq.length === 1) throw new Error("a region keeps at least one keyframe: delete the region instead");
    this.snapshot();
    seq.splice(seq.findIndex(k => k.frame === f), 1);
    await this.changed(id);
  }

  async remove(id) {
    this.snapshot();
    this.result = this.result.filter(r => r.id !== id);
    this.tracks.delete(id);
    await this.changed(null);
  }

  // Before an edit: remember the result as it was (undo), forget what was undone (redo).
  snapshot() {
    this.undoStack.push(structuredClone(this.result));
    if (this.undoStack.length > 200) this.undoStack.shift();
    this.redoStack = [];
  }

  async undo() { return this.restore(this.undoStack, this.redoStack); }
  async redo() { return this.restore(this.redoStack, this.undoStack); }

  async restore(from, to) {
    if (!from.length) return false;
    to.push(structuredClone(this.result));
    this.result = from.pop();
    await this.changed(null, true);
    return true;
  }

  async changed(id, refreshAll = false) {
    this.dirty = true;
    this.revision++;  // what was drawn from the regions is stale
    this.saveDraft();
    this.emit("change", {id});
    if (id) await this.refreshTracks(id);
    else if (refreshAll) await this.refreshTracks();
    else this.emit("tracks");
  }

  saveDraft() {
    localStorage.setItem(this.draftKey, JSON.stringify({
      result: this.result, annotationId: this.annotation?.id, version: this.annotation?.version,
      time: Date.now()}));
  }

  // Submit (first save) or update; a 409 is reported, never overwritten silently.
  async save({overwriteVersion = null} = {}) {
    const revision = this.revision;
    let stored;
    if (!this.annotation) {
      stored = await this.api.post(`/api/tasks/${this.task.id}/annotations`, {result: this.result});
    } else {
      const version = overwriteVersion ?? this.annotation.version;
      stored = await this.api.put(`/api/annotations/${this.annotation.id}`,
                                  {result: this.result}, {"If-Match": `"${version}"`});
    }
    this.annotation = {id: stored.id, version: stored.version};
    if (revision !== this.revision) {  // edited while saving: those edits stay, still to be saved
      this.saveDraft();
      this.emit("saved", stored);
      return stored;
    }
    this.result = stored.result;
    this.revision++;
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
    this.revision++;
    this.dirty = false;
    localStorage.removeItem(this.draftKey);
    this.emit("change", {id: null});
    await this.refreshTracks();
  }

  emit(type, detail = {}) { this.dispatchEvent(new CustomEvent(type, {detail})); }
}
