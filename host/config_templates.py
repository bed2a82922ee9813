"""Labeling configs to start a project from (the create page's templates)."""

from __future__ import annotations

from .demo import CONFIG as VIDEO_TRACKING

TEMPLATES = (
    {"name": "video-object-tracking", "title": "Video object tracking", "config": VIDEO_TRACKING},
    {"name": "polygons-and-points", "title": "Tracked polygons and points", "config": """<View>
  <Video name="video" value="$video"/>
  <VideoPolygon name="outline" toName="video"/>
  <VideoKeyPoint name="point" toName="video"/>
  <Labels name="labels" toName="video">
    <Label value="Car" background="orange"/>
    <Label value="Wheel" background="purple"/>
  </Labels>
</View>
"""},
    {"name": "timeline-labels", "title": "Timeline labels", "config": """<View>
  <Video name="video" value="$video"/>
  <TimelineLabels name="actions" toName="video">
    <Label value="Walking" background="green"/>
    <Label value="Running" background="red"/>
  </TimelineLabels>
</View>
"""},
)
