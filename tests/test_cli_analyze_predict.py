"""``khabar analyze`` and ``khabar predict`` end to end on real tiny models (in-process)."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from khabar.cli import main
from khabar.inference.corpus import _recover

ARTICLE = "أعلنت وزارة الاقتصاد عن خطة جديدة لدعم الشركات الصغيرة وزيادة الصادرات هذا العام"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _ant_rows(data_dir: Path, n: int) -> list[dict[str, Any]]:
    rows = []
    with gzip.open(data_dir / "topic/ant/test.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            r = json.loads(line)
            rows.append({"id": r["id"], "text": r["text"]})
            if len(rows) >= n:
                break
    return rows


# ----------------------------------------------------------------------------- help


def test_one_entry_point_with_help_on_each(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("train", "evaluate", "config", "analyze", "predict"):
        assert command in out
    for command in (["analyze"], ["predict"], ["train"], ["evaluate"], ["config", "check"]):
        with pytest.raises(SystemExit) as exit_info:
            main([*command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: khabar" in capsys.readouterr().out


def test_help_does_not_import_torch() -> None:
    code = (
        "import sys\nfrom khabar.cli import main\ntry:\n    main(['predict', '--help'])\n"
        "except SystemExit:\n    pass\nassert 'torch' not in sys.modules, 'torch imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


# ----------------------------------------------------------------------------- analyze


def test_analyze_a_scraped_page_with_every_model(
    capsys: pytest.CaptureFixture[str],
    tiny_topic_model: Path,
    tiny_stance_model: Path,
    tiny_summarizer_model: Path,
    examples_dir: Path,
) -> None:
    code, out, _ = _run(
        capsys,
        "analyze",
        str(examples_dir / "scraped_news_page.txt"),
        "--topic-model",
        str(tiny_topic_model),
        "--stance-model",
        str(tiny_stance_model),
        "--summary-model",
        str(tiny_summarizer_model),
        "--target",
        "مقترح وقف إطلاق النار",
        "--clean",
    )
    assert code == 0
    (record,) = [json.loads(line) for line in out.splitlines()]  # piped: one JSON line
    assert set(record) == {"id", "topic", "stance", "summary"}
    assert record["topic"]["label"] in {"culture", "economy", "politics", "sport", "technology"}
    assert record["stance"]["target"] == "مقترح وقف إطلاق النار"
    assert record["stance"]["label"] is not None
    assert isinstance(record["summary"]["text"], str)


def test_analyze_reads_windows_as_told(
    capsys: pytest.CaptureFixture[str], tiny_topic_model: Path, tmp_path: Path
) -> None:
    """--lead-weight and --max-windows reach the classifier: the command line gives the Python
    predictor's scores for the same settings."""
    from khabar import TopicClassifier

    # an economy lead, then sport: the lead weight changes the scores
    article = " ".join(
        [ARTICLE] * 3 + ["وفاز الفريق بالمباراة النهائية في الملعب أمام الجماهير"] * 60
    )
    page = tmp_path / "article.txt"
    page.write_text(article, encoding="utf-8")
    scores = []
    for weight in ("0", "1"):
        code, out, err = _run(
            capsys,
            "analyze",
            "--model",
            str(tiny_topic_model),
            str(page),
            "--lead-weight",
            weight,
            "--max-windows",
            "4",
        )
        assert code == 0, err
        (record,) = [json.loads(line) for line in out.splitlines()]
        expected = TopicClassifier.from_pretrained(
            tiny_topic_model, lead_weight=float(weight), max_windows=4
        ).predict(article)
        assert record["topic"]["label"] == expected.label
        assert record["topic"]["score"] == pytest.approx(expected.score, abs=1e-5)
        assert record["topic"]["n_windows"] == expected.n_windows > 1
        scores.append(record["topic"]["scores"])
    assert scores[0] != scores[1]


