"""The inference library on real tiny models (trained by the session fixtures): no mocks."""

from __future__ import annotations

import contextlib
import gzip
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from khabar.errors import ModelDirError
from khabar.inference import (
    FLAGS,
    Analysis,
    ClassificationResult,
    NewsAnalyzer,
    SequenceClassifier,
    StanceDetector,
    StanceResult,
    Summarizer,
    SummaryResult,
    TopicClassifier,
    resolve_device,
)
from khabar.reading.windows import WindowSettings, classify_logits, encode_windows, softmax
from khabar.text import clean_article

SHORT_ARABIC = [
    "فاز المنتخب بالمباراة النهائية",
    "ارتفعت أسعار النفط في الأسواق العالمية",
    "التقى الرئيس بوزير الخارجية",
    "أطلقت الشركة هاتفا ذكيا جديدا",
    "افتتح مهرجان السينما في القاهرة",
]


def _articles(data_dir: Path, n: int, path: str = "topic/ant/test.jsonl.gz") -> list[dict]:
    rows = []
    with gzip.open(data_dir / path, "rt", encoding="utf-8") as handle:
        for line in handle:
            rows.append(json.loads(line))
            if len(rows) >= n:
                break
    return rows


@pytest.fixture(scope="module")
def topic(tiny_topic_model: Path) -> TopicClassifier:
    # float32: the numbers are compared with khabar.reading.windows / transformers' own float32 runs
    return TopicClassifier.from_pretrained(
        tiny_topic_model, device="cpu", batch_size=8, dtype="float32"
    )


@pytest.fixture(scope="module")
def stance(tiny_stance_model: Path) -> StanceDetector:
    return StanceDetector.from_pretrained(tiny_stance_model, device="cpu", dtype="float32")


@pytest.fixture(scope="module")
def summarizer(tiny_summarizer_model: Path) -> Summarizer:
    return Summarizer.from_pretrained(tiny_summarizer_model, device="cpu", batch_size=4)


@pytest.fixture(scope="module")
def articles(data_dir: Path) -> list[str]:
    return [r["text"] for r in _articles(data_dir, 24)]


# ----------------------------------------------------------------------------- topic


def test_predict_one_and_many(topic: TopicClassifier, articles: list[str]) -> None:
    one = topic.predict(articles[0])
    assert isinstance(one, ClassificationResult)
    assert one.label in topic.labels and one.ok
    assert list(one.scores) == sorted(one.scores, key=one.scores.__getitem__, reverse=True)
    assert set(one.scores) == set(topic.labels)
    assert sum(one.scores.values()) == pytest.approx(1.0, abs=1e-4)
    assert one.score == one.scores[one.label]
    many = topic.predict(articles)
    assert isinstance(many, list) and len(many) == len(articles)
    assert many[0].label == one.label and many[0].score == pytest.approx(one.score, abs=1e-5)
    top2 = topic.predict(articles[:3], top_k=2)
    assert all(len(r.scores) == 2 for r in top2)
    assert topic.predict([]) == []


def test_results_come_back_in_input_order(topic: TopicClassifier, articles: list[str]) -> None:
    # mixed lengths: the batches are sorted by length inside, the results must not be
    texts = [articles[3], SHORT_ARABIC[0], articles[7][:200], articles[1], SHORT_ARABIC[2]]
    together = topic.predict(texts)
    alone = [topic.predict(t) for t in texts]
    for a, b in zip(together, alone):
        assert a.label == b.label
        assert a.scores == pytest.approx(b.scores, abs=1e-4)
        assert a.n_windows == b.n_windows


def test_predict_proba(topic: TopicClassifier, articles: list[str]) -> None:
    probs = topic.predict_proba([*articles[:4], ""])
    assert probs.shape == (5, len(topic.labels))
    assert np.allclose(probs[:4].sum(axis=1), 1.0, atol=1e-4)
    assert np.isnan(probs[4]).all()  # empty text: no prediction
    labels = [topic.labels[i] for i in probs[:4].argmax(axis=1)]
    assert labels == [r.label for r in topic.predict(articles[:4])]


