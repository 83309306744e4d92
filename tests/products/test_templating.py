"""The products' template environment (layout.products.templating): autoescape and `inert`."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from layout.products.escape import escape_text
from layout.products.templating import inert, render
from tests.products.maps.test_markup import HOSTILE


@pytest.mark.parametrize("text", HOSTILE)
def test_inert_is_escape_text_marked_safe(text: str) -> None:
    out = inert(text)
    assert isinstance(out, Markup) and str(out) == escape_text(text)
    # Autoescaping leaves it alone: not escaped twice.
    assert str(Markup("{}").format(out)) == escape_text(text)



def test_html_templates_are_autoescaped_and_strict() -> None:
    from layout.products.templating import environment

    template = environment().from_string("<p>{{ name }}</p>")
    assert template.render(name="<b>") == "<p>&lt;b&gt;</p>"
    with pytest.raises(Exception, match="name"):  # an undefined variable is an error
        template.render()
    with pytest.raises(Exception, match="title"):
        render("map_title.html.j2", subtitle="", date="")
