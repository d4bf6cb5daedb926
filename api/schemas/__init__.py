"""Request and response schemas (marshmallow). Requests load to dicts; unknown fields are refused."""
