"""Task files: Label Studio's JSON in, checked Structs out, unknown keys kept, clear errors."""

import copy
import json

import msgspec
import pytest

from tracklabel.core.errors import SchemaError
from tracklabel.core.schema import Region, to_builtins
from tracklabel.core.tasks import load_tasks, parse_tasks


def key(frame, x=10.0, **extra):
    return {"frame": frame, "x": x, "y": 5, "width": 3, "height": 4, "rotation": 0,
            "enabled": True, **extra}


def task_with(sequence, **value):
    region = {"id": "r1", "type": "videorectangle", "from_name": "box", "to_name": "video",
              "value": {"sequence": sequence, "framesCount": 20, "labels": ["Man"], **value}}
    return {"id": 7, "data": {"video": "v.mp4"}, "annotations": [{"id": 1, "result": [region]}]}


def problems(registry, raw, **kwargs):
    with pytest.raises(SchemaError) as info:
        load_tasks(raw, registry, source="t.json", **kwargs)
    return [str(p) for p in info.value.problems]


def sequence_of(taskfile):
    return taskfile.tasks[0].annotations[0].result[0].value.sequence


def test_label_studio_export_round_trips_unchanged(registry, ls_fixtures):
    region = json.loads((ls_fixtures / "docs_example_region.json").read_text())
    export = [{
        "id": 1, "data": {"video": "/data/upload/1/a.mp4"}, "project": 3, "meta": {},
        "annotations": [{"id": 9, "completed_by": 1, "result": [region, {
            "id": "c1", "type": "choices", "from_name": "scene", "to_name": "video",
            "value": {"choices": ["day"]}}], "was_cancelled": False, "lead_time": 12.5}],
        "predictions": [{"model_version": "yolo", "score": 0.5, "result": [copy.deepcopy(region)]}],
    }]
    loaded = load_tasks(copy.deepcopy(export), registry)
    assert [to_builtins(t) for t in loaded.tasks] == export
    assert isinstance(loaded.tasks[0].predictions[0].result[0], Region)
    assert loaded.tasks[0].annotations[0].result[1] == export[0]["annotations"][0]["result"][1]
    assert not loaded.warnings


def test_unknown_keys_survive_at_every_level(registry):
    raw = task_with([key(1, auto=True, score=0.9)], meta={"note": 1})
    raw["annotations"][0]["result"][0]["score"] = 0.7
    raw["annotations"][0]["custom"] = [1, 2]
    raw["extra_field"] = {"a": None}
    loaded = load_tasks(copy.deepcopy(raw), registry)
    assert to_builtins(loaded.tasks[0]) == raw
    assert sequence_of(loaded)[0].extra == {"auto": True, "score": 0.9}


def test_a_single_task_object_is_accepted(registry):
    assert len(load_tasks(task_with([key(1)]), registry).tasks) == 1


def test_normalisation_sorts_dedupes_and_fills_enabled(registry):
    seq = [key(5, x=50), {"frame": 1, "x": 1, "y": 1, "width": 1, "height": 1}, key(5, x=55)]
    loaded = load_tasks(task_with(seq), registry, source="t.json")
    assert [(k.frame, k.x, k.enabled, k.rotation) for k in sequence_of(loaded)] == [
        (1, 1, True, 0), (5, 55, True, 0)]
    path = "t.json: $.annotations[0].result[0].value.sequence"
    assert [str(w) for w in loaded.warnings] == [
        f"{path}: keyframes without `enabled` read as enabled (Label Studio's editor would hide them)",
        f"{path}: keyframes were out of order; sorted by frame",
        f"{path}: several keyframes on frame 5; the last in file order is kept",
    ]


def test_frame_from_time_is_a_warning(registry):
    seq = [{"time": 0.4, "x": 1, "y": 1, "width": 1, "height": 1, "enabled": True}]
    loaded = load_tasks(task_with(seq, duration=0.8), registry)  # 20 frames in 0.8 s: 25 fps
    assert sequence_of(loaded)[0].frame == 10
    assert "frame 10 derived from time 0.4" in str(loaded.warnings[0])


def test_frame_rate_from_config_field_reference(registry):
    from tracklabel.core.config import parse_config

    config = parse_config('<View><Video name="video" value="$video" frameRate="$fps"/>'
                          '<VideoRectangle name="box" toName="video"/></View>', registry)
    raw = task_with([{"time": 1.0, "x": 1, "y": 1, "width": 1, "height": 1}])
    raw["data"]["fps"] = 12
    assert sequence_of(load_tasks(raw, registry, config))[0].frame == 12


