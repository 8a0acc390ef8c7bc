"""Generate synthetic partner files with ground truth, and time it.

    uv run python bench/generate_partner_files.py --businesses 100000 --seed 1 --out var/synthetic
    uv run python bench/generate_partner_files.py --businesses 2000 --seed 1 --out DIR --provinces 32 53
    uv run python bench/generate_partner_files.py --hard --businesses 8000 --seed 11 --out DIR
    uv run python bench/generate_partner_files.py --hard --mix unseen --per-district 1900 ...

Writes the partner files, ``businesses.csv``, ``truth.csv`` and ``manifest.json`` into ``--out``
and prints one JSON line: counts (rows, bad rows, duplicates, businesses in two or more files),
wall time, rows per second, peak resident memory of this process and the size of what was
written. The same seed always writes the same bytes.

With ``--hard``, writes one hard list instead (``tumbuh.registry.synthetic.hard``, issue 14):
``hard.csv`` (the partner's file, for ``tumbuh resolve_file``) and ``hard_truth.csv`` (the same
rows with ``entity_id`` and ``phenomena``).
"""

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

from tumbuh.registry.synthetic import generate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--businesses", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--provinces", nargs="*", help="province codes (e.g. 32 53) or names")
    parser.add_argument("--hard", action="store_true", help="one hard list (issue 14)")
    parser.add_argument("--mix", choices=["default", "unseen"], default="default")
    parser.add_argument("--per-district", type=int, help="businesses per district (--hard)")
    options = parser.parse_args(argv)
    if options.hard:
        _hard(options)
        return

    started = time.perf_counter()
    cpu_started = time.process_time()
    result = generate(
        businesses=options.businesses,
        seed=options.seed,
        out_dir=options.out,
        provinces=options.provinces or None,
    )
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_rss_mb = peak_rss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    written = sum(path.stat().st_size for path in options.out.iterdir() if path.is_file())
    print(
        json.dumps(
            {
                "bench": "generate_partner_files",
                "businesses": result.businesses,
                "seed": result.seed,
                "provinces": options.provinces or None,
                "files": {file.path.name: file.rows for file in result.files},
                "rows": result.rows,
                "bad_rows": result.bad_rows,
                "good_rows": result.good_rows,
                "duplicates": result.duplicates,
                "multi_file_share": round(
                    result.multi_file_businesses / max(result.businesses, 1), 4
                ),
                "shared_owner_businesses": result.shared_owner_businesses,
                "namesake_businesses": result.namesake_businesses,
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu_seconds, 2),
                "rows_per_s": round(result.rows / seconds) if seconds else None,
                "businesses_per_s": round(result.businesses / seconds) if seconds else None,
                "peak_rss_mb": round(peak_rss_mb, 1),
                "written_mb": round(written / 1e6, 1),
                "machine": f"{platform.machine()} {os.cpu_count()} cores, "
                f"{platform.python_implementation()} {platform.python_version()}",
            }
        )
    )


def _hard(options) -> None:
    from tumbuh.registry.synthetic import hard

    started = time.perf_counter()
    generated = hard.generate_hard(
        businesses=options.businesses,
        seed=options.seed,
        mix=hard.UNSEEN_MIX if options.mix == "unseen" else hard.DEFAULT_HARD_MIX,
        per_district=options.per_district,
        provinces=options.provinces or None,
    )
    options.out.mkdir(parents=True, exist_ok=True)
    generated.write_csv(options.out / "hard.csv")
    generated.write_csv(options.out / "hard_truth.csv", with_truth=True)
    seconds = time.perf_counter() - started
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "bench": "generate_partner_files",
                "hard": True,
                "mix": options.mix,
                "per_district": options.per_district,
                "businesses": options.businesses,
                "seed": options.seed,
                "rows": generated.rows,
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(
                    peak_rss / (1024 * 1024 if sys.platform == "darwin" else 1024), 1
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
