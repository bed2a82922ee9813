"""Label Studio configs: its own template and docs config load, every check names file, line and tag."""

import pytest

from tracklabel.core.config import load_config, parse_config
from tracklabel.core.errors import ConfigError


def errors(registry, text):
    with pytest.raises(ConfigError) as info:
        parse_config(text, registry, source="c.xml")
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("name", ["video_object_tracking_template.xml", "docs_video_object_detector.xml"])
def test_label_studio_fixtures_load(registry, ls_fixtures, name):
    config = load_config(ls_fixtures / name, registry)
    box = config.by_name["box"]
    assert box.tag.name == "VideoRectangle" and box.to_names == ["video"]
    assert config.by_name["video"].attrs["frameRate"] == 25.0
    assert config.labels_for(box) == ["Man", "Woman", "Other"]
    assert config.interpolator_name(box) == "linear"
    assert not config.warnings


def test_a_control_that_makes_regions_keeps_its_labels_to_itself(registry):
    config = parse_config("""<View>
  <TimelineLabels name="act" toName="video"><Label value="Run"/><Label value="Walk"/></TimelineLabels>
  <Labels name="kind" toName="video"><Label value="Car"/><Label value="Man"/></Labels>
  <Video name="video" value="$video"/>
  <VideoRectangle name="box" toName="video"/>
</View>""", registry, source="c.xml")
    assert config.labels_for(config.by_name["box"]) == ["Car", "Man"]
    assert config.labels_for(config.by_name["act"]) == ["Run", "Walk"]


LABEL_STUDIO_CONFIGS = [
    # the seed's config without its <View> (Label Studio wraps it), and editor test configs
    '<View><Video name="video" value="$video" /><VideoRectangle name="box" toName="video" /></View>',
    '''<View>
  <Header value="Object detection" />
  <Labels name="bbox_labels" toName="video" allowEmpty="false">
    <Label value="A"/><Label value="B"/>
  </Labels>
  <VideoRectangle name="bounding_box" toName="video"/>
  <!-- Video source -->
  <Video name="video" value="$video" height="300"/>
</View>''',
    '''<View>
  <Video name="video" value="$video" frameRate="$fps" height="560" timelineHeight="180"/>
  <VideoRectangle name="objects" toName="video"/>
  <Labels name="object_labels" toName="video" choice="single" allowEmpty="true">
    <Label value="hand" background="#E4572E" hotkey="h" alias="H"/>
  </Labels>
</View>''',
    '<View style="flex:1;"><Labels name="l" toName="v"><Label value="x"/></Labels>'
    '<Video name="v" value="$url" muted="true" sync="audio"/><VideoRectangle name="b" toName="v" smart="true"/></View>',
]


@pytest.mark.parametrize("text", LABEL_STUDIO_CONFIGS)
def test_label_studio_video_tracking_configs_load(registry, text):
    config = parse_config(text, registry)
    assert [n.tag.name for n in config.controls()].count("VideoRectangle") == 1


def test_frame_rate_from_a_task_field(registry):
    config = parse_config(LABEL_STUDIO_CONFIGS[2], registry)
    assert config.by_name["video"].attrs["frameRate"] == "$fps"


def test_tag_and_attribute_names_are_case_insensitive(registry):
    config = parse_config('<view><VIDEO NAME="v" Value="$v" FRAMERATE="30"/>'
                          '<videorectangle name="b" toname="v" Interpolation="step"/></view>', registry)
    assert config.by_name["v"].attrs["frameRate"] == 30.0
    assert config.interpolator_name(config.by_name["b"]) == "step"


def test_unknown_attribute_is_a_warning(registry):
    config = parse_config('<View><Video name="v" value="$v" zoom="2"/></View>', registry)
    assert [str(w) for w in config.warnings] == ["config.xml:1: <Video>: unknown attribute 'zoom' ignored"]


def test_unknown_tag_names_the_tag_and_plugins(registry):
    text = '<View>\n<Video name="v" value="$v"/>\n<TimeSeriesLabels name="t" toName="v"/>\n</View>'
    (message,) = errors(registry, text)
    assert message.startswith("c.xml:3: <TimeSeriesLabels>: unknown tag 'TimeSeriesLabels'")
    assert "plugin" in message