def test_long_articles_use_the_evaluation_windowing(
    topic: TopicClassifier, articles: list[str]
) -> None:
    """Same numbers as khabar.reading.windows.classify_logits on the preprocessed text."""
    settings = WindowSettings(topic.max_length, topic.stride, topic.max_windows)
    prepared = [topic.preprocessor(t) for t in articles[:6]]
    expected = softmax(classify_logits(topic.model, topic.tokenizer, prepared, settings=settings))
    assert np.allclose(topic.predict_proba(articles[:6]), expected, atol=1e-5)
    results = topic.predict(articles[:6])
    _, owners = encode_windows(
        topic.tokenizer, prepared, None, WindowSettings(topic.max_length, topic.stride, 0)
    )
    totals = np.bincount(owners, minlength=6)
    for result, total in zip(results, totals):
        assert result.n_windows == min(total, topic.max_windows)
        assert ("truncated_input" in result.flags) == (total > topic.max_windows)
    assert any("truncated_input" in r.flags for r in results)  # real articles are long


def test_count_windows_matches_the_tokenizer_overflow(
    stance: StanceDetector, data_dir: Path
) -> None:
    rows = _articles(data_dir, 30, "stance/ans/test.jsonl.gz")
    texts = [stance.preprocessor(r["text"]) for r in rows]
    targets = [stance.preprocessor(r["target"]) for r in rows]
    narrow = StanceDetector(
        stance.model, stance.tokenizer, meta=stance.meta, max_length=24, stride=4, max_windows=0
    )
    targets = [narrow._prepare_target(t).text for t in targets]
    _, owners = encode_windows(narrow.tokenizer, texts, targets, WindowSettings(24, 4, 0))
    assert narrow.count_windows(texts, targets) == np.bincount(owners, minlength=30).tolist()


def test_saved_preprocessing_is_applied(topic: TopicClassifier) -> None:
    raw = "أَعْلَنَتْ الحكومةُ عن خطةٍ اقتصاديةٍ جديدة لدعم الاستثمار ١٢٣ https://example.com/x"
    normalised = topic.preprocessor(raw)
    assert normalised != raw
    a, b = topic.predict([raw, normalised])
    assert a.scores == pytest.approx(b.scores, abs=1e-6)


def test_same_labels_as_a_plain_transformers_pipeline(
    topic: TopicClassifier, tiny_topic_model: Path, articles: list[str]
) -> None:
    from transformers import pipeline

    short = [*SHORT_ARABIC, *(a[:150] for a in articles[:10])]
    pipe = pipeline("text-classification", model=str(tiny_topic_model), device="cpu")
    # the pipeline knows nothing of khabar's preprocessing: give it the preprocessed text
    expected = [out["label"] for out in pipe([topic.preprocessor(t) for t in short])]
    results = topic.predict(short)
    assert all(r.n_windows == 1 for r in results)
    assert [r.label for r in results] == expected


def test_clean_reads_the_main_article_only(topic: TopicClassifier, examples_dir: Path) -> None:
    page = (examples_dir / "scraped_news_page.txt").read_text(encoding="utf-8")
    main = clean_article(page).text
    assert len(main) < len(page)
    cleaned = topic.predict(page, clean=True)
    assert cleaned.scores == pytest.approx(topic.predict(main).scores, abs=1e-6)


# ----------------------------------------------------------------------------- bad input


