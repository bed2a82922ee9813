// The annotation being edited: its regions (Label Studio JSON result items whose type is a kind
// a tag module registered), the keyframe edits of docs/frames.md, the per-frame shapes computed
// by the host, saving with optimistic concurrency, and a local copy of unsaved work that survives
// a reload. It knows no region type: a kind says what its keyframes hold.

// Columns of the host's tracks that are not a shape's fields.
const NOT_FIELDS = new Set(["frame", "keyframe", "visible"]);

const newId = () => Math.random().toString(36).slice(2, 12);

export class AnnotationStore extends EventTarget {
  constructor(api, task, framesCount, fps, kinds) {
    super();
    this.kinds = kinds;  // type -> kind (registered by the tags' modules)
    this.api = api;
    this.task = task;
    this.framesCount = framesCount;
    this.fps = fps;
    this.annotation = null;  // {id, version} once stored on the host
    this.result = [];
    this.dirty = false;
    this.revision = 0;  // counts changes to the regions (answers computed before one are stale)
    this.tracks = new Map();  // region id -> {frame[], keyframe[], ...a list per field} (visible frames)
    this.window = {from: 1, to: 0};  // the frames whose shapes are here (a window around the playhead)
    this.undoStack = [];
    this.redoStack = [];
    this.draftKey = `tracklabel:task:${task.id}`;
  }

  static WINDOW = 300;  // frames each side of the playhead whose shapes are fetched at once

  // The annotator's latest annotation of the task (or a new one), and any unsaved local copy.
  // Without either, the task's newest prediction is the starting point, as in Label Studio: its
  // regions are shown and edited, and Submit makes them the annotator's annotation.
  async load(userId) {
    const all = await this.api.get(`/api/tasks/${this.task.id}/annotations`);
    const own = all.filter(a => a.kind === "annotation" && a.author === userId).pop();
    if (own) {
      this.annotation = {id: own.id, version: own.version};
      this.result = own.result;
    }
    const draft = JSON.parse(localStorage.getItem(this.draftKey) || "null");
    let restored = false, prediction = null;
    if (draft && (!own || draft.annotationId === own.id)) {
      this.result = draft.result;
      if (draft.annotationId) this.annotation = {id: draft.annotationId, version: draft.version};
      this.dirty = restored = true;
    } else if (!own) {
      prediction = all.filter(a => a.kind === "prediction").pop() || null;
      if (prediction) this.result = structuredClone(prediction.result);
    }
    await this.refreshTracks(null, 1);
    return {restored, prediction: prediction?.id ?? null};
  }

  kindOf(region) { return region ? this.kinds.get(String(region.type).toLowerCase()) || null : null; }
  regions() { return this.result.filter(r => this.kindOf(r)); }
  keyframedRegions() { return this.result.filter(r => this.kindOf(r)?.keyframed); }
  region(id) { return this.result.find(r => r.id === id && this.kindOf(r)); }

