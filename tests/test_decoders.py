"""Decoders and the frame index: every stamped frame comes back as itself, on every clip kind."""

import json
import random

import pytest

from tracklabel.core.decoding import IndexCache, Video
from tracklabel.core.errors import InputError
from video_factory import Clips, audio_only, encode, read_stamp, truncated, unknown_codec

ALL_CLIPS = ["long_gop.mp4", "vp9.webm", "variable.mp4", "late.mp4", "late.mkv", "mpeg4.avi", "lying.avi"]
# OpenCV seeks by time = k / fps: exact only where frames sit on that grid.
OPENCV_CLIPS = ["long_gop.mp4", "vp9.webm", "late.mp4", "late.mkv"]


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    return Clips(tmp_path_factory.mktemp("clips"))


def stamps_in_order(video):
    return [read_stamp(frame) for frame in video.frames()]


def assert_random_fetches(video, expected, seed=0):
    order = list(range(video.index.count))
    random.Random(seed).shuffle(order)
    wrong = {i: read_stamp(video.frame(i)) for i in order if read_stamp(video.frame(i)) != expected[i]}
    assert not wrong, f"frame index -> stamp found: {wrong}"


@pytest.mark.parametrize("name", ALL_CLIPS)
def test_pyav_every_frame_carries_its_index(registry, clips, name):
    with Video(clips[name], registry.decoder("pyav")) as video:
        assert stamps_in_order(video) == list(range(video.index.count))
        assert_random_fetches(video, list(range(video.index.count)))
        assert read_stamp(video.frame_number(1)) == 0
        assert read_stamp(video.frame_number(video.index.count)) == video.index.count - 1


@pytest.mark.parametrize("name", OPENCV_CLIPS)
def test_opencv_every_frame_carries_its_index(registry, clips, name):
    with Video(clips[name], registry.decoder("opencv")) as video:
        assert video.index.count == Video(clips[name], registry.decoder("pyav")).index.count
        assert stamps_in_order(video) == list(range(video.index.count))
        assert_random_fetches(video, list(range(video.index.count)), seed=1)


@pytest.mark.parametrize("name, reason", [
    ("variable.mp4", "variable frame rate"),
    ("mpeg4.avi", "not after the one before"),
])
def test_opencv_refuses_files_it_cannot_seek_exactly(registry, clips, name, reason):
    with pytest.raises(InputError) as caught:
        with Video(clips[name], registry.decoder("opencv")) as video:
            video.frame(5)
    assert str(clips[name]) in str(caught.value)
    assert reason in str(caught.value) and "pyav" in str(caught.value)


def test_long_gop_index(registry, clips):
    with Video(clips["long_gop.mp4"], registry.decoder("pyav")) as video:
        index = video.index
        assert (index.count, index.constant_rate, index.reordered) == (120, True, False)
        assert index.keyframes == [0] and index.fps == 25
        assert index.duration == pytest.approx(4.8)
        assert video.proxy_reasons() == ["keyframes up to 4.8 s apart (slow seeking)"]


def test_variable_rate_index_keeps_every_timestamp(registry, clips):
    import numpy as np

    rng = np.random.default_rng(1)
    expected = [0] + np.cumsum(rng.choice([20, 33, 40, 67, 100], size=89)).tolist()
    with Video(clips["variable.mp4"], registry.decoder("pyav")) as video:
        assert not video.index.constant_rate
        times = [video.index.time(i) for i in range(video.index.count)]
        assert times == pytest.approx([t / 1000 for t in expected], abs=1e-6)
        assert video.index.at_time(expected[40] / 1000 + 0.001) == 40


@pytest.mark.parametrize("name", ["late.mp4", "late.mkv"])
def test_start_offset(registry, clips, name):
    with Video(clips[name], registry.decoder("pyav")) as video:
        assert video.index.start_time == pytest.approx(2.5)
        assert video.index.time(10) == pytest.approx(2.9)
        assert video.index.at_time(0) == 0


def test_lying_header_count(registry, clips):
    with Video(clips["lying.avi"], registry.decoder("pyav")) as video:
        assert video.probe.header_frames == 444
        assert video.index.count == 60


