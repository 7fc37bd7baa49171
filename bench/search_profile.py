"""CPU of one search, per kind of ``bench/api_load.py``'s open-loop mix, through the app in process.

For each kind of search (``api_load.search_mix``: rare term, common term, phrase, common + topic +
4 facets, date-sorted, deep cursor page, term ± topic) the paths run through the WSGI app with
Flask's test client, caches off (every search computed), as under gunicorn but without HTTP,
clients or queueing, so two versions of the code compare well on a busy machine:

* ``CPU ms``: process CPU time per search, unprofiled (``--rounds`` passes over the kind's paths);
* then one profiled pass (cProfile): the time inside each tantivy call (``Searcher.aggregate``,
  ``Searcher.search``, ``Searcher.doc``, the snippet calls) per search, and ``search`` calls
  per request (process CPU time, so waiting for a core does not count). Profiled times are
  inflated in Python code, not inside tantivy's.

Run it with the code to measure first on the path (a ``git archive`` copy of main, or a worktree)::

    PYTHONPATH=. nice -n 10 .venv/bin/python bench/search_profile.py --home /tmp/load1/home100k

Times depend on the machine's load: compare two versions alternated, as ratios.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import api_load  # noqa: E402  (bench/ is not a package on the path)

#: tantivy calls reported on their own (cProfile names builtins ``<method 'x' of 'y' objects>``).
TANTIVY_CALLS = {
    "aggregate": "Searcher.aggregate",
    "search": "Searcher.search",
    "doc": "Searcher.doc",
    "snippet_from_doc": "snippets",
    "create": "snippets",
    "fast_field_values": "fast fields",
}


def app_client(home: Path, log_dir: Path) -> Any:
    """Flask's test client of the app over ``home``, caches off (every search computed)."""
    (log_dir / "prometheus").mkdir(exist_ok=True)
    os.environ.update(TIDINGS_SEARCH_CACHE_SECONDS="0", TIDINGS_RESPONSE_CACHE_SECONDS="0")
    os.environ.update(api_load.server_env(home, log_dir))
    from search_api import create_app

    return create_app().test_client()


def get_ok(client: Any, path: str) -> dict[str, Any]:
    resp = client.get(path)
    if resp.status_code != 200:
        raise SystemExit(f"{path} answered {resp.status_code}: {resp.get_data(as_text=True)}")
    return resp.get_json()


def tantivy_times(profile: cProfile.Profile) -> tuple[dict[str, float], int]:
    """Seconds inside each of TANTIVY_CALLS' groups, and the number of ``search`` calls."""
    out: dict[str, float] = {}
    searches = 0
    for (file, _, name), (_, calls, tottime, _, _) in pstats.Stats(profile).stats.items():
        if file != "~" or not name.startswith("<method '"):
            continue
        method, owner = name.split("'")[1], name.split("'")[3] if name.count("'") > 3 else ""
        group = TANTIVY_CALLS.get(method)
        if group is None or not owner.endswith(("Searcher", "SnippetGenerator")):
            continue
        out[group] = out.get(group, 0.0) + tottime
        if method == "search":
            searches += calls
    return out, searches


def profile_kind(client: Any, paths: list[str], rounds: int) -> dict[str, Any]:
    """CPU ms per search over ``rounds`` passes, then one profiled pass's tantivy times."""
    cpu0 = time.process_time()
    for _ in range(rounds):
        for path in paths:
            get_ok(client, path)
    cpu_ms = (time.process_time() - cpu0) * 1000 / (rounds * len(paths))
    profile = cProfile.Profile(time.process_time)  # CPU, not wall: the machine is shared
    profile.enable()
    for path in paths:
        get_ok(client, path)
    profile.disable()
    times, calls = tantivy_times(profile)
    per = {group: seconds * 1000 / len(paths) for group, seconds in times.items()}
    return {"cpu_ms": cpu_ms, "tantivy_ms": per, "search_calls": calls / len(paths)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a home with an index")
    parser.add_argument("--per-case", type=int, default=20, help="distinct searches per kind")
    parser.add_argument("--rounds", type=int, default=3, help="unprofiled passes per kind")
    parser.add_argument("--seed", type=int, default=1, help="the mix's seed (as api_load's)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if not (args.home / "index").is_dir():
        parser.error(f"no index in {args.home}")
    with tempfile.TemporaryDirectory(prefix="tidings-profile-") as tmp:
        client = app_client(args.home, Path(tmp))
        mix = api_load.search_mix(lambda path: get_ok(client, path), args.per_case, args.seed)
        for paths in mix.values():  # warm up: open the index, fill lazy caches, page cache
            for path in paths:
                get_ok(client, path)
        groups = sorted(set(TANTIVY_CALLS.values()))
        head = " ".join(f"{g:>18}" for g in groups)
        print(f"{'kind':30} {'CPU ms':>7} {'search calls':>12} {head}   (tantivy: ms a search)"
              f"   load {os.getloadavg()[0]:.1f}")  # fmt: skip
        results: dict[str, Any] = {}
        for kind, paths in mix.items():
            r = profile_kind(client, paths, args.rounds)
            results[kind] = r
            print(f"{kind:30} {r['cpu_ms']:7.2f} {r['search_calls']:12.2f} "
                  + " ".join(f"{r['tantivy_ms'].get(g, 0.0):18.2f}" for g in groups),
                  flush=True)  # fmt: skip
        mean = sum(r["cpu_ms"] for r in results.values()) / len(results)
        print(f"{'mix (kinds equally often)':30} {mean:7.2f}   load {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps({"kinds": results, "mix_cpu_ms": mean}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
