"""Run every bench/bench_*.py module's `run()` and report ratios against floors measured in the same run.

Each benchmark yields dicts: name, value, unit, floor, ratio, budget (text), pass (bool).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("CASEDESK_INSECURE_FAST_KDF", "1")
    wanted = set(argv)
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    results: list[dict[str, object]] = []
    for name in modules:
        short = name.removeprefix("bench_")
        if wanted and short not in wanted and name not in wanted:
            continue
        started = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            rows = module.run()
        except Exception as exc:
            traceback.print_exc()
            rows = [
                {
                    "name": f"{short}: failed to run",
                    "value": None,
                    "unit": "",
                    "floor": None,
                    "ratio": None,
                    "budget": str(exc)[:80],
                    "pass": False,
                }
            ]
        for row in rows:
            row.setdefault("bench", short)
        results.extend(rows)
        print(f"  {name} took {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    out = HERE / "results.json"
    if wanted and out.exists():
        # A partial run (`python -m bench store`) replaces only its own rows of the last full table.
        ran = {r["bench"] for r in results}
        try:
            earlier = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            earlier = []
        results = [r for r in earlier if isinstance(r, dict) and r.get("bench") not in ran] + results
    print_table(results)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out}")
    return 0 if all(r["pass"] for r in results) else 1


def fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def print_table(rows: list[dict[str, object]]) -> None:
    headers = ["benchmark", "value", "unit", "floor", "ratio", "budget", "pass"]
    cells = [
        [
            str(r["name"]),
            fmt(r["value"]),
            str(r["unit"]),
            fmt(r["floor"]),
            fmt(r["ratio"]),
            str(r["budget"]),
            "PASS" if r["pass"] else "FAIL",
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for c in cells:
        print("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)))


def result(
    name: str, value: float, unit: str, *, floor: float | None = None, budget: str, ok: bool
) -> dict[str, object]:
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "floor": None if floor is None else round(floor, 3),
        "ratio": None if not floor else round(value / floor, 3),
        "budget": budget,
        "pass": bool(ok),
    }


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
