"""Pages for people (面向公众与工作人员的页面): server-rendered Jinja2, a small stylesheet, no script needed.

Each area is a blueprint in its own module (public lookup, screening, supervisor console); they
share `templates/base.html` and `static/style.css`. Pages call the same services as the JSON API
and never reach around them: what a page shows is what that caller may read through the API.
"""

from __future__ import annotations

import importlib

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

# The page areas, one blueprint module each (`bp`) under api/pages/. Add yours on its own line.
PAGE_MODULES = (
    "home",
    "auth",
    "public",
    "screening",
    "console",
    "imports",
    "evidence",
    "accounts",
    "account_admin",
    "monitoring",
    "credit_reports",
)

ERROR_TITLES = {
    400: "请求有误",
    403: "无权访问",
    404: "页面不存在",
    405: "不支持的请求方式",
    413: "上传的文件过大",
    429: "请求过于频繁",
    500: "服务器内部错误",
    503: "服务暂时不可用",
}

# Pages and the stylesheet only: the JSON API keeps its own headers.
_PAGE_HEADERS = {
    # No script at all, nothing from elsewhere, never framed: a page cannot be turned against its reader.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _security_headers(response: Response) -> Response:
    if not request.path.startswith("/api/"):
        for name, value in _PAGE_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def error_page(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    """An HTTP error on a page, as a page (the JSON API renders its own)."""
    code = error.code or 500
    title = ERROR_TITLES.get(code, error.name)
    headers = dict(error.get_headers()) if code in (405, 429) else {}
    headers["Content-Type"] = "text/html; charset=utf-8"
    return render_template("error.html", code=code, title=title, description=error.description), code, headers


def init_app(app: Flask) -> None:
    """Register every page blueprint, the sign-in settings and the page headers."""
    from api.pages import auth

    auth.init_app(app)
    for name in PAGE_MODULES:
        app.register_blueprint(importlib.import_module(f"api.pages.{name}").bp)
    app.after_request(_security_headers)