def test_webm_header_has_no_count(registry, clips):
    with Video(clips["vp9.webm"], registry.decoder("pyav")) as video:
        assert video.probe.header_frames == 0 and video.index.count == 60
        assert video.probe.codec == "vp9" and video.fps == 30


def test_probe_fields(registry, clips):
    probe = registry.decoder("pyav").probe(str(clips["long_gop.mp4"]))
    assert (probe.codec, probe.width, probe.height, probe.display_aspect) == ("h264", 160, 120, "4:3")
    assert probe.avg_rate == 25 and probe.start_time == 0 and probe.duration == pytest.approx(4.8)
    assert "mp4" in probe.container


def test_rotation_metadata_is_reported_and_frames_stay_as_coded(registry, tmp_path):
    path = encode(tmp_path / "rotated.mp4", 10, rotation=90)
    for name in ("pyav", "opencv"):
        with Video(path, registry.decoder(name)) as video:
            assert video.probe.rotation == 270  # the player turns the picture 270 degrees clockwise
            assert video.frame(3).shape == (120, 160, 3)
            assert read_stamp(video.frame(3)) == 3


@pytest.mark.parametrize("source, options", [
    ("trunc.mkv", {"g": "30", "bf": "2"}),
    ("trunc.mp4", {"g": "30", "bf": "2", "movflags": "+faststart"}),
])
def test_truncated_file_indexes_what_decodes(registry, tmp_path, source, options):
    movflags = options.pop("movflags", None)
    full = encode(tmp_path / ("full" + source[-4:]), 90, options=options,
                  container_options={"movflags": movflags} if movflags else None)
    path = truncated(full, tmp_path / source)
    with Video(path, registry.decoder("pyav")) as video:
        assert 10 < video.index.count < 90
        found = stamps_in_order(video)
        assert found == sorted(set(found))  # each frame once, in order
        assert_random_fetches(video, found)


def test_truncated_mp4_without_index_is_an_input_error(registry, clips, tmp_path):
    path = truncated(clips["long_gop.mp4"], tmp_path / "cut.mp4")  # moov atom is at the end
    with pytest.raises(InputError, match="cut.mp4: not a video FFmpeg can read"):
        Video(path, registry.decoder("pyav"))


@pytest.mark.parametrize("decoder", ["pyav", "opencv"])
@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_text("not a video\n"), "not a video FFmpeg can read|OpenCV cannot open"),
    (lambda p: p.write_bytes(b""), "empty file"),
    (audio_only, "no video stream \\(only audio\\)|OpenCV cannot open"),
    (unknown_codec, "no decoder for this video codec|OpenCV cannot open"),
    (lambda p: p.mkdir(), "not a regular file"),
    (lambda p: None, "No such file"),
])
def test_bad_input(registry, tmp_path, decoder, make, message):
    path = tmp_path / "input.m4a"
    make(path)
    with pytest.raises(InputError, match=message) as caught:
        Video(path, registry.decoder(decoder))
    assert str(path) in str(caught.value)


def test_reading_on_does_not_seek(registry, clips):
    with Video(clips["long_gop.mp4"], registry.decoder("pyav")) as video:
        reader = video.reader
        seeks = []
        original = reader._seek_for
        reader._seek_for = lambda i: seeks.append(i) or original(i)
        assert [read_stamp(f) for f in video.frames(0, 120)] == list(range(120))
        assert read_stamp(video.frame(100)) == 100  # backwards: one seek
        assert [read_stamp(video.frame(i)) for i in (101, 104, 110)] == [101, 104, 110]
        assert seeks == [0, 100]


@pytest.mark.parametrize("name, keyframes", [
    ("vp9.webm", [0, 24, 48]), ("late.mkv", [0, 25, 48]), ("mpeg4.avi", [0, 30, 59])])
def test_keyframe_thumbnails(registry, clips, name, keyframes):
    with Video(clips[name], registry.decoder("pyav")) as video:
        thumbs = list(video.thumbnails(width=160))
        assert [i for i, _ in thumbs] == video.index.keyframes == keyframes
        assert [read_stamp(img) for _, img in thumbs] == keyframes
        assert list(video.thumbnails(width=40))[0][1].shape == (30, 40, 3)


