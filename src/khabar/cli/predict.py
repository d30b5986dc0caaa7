"""``khabar analyze`` and ``khabar predict``: the inference sub-commands.

Module-level imports stay light (argparse only), so that ``khabar --help`` is fast; torch and
transformers are imported inside the handlers.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from khabar.inference.analyzer import NewsAnalyzer
    from khabar.inference.results import Analysis

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".json", ".json.gz")
ANALYZE_CHUNK = 64


# ----------------------------------------------------------------------------- shared options


def int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse ``type=``: an integer of at least ``minimum`` (else a clean usage error)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    parse.__name__ = f"integer >= {minimum}"
    return parse


def share(text: str) -> float:
    """An argparse ``type=``: a number from 0 to 1 (else a clean usage error)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _add_runtime_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("runtime")
    g.add_argument("--device", default="auto", help="auto (cuda, mps, cpu), cpu, cuda, cuda:N, mps")
    g.add_argument(
        "--batch-size", type=int_at_least(1), default=32, help="sequences per forward pass"
    )
    g.add_argument(
        "--quantize", action="store_true", help="dynamic int8 quantisation (CPU; faster)"
    )
    g.add_argument(
        "--compile",
        action="store_true",
        help="torch.compile the model: ~1.6x faster on large inputs after ~15 s of compiling",
    )
    g.add_argument(
        "--dtype",
        default="auto",
        choices=("auto", "float32", "bfloat16", "float16"),
        help="weights dtype; auto: bfloat16 where the hardware has it natively, bf16 autocast "
        "over float32 weights for classifiers on CPUs with AVX512-BF16 only, else float32",
    )
    g.add_argument(
        "--max-length", type=int_at_least(8), help="tokens per window (default: the model's)"
    )
    g.add_argument(
        "--stride", type=int_at_least(0), help="window overlap in tokens (default: the model's)"
    )
    g.add_argument(
        "--max-windows",
        type=int_at_least(0),
        help="windows read per text at most, 0 = all (default: the model's)",
    )
    g.add_argument(
        "--lead-weight",
        type=share,
        help="share of the first window (headline and lead) in a text's score, the rest the mean "
        "of all windows (default: the model's)",
    )
    g.add_argument(
        "--clean", action="store_true", help="inputs are scraped pages: main article only"
    )
    g.add_argument(
        "--html",
        action="store_true",
        help="inputs are raw HTML pages: extract the main article (trafilatura), then clean it",
    )
    g.add_argument(
        "--top-k", type=int_at_least(1), help="keep the K best labels in scores (default: all)"
    )
    g.add_argument(
        "--num-beams", type=int_at_least(1), help="summaries: beam count (default: the model's)"
    )
    g.add_argument(
        "--max-new-tokens",
        type=int_at_least(1),
        help="summaries: length limit (default: the model's)",
    )


def _load_kwargs(args: argparse.Namespace, device: Any = None) -> dict[str, Any]:
    return {
        "device": device if device is not None else args.device,
        "batch_size": args.batch_size,
        "quantize": args.quantize,
        "compile": args.compile,
        "dtype": args.dtype,
        "max_length": args.max_length,
        "stride": args.stride,
        "max_windows": args.max_windows,
        "lead_weight": args.lead_weight,
    }


@contextmanager
def _option_errors() -> Iterator[None]:
    """A reading setting the model refuses (``--max-length 100000`` over its positions) is an
    error about the option: ``--max-length: ...``."""
    from khabar.errors import ConfigError, OptionError
    from khabar.model_dir import READING_FIELDS

    try:
        yield
    except ConfigError as err:
        if err.file is None and err.key in READING_FIELDS:
            raise OptionError(f"--{err.key.replace('_', '-')}: {err.message}") from None
        raise


def _generate_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    out = {}
    if args.num_beams is not None:
        out["num_beams"] = args.num_beams
    if args.max_new_tokens is not None:
        out["max_new_tokens"] = args.max_new_tokens
    return out


# ----------------------------------------------------------------------------- analyze


def _build_analyzer(args: argparse.Namespace) -> NewsAnalyzer:
    from khabar.inference.analyzer import NewsAnalyzer

    kwargs = _load_kwargs(args)
    parts = {
        "topic": args.topic_model,
        "stance": args.stance_model,
        "summary": args.summary_model,
    }
    if not args.model and not any(parts.values()):
        from khabar.errors import KhabarError

        raise KhabarError(
            "no model: pass --model DIR (a model directory, or one holding topic/ stance/ "
            "summary/), or --topic-model / --stance-model / --summary-model"
        )
    with _option_errors():
        if args.model:
            base = NewsAnalyzer.from_pretrained(args.model, **kwargs)
            for name in ("topic", "stance", "summary"):
                if parts[name] is None:
                    parts[name] = getattr(base, name)
        return NewsAnalyzer(**parts, **kwargs)  # type: ignore[arg-type]


