"""Pages for people (面向公众与工作人员的页面): server-rendered Jinja2, a small stylesheet, no script needed.

Each area is a blueprint in its own module (public lookup, screening, supervisor console); they
share `templates/base.html` and `static/style.css`. Pages call the same services as the JSON API
and never reach around them: what a page shows is what that caller may read through the API.
"""

from __future__ import annotations

from flask import Flask, Response, request

# Pages and the stylesheet only: the JSON API keeps its own headers.
_PAGE_HEADERS = {
    # No script at all, nothing from elsewhere, never framed: a page cannot be turned against its reader.
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _security_headers(response: Response) -> Response:
    if not request.path.startswith("/api/"):
        for name, value in _PAGE_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Register every page blueprint (each module below adds itself here) and the page headers."""
    from api.pages import home

    for module in (home,):
        app.register_blueprint(module.bp)
    app.after_request(_security_headers)
