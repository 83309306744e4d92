"""`escape_text`: one escaping for every context a map puts text in."""

from __future__ import annotations

import pandas as pd
import pytest

from layout.products.maps import escape_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("`${alert(1)}`", "&#96;&#36;&#123;alert(1)&#125;&#96;"),
        ("a\"b'c&d", "a&quot;b&#x27;c&amp;d"),
        ("{{ 7*7 }}", "&#123;&#123; 7*7 &#125;&#125;"),
        ("back\\slash", "back&#92;slash"),
        ("line\nbreak\x00", "line break"),
        ("郑州 · 中牟", "郑州 · 中牟"),
        (None, ""),
        (float("nan"), ""),
        (pd.NA, ""),
        (12.5, "12.5"),
    ],
)
def test_escape_text(text: object, expected: str) -> None:
    assert escape_text(text) == expected


def test_escaped_text_has_no_active_characters() -> None:
    nasty = "".join(chr(i) for i in range(32, 127)) + "\u2028"
    out = escape_text(nasty)
    assert not set(out) & set("<>\"'`$\\{}\u2028")
