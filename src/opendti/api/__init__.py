"""The REST API at /api/v1/: reads through the same permission layer as the web pages, and
writes of auto-measured values by integrators holding scoped tokens."""