def test_analyze_jsonl_from_stdin_with_bad_lines(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tiny_topic_model: Path,
    tiny_stance_model: Path,
) -> None:
    lines = [
        json.dumps({"id": "a", "text": ARTICLE, "target": "الخطة"}, ensure_ascii=False).encode(),
        b"[1, 2]",
        json.dumps({"id": "b", "text": ""}).encode(),
        b"\xff\xfe not utf-8",
        json.dumps({"id": "c", "text": "English only"}).encode(),
    ]
    data = b"\n".join(lines) + b"\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    models = ["--topic-model", str(tiny_topic_model), "--stance-model", str(tiny_stance_model)]
    code, out, _ = _run(capsys, "analyze", "-", *models)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r.get("id") for r in rows] == ["a", None, "b", None, "c"]
    assert [r["line"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["topic"]["label"] and rows[0]["stance"]["target"] == "الخطة"
    assert rows[1]["error"] == "expected a JSON object, got array"
    assert rows[2]["topic"]["flags"] == ["empty"] and rows[2]["stance"]["flags"] == [
        "empty",
        "no_target",
    ]
    assert rows[3]["error"].startswith("not valid UTF-8")
    assert "no_arabic" in rows[4]["topic"]["flags"]
    assert "2 line(s) could not be analysed" in caplog.text


def test_analyze_plain_text_invalid_utf8_and_readable_output(
    capsys: pytest.CaptureFixture[str], tiny_topic_model: Path, tmp_path: Path
) -> None:
    page = tmp_path / "page.txt"
    page.write_bytes(ARTICLE.encode() + b"\n\xff\xfe\n" + ARTICLE.encode())
    code, out, _ = _run(capsys, "analyze", str(page), "--model", str(tiny_topic_model))
    assert code == 0
    record = json.loads(out)
    assert "invalid_utf8" in record["topic"]["flags"] and record["topic"]["label"]
    code, out, _ = _run(capsys, "analyze", str(page), "--model", str(tiny_topic_model), "--pretty")
    assert out.startswith("── article 1 ──") and "topic" in out and "invalid_utf8" in out


def test_analyze_reads_a_utf16_file_by_its_byte_order_mark(
    capsys: pytest.CaptureFixture[str], tiny_topic_model: Path, tmp_path: Path
) -> None:
    utf8, utf16 = tmp_path / "utf8.txt", tmp_path / "utf16.txt"
    utf8.write_bytes(ARTICLE.encode("utf-8-sig"))
    utf16.write_bytes(ARTICLE.encode("utf-16"))  # with its BOM, as Windows editors save it
    records = []
    for page in (utf8, utf16):
        code, out, err = _run(capsys, "analyze", str(page), "--model", str(tiny_topic_model))
        assert code == 0, err
        records.append(json.loads(out)["topic"])
    assert records[0]["flags"] == records[1]["flags"] == []
    assert records[0]["scores"] == records[1]["scores"]


def test_analyze_without_a_model_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "analyze", "-")
    assert code == 2 and "--model" in err


# ----------------------------------------------------------------------------- predict


def test_predict_topic_corpus_with_bad_rows(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    tiny_topic_model: Path,
    data_dir: Path,
    tmp_path: Path,
) -> None:
    rows = _ant_rows(data_dir, 40)
    huge = {"id": "huge", "text": (rows[0]["text"] + " ") * (5_000_000 // len(rows[0]["text"]) + 1)}
    raw_lines: list[bytes] = [json.dumps(r, ensure_ascii=False).encode() for r in rows[:20]]
    raw_lines += [
        b"\xff\xfe{}",  # 21 not UTF-8
        b'{"id": "x", "text": "unterminated}',  # 22 not JSON
        b'"just a string"',  # 23 not an object
        b'{"id": "no-text"}',  # 24 no text field
        b'{"id": 25, "text": 25}',  # 25 text not a string
        b"",  # 26 blank: skipped
        b'{"id": "empty", "text": "  "}',  # 27 empty: flagged row
        b'{"id": "en", "text": "no Arabic here"}',  # 28 no Arabic: flagged row
        json.dumps(huge, ensure_ascii=False).encode(),  # 29 5 MB article
    ]
    raw_lines += [json.dumps(r, ensure_ascii=False).encode() for r in rows[20:]]
    corpus = tmp_path / "corpus.jsonl.gz"
    with gzip.open(corpus, "wb") as handle:
        handle.write(b"\n".join(raw_lines) + b"\n")
    out = tmp_path / "preds.jsonl"
    args = [
        "predict",
        "--model",
        str(tiny_topic_model),
        "--input",
        str(corpus),
        "--output",
        str(out),
    ]
    code, _, err = _run(capsys, *args, "--chunk-size", "8", "--top-k", "2")
    assert code == 0, err
    preds = _jsonl(out)
    rejects = _jsonl(tmp_path / "preds.jsonl.rejects.jsonl")
    assert [p["line"] for p in preds] == sorted(p["line"] for p in preds)
    assert len(preds) == 40 + 3 and len(rejects) == 5
    assert {r["line"]: r["error"].split(" (")[0] for r in rejects} == {
        21: "not valid UTF-8",
        22: "malformed JSON: Unterminated string starting at",
        23: "expected a JSON object, got string",
        24: "missing field 'text'",
        25: "field 'text' must be a string, got number",
    }
    by_id = {p["id"]: p for p in preds}
    assert by_id["empty"]["label"] is None and by_id["empty"]["flags"] == ["empty"]
    assert "no_arabic" in by_id["en"]["flags"]
    assert {"oversized", "truncated_input"} <= set(by_id["huge"]["flags"])
    assert by_id[rows[0]["id"]]["label"] and len(by_id[rows[0]["id"]]["scores"]) == 2
    assert set(preds[0]) == {"line", "id", "label", "score", "scores", "flags", "n_windows"}
    # a complete run is not redone; another input (or option) into the same output is refused
    code, _, _ = _run(capsys, *args, "--top-k", "2")
    assert code == 0 and "complete already" in caplog.text
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"text": ARTICLE}, ensure_ascii=False) + "\n", encoding="utf-8")
    args[args.index(str(corpus))] = str(other)
    code, _, err = _run(capsys, *args)
    assert code == 2 and "--overwrite" in err
    code, _, _ = _run(capsys, *args, "--overwrite")
    assert code == 0 and len(_jsonl(out)) == 1