def test_bad_inputs_get_defined_outcomes(topic: TopicClassifier, articles: list[str]) -> None:
    huge = (articles[0] + "\n") * (5_000_000 // len(articles[0]) + 1)
    assert len(huge) > 5_000_000
    inputs = [
        "",
        "   \n\t ",
        None,
        "Breaking news: markets rallied today.",
        "12345 !!! ???",
        "مرحبا".encode() + b"\xff\xfe",
        huge,
        articles[1],
    ]
    start = time.perf_counter()
    results = topic.predict(inputs)
    assert time.perf_counter() - start < 30
    assert len(results) == len(inputs)
    for r in results[:3]:
        assert r.label is None and r.score == 0.0 and r.scores == {} and r.flags == ("empty",)
        assert not r.ok
    for r in results[3:5]:
        assert r.label in topic.labels and "no_arabic" in r.flags
    assert results[5].label is not None and "invalid_utf8" in results[5].flags
    assert {"oversized", "truncated_input"} <= set(results[6].flags)
    assert results[6].n_windows == topic.max_windows
    assert results[7].label is not None and "empty" not in results[7].flags
    assert all(set(r.flags) <= set(FLAGS) for r in results)
    with pytest.raises(TypeError, match="input 1 is a int"):
        topic.predict(["نص", 5])  # type: ignore[list-item]


def test_text_that_preprocessing_empties_is_flagged_empty(topic: TopicClassifier) -> None:
    only_marks = "\u064e\u064f\u0650\u0640\u200b"  # diacritics, tatweel, zero-width space
    result = topic.predict(only_marks)
    assert result.flags == ("empty",) and result.label is None


def test_tables_arrays_and_missing_values(topic: TopicClassifier) -> None:
    import pandas as pd

    texts = ["فاز المنتخب بالمباراة", "ارتفعت أسعار النفط"]
    frame = pd.DataFrame({"text": texts})
    with pytest.raises(TypeError, match=r"texts: got a 2-dimensional DataFrame; pass one column"):
        topic.predict(frame)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="2-dimensional ndarray"):
        topic.predict(np.array([texts, texts]))  # type: ignore[call-overload]
    by_column = topic.predict(frame["text"])
    assert [r.label for r in by_column] == [r.label for r in topic.predict(texts)]
    # pandas' and numpy's missing values are empty inputs, as None is
    gaps = topic.predict(pd.Series([texts[0], np.nan, pd.NA, None], dtype=object))
    assert [r.flags for r in gaps[1:]] == [("empty",)] * 3 and gaps[0].label is not None
    assert topic.predict(float("nan")).flags == ("empty",)  # type: ignore[call-overload]
    # one value in a 0-d array, or as a memoryview of UTF-8 bytes, is one text
    one = topic.predict(np.array(texts[0]))  # type: ignore[call-overload]
    assert isinstance(one, ClassificationResult) and one.scores == topic.predict(texts[0]).scores
    view = topic.predict(memoryview(texts[0].encode()))  # type: ignore[call-overload]
    assert isinstance(view, ClassificationResult) and view.label == one.label


def test_flags_judge_the_text_as_given(topic: TopicClassifier) -> None:
    # links and mentions become Arabic placeholder words in preprocessing: still no Arabic given
    for text in ("@user", "https://example.com/path", "user@example.com"):
        assert "no_arabic" in topic.predict(text).flags, text
    # invisible characters only: nothing to read
    for text in ("\u200b\u200c\u200d\ufeff", "\x00\x00", "\u200f \u200e"):
        result = topic.predict(text)
        assert result.flags == ("empty",) and result.label is None, repr(text)
    assert "no_arabic" not in topic.predict("خبر عاجل https://example.com").flags