@pytest.mark.parametrize("sequence, expected", [
    ([key(0)], "value.sequence[0].frame: Expected `int` >= 1, got 0"),
    ([key(-3)], "value.sequence[0].frame: Expected `int` >= 1, got -3"),
    ([key(1), key(2, x=float("nan"))], "value.sequence[1].x: Expected `float` >= -1000000.0, got nan"),
    ([key(1, x=float("inf"))], "value.sequence[0].x: Expected `float` <= 1000000.0, got inf"),
    ([{**key(1), "width": -2}], "value.sequence[0].width: Expected `int` >= 0, got -2"),
    ([{k: v for k, v in key(1).items() if k != "y"}],
     "value.sequence[0]: Object missing required field `y`"),
    ([{**key(1), "x": "10"}], "value.sequence[0].x: Expected `int | float`, got `str`"),
    ([{**key(1), "frame": 1.5}], "value.sequence[0].frame: Expected `int`, got `float`"),
    ([{**key(1), "enabled": "yes"}], "value.sequence[0].enabled: Expected `bool`, got `str`"),
    ([{k: v for k, v in key(1).items() if k != "frame"}],
     "value.sequence[0]: keyframe has neither `frame` nor `time`"),
    ([{**{k: v for k, v in key(1).items() if k != "frame"}, "time": 2.0}],
     "value.sequence[0]: keyframe has no `frame`, and no frame rate is known to derive it from `time`"),
    ("nope", "value.sequence: Expected `array`, got `str`"),
])
def test_bad_keyframes_name_their_json_path(registry, sequence, expected):
    message, = problems(registry, task_with(sequence))
    assert message == "t.json: $.annotations[0].result[0]." + expected


def test_every_bad_region_is_reported(registry):
    raw = [task_with([key(0)]), task_with([key(1, x=None)])]
    assert problems(registry, raw) == [
        "t.json: $[0].annotations[0].result[0].value.sequence[0].frame: Expected `int` >= 1, got 0",
        "t.json: $[1].annotations[0].result[0].value.sequence[0].x: Expected `int | float`, got `null`",
    ]


def test_missing_frames_count_needs_the_flag(registry):
    raw = task_with([key(1)])
    del raw["annotations"][0]["result"][0]["value"]["framesCount"]
    assert problems(registry, raw) == [
        "t.json: $.annotations[0].result[0].value: framesCount is missing; pass --frames-count"]
    loaded = load_tasks(raw, registry, frames_count=30)
    assert loaded.tasks[0].annotations[0].result[0].value.framesCount == 30


@pytest.mark.parametrize("count, expected", [
    (0, "Expected `int` >= 1, got 0"), (-1, "Expected `int` >= 1, got -1"),
    (10_000_001, "Expected `int` <= 10000000, got 10000001")])
def test_frames_count_must_be_sane(registry, count, expected):
    assert problems(registry, task_with([key(1)], framesCount=count)) == [
        f"t.json: $.annotations[0].result[0].value.framesCount: {expected}"]


def test_frames_count_given_for_the_file_must_be_sane(registry):
    raw = task_with([key(1)])
    del raw["annotations"][0]["result"][0]["value"]["framesCount"]
    assert problems(registry, raw, frames_count=10_000_001) == [
        "t.json: $.annotations[0].result[0].value.framesCount: framesCount 10000001 is outside 1..10000000"]


def test_empty_sequence_is_kept_with_a_warning(registry):
    loaded = load_tasks(task_with([]), registry, source="t.json")
    assert sequence_of(loaded) == []
    assert "region has no keyframes; it shows no box" in str(loaded.warnings[0])


def test_keyframes_past_the_end_are_reported(registry):
    loaded = load_tasks(task_with([key(1), key(25)]), registry)
    assert "keyframes on frames [25] lie past the last frame (20)" in str(loaded.warnings[0])


@pytest.mark.parametrize("raw, expected", [
    ("not a list", "t.json: $: expected a list of tasks or one task object"),
    ([1], "t.json: $[0]: Expected `object`, got `int`"),
    ([{"annotations": []}], "t.json: $[0]: Object missing required field `data`"),
    ([{"data": {}, "annotations": [{"result": "x"}]}],
     "t.json: $[0].annotations[0].result: Expected `array`, got `str`"),
])
def test_bad_task_shapes(registry, raw, expected):
    assert problems(registry, raw) == [expected]


def test_malformed_json_gives_line_and_column(registry):
    with pytest.raises(SchemaError) as info:
        parse_tasks(b'[\n {"data": {}},\n {"data": NaN}\n]', registry, source="t.json")
    assert str(info.value).startswith("t.json:3:11: malformed JSON")


def test_result_items_of_unknown_types_pass_through(registry):
    raw = task_with([key(1)])
    raw["annotations"][0]["result"].append({"type": "polygonlabels", "value": {"points": [[1, 2]]}})
    raw["annotations"][0]["result"].append({"no type": True})
    loaded = load_tasks(copy.deepcopy(raw), registry)
    assert to_builtins(loaded.tasks[0]) == raw


@pytest.mark.parametrize("item", ["not even an object", None, [], 3])
def test_a_result_item_that_is_not_an_object_is_refused_with_its_path(registry, item):
    raw = task_with([key(1)])
    raw["annotations"][0]["result"].append(item)
    with pytest.raises(SchemaError) as caught:
        load_tasks(raw, registry)
    assert caught.value.problems[0].where == "tasks.json: $.annotations[0].result[1]"


def test_structs_encode_with_msgspec(registry):
    loaded = load_tasks(task_with([key(1)]), registry)
    assert json.loads(msgspec.json.encode(to_builtins(loaded.tasks))) == [task_with([key(1)])]