  // The shape of a region at frame f as the host computed it ({keyframe, ...fields}), or null
  // where it is not shown.
  shapeAt(id, f) {
    const t = this.tracks.get(id);
    if (!t) return null;
    let lo = 0, hi = t.frame.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (t.frame[mid] === f) return {...AnnotationStore.fieldsAt(t, mid), keyframe: t.keyframe[mid]};
      if (t.frame[mid] < f) lo = mid + 1; else hi = mid - 1;
    }
    return null;
  }

  // Every column of the host's track (but frame, keyframe, visible) at row i.
  static fieldsAt(track, i) {
    const shape = {};
    for (const [key, column] of Object.entries(track)) {
      if (Array.isArray(column) && !NOT_FIELDS.has(key)) shape[key] = column[i];
    }
    return shape;
  }

  // Fetch the shapes of the window around `frame` (all regions, or one after its edit). Answers
  // can arrive out of order: one computed from regions or a window that have changed since is
  // not applied (it would overwrite newer shapes); the question is asked again as things are now.
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

  // The interpolated (or held) shape at f even where the lifespan hides it.
  async shapeEvenHidden(id, f) {
    const body = await this.api.post(
      `/api/tasks/${this.task.id}/tracks?region=${encodeURIComponent(id)}&from=${f}&to=${f}&hidden=1`,
      {result: this.result});
    const t = body.regions[0];
    return t && t.frame.length ? AnnotationStore.fieldsAt(t, 0) : null;
  }

  // The kind of a new or edited shape, which must be keyframed; the frame must be in the video.
  check(kind, type, shape, f) {
    if (!kind) throw new Error(`no tag module registered the region type "${type}"`);
    if (!kind.keyframed) throw new Error(`"${type}" regions are not keyframed shapes`);
    if (!(f >= 1 && f <= this.framesCount)) throw new Error(`frame ${f} is outside 1..${this.framesCount}`);
    kind.check?.(shape);
  }

  keyframe(kind, f, shape, enabled) {
    const key = {frame: f};
    for (const field of kind.fields) if (shape[field] !== undefined) key[field] = structuredClone(shape[field]);
    key.enabled = enabled;
    if (this.fps) key.time = f / this.fps;
    return key;
  }

  // A new keyframed region with one keyframe at `frame`; `value` adds keys to its value.
  async create({type, from_name, to_name, labels = [], frame, shape, value = {}}) {
    const kind = this.kinds.get(String(type).toLowerCase());
    this.check(kind, type, shape, frame);
    this.snapshot();
    const id = newId();
    const made = {framesCount: this.framesCount, ...structuredClone(value),
                  sequence: [this.keyframe(kind, frame, shape, true)]};
    if (labels.length) made.labels = [...labels];
    if (this.fps) made.duration = this.framesCount / this.fps;
    this.result.push({id, type, from_name, to_name, origin: "manual", value: made});
    await this.changed(id);
    return id;
  }

  // A result item as given (any registered kind; an id is made if it has none).
  async add(region) {
    if (!this.kindOf(region)) throw new Error(`no tag module registered the region type "${region.type}"`);
    this.snapshot();
    const item = structuredClone(region);
    item.id ??= newId();
    this.result.push(item);
    await this.changed(item.id);
    return item.id;
  }

  // Changing the shape at f writes a keyframe there (docs/frames.md's rule for `enabled`).
  async setShape(id, f, shape) {
    const region = this.region(id), kind = this.kindOf(region);
    this.check(kind, region?.type, shape, f);
    this.snapshot();
    const seq = region.value.sequence;
    const at = seq.findIndex(k => k.frame === f);
    if (at >= 0) {
      Object.assign(seq[at], this.keyframe(kind, f, shape, seq[at].enabled));
      delete seq[at].auto;  // an edited automatic keyframe is the annotator's now
    } else {
      const before = seq.filter(k => k.frame <= f).pop();
      const enabled = before ? before.enabled : (seq.length && f < seq[0].frame ? seq[0].enabled : true);
      const after = seq.length && f > seq[seq.length - 1].frame;
      seq.push(this.keyframe(kind, f, shape, after ? true : enabled));
      seq.sort((a, b) => a.frame - b.frame);
    }
    await this.changed(id);
  }

  // The shape is asked of the host first; the regions are read and changed after the answer, in
  // one step (an edit made meanwhile is neither lost nor undone by this one).
  async toggleKeyframe(id, f) {
    const hasKey = () => this.region(id).value.sequence.some(k => k.frame === f);
    const shape = hasKey() ? null : await this.shapeEvenHidden(id, f);
    const region = this.region(id), seq = region.value.sequence;
    const at = seq.findIndex(k => k.frame === f);
    if (at >= 0 && seq.length === 1) throw new Error("a region keeps at least one keyframe: delete the region instead");
    this.snapshot();
    if (at >= 0) {
      seq.splice(at, 1);
    } else {
      const before = seq.filter(k => k.frame <= f).pop() || seq[0];
      seq.push(this.keyframe(this.kindOf(region), f, shape || seq[0], before ? before.enabled : true));
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

  // A copy of a region: its id at once, and the host's shapes for it when `done` settles.
  duplicate(id) {
    this.snapshot();
    const copy = structuredClone(this.region(id));
    copy.id = newId();
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
    if (id && this.kindOf(this.region(id))?.keyframed) await this.refreshTracks(id);
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