def test_frame_numbers_are_one_based(registry, clips):
    with Video(clips["vp9.webm"], registry.decoder("pyav")) as video:
        assert video.index.index_of(1) == 0 and video.index.index_of(60) == 59
        for bad in (0, 61):
            with pytest.raises(InputError, match=f"frame {bad} is out of range 1..60"):
                video.frame_number(bad)


def test_index_is_cached_by_content_and_invalidated_when_the_file_changes(registry, tmp_path):
    decoder = registry.decoder("pyav")
    cache = IndexCache(tmp_path / "data")
    path = encode(tmp_path / "clip.mp4", 30)
    assert Video(path, decoder, cache).index.count == 30
    files = list((tmp_path / "data" / "index").rglob("*"))
    stored = [f for f in files if f.is_file()]
    assert len(stored) == 1 and decoder.version in str(stored[0])
    assert json.loads(stored[0].read_bytes())["pts"][:2] == [0, 512]

    class NoScan(type(decoder)):
        def scan(self, path, progress=None):
            raise AssertionError("the cached index should have been used")

    assert Video(path, NoScan(), cache).index.count == 30
    encode(path, 40)  # same name, new content
    assert Video(path, decoder, cache).index.count == 40


def test_an_interrupted_index_is_never_stored(registry, tmp_path):
    decoder = registry.decoder("pyav")
    cache = IndexCache(tmp_path / "data")
    path = encode(tmp_path / "clip.mp4", 30)

    def interrupt(fraction):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Video(path, decoder, cache, progress=interrupt)
    assert not [f for f in (tmp_path / "data").rglob("*") if f.is_file()]


def test_the_documented_decoder_plugin(tmp_path):
    """The `register_decoders` example in docs/plugins.md, registered and used as a user would."""
    import re
    import types
    from pathlib import Path

    import numpy as np

    from tracklabel.core.plugins import get_plugin_manager, load_registry
    from video_factory import stamp

    doc = (Path(__file__).resolve().parent.parent / "docs" / "plugins.md").read_text()
    source = re.search(r"```python\n(# tracklabel_mydecoder\.py\n.*?)```", doc, re.S).group(1)
    plugin = types.ModuleType("tracklabel_mydecoder")
    exec(compile(source, "tracklabel_mydecoder.py", "exec"), plugin.__dict__)
    assert callable(plugin.register_decoders)
    pm = get_plugin_manager(load_entry_points=False)
    pm.register(plugin, name="tracklabel_mydecoder")
    registry = load_registry(pm)

    path = tmp_path / "clip.npy"
    np.save(path, np.stack([stamp(i) for i in range(30)]))
    with Video(path, registry.decoder("mydecoder"), IndexCache(tmp_path / "data")) as video:
        assert (video.index.count, video.index.fps, video.index.constant_rate) == (30, 25, True)
        assert [read_stamp(video.frame(i)) for i in (29, 3, 17)] == [29, 3, 17]
        assert read_stamp(video.frame_number(30)) == 29
        assert [i for i, img in video.thumbnails(40)] == list(range(30))
    (tmp_path / "bad.npy").write_bytes(b"nope")
    with pytest.raises(InputError, match="bad.npy: not a .npy array"):
        Video(tmp_path / "bad.npy", registry.decoder("mydecoder"))


def test_an_unchanged_file_is_hashed_once_however_often_it_is_opened(registry, tmp_path, monkeypatch):
    """Opening a video (the host does it for frame requests once more than its open videos are
    in use) does not read the whole file again: its content hash is remembered by the file's
    identity on disk, in the data folder, for every process. A changed file is hashed again."""
    from tracklabel.core import decoding

    hashed = []
    real = decoding.content_hash
    monkeypatch.setattr(decoding, "content_hash", lambda path: hashed.append(path) or real(path))
    decoder, cache = registry.decoder("pyav"), IndexCache(tmp_path / "data")
    path = encode(tmp_path / "clip.mp4", 30)
    for _ in range(3):
        assert Video(path, decoder, IndexCache(tmp_path / "data")).index.count == 30
    assert len(hashed) == 1
    encode(path, 40)  # same name, new content (and modification time)
    assert Video(path, decoder, cache).index.count == 40 and len(hashed) == 2