def test_every_problem_is_reported_with_line_and_tag(registry):
    text = """<View>
  <Video name="vid" value="video" frameRate="fast"/>
  <VideoRectangle name="box" toName="video" interpolation="cubic"/>
  <Labels name="box" toName="vid"></Labels>
</View>"""
    assert errors(registry, text) == [
        'c.xml:2: <Video name="vid">: attribute frameRate="fast" is not a number',
    ]
    text = text.replace('frameRate="fast"', 'frameRate="25"')
    assert errors(registry, text) == [
        "c.xml:4: <Labels name=\"box\">: name 'box' is already used at line 3",
        'c.xml:2: <Video name="vid">: value="video" must reference a task field, like "$video"',
        'c.xml:3: <VideoRectangle name="box">: toName "video" names no object tag',
        'c.xml:3: <VideoRectangle name="box">: interpolation "cubic" is not registered (loaded: image-guided, linear, linear-centre, step)',
        'c.xml:4: <Labels name="box">: has no <Label>',
    ]


def test_required_attributes_and_label_placement(registry):
    assert errors(registry, '<View><Video value="$v"/><Label value="x"/></View>') == [
        "c.xml:1: <Video>: attribute 'name' is required",
        "c.xml:1: <Label>: must be inside <Labels> or <TimelineLabels>",
    ]


def test_to_name_must_be_a_video(registry):
    from tracklabel.core.tags import Attr, Tag

    class Image(Tag):
        name, kind = "Image", "object"
        attributes = {"name": Attr(str, required=True), "value": Attr(str, required=True)}

    registry.tags["image"] = Image()
    try:
        assert errors(registry, '<View><Image name="i" value="$i"/><VideoRectangle name="b" toName="i"/></View>') == [
            'c.xml:1: <VideoRectangle name="b">: toName "i" must name a <Video>, not <Image>']
    finally:
        del registry.tags["image"]


def test_bad_numbers_and_booleans(registry):
    assert errors(registry, '<View><Video name="v" value="$v" height="tall" muted="maybe" frameRate="nan"/></View>') == [
        'c.xml:1: <Video name="v">: attribute height="tall" is not an integer',
        'c.xml:1: <Video name="v">: attribute muted="maybe" is not a boolean (true or false)',
        'c.xml:1: <Video name="v">: attribute frameRate="nan" is not a finite number',
    ]
    assert errors(registry, '<View><Video name="v" value="$v" frameRate="-5"/></View>') == [
        'c.xml:1: <Video name="v">: frameRate=-5 must be positive']


def test_duplicate_label_values(registry):
    assert errors(registry, '<View><Video name="v" value="$v"/><Labels name="l" toName="v">\n'
                            '<Label value="a"/>\n<Label value="a"/></Labels></View>') == [
        'c.xml:3: <Label>: value "a" repeats the label at line 2']


@pytest.mark.parametrize("text, expected", [
    ("<View><Video name='v' value='$v'></View>", "c.xml:1: malformed XML: "),
    ("", "c.xml:1: malformed XML"),
    ("<Video name='v' value='$v'/>", "c.xml:1: the root tag must be <View>, not <Video>"),
    ('<?xml version="1.0"?>\n<!DOCTYPE View [<!ENTITY a "x">]><View/>',
     "c.xml:2: DOCTYPE and entity declarations are not allowed"),
    ('<!DOCTYPE View SYSTEM "file:///etc/passwd"><View/>', "c.xml:1: DOCTYPE and entity"),
    ('<!DOCTYPE lol [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><View><Header value="&b;"/></View>',
     "c.xml:1: DOCTYPE and entity"),
    ('<View><Header value="&undefined;"/></View>', "c.xml:1: malformed XML"),
])
def test_hostile_or_broken_xml_is_a_clear_error(registry, text, expected):
    (message,) = errors(registry, text)
    assert message.startswith(expected)


def test_huge_config_is_refused(registry, tmp_path):
    path = tmp_path / "big.xml"
    path.write_text("<View>" + "<Header value='x'/>" * 600_000 + "</View>")
    with pytest.raises(ConfigError) as info:
        load_config(path, registry)
    assert str(info.value).startswith(f"{path}: config is ")


def test_missing_file(registry, tmp_path):
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "nope.xml", registry)