def test_loading_options_are_checked_before_the_model_loads(
    tiny_topic_model: Path, tmp_path: Path
) -> None:
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'max_lenght' .*'max_length'"):
        TopicClassifier.from_pretrained(tiny_topic_model, max_lenght=64)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"'devcie' .*'device'"):
        NewsAnalyzer(topic=tiny_topic_model, devcie="cpu")
    a_file = tmp_path / "model.py"
    a_file.write_text("x = 1\n")
    with pytest.raises(ModelDirError, match="is a file, not a model directory"):
        TopicClassifier.from_pretrained(a_file)
    with pytest.raises(ModelDirError, match="is a file, not a model directory"):
        NewsAnalyzer.from_pretrained(a_file)
    with pytest.raises(ModelDirError, match="does not exist"):
        NewsAnalyzer.from_pretrained(tmp_path / "missing")
    with pytest.raises(TypeError, match=r"SequenceClassifier is the shared base .*TopicClassifier"):
        SequenceClassifier.from_pretrained(tiny_topic_model)


# ----------------------------------------------------------------------------- stance


def test_stance_targets_of_every_kind(stance: StanceDetector) -> None:
    import pandas as pd

    texts = ["قالت الوزارة إن الخبر غير صحيح", "أكد المتحدث صحة الخبر"]
    target = "الخبر صحيح"
    as_str = stance.predict(texts, target)
    as_bytes = stance.predict(texts, target.encode())
    assert [r.scores for r in as_bytes] == [r.scores for r in as_str]
    assert all(r.target == target for r in as_bytes)
    series = stance.predict(texts, pd.Series([target, np.nan]))
    assert series[0].scores == pytest.approx(as_str[0].scores, abs=1e-6)  # batched alone
    assert series[1].flags == ("no_target",)
    with pytest.raises(TypeError, match="target: got a dict"):
        stance.predict(texts, {"a": 1, "b": 2})  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="target 1 is a int"):
        stance.predict(texts, [target, 7])  # type: ignore[list-item]


def test_stance_with_one_target_or_one_per_text(stance: StanceDetector, data_dir: Path) -> None:
    rows = _articles(data_dir, 6, "stance/ans/test.jsonl.gz")
    texts = [r["text"] for r in rows]
    targets = [r["target"] for r in rows]
    each = stance.predict(texts, targets)
    assert all(isinstance(r, StanceResult) and r.label in stance.labels for r in each)
    assert [r.target for r in each] == targets
    shared = stance.predict(texts, targets[0])
    assert all(r.target == targets[0] for r in shared)
    assert shared[0].scores == pytest.approx(each[0].scores, abs=1e-6)
    one = stance.predict(texts[0], targets[0])
    assert isinstance(one, StanceResult) and one.label == each[0].label
    assert stance.predict_proba(texts, targets).shape == (6, len(stance.labels))


def test_stance_bad_targets(stance: StanceDetector) -> None:
    text = "قالت الوزارة إن الخبر غير صحيح"
    missing, empty, ok = stance.predict([text, text, text], [None, "  ", "الخبر صحيح"])
    assert missing.flags == ("no_target",) and missing.label is None
    assert empty.flags == ("no_target",) and empty.label is None
    assert ok.label is not None
    long_target = " ".join(["هدف"] * 500)
    result = stance.predict(text, long_target)
    assert "truncated_target" in result.flags and result.label is not None
    with pytest.raises(TypeError, match="target"):
        stance.predict(text)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="needs a target"):
        stance.predict(text, None)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="2 targets for 3 texts"):
        stance.predict([text] * 3, ["a", "b"])


# ----------------------------------------------------------------------------- loading


