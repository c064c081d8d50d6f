"""The Neo4j Browser guide as `kg serve` hands it to `:play`: the generated guide, with the instrument a user
typed (`?x=Nghị định 62/2022`) resolved to the IRIs the named queries take.

The Browser fetches a guide across origins, so the server answers it with CORS headers for the Browser's own
(loopback) origin. The instrument is resolved in the build's store by the same lookup as `kg query`; the
IRIs are written into the guide's `:param targets => [...]` lines as Cypher string literals, HTML-escaped.
"""

from __future__ import annotations

import html
import re
from typing import Any

from kgraph.paths import BROWSER_DIR
from kgraph.views import ask

GUIDE_FILE = BROWSER_DIR / "kgraph-guide.html"
_TARGETS = re.compile(r"(:param targets =&gt; )\[[^\]\n]*\]")
_FIRST_LEAD = re.compile(r'(<p class="lead">[^<]*</p>)')


def cypher_string(s: str) -> str:
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def guide_text() -> str:
    return GUIDE_FILE.read_text("utf-8")


def guide_for(store: Any, typed: str | None) -> tuple[int, str]:
    """(status, guide HTML): the guide as generated, or with `typed` resolved into its `targets` parameter."""
    text = guide_text()
    if not typed:
        return 200, text
    try:
        iris = ask.resolve(store, typed)
    except ask.QueryError as e:
        return 400, _note(text, f"{typed}: {e}")
    if not iris:
        return 404, _note(text, f"'{typed}': no instrument in this build matches; the slides keep their example.")
    value = "[" + ", ".join(cypher_string(i) for i in iris) + "]"
    text = _TARGETS.sub(lambda m: m.group(1) + html.escape(value), text)
    return 200, _note(text, f"X = {typed} ({len(iris)} instrument{'s' if len(iris) > 1 else ''}): "
                            "the :param targets lines below are set to it.")


def _note(text: str, message: str) -> str:
    return _FIRST_LEAD.sub(lambda m: m.group(1) + f'\n        <p class="kg-x">{html.escape(message)}</p>', text, count=1)
