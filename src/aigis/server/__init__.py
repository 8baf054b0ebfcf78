"""FastAPI server: REST API under /api/v1, the web console under /console, health at /healthz."""

from aigis.server.app import create_app

__all__ = ["create_app"]
