"""Server-rendered public pages: one way to load a service's Jinja2 templates."""

from __future__ import annotations

import jinja2


def package_templates(package: str) -> jinja2.Environment:
    """The templates in ``<package>/templates``: autoescaped, strict (a value the page names
    but the view leaves out is an error, not an empty string), read once (packaged templates
    do not change under a running process: no stat() per render)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
