"""The page frame: the front page renders in Chinese, and pages carry the security headers the API does not."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_front_page_is_chinese_html_with_the_stylesheet(client: FlaskClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "<title>首页 · 公共资源交易信用信息</title>" in page
    assert 'href="/static/style.css"' in page
    css = client.get("/static/style.css")
    try:
        assert css.status_code == 200
        assert "@media print" in css.get_data(as_text=True)
    finally:
        css.close()  # a file response keeps the file open until closed


def test_pages_forbid_scripts_framing_and_sniffing(client: FlaskClient) -> None:
    headers = client.get("/").headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src" not in policy  # no script source is allowed at all
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_the_json_api_is_left_to_its_own_headers(client: FlaskClient) -> None:
    assert "Content-Security-Policy" not in client.get("/api/v1/openapi.json").headers


def test_page_errors_are_pages_and_api_errors_stay_json(client: FlaskClient) -> None:
    r = client.get("/no-such-page")
    assert r.status_code == 404
    assert r.mimetype == "text/html"
    assert "页面不存在（404）" in r.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.is_json


def test_the_front_page_has_the_search_box_and_each_role_s_way_in(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<form class="lookup" method="get" action="/search" role="search">' in page
    assert 'name="q" maxlength="100"' in page
    for path, label in [
        ("/lists/black", "严重失信主体名单"),
        ("/lists/red", "守信激励名单"),
        ("/screening", "资格审查信用核查"),
        ("/console", "监管部门工作台"),
        ("/evidence", "核查证据锚定记录"),
    ]:
        assert f'<a href="{path}">{label}' in page
    answer = client.get("/search", query_string={"q": "杭州"})
    assert answer.status_code == 200  # where the box sends a query
