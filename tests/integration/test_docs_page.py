"""/docs loads on a machine without internet: Swagger UI's files come from the API itself."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from flask import Flask


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.found.append(value)


def test_the_docs_page_references_only_files_the_api_serves_itself(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert not re.search(r"https?://|//[a-z]", html), "the docs page names another origin"
    parser = _References()
    parser.feed(html)
    assert len(parser.found) >= 3, parser.found  # the stylesheet and both scripts
    kinds = {".css": "text/css", ".js": "javascript"}
    for reference in parser.found:
        assert reference.startswith("/"), reference
        asset = client.get(reference)
        assert asset.status_code == 200, reference
        assert len(asset.get_data()) > 1000, reference
        expected = next(kind for ending, kind in kinds.items() if reference.endswith(ending))
        assert expected in asset.content_type, (reference, asset.content_type)


def test_the_docs_page_loads_the_specification_of_this_api(app: Flask) -> None:
    html = app.test_client().get("/docs").get_data(as_text=True)
    assert '"/openapi.json"' in html
    assert '"validatorUrl": null' in html  # Swagger UI's validator badge would call out to the internet


def test_a_missing_docs_file_is_a_404_in_the_error_contract(app: Flask) -> None:
    answer = app.test_client().get("/docs/assets/nothing-here.js")
    assert answer.status_code == 404
    assert answer.get_json()["errors"][0]["code"] == "not_found"
    traversal = app.test_client().get("/docs/assets/../../../../etc/passwd")
    assert traversal.status_code == 404


def test_the_docs_page_with_a_trailing_slash_redirects_to_the_docs_page(app: Flask) -> None:
    client = app.test_client()
    answer = client.get("/docs/")
    assert answer.status_code in (301, 308), answer.status_code
    assert answer.headers["Location"] == "/docs"
    assert client.get("/docs/", follow_redirects=True).status_code == 200
    assert client.get("/docs").status_code == 200
