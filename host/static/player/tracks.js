// Asking the host for per-frame shapes, sending as little as it can. Regions as they are in a
// stored version (the annotator's saved annotation, or the prediction the work started from)
// are read with a GET of that version's tracks: the same window asks the same URL, which the
// browser's HTTP cache revalidates by ETag (stepping back and forth costs 304s, and nothing is
// recomputed on the host). Only the regions edited since that version are posted.

export class TracksFetcher {
  constructor(api, taskId) {
    this.api = api;
    this.taskId = taskId;
  }

  // The tracks of `regions` between window.from and window.to. `basis` ({id, version}, or null)
  // is the stored version; `edited` holds the ids of regions changed since it. `single`: the
  // regions are one asked about on its own (the GET names it); `hidden`: every frame, shown or not.
  async fetch(regions, window, basis, edited, {single = false, hidden = false} = {}) {
    const range = `from=${window.from}&to=${window.to}${hidden ? "&hidden=1" : ""}`;
    const stored = new Set(basis ? regions.filter(r => !edited.has(r.id)).map(r => r.id) : []);
    const posted = regions.filter(r => !stored.has(r.id));
    const asks = [];
    if (stored.size) {
      const only = single ? [...stored].map(id => `&region=${encodeURIComponent(id)}`).join("") : "";
      asks.push(this.api.get(`/api/annotations/${basis.id}/tracks?version=${basis.version}&${range}${only}`)
        .then(body => body.regions.filter(track => stored.has(track.id))));
    }
    if (posted.length) {
      asks.push(this.api.post(`/api/tasks/${this.taskId}/tracks?${range}`, {result: posted})
        .then(body => body.regions));
    }
    return (await Promise.all(asks)).flat();
  }
}

// The ids of regions in `after` that are not in `before` as they are (new or changed).
export function changedRegions(before, after) {
  const was = new Map(before.map(r => [r.id, JSON.stringify(r)]));
  return after.filter(r => was.get(r.id) !== JSON.stringify(r)).map(r => r.id);
}
