#!/usr/bin/env python
"""Score the scraped-page cleaner against the labelled Baly pages (boilerplate vs article spans).

    python scripts/evaluate_cleaner.py --data-dir ../shared/data \\
        --labels benchmarks/cleaner/baly_dev_labels.jsonl --before-rev 2414c02 --fit train,dev

prints, for the development and held-out parts of the labelled set and for both together:
boilerplate recall (characters, and spans at least 80 % removed), article-sentence retention,
article sentences lost, pages losing more than one, and article characters kept — for the page
left as it is, the cleaner before (``--before FILE`` or ``--before-rev REV``), the current
cleaner, and the current cleaner with site boilerplate fitted on the corpus (``--fit`` / ``--site``).
See benchmarks/cleaner/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from khabar.text import SiteBoilerplate, clean_article
from khabar.text.clean_eval import CleanerScore, evaluate_cleaner, load_labels, load_pages

_COLUMNS = (
    ("boilerplate_recall", "bp recall"),
    ("boilerplate_span_recall", "span recall"),
    ("article_sentence_retention", "retention"),
    ("article_sentences_lost", "lost"),
    ("pages_losing_more_than_one_sentence", "pages>1"),
    ("article_char_retention", "chars kept"),
)


def _module_cleaner(path: Path) -> Callable[[str], str]:
    """``clean_article`` of a cleaner kept as a file (e.g. an older version of clean.py)."""
    spec = importlib.util.spec_from_file_location("khabar_cleaner_under_test", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return lambda text: module.clean_article(text).text or text.strip()


def _cleaner_at_rev(rev: str) -> Callable[[str], str]:
    source = subprocess.run(
        ["git", "show", f"{rev}:src/khabar/text/clean.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="khabar-cleaner-"))
    path = folder / f"clean_{rev}.py"
    path.write_text(source, encoding="utf-8")
    return _module_cleaner(path)


def _corpus(data_dir: Path, dataset: str, splits: Sequence[str]) -> list[str]:
    pages: list[str] = []
    seen: set[str] = set()
    for split in splits:
        with gzip.open(data_dir / dataset / f"{split}.jsonl.gz", "rt", encoding="utf-8") as handle:
            for line in handle:
                text = json.loads(line).get("text") or ""
                if text and text not in seen:
                    seen.add(text)
                    pages.append(text)
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, type=Path, help="folder holding stance/baly")
    parser.add_argument("--labels", required=True, type=Path, help="labelled pages (JSON Lines)")
    parser.add_argument("--dataset", default="stance/baly", help="dataset folder in --data-dir")
    parser.add_argument("--before", type=Path, help="a clean.py to compare with (the old cleaner)")
    parser.add_argument("--before-rev", help="git revision whose clean.py is the old cleaner")
    parser.add_argument("--site", type=Path, help="a saved SiteBoilerplate to add to the cleaner")
    parser.add_argument(
        "--fit", help="fit a SiteBoilerplate on these comma-separated splits (e.g. train,dev)"
    )
    parser.add_argument("--min-pages", type=int, default=4, help="SiteBoilerplate.fit min_pages")
    parser.add_argument("--save-site", type=Path, help="save the fitted SiteBoilerplate here")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--show", type=int, default=0, help="list this many missed spans and every lost sentence"
    )
    args = parser.parse_args(argv)

    labels = load_labels(args.labels)
    texts = load_pages(args.data_dir, [page.id for page in labels], dataset=args.dataset)
    cleaners: dict[str, Callable[[str], str]] = {"none": lambda text: text}
    if args.before is not None:
        cleaners["before"] = _module_cleaner(args.before)
    elif args.before_rev:
        cleaners["before"] = _cleaner_at_rev(args.before_rev)
    cleaners["after"] = lambda text: clean_article(text).text or text.strip()
    site = None
    if args.site is not None:
        site = SiteBoilerplate.from_pretrained(args.site)
    elif args.fit:
        started = time.perf_counter()
        pages = _corpus(args.data_dir, args.dataset, args.fit.split(","))
        site = SiteBoilerplate.fit(pages, min_pages=args.min_pages)
        print(
            f"fitted site boilerplate on {len(pages)} pages of {args.fit}: {len(site)} runs "
            f"({time.perf_counter() - started:.0f}s)"
        )
        if args.save_site is not None:
            site.save_pretrained(args.save_site)
    if site is not None:
        fitted = site
        cleaners["after+site"] = lambda text: (
            clean_article(text, boilerplate=fitted).text or text.strip()
        )

    parts = {
        "dev": [page for page in labels if page.part != "test"],
        "test": [page for page in labels if page.part == "test"],
        "all": list(labels),
    }
    header = f"{'cleaner':<12} {'part':<5} {'pages':>5} " + " ".join(
        f"{title:>11}" for _, title in _COLUMNS
    )
    print(header)
    print("-" * len(header))
    results: dict[str, dict[str, dict[str, object]]] = {}
    scores: dict[str, CleanerScore] = {}
    for name, cleaner in cleaners.items():
        results[name] = {}
        for part, pages in parts.items():
            if not pages:
                continue
            score = evaluate_cleaner(cleaner, pages, texts)
            summary = score.summary()
            results[name][part] = summary
            if part == "all":
                scores[name] = score
            cells = " ".join(f"{summary[key]!s:>11}" for key, _ in _COLUMNS)
            print(f"{name:<12} {part:<5} {summary['pages']:>5} {cells}")
    if args.show:
        for name in [n for n in ("after", "after+site") if n in scores]:
            score = scores[name]
            print(f"\n{name}: boilerplate removed per family (chars)")
            for family, (total, removed) in score.by_family.items():
                print(f"  {family:<12} {removed:>6} / {total:<6} {removed / total:.2f}")
            missed = sorted(
                (
                    (page.id, start, end, family)
                    for page in score.pages
                    for start, end, family in page.missed
                ),
                key=lambda item: item[1] - item[2],
            )[: args.show]
            print(f"{name}: boilerplate spans left (largest first, offsets into the page)")
            for page_id, start, end, family in missed:
                print(f"  {page_id} [{start}:{end}] {family}")
            print(f"{name}: article sentences lost")
            for page in score.pages:
                for start, end in page.lost:
                    print(f"  {page.id} [{start}:{end}] {texts[page.id][start:end][:90]!r}")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