def test_loading_rules(tiny_topic_model: Path, tiny_stance_model: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelDirError, match="StanceDetector"):
        TopicClassifier.from_pretrained(tiny_stance_model)
    with pytest.raises(ModelDirError, match="does not exist"):
        TopicClassifier.from_pretrained(tmp_path / "nothing-here")
    with pytest.raises(ModelDirError, match="Offline"):
        TopicClassifier.from_pretrained("khabar-test/no-such-model")
    # pickle weights only: refused, with the way out
    pickled = tmp_path / "pickled"
    shutil.copytree(tiny_topic_model, pickled, ignore=shutil.ignore_patterns("checkpoints"))
    (pickled / "model.safetensors").rename(pickled / "pytorch_model.bin")
    with pytest.raises(ModelDirError, match="convert-weights"):
        TopicClassifier.from_pretrained(pickled)
    # remote code is never run
    remote = tmp_path / "remote"
    shutil.copytree(tiny_topic_model, remote, ignore=shutil.ignore_patterns("checkpoints"))
    sentinel = tmp_path / "remote-code-ran"
    (remote / "evil.py").write_text(f"open({str(sentinel)!r}, 'w').write('x')\n")
    config = json.loads((remote / "config.json").read_text())
    config["auto_map"] = {"AutoModelForSequenceClassification": "evil.Model"}
    (remote / "config.json").write_text(json.dumps(config))
    with contextlib.suppress(ModelDirError):
        TopicClassifier.from_pretrained(remote)
    assert not sentinel.exists()


def test_overrides_and_device(tiny_topic_model: Path, articles: list[str]) -> None:
    assert resolve_device("auto").type in ("cpu", "cuda", "mps")
    assert resolve_device("cpu").type == "cpu"
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            resolve_device("cuda")
    narrow = TopicClassifier.from_pretrained(
        tiny_topic_model, max_length=32, stride=8, max_windows=2
    )
    assert narrow.max_length == 32 and narrow.window_settings.max_windows == 2
    assert narrow.predict(articles[0]).n_windows == 2
    with pytest.raises(ValueError, match="positions"):
        TopicClassifier.from_pretrained(tiny_topic_model, max_length=100_000)
    with pytest.raises(ValueError, match="stride"):
        TopicClassifier.from_pretrained(tiny_topic_model, stride=60)


def test_dtypes(tiny_topic_model: Path, topic: TopicClassifier, articles: list[str]) -> None:
    import torch

    from khabar.device import native_bf16, resolve_dtype

    cpu = torch.device("cpu")
    assert resolve_dtype("auto", cpu) == (torch.bfloat16 if native_bf16(cpu) else torch.float32)
    assert resolve_dtype("fp32", cpu) == torch.float32
    with pytest.raises(ValueError, match="unknown dtype"):
        resolve_dtype("int4", cpu)
    bf16 = TopicClassifier.from_pretrained(tiny_topic_model, device="cpu", dtype="bfloat16")
    assert bf16.model.dtype == torch.bfloat16
    fp32 = topic.predict_proba(articles[:12])
    assert np.abs(bf16.predict_proba(articles[:12]) - fp32).max() < 0.05


def test_bf16_autocast_where_fast_agrees_with_float32(
    tiny_topic_model: Path, topic: TopicClassifier, articles: list[str]
) -> None:
    """``dtype="auto"`` on a CPU with AVX512-BF16 but no AMX: float32 weights under bf16
    autocast, the labels float32 gives on real articles wherever float32 is decided."""
    import torch

    from khabar.device import fast_bf16_autocast, native_bf16, resolve_precision

    cpu = torch.device("cpu")
    precision = resolve_precision("auto", cpu)
    if native_bf16(cpu):
        assert precision == type(precision)(torch.bfloat16, None)
    elif fast_bf16_autocast(cpu):
        assert precision == type(precision)(torch.float32, torch.bfloat16)
    else:
        assert precision == type(precision)(torch.float32, None)
    assert resolve_precision("float32", cpu).autocast is None
    if not fast_bf16_autocast(cpu):
        pytest.skip("this CPU has neither AVX512-BF16 nor AMX: bf16 autocast is emulated here")
    casted = TopicClassifier.from_pretrained(
        tiny_topic_model, device="cpu", batch_size=8, dtype="float32"
    )
    casted.autocast = torch.bfloat16
    fp32 = topic.predict_proba(articles)
    bf16 = casted.predict_proba(articles)
    assert np.abs(bf16 - fp32).max() < 0.05
    top2 = np.sort(fp32, axis=1)[:, -2:]
    decided = top2[:, 1] - top2[:, 0] > 0.05
    assert decided.sum() >= len(articles) // 2
    assert (bf16.argmax(1)[decided] == fp32.argmax(1)[decided]).all()


