// Frame-accurate positions: the task's frame index (every frame's presentation time) maps
// frame numbers to times and back. To show frame N the video seeks to the middle of N's display
// interval, and the frame the browser actually presented (requestVideoFrameCallback's
// mediaTime) is what the readout calls N. Frames are 1-based, as in the JSON and every export.

export class FrameClock extends EventTarget {
  constructor(video, index) {
    super();
    this.video = video;
    this.times = index.times;  // seconds from the start of the media timeline, ascending
    this.count = index.count;
    this.offset = index.start_time || 0;  // the browser's currentTime 0 is the first frame
    this.frame = 1;
    this.pending = Promise.resolve();
    this.watch();
  }

  // The frame (1-based) shown at media time t: the last frame starting at or before it.
  frameAt(t) {
    const target = t + this.offset + 1e-6;
    let lo = 0, hi = this.times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.times[mid] <= target) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  }

  // The middle of frame n's display interval, in the browser's currentTime.
  timeOf(n) {
    const i = Math.min(Math.max(n, 1), this.count) - 1;
    const start = this.times[i];
    const end = i + 1 < this.times.length ? this.times[i + 1] : start + this.frameDuration();
    return (start + end) / 2 - this.offset;
  }

  // When frame n starts, in the browser's currentTime.
  startOf(n) { return this.times[Math.min(Math.max(n, 1), this.count) - 1] - this.offset; }

  frameDuration() {
    const n = this.times.length;
    return n > 1 ? (this.times[n - 1] - this.times[0]) / (n - 1) : 0.04;
  }

  // Follow what the browser presents (while playing and after seeks).
  watch() {
    const onFrame = (_now, metadata) => {
      this.setFrame(this.frameAt(metadata.mediaTime));
      this.video.requestVideoFrameCallback(onFrame);
    };
    this.video.requestVideoFrameCallback(onFrame);
  }

  setFrame(n) {
    if (n !== this.frame) {
      this.frame = n;
      this.dispatchEvent(new CustomEvent("frame", {detail: n}));
    }
  }

  // Seek to frame n; resolves with the frame the browser then presents.
  seek(n) {
    n = Math.min(Math.max(Math.round(n), 1), this.count);
    this.pending = this.pending.then(() => new Promise(resolve => {
      if (!this.video.paused) this.video.pause();
      let settled = false;
      const finish = mediaTime => {
        if (settled) return;
        settled = true;
        const shown = this.frameAt(mediaTime);
        this.setFrame(shown);
        resolve(shown);
      };
      this.video.requestVideoFrameCallback((_now, metadata) => finish(metadata.mediaTime));
      this.video.addEventListener("seeked", () => {
        // the frame is decoded and goes on screen with the next composite, as do boxes drawn
        // now; what the browser then presents (above) confirms or corrects it
        this.setFrame(this.frameAt(this.video.currentTime));
        // the same frame again presents nothing new: then the seek's end is the answer
        setTimeout(() => finish(this.video.currentTime), 250);
      }, {once: true});
      this.video.currentTime = this.timeOf(n);
    }));
    return this.pending;
  }

  step(delta) { return this.seek(this.frame + delta); }

  toggle() {
    if (this.video.paused) this.video.play(); else this.video.pause();
  }
}
