"""Bad input that once made the host answer 500: ids past 32 bits, JSON nested too deeply."""


def test_ids_past_32_bits_are_404_not_a_driver_overflow(admin):
    for url in ("/api/projects/2147483648", "/api/tasks/99999999999999999999",
                "/api/annotations/9223372036854775808"):
        response = admin.get(url)
        assert response.status_code == 404 and response.json["error"] == "not_found", url
    assert admin.get("/api/tasks/2147483647").json["message"] == "no task 2147483647"
    for method in ("PUT", "DELETE"):  # every method: 404, not another method's rule answering 405
        response = admin.call(method, "/api/annotations/2147483648", json={"result": [], "version": 1})
        assert response.status_code == 404 and response.json["error"] == "not_found", method


def test_json_nested_too_deeply_is_400(admin):
    response = admin.post("/api/projects", data=b"[" * 100_000 + b"]" * 100_000,
                          content_type="application/json")
    assert response.status_code == 400 and response.json["error"] == "malformed_json"
    assert admin.get("/api/projects").json == []
