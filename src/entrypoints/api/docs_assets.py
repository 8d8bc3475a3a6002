"""Swagger UI's own files for /docs, served by the API: the page loads on a machine without internet.

They come from the flask-swagger-ui package's `dist/` folder (a current swagger-ui-dist, refreshed by its
maintainers weekly); its blueprint is not used, flask-smorest renders the page."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Response, redirect, send_from_directory
from werkzeug.wrappers import Response as Redirect

# The endpoint names start with "api-docs", like flask-smorest's own /docs and /openapi.json.
blp = Blueprint("api-docs-assets", __name__)
URL = "/docs/assets/"
# Swagger UI's page settings: no validator badge (it would fetch an image from validator.swagger.io).
CONFIG = {"validatorUrl": None}
_DIST = Path(flask_swagger_ui.__file__).parent / "dist"
_ONE_DAY = 24 * 3600


@blp.route(URL + "<path:name>")
def asset(name: str) -> Response:
    # send_from_directory refuses names that leave the folder (404), and sets the type from the ending.
    return send_from_directory(_DIST, name, max_age=_ONE_DAY)


@blp.route("/docs/")
def page_with_slash() -> Redirect:
    # flask-smorest serves the page at /docs only; /docs/ is what a person types (or a link adds).
    return redirect("/docs", 308)