def test_int8_quantisation(
    tiny_topic_model: Path, topic: TopicClassifier, articles: list[str]
) -> None:
    q = TopicClassifier.from_pretrained(tiny_topic_model, device="cpu", quantize=True)
    assert "quantized" in type(q.model.classifier).__module__
    fp32 = topic.predict_proba(articles[:12])
    int8 = q.predict_proba(articles[:12])
    assert np.abs(fp32 - int8).max() < 0.1


@pytest.mark.slow
def test_compiled_model_predicts_what_the_eager_one_does(
    tiny_topic_model: Path, topic: TopicClassifier, articles: list[str]
) -> None:
    compiled = TopicClassifier.from_pretrained(
        tiny_topic_model, device="cpu", dtype="float32", batch_size=8, compile=True
    )
    assert type(compiled.model).__name__ == "OptimizedModule"
    assert compiled.labels == topic.labels  # attributes still reach the wrapped model
    eager = topic.predict_proba(articles[:12])
    assert np.abs(compiled.predict_proba(articles[:12]) - eager).max() < 1e-3


def test_compile_and_quantize_are_refused_together(tiny_topic_model: Path) -> None:
    with pytest.raises(ValueError, match="compile=True and quantize=True"):
        TopicClassifier.from_pretrained(tiny_topic_model, device="cpu", quantize=True, compile=True)


# ----------------------------------------------------------------------------- summaries


def test_summarizer(summarizer: Summarizer, data_dir: Path) -> None:
    texts = [r["text"] for r in _articles(data_dir, 5, "summarization/saudinewsnet/test.jsonl.gz")]
    one = summarizer.predict(texts[0])
    # the tiny model's summaries may be empty strings; they are still its summaries
    assert isinstance(one, SummaryResult) and isinstance(one.text, str)
    assert one.input_tokens > 0 and "empty" not in one.flags
    many = summarizer.predict([texts[0], "", texts[1], "قصير"])
    assert many[0] == one  # same article, same summary, in input order
    assert many[1] == SummaryResult("", False, 0, ("empty",))
    assert many[3].truncated is False and many[3].input_tokens < summarizer.max_length
    long = summarizer.predict(" ".join(texts * 3))
    assert long.truncated and "truncated_input" in long.flags
    assert long.input_tokens > summarizer.max_length
    short = summarizer.predict(texts[0], max_new_tokens=3, num_beams=1)
    assert len(summarizer.tokenizer(short.text, add_special_tokens=False)["input_ids"]) <= 4
    assert summarizer.generation_config.num_beams == 2  # saved settings are the default
    for result in many:  # an empty summary of a usable article says so
        assert ("empty_output" in result.flags) == (result.text == "" and result.input_tokens > 0)
    eos = summarizer.tokenizer.eos_token_id
    nothing = summarizer.predict(  # end of sequence forced as the first token
        texts[0], max_new_tokens=1, min_new_tokens=0, num_beams=1, forced_eos_token_id=eos
    )
    assert nothing.text == "" and "empty_output" in nothing.flags and "empty" not in nothing.flags


def test_generation_settings_are_checked_before_any_article(summarizer: Summarizer) -> None:
    from khabar.errors import OptionError

    text = "قال الوزير إن الحكومة ستخفض الضرائب العام المقبل"
    bad: list[tuple[dict[str, object], str]] = [
        ({"num_beam": 2}, "unknown generation setting.*'num_beams'"),
        ({"bogus_option": 3}, "unknown generation setting"),
        ({"input_ids": [1, 2]}, "unknown generation setting"),
        ({"do_sample": True, "temperature": 0.0}, "temperature must be above 0"),
        ({"length_penalty": "x"}, "length_penalty must be a number"),
        ({"max_new_tokens": 1, "min_new_tokens": 2}, "below min_new_tokens 2"),
        ({"max_length": 0}, "max_length must be an integer of at least 1"),
    ]
    for settings, message in bad:
        with pytest.raises(OptionError, match=message):
            summarizer.predict(text, **settings)
    with pytest.raises(OptionError, match="num_beams"):
        summarizer.predict("", num_beams=0)  # refused even when no article is usable
    # numpy integers are integers
    assert summarizer.predict(text, num_beams=np.int64(1)) == summarizer.predict(text, num_beams=1)


