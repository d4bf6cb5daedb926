"""Services: verb-noun functions that change or read the registry.

Each takes the session and explicit arguments, raises `registry.errors` and flushes;
the caller (a request, a CLI command, a job) commits once.
"""
