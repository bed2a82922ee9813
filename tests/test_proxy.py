"""Browser proxies: H.264 yuv420p, faststart, short GOPs, and exactly the source's frames."""

import av
import pytest

from tracklabel.core.decoding import Video
from video_factory import Clips, read_stamp


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    return Clips(tmp_path_factory.mktemp("clips"))


@pytest.mark.parametrize("name", ["long_gop.mp4", "vp9.webm", "variable.mp4", "late.mkv", "mpeg4.avi"])
def test_proxy_frame_i_is_source_frame_i(registry, clips, tmp_path, name):
    decoder = registry.decoder("pyav")
    out = tmp_path / "proxy.mp4"
    with Video(clips[name], decoder) as source:
        source.write_proxy(str(out))
        with Video(out, decoder) as proxy:
            assert proxy.index.count == source.index.count
            for i in range(source.index.count):
                assert proxy.index.time(i) == pytest.approx(source.index.time(i), abs=5e-4)
            assert [read_stamp(f) for f in proxy.frames()] == list(range(source.index.count))
            for i in (7, 3, source.index.count - 1, 0, 31):
                assert read_stamp(proxy.frame(i)) == i
            assert proxy.probe.codec == "h264" and proxy.proxy_reasons() == []
            assert proxy.index.max_keyframe_interval() <= 1.1


def test_proxy_is_faststart_yuv420p(registry, clips, tmp_path):
    out = tmp_path / "proxy.mp4"
    with Video(clips["mpeg4.avi"], registry.decoder("pyav")) as source:
        source.write_proxy(str(out))
    data = out.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")
    with av.open(str(out)) as container:
        assert container.streams.video[0].codec_context.pix_fmt == "yuv420p"
