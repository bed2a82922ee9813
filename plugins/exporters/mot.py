"""`mot`: MOTChallenge ground truth (gt/gt.txt, seqinfo.ini, labels.txt), and its importer."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import numpy as np

from tracklabel.core.errors import InputError, Problem
from tracklabel.core.export import ANY_KIND, Exporter, ExportJob, TrackItem, sequence_names
from tracklabel.core.geometry import clip
from tracklabel.core.hookspecs import hookimpl
from tracklabel.core.importer import (Importer, ImportOptions, in_range, read_text,
                                      region_from_boxes, task_for)
from tracklabel.core.options import Option
from tracklabel.core.schema import MAX_FPS, MAX_FRAME, MAX_FRAMES_COUNT, MAX_PIXELS, MIN_FPS
from tracklabel.core.textformat import format_rows
from tracklabel.plugins.exporters.yolo import write_frame_images
from tracklabel.plugins.tags.videorectangle import VideoRectangle

ORIGIN = Option("origin", int, 1, "Pixel origin: 1 as the MOTChallenge readme says, 0 for "
                                  "0-based tools.", choices=(0, 1))
LABELS_NOTE = ("# class id (1-based, column 8 of gt/gt.txt),label\n"
               "# TrackEval's MOTChallenge evaluation reads classes 1..13 and scores class 1 only\n")


class MotExporter(Exporter):
    """One folder per task: gt/gt.txt, seqinfo.ini and labels.txt; each shape as its
    bounding box."""

    name = "mot"
    description = "MOTChallenge ground truth: frame,id,bb_left,bb_top,bb_width,bb_height,conf,class,visibility"
    single_file = False
    suffix = ".zip"
    media_type = "application/zip"
    options = (ORIGIN,)

    def export(self, job: ExportJob, target: Path) -> None:
        labels = job.labels()
        names = sequence_names(job)
        for t, task, items in job.by_task(kinds=(ANY_KIND,)):
            folder = target / names[t]
            (folder / "gt").mkdir(parents=True)
            (folder / "gt" / "gt.txt").write_bytes(self.rows(job, items, labels))
            width, height = job.frame_size(items[0])
            (folder / "seqinfo.ini").write_text(seqinfo(names[t], job.fps(items[0]),
                                                        items[0].shapes.frame[-1], width, height))
            if job.options.with_frames:
                write_frame_images(job, t, folder / "img1", int(items[0].shapes.frame[-1]),
                                   name=lambda i: f"{i + 1:06d}")
            (folder / "labels.txt").write_text(
                LABELS_NOTE + "".join(f"{i},{label}\n" for i, label in enumerate(labels, 1)))

    def rows(self, job: ExportJob, items: list[TrackItem], labels: list[str]) -> bytes:
        """The gt.txt text: visible shapes' bounding boxes, ids 1..N by first visible frame,
        sorted by frame and id."""
        origin = job.option("origin")
        classes = {id(i): job.class_index(i, labels) for i in items}  # None: no label, left out
        items = sorted((i for i in items if i.shapes.visible.any() and classes[id(i)] is not None),
                       key=lambda i: int(i.shapes.frame[i.shapes.visible.argmax()]))
        columns = []
        for track_id, item in enumerate(items, 1):
            shapes = item.shapes.only_visible()
            width, height = job.frame_size(item)
            left, top, w, h = shapes.bbox(width, height)
            if job.options.clip:
                left, top, w, h = clip(left, top, w, h, width, height)
            n = len(shapes.frame)
            conf = keyframe_values(item, shapes.frame, "conf")
            visibility = keyframe_values(item, shapes.frame, "visibility")
            columns.append((shapes.frame, np.full(n, track_id), left + origin, top + origin, w, h, conf,
                            np.full(n, classes[id(item)] + 1), visibility))
        if not columns:
            return b""
        frame, ids, left, top, w, h, conf, cls, vis = (np.concatenate(c) for c in zip(*columns))
        order = np.lexsort((ids, frame))
        fields = [(frame[order], 0), b",", (ids[order], 0)]
        for values in (left, top, w, h, conf):
            fields += [b",", (values[order], 3)]
        fields += [b",", (cls[order], 0), b",", (vis[order], 3), b"\n"]
        return format_rows(fields, len(order))


def keyframe_values(item: TrackItem, frames: np.ndarray, key: str) -> np.ndarray:
    """A MOT column kept on keyframes by the importer (conf, visibility), else 1."""
    values = np.ones(len(frames))
    kept = {k.frame: k.extra[key] for k in item.region.value.sequence
            if isinstance(k.extra.get(key), (int, float))}
    if kept:
        for i, f in enumerate(frames.tolist()):
            if f in kept:
                values[i] = kept[f]
    return values


def seqinfo(name: str, fps: float | None, length: int, width: float, height: float) -> str:
    """seqinfo.ini with its keys in MOTChallenge's order (some readers go by line position)."""
    rate = "" if fps is None else (str(int(fps)) if float(fps).is_integer() else f"{fps:g}")
    return (f"[Sequence]\nname={name}\nimDir=img1\nframeRate={rate}\nseqLength={int(length)}\n"
            f"imWidth={int(round(width))}\nimHeight={int(round(height))}\nimExt=.jpg\n")


