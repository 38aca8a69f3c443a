"""Read endpoints of the public API: one router gathering sessions, traces, observations, scores."""

from __future__ import annotations

from fastapi import APIRouter

from powerrag.api import read_observations, read_scores, read_sessions, read_traces

router = APIRouter()
router.include_router(read_sessions.router)
router.include_router(read_traces.router)
router.include_router(read_observations.router)
router.include_router(read_scores.router)
