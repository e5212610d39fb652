"""The workbench's views: each a few lines over `Library`, each page with its JSON twin."""

from covenant.web.views import (
    annotations,
    compare,
    entities,
    events,
    library,
    login,
    reader,
    recommendations,
    rights,
    search,
    uploads,
)

ROUTERS = [
    library.router,
    reader.router,
    search.router,
    compare.router,
    rights.router,
    rights.writes,
    recommendations.router,
    entities.router,
    events.router,
    annotations.router,
    annotations.writes,
    login.router,
    uploads.router,
]