class MotImporter(Importer):
    """gt.txt (9 columns) or tracker output (10 columns); a sequence folder or the file itself."""

    name = "mot"
    description = "MOTChallenge gt.txt or tracker output (9 or 10 columns), one box region per id"
    options = (ORIGIN,)

    def read(self, path: Path, options: ImportOptions) -> list[dict]:
        text_path, info = self.locate(path)
        rows, lines = parse_rows(text_path)
        width = options.width or info.get("imwidth")
        height = options.height or info.get("imheight")
        if not (width and height):
            raise InputError(Problem(str(text_path), "frame size unknown: no seqinfo.ini with "
                                                     "imWidth/imHeight; pass --width and --height"))
        fps = options.fps or info.get("framerate")
        frames_count = options.frames_count or info.get("seqlength") or last_frame(rows, lines, text_path)
        labels = read_labels(text_path)
        origin = self.option(options, "origin")
        regions = []
        for track_id in unique_in_order(rows[:, 1]):
            chosen = np.flatnonzero(rows[:, 1] == track_id)
            chosen = chosen[np.argsort(rows[chosen, 0], kind="stable")]
            track = rows[chosen]
            cls = int(track[0, 7]) if rows.shape[1] == 9 else 1
            extras = [{k: v for k, v in (("conf", conf), ("visibility", vis)) if v != 1}
                      for conf, vis in zip(track[:, 6].tolist(), (track[:, 8] if rows.shape[1] == 9 else np.ones(len(track))).tolist())]
            regions.append(region_from_boxes(
                region_type=VideoRectangle.region_type, region_id=str(int(track_id)) if float(track_id).is_integer() else str(track_id),
                label=labels.get(cls, f"class {cls}"),
                frames=track[:, 0].astype(np.int64),
                x=track[:, 2] - origin, y=track[:, 3] - origin,
                width=track[:, 4], height=track[:, 5], rotation=np.zeros(len(track)),
                frame_width=width, frame_height=height, frames_count=frames_count, fps=fps,
                options=options, extras=extras, places=[f"{text_path}:{lines[i]}" for i in chosen],
            ))
        return [task_for(info.get("name") or text_path.parent.parent.name or text_path.stem, regions, options)]

    def locate(self, path: Path) -> tuple[Path, dict]:
        """The rows file and seqinfo.ini's values (lower-case keys) when there is one."""
        if path.is_dir():
            candidates = [path / "gt" / "gt.txt", path / "gt.txt"]
            text_path = next((c for c in candidates if c.is_file()), None)
            if text_path is None:
                raise InputError(Problem(str(path), "no gt/gt.txt in this folder"))
        else:
            text_path = path
        info_path = next((p / "seqinfo.ini" for p in (text_path.parent, text_path.parent.parent)
                          if (p / "seqinfo.ini").is_file()), None)
        return text_path, read_seqinfo(info_path) if info_path else {}


SEQINFO_NUMBERS = {  # key: (low, high, whole number)
    "frameRate": (MIN_FPS, MAX_FPS, False), "seqLength": (1, MAX_FRAMES_COUNT, True),
    "imWidth": (1, MAX_PIXELS, False), "imHeight": (1, MAX_PIXELS, False),
}


