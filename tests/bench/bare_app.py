"""The baseline of ``make bench-http``: a bare FastAPI endpoint with our reception's validation.

``POST /api/v1/dossiers`` takes the same body as motcua's reception, typed
with our pydantic ``NewDossierIn`` (so the bare endpoint validates and
NFC-normalises exactly what ours does), and answers 201 with a small JSON.
It touches no store, verifies no token and keeps no idempotency record; the
handler is a plain ``def``, so FastAPI runs it in its threadpool, as it runs
ours. ``GET /healthz`` tells the bench the server is up.

``python -m tests.bench.bare_app --port N [--workers 2]`` serves it with the
options ``motcua serve --workers N`` uses: uvicorn (uvloop and httptools),
an app factory, no access log, no logging configuration.
"""

from __future__ import annotations

import argparse
from uuid import uuid4

import uvicorn
from fastapi import FastAPI

from entrypoints.http.dossier_schemas import NewDossierIn


def create_app() -> FastAPI:
    """The bare app: one validating POST and a liveness probe."""
    app = FastAPI(title="motcua bench baseline", docs_url=None, redoc_url=None)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v1/dossiers", status_code=201)
    def open_dossier(body: NewDossierIn) -> dict[str, str]:
        return {"id": str(uuid4()), "status": "received", "channel": body.channel}

    return app


def main() -> None:
    """Serve the bare app as ``motcua serve`` serves motcua."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    uvicorn.run(
        "tests.bench.bare_app:create_app",
        factory=True,
        host=options.host,
        port=options.port,
        workers=options.workers,
        access_log=False,
        log_config=None,
    )


if __name__ == "__main__":
    main()
