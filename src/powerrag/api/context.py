"""What every request handler may use, built once by `create_app`."""

from __future__ import annotations

from dataclasses import dataclass

from powerrag.config import Settings
from powerrag.pipeline import Pipeline
from powerrag.store.database import Store


@dataclass(frozen=True, slots=True)
class Context:
    settings: Settings
    store: Store
    pipeline: Pipeline
