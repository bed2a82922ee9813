"""Helpers for the format tests: task files and running the CLI."""

import json

from click.testing import CliRunner

from tracklabel.core.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def region(rid, label, keys, frames_count=10):
    return {"id": rid, "type": "videorectangle", "from_name": "box", "to_name": "video",
            "value": {"sequence": keys, "labels": [label], "framesCount": frames_count}}


def key(frame, x, y=10.0, width=10.0, height=20.0, rotation=0, enabled=True):
    return {"frame": frame, "x": x, "y": y, "width": width, "height": height,
            "rotation": rotation, "enabled": enabled}


def write_tasks(path, *regions, video="clips/street.mp4"):
    path.write_text(json.dumps([{"id": 1, "data": {"video": video},
                                 "annotations": [{"result": list(regions)}]}]))
    return path


CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoRectangle name="box" toName="video"/>
  <Labels name="labels" toName="video"><Label value="Car"/><Label value="Person"/></Labels>
</View>"""
