"""Read endpoints of the public API (placeholder router until the read layer lands)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
