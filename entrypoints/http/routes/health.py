"""Liveness: the process answers."""

from __future__ import annotations

from fastapi import APIRouter

from entrypoints.http.schemas import Health

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is alive (it does not check the database)."""
    return Health()
