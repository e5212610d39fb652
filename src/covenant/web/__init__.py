"""The web workbench: server-rendered pages over one `Library`, each with a JSON twin (`covenant serve`)."""

from covenant.web.app import create_app, serve

__all__ = ["create_app", "serve"]