def _is_jsonl(args: argparse.Namespace, head: bytes) -> bool:
    """``--input-format``, else the file name, else: does the input start with ``{``?"""
    if args.input_format != "auto":
        return bool(args.input_format == "jsonl")
    name = str(args.file).lower()
    if name.endswith(JSONL_SUFFIXES):
        return True
    if name.endswith((".txt", ".text")):
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def _article_rows(args: argparse.Namespace, stream: Any, jsonl: bool) -> Iterator[Any]:
    """``(line, id, text, target)`` per article, or the reject of a line that cannot be read."""
    from khabar.inference.corpus import _Fields, parse_line

    if not jsonl:
        yield (1, None, stream.read(), args.target)
        return
    fields = _Fields(needs_target=False, fixed_target=args.target)
    for line, raw in enumerate(stream, start=1):
        item = parse_line(line, raw.rstrip(b"\r\n"), fields)
        if item is None:
            continue
        yield item if hasattr(item, "error") else (line, item.id, item.text, item.target)


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(value: Any) -> str:
    """``value`` as text that is safe on a terminal: control characters (ANSI escapes, line
    breaks), lone surrogates and bidi overrides are shown escaped (``\\x1b``), not obeyed."""
    import unicodedata

    text = str(value)
    if text.isprintable():
        return text
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs") or ch in _BIDI_CONTROLS:
            out.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def _format_analysis(index: int, rid: Any, analysis: Analysis) -> str:
    shown = f" · id {printable(rid)}" if rid is not None else ""
    lines = [f"── article {index}{shown} ──"]
    flags: list[str] = []
    for name, part in (("topic", analysis.topic), ("stance", analysis.stance)):
        if part is None:
            continue
        flags += [f for f in part.flags if f not in flags]
        if part.label is None:
            lines.append(f"{name:<8} —")
            continue
        others = " · ".join(f"{printable(k)} {v:.2f}" for k, v in list(part.scores.items())[1:4])
        extra = f"  ({others})" if others else ""
        target = printable(getattr(part, "target", ""))
        toward = f'  toward "{target}"' if name == "stance" else ""
        lines.append(f"{name:<8} {printable(part.label)} {part.score:.2f}{extra}{toward}")
    if analysis.summary is not None:
        flags += [f for f in analysis.summary.flags if f not in flags]
        lines.append(f"{'summary':<8} {printable(analysis.summary.text or '—')}")
    if flags:
        lines.append(f"{'flags':<8} {', '.join(flags)}")
    return "\n".join(lines)


def _record(rid: Any, line: int | None, analysis: Analysis, parts: list[str]) -> dict[str, Any]:
    data = analysis.to_dict()
    out: dict[str, Any] = {"id": rid}
    if line is not None:
        out["line"] = line
    out.update({k: data[k] for k in parts})
    return out


def json_line(record: dict[str, Any]) -> str:
    """One JSON line; a record no UTF-8 writer can encode (a lone surrogate) becomes the error
    row of its line instead of crashing the output."""
    from khabar.io import find_surrogate

    text = json.dumps(record, ensure_ascii=False)
    bad = find_surrogate(record)
    if bad is None:
        return text
    rid = record.get("id") if find_surrogate(record.get("id")) is None else None
    error = f"field '{bad}' holds a lone surrogate escape (such as \\ud800), not text"
    return json.dumps({"line": record.get("line"), "id": rid, "error": error}, ensure_ascii=False)


def cmd_analyze(args: argparse.Namespace) -> int:
    """Handler of ``khabar analyze``."""
    from khabar._logging import get_logger
    from khabar.inference.base import check_top_k
    from khabar.inference.corpus_files import _open_input
    from khabar.text.html import html_to_text

    logger = get_logger("cli")
    check_top_k(args.top_k)
    stream: Any = _open_input(args.file)  # a missing input fails before any model loads
    analyzer = _build_analyzer(args)
    analyzer.check_generation(**_generate_kwargs(args))
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream)
    jsonl = _is_jsonl(args, stream.peek(1 << 12))
    out: TextIO = sys.stdout
    readable = (out.isatty() and not args.json) or args.pretty
    parts = analyzer.parts
    generate = _generate_kwargs(args)
    errors = 0
    count = 0

    def emit(batch: list[Any]) -> None:
        nonlocal count, errors
        rows = [b for b in batch if not hasattr(b, "error")]
        texts = [b[2] for b in rows]
        results = iter(
            analyzer.predict(
                html_to_text(texts) if args.html else texts,
                [b[3] for b in rows] if analyzer.stance is not None else None,
                clean=args.clean,
                top_k=args.top_k,
                **generate,
            )
            if rows
            else []
        )
        for item in batch:
            if hasattr(item, "error"):  # a line that could not be read: reported in place
                errors += 1
                logger.warning("line %d: %s", item.line, item.error)
                if not readable:
                    error = {"line": item.line, "id": item.id, "error": item.error}
                    print(json_line(error), file=out)
                continue
            line, rid, _, _ = item
            analysis = next(results)
            count += 1
            if readable:
                print(_format_analysis(count, rid, analysis), file=out)
            else:
                record = _record(rid, line if jsonl else None, analysis, parts)
                print(json_line(record), file=out)
        out.flush()

    batch: list[Any] = []
    for item in _article_rows(args, stream, jsonl):
        batch.append(item)
        if len(batch) >= ANALYZE_CHUNK:
            emit(batch)
            batch = []
    if batch:
        emit(batch)
    if errors:
        logger.warning("%d line(s) could not be analysed (see the error rows)", errors)
    return 0


