"""The REST API: Flask + flask-smorest under /v1, OpenAPI 3 at /openapi.json, docs at /docs."""
