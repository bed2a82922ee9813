// Frame-accurate positions: the task's frame index (every frame's presentation time) maps
// frame numbers to times and back. To show frame N the video seeks to the middle of N's display
// interval, and the frame the browser actually presented (requestVideoFrameCallback's
// mediaTime) is what the readout calls N. Frames are 1-based, as in the JSON and every export.

// Chromium skips a seek to within a microsecond of where a paused video is (it presents nothing
// and reports no frame); positions closer than this are the same position.
const SAME_POSITION = 2e-6;

export class FrameClock extends EventTarget {
  constructor(video, index) {
    super();
    this.video = video;
    this.times = index.times;  // seconds from the start of the media timeline, ascending
    this.count = index.count;
    this.offset = 0;  // index time minus the browser's time for the same frame (calibrate())
    this.frame = 1;
    this.pending = Promise.resolve();
    this.watch();
  }

  // Browsers differ on where a file that starts late (non-zero first timestamp) begins its
  // timeline: show the first frame and learn the offset from the time it is presented at.
  // Seeks asked for meanwhile queue behind it.
  calibrate() {
    this.pending = this.pending.then(async () => {
      const mediaTime = await this.present(this.video.currentTime > 0 ? 0 : SAME_POSITION);
      this.offset = this.times[0] - mediaTime;
      this.setFrame(this.frameAt(mediaTime));
      return this.frame;
    });
    return this.pending;
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
      this.presentedTime = metadata.mediaTime;
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

  // Seek to frame n; resolves with the frame the browser then presents. Aim at the middle of
  // n's display interval; where the browser lands on a neighbour (it happens on short frames of
  // variable-rate files), aim again nearer the edge it missed.
  seek(n) {
    n = Math.min(Math.max(Math.round(n), 1), this.count);
    this.pending = this.pending.then(async () => {
      if (!this.video.paused) this.video.pause();
      let shown = await this.seekTime(this.timeOf(n));
      for (const part of [0.2, 0.8, 0.05, 0.95]) {
        if (shown === n) break;
        if ((shown > n) !== (part < 0.5)) continue;  // only aim towards the side we overshot from
        shown = await this.seekTime(this.startOf(n) + part * this.durationOf(n));
      }
      return shown;
    });
    return this.pending;
  }

  durationOf(n) {
    return n < this.count ? this.times[n] - this.times[n - 1] : this.frameDuration();
  }

  // Set currentTime to t; resolves with the frame the browser presents.
  async seekTime(t) {
    const shown = this.presentedTime === undefined ? null : this.frameAt(this.presentedTime);
    // Already on screen, or a seek the browser skips (to where it already is: it presents
    // nothing new, so no presentation would ever be reported): nothing changes.
    if (shown !== null && (this.frameAt(t) === shown || Math.abs(t - this.video.currentTime) < SAME_POSITION)) {
      this.setFrame(shown);
      return shown;
    }
    const early = () => this.setFrame(this.frameAt(this.video.currentTime));
    // the frame is decoded at "seeked" and goes on screen with the next composite, as do boxes
    // drawn now; the presentation (however late on a busy machine) confirms or corrects it
    this.video.addEventListener("seeked", early, {once: true});
    try {
      const presented = this.frameAt(await this.present(t));
      this.setFrame(presented);
      return presented;
    } finally {
      this.video.removeEventListener("seeked", early);
    }
  }

  // Set currentTime to t (a real seek: not the current position) and resolve with the media
  // time of the frame the browser then presents. Only the browser's report settles it: a
  // timer would guess, and on a loaded machine guess the frame before.
  present(t) {
    return new Promise(resolve => {
      this.video.requestVideoFrameCallback((_now, metadata) => {
        this.presentedTime = metadata.mediaTime;
        resolve(metadata.mediaTime);
      });
      this.video.currentTime = t;
    });
  }

  step(delta) { return this.seek(this.frame + delta); }

  toggle() {
    if (this.video.paused) this.video.play(); else this.video.pause();
  }
}
