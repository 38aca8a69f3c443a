"""Summarise a py-spy `--format raw` profile: the frames with the most self and total time.

`py-spy record -f raw -o prof.txt --pid PID` writes collapsed stacks ("a;b;c N");
this prints one JSON line with the top frames, optionally only stacks through a thread
or function matching `--within` (e.g. `powerrag-writer` or `write_group`).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def short(frame: str) -> str:
    """`func (path/to/module.py:12)` → `module.py:func`, keeping the package for powerrag."""
    match = _FRAME.match(frame.strip())
    if match is None:
        return frame.strip()
    path = match["file"]
    inside = "powerrag/" in path
    path = "powerrag/" + path.split("powerrag/", 1)[1] if inside else Path(path).name
    return f"{path}:{match['func']}"


def summarise(text: str, within: str | None, top: int) -> dict[str, object]:
    self_time: Counter[str] = Counter()
    total_time: Counter[str] = Counter()
    samples = 0
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        if within and within not in stack:
            continue
        n = int(count)
        samples += n
        frames = [short(f) for f in stack.split(";") if f]
        if frames:
            self_time[frames[-1]] += n
        for frame in set(frames):
            total_time[frame] += n

    def share(counter: Counter[str]) -> list[tuple[str, float]]:
        return [(name, round(100 * n / samples, 1)) for name, n in counter.most_common(top)]

    return {"samples": samples, "self_pct": share(self_time), "total_pct": share(total_time)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("profile", type=Path)
    parser.add_argument("--within", default=None)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    figures = summarise(args.profile.read_text(), args.within, args.top)
    print(json.dumps({"tool": "hotspots", "profile": str(args.profile), **figures}))


if __name__ == "__main__":
    main()