def read_seqinfo(path: Path) -> dict:
    """seqinfo.ini's name and numbers (lower-case keys), each number checked against its range."""
    text = read_text(path)
    # "%" is text: TrackEval's default interpolation would let a few lines expand to gigabytes
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise InputError(_ini_problem(path, exc)) from None
    if not parser.has_section("Sequence"):
        raise InputError(Problem(str(path), "not a MOTChallenge seqinfo.ini: no [Sequence] section"))
    section = parser["Sequence"]
    info: dict = {"name": section.get("name")}
    for key, (low, high, whole) in SEQINFO_NUMBERS.items():
        value = section.get(key)
        if value not in (None, ""):
            info[key.lower()] = in_range(value.strip(), key, f"{path}:{_line_of(text, key)}",
                                         low, high, whole=whole)
    return info


def _ini_problem(path: Path, exc: configparser.Error) -> Problem:
    """configparser's complaint as file:line and a sentence."""
    if isinstance(exc, configparser.MissingSectionHeaderError):
        line, message = exc.lineno, "a key before the [Sequence] header"
    elif isinstance(exc, configparser.ParsingError):
        line, message = exc.errors[0][0], "a line that is neither [Section] nor key=value"
    else:  # a section or key given twice
        line, message = getattr(exc, "lineno", None), str(exc).rpartition("]: ")[2]
    return Problem(f"{path}:{line}" if line else str(path), f"not a MOTChallenge seqinfo.ini: {message}")


def _line_of(text: str, key: str) -> int:
    """The line of `key=` (or `key:`) in ini text (configparser keeps no line numbers)."""
    pattern = re.compile(rf"\s*{re.escape(key)}\s*[=:]", re.IGNORECASE)
    return next((n for n, line in enumerate(text.splitlines(), 1) if pattern.match(line)), 1)


def read_labels(text_path: Path) -> dict[int, str]:
    """labels.txt beside the sequence (as `mot` writes it), class id → label."""
    for folder in (text_path.parent, text_path.parent.parent):
        path = folder / "labels.txt"
        if path.is_file():
            labels = {}
            for line in read_text(path).splitlines():
                if line and not line.startswith("#") and "," in line:
                    cls, label = line.split(",", 1)
                    if cls.strip().isdecimal():
                        labels[int(cls)] = label
            return labels
    return {}


def parse_rows(path: Path) -> tuple[np.ndarray, list[int]]:
    """Every row as floats, and the line each came from; a bad row is an error naming the
    file and line."""
    lines = read_text(path).splitlines()
    rows, numbers, problems, seen = [], [], [], {}
    columns = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        cells = line.replace(" ", "").split(",")
        if columns is None:
            columns = len(cells)
        if len(cells) not in (9, 10) or len(cells) != columns:
            problems.append(Problem(where, f"{len(cells)} columns; expected {columns if columns in (9, 10) else '9 or 10'}"))
            continue
        try:
            values = [float(c) for c in cells]
        except ValueError:
            problems.append(Problem(where, "a column is not a number"))
            continue
        frame, track_id, _, _, width, height = values[:6]
        if not all(np.isfinite(values)):
            problems.append(Problem(where, "a column is not a finite number"))
        elif not frame.is_integer() or not 1 <= frame <= MAX_FRAME:
            problems.append(Problem(where, f"frame {cells[0]} is not a 1-based frame number (1..{MAX_FRAME})"))
        elif columns == 9 and not values[7].is_integer():
            problems.append(Problem(where, f"class {cells[7]} is not a whole number"))
        elif width < 0 or height < 0:
            problems.append(Problem(where, "negative box width or height"))
        elif (frame, track_id) in seen:
            problems.append(Problem(where, f"id {cells[1]} appears twice on frame {cells[0]} "
                                           f"(first at line {seen[frame, track_id]})"))
        else:
            seen[frame, track_id] = number
            rows.append(values)
            numbers.append(number)
    if problems:
        raise InputError(problems)
    return np.array(rows, dtype=np.float64).reshape(-1, columns or 9), numbers


def last_frame(rows: np.ndarray, lines: list[int], path: Path) -> int:
    """The frame count when nothing gives it: the last frame with a box."""
    if not len(rows):
        return 1
    last = int(rows[:, 0].argmax())
    if rows[last, 0] > MAX_FRAMES_COUNT:
        raise InputError(Problem(f"{path}:{lines[last]}", f"frame {int(rows[last, 0])} is past "
                                 f"the {MAX_FRAMES_COUNT} frames a sequence may have"))
    return int(rows[last, 0])


def unique_in_order(values: np.ndarray) -> list:
    return list(dict.fromkeys(values.tolist()))


@hookimpl
def register_exporters(register):
    register(MotExporter())


@hookimpl
def register_importers(register):
    register(MotImporter())