# ----------------------------------------------------------------------------- predict


def cmd_predict(args: argparse.Namespace) -> int:
    """Handler of ``khabar predict``."""
    from pathlib import Path

    from khabar.inference.base import resolve_model_dir
    from khabar.inference.classifier import StanceDetector, TopicClassifier
    from khabar.inference.corpus import Distributed, predict_corpus
    from khabar.inference.corpus_files import check_output_paths, rejects_path
    from khabar.inference.summarizer import Summarizer
    from khabar.io import check_input_file
    from khabar.model_dir import ModelMeta

    # what cannot work is refused before the model loads
    output = Path(args.output)
    check_output_paths(output, rejects_path(output, args.rejects), args.input)
    check_input_file(args.input)
    dist = Distributed.from_environment(cpu=True if args.device == "cpu" else None)
    device: Any = dist.device if (dist.world_size > 1 and args.device == "auto") else None
    root = resolve_model_dir(args.model)
    task = ModelMeta.load(root).task
    cls = {"topic": TopicClassifier, "stance": StanceDetector, "summarization": Summarizer}.get(
        task
    )
    if cls is None:
        from khabar.errors import ModelDirError

        raise ModelDirError(f"'{root}': unknown task '{task}' in khabar_config.json")
    with _option_errors():
        predictor = cls.from_pretrained(root, **_load_kwargs(args, device))
    stats = predict_corpus(
        predictor,
        args.input,
        args.output,
        rejects_path=args.rejects,
        chunk_size=args.chunk_size,
        text_field=args.text_field,
        id_field=args.id_field,
        target_field=args.target_field,
        target=args.target,
        clean=args.clean,
        html=args.html,
        top_k=args.top_k,
        generate_kwargs=_generate_kwargs(args),
        overwrite=args.overwrite,
        progress=not args.no_progress,
        distributed=dist,
    )
    if dist.is_main and not stats.already_complete:
        print(
            f"predictions → {stats.output}, rejects → {stats.rejects}"
            + (
                f" (resumed after line {stats.resumed_after_line})"
                if stats.resumed_after_line
                else ""
            ),
            file=sys.stderr,
        )
    return 0


# ----------------------------------------------------------------------------- parsers


def add_analyze(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "analyze",
        help="topic, stance and summary of articles (plain text or JSONL)",
        description=(
            "Analyse one article (plain text) or many (JSONL with 'text', optional 'id' and "
            "'target'). Readable output on a terminal, JSON lines when piped."
        ),
    )
    p.add_argument("file", nargs="?", default="-", help="input file, or - for stdin (default)")
    g = p.add_argument_group("models")
    g.add_argument(
        "--model", help="a model directory, or one holding topic/ stance/ summary/ sub-directories"
    )
    g.add_argument("--topic-model", help="topic model directory or Hub id")
    g.add_argument("--stance-model", help="stance model directory or Hub id")
    g.add_argument("--summary-model", help="summarisation model directory or Hub id")
    p.add_argument("--target", help="stance target (for rows without one, or for plain text)")
    p.add_argument(
        "--input-format", choices=("auto", "text", "jsonl"), default="auto", help="default: guess"
    )
    p.add_argument("--json", action="store_true", help="JSON lines even on a terminal")
    p.add_argument("--pretty", action="store_true", help="readable output even when piped")
    _add_runtime_options(p)
    p.set_defaults(handler=cmd_analyze)


def add_predict(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "predict",
        help="predict over a JSONL(.gz) corpus: streaming, resumable, with a reject file",
        description=(
            "Stream a JSONL(.gz) corpus through one model into a JSONL file, in input order. "
            "Rerun the same command after an interruption to continue where it stopped. Under "
            "`accelerate launch` the input is split across the processes and merged in order."
        ),
    )
    p.add_argument("--model", required=True, help="model directory or Hub id (task auto-detected)")
    p.add_argument("--input", required=True, help="JSONL or JSONL.gz input, or - for stdin")
    p.add_argument("--output", required=True, help="JSONL output (appended to when resuming)")
    p.add_argument("--rejects", help="reject file (default: OUTPUT.rejects.jsonl)")
    p.add_argument(
        "--chunk-size",
        type=int_at_least(1),
        default=256,
        help="rows read and predicted together",
    )
    p.add_argument("--text-field", default="text")
    p.add_argument("--id-field", default="id")
    p.add_argument("--target-field", default="target")
    p.add_argument("--target", help="stance target for rows without one")
    p.add_argument("--overwrite", action="store_true", help="start again instead of resuming")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_runtime_options(p)
    p.set_defaults(handler=cmd_predict)
