"""Rewrite the golden files: `python -m tests.golden.generate`, from the repository root.

The same as running test_golden.py with POWERRAG_GOLDEN_WRITE=1.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest


def main() -> int:
    os.environ["POWERRAG_GOLDEN_WRITE"] = "1"
    test = Path(__file__).resolve().parent / "test_golden.py"
    args = [str(test), "-q", "-rs", "-p", "no:cacheprovider"]
    return int(pytest.main(args))


if __name__ == "__main__":
    sys.exit(main())
