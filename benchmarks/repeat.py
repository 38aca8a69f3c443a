"""Run one benchmark tool several times and print the median and spread of every figure.

`python -m benchmarks.repeat 3 ingest --spans 40000` runs `benchmarks.ingest` three
times in fresh processes and prints one JSON line: for each numeric figure (nested
ones as `a.b`) the median, min and max, plus every run's raw line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def flatten(figures: dict[str, Any], prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = float(value)
    return out


def spread(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    flat = [flatten(run) for run in runs]
    names = [n for n in flat[0] if all(n in f for f in flat)]
    return {
        name: {
            "median": round(statistics.median(f[name] for f in flat), 3),
            "min": min(f[name] for f in flat),
            "max": max(f[name] for f in flat),
        }
        for name in names
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("times", type=int)
    parser.add_argument("tool", help="module under benchmarks/, e.g. ingest")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.times < 1:
        raise SystemExit("times must be at least 1")
    runs = []
    for _ in range(args.times):
        done = subprocess.run(
            [sys.executable, "-m", f"benchmarks.{args.tool}", *args.args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"benchmarks.{args.tool} failed:\n{done.stderr}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    summary = {"tool": "repeat", "of": args.tool, "times": args.times, "figures": spread(runs)}
    print(json.dumps({**summary, "runs": runs}))


if __name__ == "__main__":
    main()
