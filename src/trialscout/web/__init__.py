"""The web app (FastAPI + server-rendered templates) and REST API: a thin adapter over the
library. `create_app(db_path)` builds it; `trialscout serve` runs it."""

from trialscout.web.app import WebSettings, create_app

__all__ = ["WebSettings", "create_app"]
