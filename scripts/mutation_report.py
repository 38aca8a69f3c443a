"""Per-module figures of the last `make mutation` run, from mutmut's files under mutants/.

mutmut keeps one `<source>.meta` JSON per mutated file with an exit code per mutant; its
own summary (`mutmut export-cicd-stats`) has the totals only. The exit codes are those of
mutmut 3.8's `mutmut.stats.status_by_exit_code`.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests"}
TIMEOUT_CODES = {36, 24, -24, 152, 255}
COLUMNS = ("killed", "survived", "timeout", "no tests", "not checked", "other")


def status(exit_code: int | None) -> str:
    if exit_code is None:
        return "not checked"
    if exit_code in TIMEOUT_CODES:
        return "timeout"
    return STATUS.get(exit_code, "other")


def figures(root: Path) -> dict[str, Counter[str]]:
    by_module: dict[str, Counter[str]] = {}
    for meta in sorted(root.glob("src/**/*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        module = str(meta.relative_to(root / "src")).removesuffix(".py.meta").replace("/", ".")
        by_module[module] = Counter(status(code) for code in codes.values())
    return by_module


def kill_rate(counts: Counter[str]) -> str:
    """Killed (a timeout counts as killed, as in mutmut) over the mutants that were run,
    a mutant no test reaches counting as not killed."""
    checked = counts["killed"] + counts["timeout"] + counts["survived"] + counts["no tests"]
    return f"{100 * (counts['killed'] + counts['timeout']) / checked:.1f} %" if checked else "-"


def main() -> int:
    by_module = figures(Path("mutants"))
    if not by_module:
        print("no mutants/: run `make mutation` first", file=sys.stderr)
        return 1
    total: Counter[str] = Counter()
    print("| module | " + " | ".join(COLUMNS) + " | kill rate |")
    print("| --- " * (len(COLUMNS) + 2) + "|")
    for module, counts in by_module.items():
        if counts["not checked"] == sum(counts.values()):
            continue
        total.update(counts)
        row = " | ".join(str(counts[c]) for c in COLUMNS)
        print(f"| `{module}` | {row} | {kill_rate(counts)} |")
    row = " | ".join(str(total[c]) for c in COLUMNS)
    print(f"| all | {row} | {kill_rate(total)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
