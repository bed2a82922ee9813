// The annotation being edited: its regions (Label Studio JSON result items whose type is a kind
// a tag module registered), the keyframe edits of docs/frames.md, the per-frame shapes computed
// by the host (asked through tracks.js: saved regions by version, edited ones posted), saving
// with optimistic concurrency, and a local copy of unsaved work that survives a reload. It
// knows no region type: a kind says what its keyframes hold.

import {TracksFetcher, changedRegions} from "./tracks.js";

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
    // The stored version ({id, version}: the annotation, or the prediction started from) whose
    // regions are as here but for those edited since it (id -> revision of the last change).
    this.basis = null;
    this.edited = new Map();
    this.fetcher = new TracksFetcher(api, task.id);
    this.dirty = false;
    this.revision = 0;  // counts changes to the regions (answers computed before one are stale)
    this.tracks = new Map();  // region id -> {frame[], keyframe[], ...a list per field} (visible frames)
    this.window = {from: 1, to: 0};  // the frames whose shapes are here (a window around the playhead)
    this.undoStack = [];
    this.redoStack = [];
    this.draftKey = `tracklabel:task:${task.id}`;
  }

  // The frames whose shapes are fetched at once: three aligned chunks, the playhead's and one
  // each side. Coming back to a chunk asks for the same window again, by the same URL, which
  // the browser's cache revalidates by ETag for saved regions.
  static CHUNK = 200;

  windowAround(frame) {
    const chunk = AnnotationStore.CHUNK, k = Math.floor((frame - 1) / chunk);
    return {from: Math.max(1, (k - 1) * chunk + 1), to: Math.min(this.framesCount, (k + 2) * chunk)};
  }

  // The annotator's latest annotation of the task (or a new one), and any unsaved local copy.
  // Without either, the task's newest prediction is the starting point, as in Label Studio: its
  // regions are shown and edited, and Submit makes them the annotator's annotation.
  async load(userId) {
    const all = await this.api.get(`/api/tasks/${this.task.id}/annotations`);
    const own = all.filter(a => a.kind === "annotation" && a.author === userId).pop();
    const predicted = own ? null : all.filter(a => a.kind === "prediction").pop() || null;
    const stored = own || predicted;
    if (stored) {
      this.basis = {id: stored.id, version: stored.version};
      this.result = structuredClone(stored.result);
    }
    if (own) this.annotation = {id: own.id, version: own.version};
    const draft = JSON.parse(localStorage.getItem(this.draftKey) || "null");
    const restored = Boolean(draft && (!own || draft.annotationId === own.id));
    if (restored) {
      for (const id of changedRegions(this.result, draft.result)) this.edited.set(id, this.revision);
      this.result = draft.result;
      if (draft.annotationId) this.annotation = {id: draft.annotationId, version: draft.version};
      this.dirty = true;
    }
    await this.refreshTracks(null, 1);
    return {restored, prediction: restored ? null : predicted?.id ?? null};
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
      this.window = this.windowAround(frame);
    }
    for (;;) {
      const {revision, window} = this;
      const regions = id ? [this.region(id)].filter(Boolean) : this.keyframedRegions();
      const tracks = await this.fetchTracks(regions, window, {single: Boolean(id)});
      if (revision !== this.revision || window !== this.window) continue;
      if (!id) this.tracks.clear();
      for (const track of tracks) this.tracks.set(track.id, track);
      this.emit("tracks");
      return;
    }
  }

  // The host's tracks of these regions: those unchanged since the stored version by GET (cached
  // by the browser), the edited ones posted. When another version was stored meanwhile (409),
  // every region is posted from then on.
  async fetchTracks(regions, window, options) {
    const basis = this.basis;
    try {
      return await this.fetcher.fetch(regions, window, basis, this.edited, options);
    } catch (error) {
      if (error.status !== 409 || !basis) throw error;
      if (this.basis === basis) this.basis = null;
      return this.fetcher.fetch(regions, window, null, this.edited, options);
    }
  }

  // Keep the window around the playhead: refetch in the background when it enters another chunk.
  follow(frame) {
    const {from, to} = this.window, around = this.windowAround(frame);
    if ((around.from !== from || around.to !== to) && !this.fetching) {
      this.fetching = this.refreshTracks(null, frame).finally(() => { this.fetching = null; });
    }
    return frame >= from && frame <= to ? null : this.fetching;
  }

  // The interpolated (or held) shape at f even where the lifespan hides it.
  async shapeEvenHidden(id, f) {
    const [t] = await this.fetchTracks([this.region(id)], {from: f, to: f}, {single: true, hidden: true});
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
    this.edited.delete(id);
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
    const before = this.result;
    to.push(structuredClone(before));
    this.result = from.pop();
    for (const id of changedRegions(before, this.result)) this.edited.set(id, this.revision + 1);
    const kept = new Set(this.result.map(r => r.id));
    for (const id of this.edited.keys()) if (!kept.has(id)) this.edited.delete(id);
    await this.changed(null, true);
    return true;
  }

  async changed(id, refreshAll = false) {
    this.dirty = true;
    this.revision++;  // what was drawn from the regions is stale
    if (id) this.edited.set(id, this.revision);
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
    this.based(stored, revision);
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
    this.based(stored, this.revision);
    this.result = stored.result;
    this.revision++;
    this.dirty = false;
    localStorage.removeItem(this.draftKey);
    this.emit("change", {id: null});
    await this.refreshTracks();
  }

  // The stored version is now `stored`, whose regions are as they were at `revision`: only
  // those changed since stay edited.
  based(stored, revision) {
    this.basis = {id: stored.id, version: stored.version};
    for (const [id, changedAt] of this.edited) if (changedAt <= revision) this.edited.delete(id);
  }

  emit(type, detail = {}) { this.dispatchEvent(new CustomEvent(type, {detail})); }
}
