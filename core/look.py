"""What a tracked object looks like, and where it is: a grey template of its box taken at the
start (and a recent one updated only on confident frames), scored by normalised correlation and
searched for around a predicted place at a few sizes, with motion blur along the predicted step."""

from __future__ import annotations

import cv2
import numpy as np

SIDE = 32  # pixels: the template's longer side
SHORT = 8  # pixels: its shorter side at least
BLOCK = 8  # template pixels a side of the blocks told covered or not
ALIKE = 0.5  # a block this correlated with the template's is the object's
FLAT = 256.0  # blocks with less spread (about 2 grey levels a pixel) are too flat to tell
TEXTURE = 2.0  # grey levels: a template part with less spread is flat, nothing to follow
NEAR = 0.08  # score taken off a match per (distance from the prediction / search radius) squared


def grey(frame: np.ndarray) -> np.ndarray:
    """The frame in grey (uint8; `crop` gives float32 patches of it)."""
    return cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)


def template_size(width: float, height: float) -> tuple[int, int]:
    """(w, h) of a template for a box of this shape: the longer side SIDE."""
    if width >= height:
        return SIDE, max(SHORT, round(SIDE * height / width))
    return max(SHORT, round(SIDE * width / height)), SIDE


def crop(image: np.ndarray, box, size: tuple[int, int]) -> np.ndarray:
    """The box's pixels resampled to `size` (w, h), averaged over each target pixel's area
    where that shrinks them (sampling alone would alias a large box's fine texture); outside
    the frame the nearest edge pixel."""
    x, y, w, h = box
    sx, sy = size[0] / w, size[1] / h
    shrink = min(sx, sy)
    if shrink < 0.5:  # average first: a box-filtered region, then sampled
        k = int(round(1 / shrink)) | 1
        left, top = max(int(x) - k, 0), max(int(y) - k, 0)
        right, bottom = min(int(np.ceil(x + w)) + k, image.shape[1]), min(int(np.ceil(y + h)) + k, image.shape[0])
        if right - left > k and bottom - top > k:
            image, x, y = cv2.blur(image[top:bottom, left:right], (k, k)), x - left, y - top
    warp = np.array([[sx, 0, -x * sx], [0, sy, -y * sy]], dtype=np.float32)
    return cv2.warpAffine(image, warp, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)


