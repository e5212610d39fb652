"""The workbench's views: each a few lines over `Library`, each page with its JSON twin."""

from covenant.web.views import compare, library, reader, search

ROUTERS = [library.router, reader.router, search.router, compare.router]