def test_predict_stance_and_summaries(
    capsys: pytest.CaptureFixture[str],
    tiny_stance_model: Path,
    tiny_summarizer_model: Path,
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "pairs.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {"id": 1, "text": ARTICLE, "target": "الخطة"},
                {"id": 2, "text": ARTICLE},
                {"id": 3, "text": ARTICLE, "target": 7},
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "stance.jsonl"
    base = ["predict", "--model", str(tiny_stance_model), "--input", str(corpus), "--no-progress"]
    assert _run(capsys, *base, "--output", str(out))[0] == 0
    assert [p["id"] for p in _jsonl(out)] == [1]
    errors = [r["error"] for r in _jsonl(tmp_path / "stance.jsonl.rejects.jsonl")]
    assert errors[0].startswith("missing field 'target'") and "--target" in errors[0]
    assert errors[1] == "field 'target' must be a string, got number"
    out2 = tmp_path / "stance2.jsonl"
    assert _run(capsys, *base, "--output", str(out2), "--target", "الاقتصاد")[0] == 0
    assert [(p["id"], p["target"]) for p in _jsonl(out2)] == [(1, "الخطة"), (2, "الاقتصاد")]
    summaries = tmp_path / "summaries.jsonl"
    code, _, _ = _run(
        capsys,
        "predict",
        "--model",
        str(tiny_summarizer_model),
        "--input",
        str(corpus),
        "--output",
        str(summaries),
        "--num-beams",
        "1",
    )
    assert code == 0
    rows = _jsonl(summaries)
    assert len(rows) == 3 and set(rows[0]) == {
        "line",
        "id",
        "summary",
        "truncated",
        "input_tokens",
        "flags",
    }


def test_recover_drops_a_half_written_line(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_bytes(b'{"line": 1, "id": "a"}\n{"line": 3, "id": "b"}\n{"line": 4, "i')
    assert _recover(path) == 3
    assert path.read_bytes().endswith(b'"b"}\n')
    path.write_bytes(b'{"line": 1, "i')
    assert _recover(path) == 0 and path.read_bytes() == b""
    assert _recover(tmp_path / "missing.jsonl") == 0


def test_analyze_and_predict_read_raw_html_pages(
    tiny_topic_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--html``: the main article is extracted from the page before the model reads it; the
    menu and the footer never reach the model."""
    from khabar.text import clean_html

    page = (
        '<html dir="rtl" lang="ar"><head><meta charset="utf-8"><title>خبر</title></head><body>'
        "<nav><ul><li>الرئيسية</li><li>سياسة</li><li>اقتصاد</li><li>رياضة</li></ul></nav>"
        f"<article><h1>خطة لدعم الشركات</h1><p>{ARTICLE}.</p><p>{ARTICLE} في المناطق كلها.</p>"
        "</article><footer>جميع الحقوق محفوظة 2024</footer></body></html>"
    )
    extracted = clean_html(page).text
    assert "وزارة الاقتصاد" in extracted and "جميع الحقوق" not in extracted
    source = tmp_path / "page.html"
    source.write_text(page, encoding="utf-8")
    code, out, _ = _run(
        capsys, "analyze", "--html", "--json", "--model", str(tiny_topic_model), str(source)
    )
    assert code == 0
    record = json.loads(out.splitlines()[0])
    assert record["topic"]["label"]

    corpus = tmp_path / "pages.jsonl"
    corpus.write_text(
        json.dumps({"id": "p1", "text": page}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    output = tmp_path / "preds.jsonl"
    code, _, _ = _run(
        capsys,
        "predict",
        "--html",
        "--model",
        str(tiny_topic_model),
        "--input",
        str(corpus),
        "--output",
        str(output),
        "--no-progress",
    )
    assert code == 0
    [row] = _jsonl(output)
    assert row["id"] == "p1" and row["label"]
