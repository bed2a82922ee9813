"""The config editor's API: problems by line, the interface a config builds, templates; the
Projects page's counts; a config that drops what annotations use needs confirming."""

from host_support import SEED_CONFIG


def region(rid, from_name="box", labels=("Man",)):
    return {"id": rid, "type": "videorectangle", "from_name": from_name, "to_name": "video",
            "value": {"labels": list(labels), "framesCount": 10,
                      "sequence": [{"frame": 1, "x": 10, "y": 10, "width": 5, "height": 5, "rotation": 0,
                                    "enabled": True}]}}


def test_check_gives_each_problem_its_line(annotator):
    broken = '<View>\n  <Video name="video" value="$video"/>\n  <VideoRectangle name="box" toName="vid"/>\n</View>'
    answer = annotator.post("/api/config/check", json={"label_config": broken})
    assert answer.status_code == 200
    assert answer.json["ok"] is False and answer.json["problems"][0]["line"] == 3
    assert "vid" in answer.json["problems"][0]["message"]
    malformed = annotator.post("/api/config/check", json={"label_config": "<View>\n<Video name='v'\n"}).json
    assert malformed["ok"] is False and malformed["problems"][0]["line"] >= 2


def test_check_builds_the_interface_of_a_good_config(annotator):
    answer = annotator.post("/api/config/check", json={"label_config": SEED_CONFIG}).json
    assert answer["ok"] is True and answer["problems"] == []
    tags = [child["tag"] for child in answer["root"]["children"]]
    assert tags == ["Header", "Video", "VideoRectangle", "Labels"]
    assert answer["root"]["children"][2]["module"] == "/api/tags/videorectangle.js"


def test_check_refuses_a_body_without_config(annotator):
    answer = annotator.post("/api/config/check", json={"config": "<View/>"})
    assert answer.status_code == 400 and answer.json["path"] == "$.label_config"


def test_every_template_is_a_valid_config(annotator):
    templates = annotator.get("/api/config/templates").json
    assert [t["name"] for t in templates] == ["video-object-tracking", "polygons-and-points", "timeline-labels"]
    for template in templates:
        assert annotator.post("/api/config/check", json={"label_config": template["config"]}).json["ok"], template


def test_projects_list_counts_tasks_and_annotated_tasks(admin, annotator, project):
    admin.post(f"/api/projects/{project}/tasks", json=[
        {"data": {"video": "a.mp4"}, "annotations": [{"result": [region("r1")]}]},
        {"data": {"video": "b.mp4"}, "predictions": [{"result": [region("p1")]}]},
        {"data": {"video": "c.mp4"}}])
    (listed,) = annotator.get("/api/projects").json
    assert listed["task_count"] == 3 and listed["annotated_count"] == 1
    assert listed["last_activity"] >= listed["created_at"]


def test_a_project_has_a_description(admin, annotator):
    created = admin.post("/api/projects", json={"title": "Cars", "description": "Box every car; ignore parked ones.",
                                                "label_config": SEED_CONFIG})
    assert created.status_code == 201 and created.json["description"] == "Box every car; ignore parked ones."
    pid = created.json["id"]
    assert admin.patch(f"/api/projects/{pid}", json={"description": "Cars and vans"}).json["description"] == "Cars and vans"
    assert annotator.get("/api/projects").json[-1]["description"] == "Cars and vans"
    for bad in (3, None, "x" * 10_001):
        refused = admin.patch(f"/api/projects/{pid}", json={"description": bad})
        assert refused.status_code == 400 and refused.json["path"] == "$.description", bad
    assert admin.get(f"/api/projects/{pid}").json["description"] == "Cars and vans"
    untold = admin.post("/api/projects", json={"title": "Plain", "label_config": SEED_CONFIG}).json
    assert untold["description"] == ""


def test_dropping_a_used_label_needs_confirming(admin, project):
    admin.post(f"/api/projects/{project}/tasks", json=[
        {"data": {"video": "a.mp4"}, "annotations": [{"result": [region("r1", labels=("Woman",))]},
                                                     {"result": [region("r2")]}]},
        {"data": {"video": "b.mp4"}, "predictions": [{"result": [region("p1", labels=("Woman",))]}]}])
    without_woman = SEED_CONFIG.replace('<Label value="Woman" background="red"/>', "")
    refused = admin.patch(f"/api/projects/{project}", json={"label_config": without_woman})
    assert refused.status_code == 409
    assert refused.json["annotations"] == 1 and refused.json["labels"] == ["Woman"] and refused.json["controls"] == []
    assert admin.get(f"/api/projects/{project}").json["label_config"] == SEED_CONFIG
    assert admin.patch(f"/api/projects/{project}", json={"label_config": without_woman, "confirm": "yes"}).status_code == 400
    saved = admin.patch(f"/api/projects/{project}", json={"label_config": without_woman, "confirm": True})
    assert saved.status_code == 200 and saved.json["label_config"] == without_woman


def test_dropping_a_used_control_counts_its_annotations(admin, project):
    admin.post(f"/api/projects/{project}/tasks", json=[
        {"data": {"video": "a.mp4"}, "annotations": [{"result": [region("r1")]}, {"result": [region("r2")]}]}])
    other = SEED_CONFIG.replace('name="box"', 'name="boxes"')
    refused = admin.patch(f"/api/projects/{project}", json={"label_config": other})
    assert refused.status_code == 409 and refused.json["annotations"] == 2 and refused.json["controls"] == ["box"]


def test_dropping_unused_names_saves_at_once(admin, project):
    unused = SEED_CONFIG.replace('<Label value="Other" background="green"/>', "")
    assert admin.patch(f"/api/projects/{project}", json={"label_config": unused}).status_code == 200
