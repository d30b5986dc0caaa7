"""Tests for khabar.metrics.rouge (Arabic-aware ROUGE) and khabar.metrics.baselines."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.metrics import ArabicRouge, RougeTokenizer, lead_baseline, rouge_scores
from khabar.metrics._tokenize import split_sentences
from khabar.metrics.rouge import lcs_length

TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
RAW = RougeTokenizer.unnormalized()


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# --- tokenizer ---------------------------------------------------------------------------------


def test_tokenizer_normalisation() -> None:
    tok = RougeTokenizer()
    # alef variants, alef maqsura, ta marbuta, tatweel, tashkeel, Arabic-Indic digits
    assert tok("أحمد إلى آخر ٱلقرآن") == ["احمد", "الي", "اخر", "القران"]
    assert tok("مدرسةٌ كبيـــرة") == ["مدرسه", "كبيره"]
    assert tok("عام ٢٠٢٤ و۱۹") == ["عام", "2024", "و19"]
    assert tok("Hello WORLD") == ["hello", "world"]
    # presentation forms are folded (NFKC): lam-alef ligature
    assert tok("\ufefb") == ["لا"]


def test_tokenizer_punctuation_and_invisible_characters() -> None:
    tok = RougeTokenizer()
    text = "قال: «الرئيس»، هل جاء؟ نعم؛ (جاء) - snake_case... 3.5"
    assert tok(text) == ["قال", "الرئيس", "هل", "جاء", "نعم", "جاء", "snake", "case", "3", "5"]
    assert tok("كتا\u200cب") == ["كتاب"]  # ZWNJ does not split a word


def test_tokenizer_keeps_diacritics_inside_words_when_not_stripping() -> None:
    tok = RougeTokenizer(strip_tashkeel=False)
    assert tok("ذَهَبَ الوَلَدُ") == ["ذَهَبَ", "الوَلَدُ"]
    assert RougeTokenizer()("ذَهَبَ الوَلَدُ") == ["ذهب", "الولد"]


def test_tokenizer_normalisation_is_configurable() -> None:
    assert RAW("أحمد مدرسة على") == ["أحمد", "مدرسة", "على"]
    assert RougeTokenizer(unify_alef=False)("أحمد") == ["أحمد"]
    assert RougeTokenizer(ta_marbuta=False)("مدرسة") == ["مدرسة"]
    assert RougeTokenizer(alef_maqsura=False)("على") == ["على"]
    assert RougeTokenizer(lowercase=False)("ABC") == ["ABC"]
    assert RougeTokenizer(strip_tatweel=False)("كبيـرة") == ["كبيـره"]


def test_light_stemmer() -> None:
    stem = RougeTokenizer(stem=True)
    assert stem("والكتاب بالمدرسة للطلاب") == ["كتاب", "مدرس", "طلاب"]
    assert stem("وكتبهم المعلمون") == ["كتب", "معلم"]
    # remainders shorter than 3 letters (4 after a one-letter prefix) are not stripped
    assert stem("ال بيت وهم كتاب فريق") == ["ال", "بيت", "وهم", "كتاب", "فريق"]
    # Latin tokens are not stemmed
    assert stem("running cats") == ["running", "cats"]


def test_stemming_raises_overlap() -> None:
    pred, ref = ["والكتاب الجديد"], ["كتاب جديد"]
    assert rouge_scores(pred, ref)["rouge1"] == 0.0
    assert rouge_scores(pred, ref, tokenizer=RougeTokenizer(stem=True))["rouge1"] == 1.0


def test_tokenizer_is_hashable_and_comparable() -> None:
    assert RougeTokenizer() == RougeTokenizer()
    assert RougeTokenizer(stem=True) != RougeTokenizer()
    assert len({RougeTokenizer(), RougeTokenizer()}) == 1


# --- hand-computed scores ----------------------------------------------------------------------


def test_hand_computed_arabic_example_normalised() -> None:
    # pred: ذهب الولد الي المدرسه (4 tokens); ref adds صباحا (5 tokens); إلى == الى after
    # normalisation, so all 4 unigrams match and the 3 bigrams too (ref has 4 bigrams).
    out = rouge_scores(["ذهب الولد إلى المدرسة"], ["ذهب الولد الى المدرسة صباحا"])
    assert out["rouge1_precision"] == pytest.approx(4 / 4)
    assert out["rouge1_recall"] == pytest.approx(4 / 5)
    assert out["rouge1"] == pytest.approx(f1(1.0, 0.8))  # 8/9
    assert out["rouge1"] == pytest.approx(8 / 9)
    assert out["rouge2_precision"] == pytest.approx(3 / 3)
    assert out["rouge2_recall"] == pytest.approx(3 / 4)
    assert out["rouge2"] == pytest.approx(6 / 7)
    assert out["rougeL"] == pytest.approx(8 / 9)  # LCS = 4
    assert out["rougeLsum"] == pytest.approx(8 / 9)


def test_hand_computed_arabic_example_unnormalised() -> None:
    # إلى != الى: 3 unigrams match; only the bigram "ذهب الولد" matches.
    out = rouge_scores(["ذهب الولد إلى المدرسة"], ["ذهب الولد الى المدرسة صباحا"], tokenizer=RAW)
    assert out["rouge1_precision"] == pytest.approx(3 / 4)
    assert out["rouge1_recall"] == pytest.approx(3 / 5)
    assert out["rouge1"] == pytest.approx(2 / 3)
    assert out["rouge2_precision"] == pytest.approx(1 / 3)
    assert out["rouge2_recall"] == pytest.approx(1 / 4)
    assert out["rouge2"] == pytest.approx(2 / 7)
    assert out["rougeL"] == pytest.approx(2 / 3)  # LCS = ذهب الولد المدرسة


def test_alef_variants_score_one_only_when_normalising() -> None:
    pred = ["أعلن الرئيس إطلاق مبادرة آمنة للإسكان"]
    ref = ["اعلن الرئيس اطلاق مبادرة امنة للاسكان"]
    normalised = rouge_scores(pred, ref)
    raw = rouge_scores(pred, ref, tokenizer=RAW)
    for rt in TYPES:
        assert normalised[rt] == pytest.approx(1.0)
        assert raw[rt] < normalised[rt]
    assert raw["rouge1"] == pytest.approx(2 / 6)  # only الرئيس and مبادرة match


def test_tashkeel_and_punctuation_are_ignored() -> None:
    pred = ["ذَهَبَ الوَلَدُ إلى المَدْرَسَةِ!"]
    ref = ["«ذهب الولد، إلى المدرسة»؟"]
    out = rouge_scores(pred, ref)
    for rt in TYPES:
        assert out[rt] == pytest.approx(1.0)
    kept = rouge_scores(pred, ref, tokenizer=RougeTokenizer(strip_tashkeel=False))
    assert kept["rouge1"] == pytest.approx(1 / 4)  # only إلى carries no diacritics


def test_rougeLsum_union_lcs_hand_computed() -> None:
    # ROUGE paper, section 3.2: ref r = w1..w5, candidate sentences c1 = w1 w2 w6 w7 w8 and
    # c2 = w1 w3 w8 w9 w5: union LCS = w1 w2 w3 w5 -> hits 4, recall 4/5, precision 4/10.
    w = ["خبر", "عاجل", "من", "بيروت", "اليوم", "قال", "وزير", "الدفاع", "امس"]
    ref = " ".join(w[:5])
    pred = f"{w[0]} {w[1]} {w[5]} {w[6]} {w[7]}\n{w[0]} {w[2]} {w[7]} {w[8]} {w[4]}"
    out = rouge_scores([pred], [ref], rouge_types=["rougeLsum"])
    assert out["rougeLsum_recall"] == pytest.approx(4 / 5)
    assert out["rougeLsum_precision"] == pytest.approx(4 / 10)
    assert out["rougeLsum"] == pytest.approx(f1(0.4, 0.8))
    # the same candidate with Arabic sentence punctuation instead of newlines
    pred_punct = pred.replace("\n", ". ")
    assert rouge_scores([pred_punct], [ref], rouge_types=["rougeLsum"]) == out


def test_rougeLsum_rewards_reordered_sentences_rougeL_does_not() -> None:
    ref = "ارتفعت اسعار النفط.\nتراجعت البورصة"
    pred = "تراجعت البورصة؟\nارتفعت اسعار النفط"
    out = rouge_scores([pred], [ref], rouge_types=["rougeL", "rougeLsum"])
    assert out["rougeLsum"] == pytest.approx(1.0)
    assert out["rougeL"] == pytest.approx(3 / 5)  # LCS = ارتفعت اسعار النفط


def test_empty_prediction_and_reference_score_zero() -> None:
    out = rouge_scores(["", "...", "خبر"], ["خبر عاجل", "خبر", ""])
    for key, value in out.items():
        assert value == 0.0, key
    assert rouge_scores([], [], rouge_types=["rouge1"]) == {
        "rouge1": 0.0,
        "rouge1_precision": 0.0,
        "rouge1_recall": 0.0,
    }


def test_identical_texts_score_one() -> None:
    text = "أعلنت الحكومة اليوم خطة جديدة.\nوقال الوزير إن الخطة تبدأ غدا."
    out = rouge_scores([text], [text], rouge_types=[*TYPES, "rouge3"])
    for value in out.values():
        assert value == pytest.approx(1.0)


# --- multiple references -----------------------------------------------------------------------


def test_multi_reference_best_vs_mean() -> None:
    pred = ["فاز الفريق بالمباراة"]
    refs = [["خسر المنتخب", "فاز الفريق بالمباراة"]]
    best = rouge_scores(pred, refs, multi_ref="best")
    mean = rouge_scores(pred, refs, multi_ref="mean")
    assert best["rouge1"] == pytest.approx(1.0)
    assert mean["rouge1"] == pytest.approx((0.0 + 1.0) / 2)
    assert mean["rouge1_precision"] == pytest.approx(0.5)
    # a single string reference equals a one-element list
    assert rouge_scores(pred, ["فاز الفريق بالمباراة"]) == rouge_scores(
        pred, [["فاز الفريق بالمباراة"]]
    )


def test_multi_reference_best_takes_precision_recall_from_best_f() -> None:
    pred = ["a b c d"]
    # ref 1: P=1/4 R=1 F=0.4; ref 2: P=3/4 R=3/8 F=0.5 -> ref 2 wins although its R is lower
    refs = [["a", "a b c x y z u v"]]
    out = rouge_scores(pred, refs, rouge_types=["rouge1"])
    assert out["rouge1"] == pytest.approx(0.5)
    assert out["rouge1_precision"] == pytest.approx(3 / 4)
    assert out["rouge1_recall"] == pytest.approx(3 / 8)


def test_return_per_example_and_corpus_mean() -> None:
    preds = ["خبر عاجل", "خبر"]
    refs = ["خبر عاجل", "عاجل"]
    per = rouge_scores(preds, refs, rouge_types=["rouge1"], return_per_example=True)
    assert per["rouge1"] == [1.0, 0.0]
    assert per["rouge1_precision"] == [1.0, 0.0]
    assert rouge_scores(preds, refs, rouge_types=["rouge1"])["rouge1"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"predictions": ["a"], "references": ["a", "b"]}, ValueError, "aligned"),
        ({"predictions": ["a"], "references": [[]]}, ValueError, "empty list"),
        ({"predictions": ["a"], "references": [3]}, TypeError, "string"),
        ({"predictions": ["a"], "references": ["a"], "rouge_types": ["rouge0"]}, ValueError, "unk"),
        ({"predictions": ["a"], "references": ["a"], "rouge_types": "rouge1"}, TypeError, "single"),
        ({"predictions": ["a"], "references": ["a"], "multi_ref": "max"}, ValueError, "multi"),
        ({"predictions": "a", "references": "a"}, TypeError, "sequences"),
    ],
)
def test_invalid_arguments(kwargs, exc, match) -> None:
    predictions = kwargs.pop("predictions")
    references = kwargs.pop("references")
    with pytest.raises(exc, match=match):
        rouge_scores(predictions, references, **kwargs)


# --- agreement with rouge_score on Latin text ---------------------------------------------------


def _random_latin(rng: random.Random) -> str:
    vocab = ["the", "a", "cat", "dog", "sat", "ran", "on", "in", "mat", "park", "big", "red", "1"]
    lines = rng.randint(1, 4)
    return "\n".join(
        " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 15))) for _ in range(lines)
    )


def test_agrees_with_rouge_score_on_latin_text() -> None:
    rouge_scorer = pytest.importorskip(
        "rouge_score.rouge_scorer", reason="rouge_score (dev extra) is not installed"
    )
    scorer = rouge_scorer.RougeScorer(list(TYPES), use_stemmer=False)
    rng = random.Random(1234)
    preds = [_random_latin(rng) for _ in range(40)]
    refs = [_random_latin(rng) for _ in range(40)]
    per = rouge_scores(preds, refs, return_per_example=True)
    for i, (pred, ref) in enumerate(zip(preds, refs)):
        expected = scorer.score(ref, pred)
        for rt in TYPES:
            assert per[rt][i] == pytest.approx(expected[rt].fmeasure, abs=1e-6), (rt, i)
            assert per[f"{rt}_precision"][i] == pytest.approx(expected[rt].precision, abs=1e-6)
            assert per[f"{rt}_recall"][i] == pytest.approx(expected[rt].recall, abs=1e-6)

    # several references: "best" is rouge_score's score_multi
    multi_refs = [[_random_latin(rng) for _ in range(rng.randint(1, 3))] for _ in range(25)]
    per = rouge_scores(preds[:25], multi_refs, return_per_example=True)
    for i, (pred, targets) in enumerate(zip(preds, multi_refs)):
        expected = scorer.score_multi(targets, pred)
        for rt in TYPES:
            assert per[rt][i] == pytest.approx(expected[rt].fmeasure, abs=1e-6), (rt, i)
            assert per[f"{rt}_recall"][i] == pytest.approx(expected[rt].recall, abs=1e-6)


# --- properties ---------------------------------------------------------------------------------


def _lcs_dp(a: list[str], b: list[str]) -> int:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                table[i][j] = table[i - 1][j - 1] + 1
            else:
                table[i][j] = max(table[i - 1][j], table[i][j - 1])
    return table[-1][-1]


_tokens = st.lists(st.sampled_from(["ا", "ب", "ت", "ث", "x"]), max_size=40)


@settings(max_examples=150, deadline=None)
@given(_tokens, _tokens)
def test_bit_parallel_lcs_matches_dynamic_programming(a: list[str], b: list[str]) -> None:
    assert lcs_length(a, b) == _lcs_dp(a, b)


_arabic_text = st.text(
    alphabet=st.sampled_from(list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي أإآىةـَُِّ،.؟\n")), max_size=60
)


@settings(max_examples=60, deadline=None)
@given(_arabic_text, st.lists(_arabic_text, min_size=1, max_size=3))
def test_scores_are_in_unit_interval(pred: str, refs: list[str]) -> None:
    for multi_ref in ("best", "mean"):
        out = rouge_scores([pred], [refs], multi_ref=multi_ref)
        for value in out.values():
            assert 0.0 <= value <= 1.0 + 1e-12


# --- evaluate wrapper ---------------------------------------------------------------------------


def test_evaluate_metric_string_and_list_references() -> None:
    metric = ArabicRouge()
    preds = ["ذهب الولد إلى المدرسة", "فاز الفريق"]
    as_str = metric.compute(predictions=preds, references=["ذهب الولد الى المدرسة صباحا", "فاز"])
    assert as_str["rouge1"] == pytest.approx((8 / 9 + f1(0.5, 1.0)) / 2)
    as_list = metric.compute(
        predictions=preds, references=[["ذهب الولد الى المدرسة صباحا"], ["خسر", "فاز"]]
    )
    assert as_list == as_str
    mixed = metric.compute(predictions=preds, references=["ذهب الولد الى المدرسة صباحا", ["فاز"]])
    assert mixed == as_str


def test_evaluate_metric_options() -> None:
    metric = ArabicRouge()
    pred, ref = ["أحمد والكتاب"], ["احمد كتاب"]
    assert metric.compute(predictions=pred, references=ref)["rouge1"] == pytest.approx(0.5)
    stemmed = metric.compute(predictions=pred, references=ref, use_stemmer=True)
    assert stemmed["rouge1"] == pytest.approx(1.0)
    raw = metric.compute(predictions=pred, references=ref, normalize=False, rouge_types=["rouge1"])
    assert set(raw) == {"rouge1", "rouge1_precision", "rouge1_recall"}
    assert raw["rouge1"] == 0.0
    mean = metric.compute(predictions=pred, references=[["احمد", "xyz"]], multi_ref="mean")
    assert mean["rouge1_recall"] == pytest.approx(0.5)


# --- sentence splitting and lead baseline -------------------------------------------------------


def test_split_sentences() -> None:
    assert split_sentences("جملة أولى. جملة ثانية؟ ثالثة! رابعة؛ خامسة… سادسة") == [
        "جملة أولى.",
        "جملة ثانية؟",
        "ثالثة!",
        "رابعة؛",
        "خامسة…",
        "سادسة",
    ]
    assert split_sentences("بلغ النمو 3.5 بالمئة. «انتهى.» ثم") == [
        "بلغ النمو 3.5 بالمئة.",
        "«انتهى.»",
        "ثم",
    ]
    # newlines take precedence when present (the ROUGE-Lsum convention)
    assert split_sentences("أ. ب\n\nج") == ["أ. ب", "ج"]
    assert split_sentences("أ. ب\nج", always_split_punctuation=True) == ["أ.", "ب", "ج"]
    assert split_sentences("  \n ") == []


def test_lead_baseline() -> None:
    texts = ["الخبر الأول. التفاصيل هنا؟ المزيد\nفقرة ثانية.", "", "جملة واحدة فقط"]
    assert lead_baseline(texts) == ["الخبر الأول.", "", "جملة واحدة فقط"]
    one = "جملة واحدة فقط"
    assert lead_baseline(texts, k=3) == ["الخبر الأول.\nالتفاصيل هنا؟\nالمزيد", "", one]
    assert lead_baseline(texts, k=2, joiner=" ")[0] == "الخبر الأول. التفاصيل هنا؟"
    assert lead_baseline(texts, k=3, unit="words") == ["الخبر الأول. التفاصيل", "", one]
    with pytest.raises(ValueError, match="k must"):
        lead_baseline(texts, k=0)
    with pytest.raises(ValueError, match="unit"):
        lead_baseline(texts, unit="paragraphs")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        lead_baseline("نص")


def test_lead_baseline_scores_with_rouge() -> None:
    article = "ارتفعت أسعار النفط اليوم. وقال محللون إن الطلب قوي. وتوقعوا استمرار الارتفاع."
    summary = lead_baseline([article])[0]
    out = rouge_scores([summary], ["ارتفعت اسعار النفط"], rouge_types=["rouge1"])
    assert out["rouge1_recall"] == pytest.approx(1.0)
    assert out["rouge1_precision"] == pytest.approx(3 / 4)
