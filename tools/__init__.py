"""Tools that are not part of the production service: the stand-in credit platform receiver (`python -m tools.receiver`)."""
