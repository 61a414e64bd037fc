"""``admin_console``: the admins' pages (server-drawn, Vietnamese first, usable on a phone),
over the same services as ``admin_api`` (never over HTTP).

Adding a page group (see docs/console.md):
1. a module here with ``register(console)`` that registers its pages with
   ``console.page(path, methods)(handler)`` (and, for a top-level page, ``console.add_nav``);
2. its name in :data:`PAGE_GROUPS` below (one line);
3. templates in ``templates/console/`` that extend ``console/base.html.j2``, and the group's
   sentences in ``templates/console/text/<group>.html.j2`` (vi and en).
The shell (:mod:`.shell`) gives every page its session, CSRF check, language and error pages.
"""

from __future__ import annotations

from importlib import import_module

from . import assets
from .shell import Console

console = Console("admin_console")
router = console.router
router.route("/assets/<name>", ["GET"])(assets.static_file)

# One line per page group: the module (in this package) whose register(console) adds its pages.
PAGE_GROUPS = (
    "signin",
    "rounds",
    "board",
    "links",
    "builder",
    "review",
    "summaries",
    "auditlog",
    "units",
    "entry",
    "scoring",
    "document",
    "document_parts",
    "recommend",
    "messages",
)

for _name in PAGE_GROUPS:
    import_module(f"{__name__}.{_name}").register(console)