# ----------------------------------------------------------------------------- analyzer


def test_news_analyzer_checks_arguments_before_running(
    tiny_topic_model: Path, tiny_stance_model: Path
) -> None:
    from khabar.errors import OptionError

    analyzer = NewsAnalyzer(topic=tiny_topic_model, stance=tiny_stance_model, device="cpu")
    assert analyzer.topic is not None

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the topic model ran before the arguments were checked")

    analyzer.topic.predict = must_not_run  # type: ignore[method-assign,assignment]
    texts = ["نص أول", "نص ثان", "نص ثالث"]
    with pytest.raises(ValueError, match="2 targets for 3 texts"):
        analyzer.predict(texts, ["أ", "ب"])
    with pytest.raises(OptionError, match="top_k"):
        analyzer.predict(texts, "هدف", top_k=0)
    with pytest.raises(OptionError, match="no summary model"):
        analyzer.predict(texts, "هدف", num_beams=2)


def test_news_analyzer(
    tiny_topic_model: Path,
    tiny_stance_model: Path,
    tiny_summarizer_model: Path,
    tmp_path: Path,
    examples_dir: Path,
) -> None:
    root = tmp_path / "models"
    root.mkdir()
    for sub, model in (
        ("topic", tiny_topic_model),
        ("stance", tiny_stance_model),
        ("summary", tiny_summarizer_model),
    ):
        (root / sub).symlink_to(model, target_is_directory=True)
    analyzer = NewsAnalyzer.from_pretrained(root, device="cpu")
    assert analyzer.parts == ["topic", "stance", "summary"]
    page = (examples_dir / "scraped_news_page.txt").read_text(encoding="utf-8")
    result = analyzer.predict(page, "مقترح وقف إطلاق النار", clean=True)
    assert isinstance(result, Analysis)
    assert result.topic is not None and result.topic.label is not None
    assert result.stance is not None and result.stance.target == "مقترح وقف إطلاق النار"
    assert result.summary is not None and isinstance(result.summary.text, str)
    assert result.topic.scores == pytest.approx(
        analyzer.topic.predict(clean_article(page).text).scores,
        abs=1e-6,  # type: ignore[union-attr]
    )
    data = result.to_dict()
    assert set(data) == {"topic", "stance", "summary"}
    json.dumps(data)
    # no target: the stance part says so, the others still answer
    two = analyzer.predict(["نص أول عن الاقتصاد", ""])
    assert two[0].stance is not None and two[0].stance.flags == ("no_target",)
    assert two[0].topic is not None and two[0].topic.label is not None
    assert two[1].topic is not None and two[1].topic.flags == ("empty",)
    only_topic = NewsAnalyzer.from_pretrained(tiny_topic_model)
    assert only_topic.parts == ["topic"] and only_topic.predict("نص").stance is None
    with pytest.raises(ValueError, match="at least one"):
        NewsAnalyzer()
    with pytest.raises(ModelDirError, match="holds no khabar model"):
        NewsAnalyzer.from_pretrained(tmp_path)


def test_import_khabar_stays_light() -> None:
    code = (
        "import sys, khabar; assert 'torch' not in sys.modules, 'torch imported'; "
        "assert 'transformers' not in sys.modules; "
        "assert khabar.TopicClassifier.__name__ == 'TopicClassifier'; "
        "assert 'torch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