def ncc(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised correlation of two same-sized patches (0 when either is flat)."""
    a, b = a - a.mean(), b - b.mean()
    norm = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum()) / norm if norm > 1e-6 else 0.0


def streak(dx: float, dy: float) -> np.ndarray | None:
    """A motion-blur kernel along (dx, dy) pixels; None for a step under two pixels."""
    length = float(np.hypot(dx, dy))
    if length < 2:
        return None
    k = int(np.ceil(length)) | 1
    kernel = np.zeros((k, k), np.float32)
    half = (k - 1) / 2
    ux, uy = dx / 2, dy / 2
    cv2.line(kernel, (round(half - ux), round(half - uy)), (round(half + ux), round(half + uy)), 1.0)
    return kernel / kernel.sum()


def inside(box, width: int, height: int) -> tuple[float, float, float, float]:
    """The part of a box inside the frame (zero size when none)."""
    x, y, w, h = box
    left, top = max(x, 0.0), max(y, 0.0)
    right, bottom = min(x + w, float(width)), min(y + h, float(height))
    return left, top, max(right - left, 0.0), max(bottom - top, 0.0)


def seen_cells(box, size: tuple[int, int], width: int, height: int) -> np.ndarray:
    """Which cells of a template of `size` over `box` fall inside the frame, (h, w) booleans."""
    x, y, w, h = box
    columns = x + (np.arange(size[0]) + 0.5) * w / size[0]
    rows = y + (np.arange(size[1]) + 0.5) * h / size[1]
    return ((rows >= 0) & (rows < height))[:, None] & ((columns >= 0) & (columns < width))[None, :]


def masked_ncc(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    """Normalised correlation over the cells of `mask` (0 with too few)."""
    if mask.sum() < 8:
        return 0.0
    return ncc(a[mask], b[mask])


class Look:
    """The object's templates: `first` from the start box, `recent` blended from confident
    frames. A box partly outside the frame leaves cells unknown (`known`); they are filled in
    when they come into view on a confident frame."""

    def __init__(self, image: np.ndarray, box):
        self.size = template_size(box[2], box[3])
        self.first = crop(image, box, self.size)
        self.recent = self.first.copy()
        self.known = seen_cells(box, self.size, image.shape[1], image.shape[0])
        self.ignored = np.zeros_like(self.known)  # cells found not to be the object
    def score(self, image: np.ndarray, box) -> float:
        """How much the box looks like the object (the better of the two templates)."""
        seen, mask = self._seen(image, box)
        return max(masked_ncc(seen, self.first, mask), masked_ncc(seen, self.recent, mask))

    def like_first(self, image: np.ndarray, box) -> float:
        """How much the box looks like the object at the start."""
        seen, mask = self._seen(image, box)
        return masked_ncc(seen, self.first, mask)

    def uncovered(self, image: np.ndarray, box, step=(0.0, 0.0)) -> float:
        """The share of the object's blocks (BLOCK template pixels a side) in the box that still
        look like it: under a half, most of the object is covered by something else."""
        seen, mask = self._seen(image, box)
        fx, fy = self.size[0] / box[2], self.size[1] / box[3]
        kernel = streak(step[0] * fx, step[1] * fy)
        best = max((self.first, self.recent), key=lambda t: masked_ncc(seen, t, mask))
        if kernel is not None:
            best = cv2.filter2D(best, -1, kernel, borderType=cv2.BORDER_REPLICATE)
        rows, columns = self.size[1] // BLOCK, self.size[0] // BLOCK
        def blocks(values):
            return values[:rows * BLOCK, :columns * BLOCK].reshape(rows, BLOCK, columns, BLOCK).swapaxes(1, 2).reshape(-1, BLOCK * BLOCK)
        a, b, known = blocks(seen), blocks(best), blocks(mask).all(axis=1)
        a, b = a[known] - a[known].mean(axis=1, keepdims=True), b[known] - b[known].mean(axis=1, keepdims=True)
        if not len(a):
            return 1.0
        spread = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
        alike = np.where(spread > FLAT, (a * b).sum(axis=1) / np.maximum(spread, 1e-6), 1.0) >= ALIKE
        return float(alike.mean())

    def learn(self, image: np.ndarray, box, rate: float) -> None:
        """Blend the box's look into the recent template; cells coming into view are taken as they are."""
        seen = crop(image, box, self.size)
        mask = seen_cells(box, self.size, image.shape[1], image.shape[0])
        new = mask & ~self.known & ~self.ignored
        self.recent = np.where(mask & self.known, (1 - rate) * self.recent + rate * seen, self.recent)
        self.recent[new] = self.first[new] = seen[new]
        self.known |= new

    def forget(self, cells: np.ndarray) -> bool:
        """Stop comparing these cells, which are not the object's; whether any was forgotten."""
        if not (self.known & cells).any() or (self.known & ~cells).sum() < 8:
            return False
        self.known &= ~cells
        self.ignored |= cells
        return True

    def _seen(self, image: np.ndarray, box):
        """The box's pixels as a template, and the cells both inside the frame and known."""
        return crop(image, box, self.size), seen_cells(box, self.size, image.shape[1], image.shape[0]) & self.known

    def search(self, image: np.ndarray, centre, size, radius: float, scales, steps=((0.0, 0.0),)):
        """The best (box, score) for the object near `centre` (within `radius` pixels) at each of
        `scales` times `size`, its templates smeared along each of `steps` (the object's motion
        per frame). Where the box would stick out of the frame, only its part inside is compared."""
        best = {}  # scale -> (rank, box, score): the best match at each size
        height, width = image.shape
        for scale in scales:
            w, h = size[0] * scale, size[1] * scale
            box = (centre[0] - w / 2, centre[1] - h / 2, w, h)
            seen_part = inside(box, width, height)
            if seen_part[2] < 1 or seen_part[3] < 1:
                continue
            fx, fy = self.size[0] / w, self.size[1] / h  # template pixels per frame pixel
            # the template's columns and rows that fall inside the frame
            # (of a box the frame cuts by a tenth or more, the part that stays inside wherever in
            # the search the box lands, if any: an object going out faster than foreseen is not
            # held back by the edge)
            sure = inside((box[0] - radius, box[1] - radius, w + 2 * radius, h + 2 * radius), width, height)
            sure = (sure[0] + radius, sure[1] + radius, sure[2] - 2 * radius, sure[3] - 2 * radius)
            if seen_part[2] * seen_part[3] < 0.9 * w * h and sure[2] * fx >= SHORT and sure[3] * fy >= SHORT:
                seen_part = sure
            left, top = round((seen_part[0] - box[0]) * fx), round((seen_part[1] - box[1]) * fy)
            right = max(left + 2, round((seen_part[0] + seen_part[2] - box[0]) * fx))
            bottom = max(top + 2, round((seen_part[1] + seen_part[3] - box[1]) * fy))
            part = (left / fx, top / fy)  # where the compared part starts inside the box, in frame pixels
            span = ((right - left) / fx + 2 * radius, (bottom - top) / fy + 2 * radius)
            # only places inside the frame: past its edge there is nothing to compare with
            region = inside((box[0] + part[0] - radius, box[1] + part[1] - radius, *span), width, height)
            shape = (round(region[2] * fx), round(region[3] * fy))
            seen = crop(image, region, shape)
            known = self.known[top:bottom, left:right]
            if known.sum() < 8 or shape[0] < right - left or shape[1] < bottom - top:
                continue
            mask = None if known.all() else known.astype(np.float32)
            kernels = {(round(dx * fx), round(dy * fy)): streak(dx * fx, dy * fy) for dx, dy in steps}
            near = _nearness(((box[0] + part[0] - region[0]) * fx, (box[1] + part[1] - region[1]) * fy), fx, fy, radius)
            for (template, kernel) in ((t, k) for t in (self.first, self.recent) for k in kernels.values()):
                template = template[top:bottom, left:right]
                if template[known].std() < TEXTURE:
                    continue  # flat: normalised correlation would find it at 1.0 on anything flat
                if kernel is not None:
                    template = cv2.filter2D(template, -1, kernel, borderType=cv2.BORDER_REPLICATE)
                found = cv2.matchTemplate(seen, template, cv2.TM_CCOEFF_NORMED, mask=mask)
                found[~np.isfinite(found)] = -1.0
                ranked = found - near(found.shape)
                rank = float(ranked.max())
                # nearness chooses the peak, not the place on it: that is the top of the peak
                row, col = _climb(found, *np.unravel_index(int(ranked.argmax()), ranked.shape))
                dx, dy = _subpixel(found, row, col)
                x = region[0] + (col + dx) / fx - part[0]
                y = region[1] + (row + dy) / fy - part[1]
                if scale not in best or rank > best[scale][0]:
                    best[scale] = (rank, (x, y, w, h), float(found[row, col]))
        if not best:
            return None, -1.0
        return _between_sizes(best)


def _between_sizes(best: dict) -> tuple[tuple, float]:
    """The best match, its size moved between the sizes tried by a parabola through the best
    one's rank and its neighbours' (a size grows or shrinks a little at a time)."""
    tried = sorted(best)
    i = max(range(len(tried)), key=lambda k: best[tried[k]][0])
    _, (x, y, w, h), score = best[tried[i]]
    if 0 < i < len(tried) - 1:
        a, b, c = (best[tried[k]][0] for k in (i - 1, i, i + 1))
        denominator = a - 2 * b + c
        offset = float(np.clip(0.5 * (a - c) / denominator, -0.5, 0.5)) if abs(denominator) > 1e-9 else 0.0
        spacing = tried[i + 1] - tried[i] if offset > 0 else tried[i] - tried[i - 1]
        factor = (tried[i] + offset * spacing) / tried[i]
        cx, cy = x + w / 2, y + h / 2
        w, h = w * factor, h * factor
        x, y = cx - w / 2, cy - h / 2
    return (x, y, w, h), score


def _nearness(expected, fx: float, fy: float, radius: float):
    """For a match map's shape: the score taken off each place by its distance from the
    `expected` one (a look-alike far from where the object should be loses to the object nearby)."""
    def taken(shape) -> np.ndarray:
        rows, cols = shape
        xs = (np.arange(cols) - expected[0]) / fx
        ys = (np.arange(rows) - expected[1]) / fy
        return NEAR * (ys[:, None] ** 2 + xs[None, :] ** 2) / max(radius, 1.0) ** 2
    return taken


def _climb(values: np.ndarray, row: int, col: int) -> tuple[int, int]:
    """From (row, col), uphill to the top of the peak it lies on."""
    while True:
        top, left = max(row - 1, 0), max(col - 1, 0)
        window = values[top:row + 2, left:col + 2]
        r, c = np.unravel_index(int(window.argmax()), window.shape)
        if window[r, c] <= values[row, col]:
            return int(row), int(col)
        row, col = top + r, left + c


def _subpixel(values: np.ndarray, row: int, col: int) -> tuple[float, float]:
    """The peak's offset from (row, col) by a parabola through it and its neighbours."""
    def offset(a, b, c):
        denominator = a - 2 * b + c
        return 0.5 * (a - c) / denominator if abs(denominator) > 1e-9 else 0.0
    rows, cols = values.shape
    dx = offset(values[row, col - 1], values[row, col], values[row, col + 1]) if 0 < col < cols - 1 else 0.0
    dy = offset(values[row - 1, col], values[row, col], values[row + 1, col]) if 0 < row < rows - 1 else 0.0
    return float(np.clip(dx, -0.5, 0.5)), float(np.clip(dy, -0.5, 0.5))
