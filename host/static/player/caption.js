// A region's caption on the video, as every shape's module draws it (ctx.caption): its name
// (`#3 Car`) upright in its colour, its baseline's left end at (x, y), and a padlock after it
// when the region is locked.

export function drawCaption(g, {name, colour, locked}, x, y) {
  g.save();
  g.fillStyle = g.strokeStyle = colour;
  g.font = "12px sans-serif";
  g.fillText(name, x, y);
  if (locked) padlock(g, x + g.measureText(name).width + 4, y);
  g.restore();
}

// A padlock 8 px wide standing on the baseline y: a body and a shackle.
function padlock(g, x, y) {
  g.fillRect(x, y - 7, 8, 7);
  g.beginPath();
  g.arc(x + 4, y - 7, 2.5, Math.PI, 0);
  g.lineWidth = 1.5;
  g.stroke();
}
