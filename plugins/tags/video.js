// <Video> in the player: the video element and the canvas the controls draw on.

export function mount(node, ctx) {
  const stage = document.createElement("div");
  stage.className = "stage";
  stage.style.height = `${node.attrs.height || 600}px`;
  const video = document.createElement("video");
  video.muted = node.attrs.muted !== false;
  video.preload = "auto";
  video.playsInline = true;
  const overlay = document.createElement("canvas");
  overlay.className = "overlay";
  stage.append(video, overlay);
  ctx.container.append(stage);
  ctx.attachVideo(node, video, overlay, stage);
}
