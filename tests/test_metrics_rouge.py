"""Tests for khabar.metrics.rouge (Arabic-aware ROUGE) and khabar.metrics.baselines."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.metrics import RougeTokenizer, _tokenize, lead_baseline, rouge_scores
from khabar.metrics.rouge import lcs_length
from khabar.text import split_sentences

TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
RAW = RougeTokenizer.unnormalized()
LSUM = RougeTokenizer().split_lsum


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


# --- sentence splitting and lead baseline -------------------------------------------------------


def test_lsum_sentences() -> None:
    assert LSUM("جملة أولى. جملة ثانية؟ ثالثة! رابعة؛ خامسة… سادسة") == [
        "جملة أولى.",
        "جملة ثانية؟",
        "ثالثة!",
        "رابعة؛",
        "خامسة…",
        "سادسة",
    ]
    assert LSUM("بلغ النمو 3.5 بالمئة. «انتهى.» ثم") == [
        "بلغ النمو 3.5 بالمئة.",
        "«انتهى.»",
        "ثم",
    ]
    # newlines take precedence when present (the ROUGE-Lsum convention)
    assert LSUM("أ. ب\n\nج") == ["أ. ب", "ج"]
    # the lead baseline's splitter (khabar.text.split_sentences) splits every line on
    # punctuation too, but not after an abbreviation or an initial such as "أ."
    assert split_sentences("جملة. ثانية\nج") == ["جملة.", "ثانية", "ج"]
    assert split_sentences("أ. ب\nج") == ["أ. ب", "ج"]
    assert LSUM("  \n ") == []
    # "newlines": lines only, as rouge_score does
    newlines = RougeTokenizer(lsum_split="newlines").split_lsum
    assert newlines("جملة أولى. جملة ثانية؟") == ["جملة أولى. جملة ثانية؟"]
    assert newlines("أ. ب\n\nج\n ") == ["أ. ب", "ج"]


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


def test_lead_baseline_does_not_cut_after_abbreviations() -> None:
    article = "قال د. أحمد الشهري إن النمو بلغ 3.5% هذا العام. وأضاف أن الخطة مستمرة."
    assert lead_baseline([article]) == ["قال د. أحمد الشهري إن النمو بلغ 3.5% هذا العام."]
    assert lead_baseline([article], k=2) == [
        "قال د. أحمد الشهري إن النمو بلغ 3.5% هذا العام.\nوأضاف أن الخطة مستمرة."
    ]


# --- letters glued to digits ---------------------------------------------------------------------


def test_letters_glued_to_digits_stay_one_token_by_default() -> None:
    assert RougeTokenizer()("تشكيل1 ينبع26 1436هـ") == ["تشكيل1", "ينبع26", "1436ه"]
    split = RougeTokenizer(split_letter_digit=True)
    assert split("تشكيل1 ينبع26 1436هـ") == ["تشكيل", "1", "ينبع", "26", "1436", "ه"]
    assert split("عام ٢٠٢٤ و۱۹ COVID19") == ["عام", "2024", "و", "19", "covid", "19"]
    assert split("3.5") == ["3", "5"]  # a decimal point still separates, as before
    # diacritics kept: a mark stays with the character before it
    marks = RougeTokenizer(strip_tashkeel=False, split_letter_digit=True)
    assert marks("بِ5 5ِب") == ["بِ", "5", "5ِ", "ب"]


def test_letter_digit_split_changes_scores() -> None:
    pred, ref = ["ارتفع مؤشر ينبع26 في 1436هـ"], ["ارتفع مؤشر ينبع 26 في 1436 هـ"]
    glued = rouge_scores(pred, ref, rouge_types=["rouge1"])
    assert glued["rouge1_precision"] == pytest.approx(3 / 5)
    assert glued["rouge1_recall"] == pytest.approx(3 / 7)
    split = rouge_scores(
        pred, ref, rouge_types=TYPES, tokenizer=RougeTokenizer(split_letter_digit=True)
    )
    for rt in TYPES:
        assert split[rt] == pytest.approx(1.0)


# --- the ROUGE-Lsum convention ------------------------------------------------------------------


def _latin_sentences(rng: random.Random) -> str:
    """One line of several sentences (punctuation, no newline), or several lines."""
    vocab = ["the", "a", "cat", "dog", "sat", "ran", "on", "in", "mat", "park", "big", "red"]
    sentences = [
        " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 8))) + rng.choice(".!?")
        for _ in range(rng.randint(1, 4))
    ]
    return ("\n" if rng.random() < 0.3 else " ").join(sentences)


def test_lsum_newlines_agrees_with_rouge_score() -> None:
    rouge_scorer = pytest.importorskip(
        "rouge_score.rouge_scorer", reason="rouge_score (dev extra) is not installed"
    )
    scorer = rouge_scorer.RougeScorer(["rougeLsum"], use_stemmer=False)
    rng = random.Random(7)
    preds = [_latin_sentences(rng) for _ in range(60)]
    refs = [_latin_sentences(rng) for _ in range(60)]
    newlines = RougeTokenizer(lsum_split="newlines")
    per = rouge_scores(
        preds, refs, rouge_types=["rougeLsum"], tokenizer=newlines, return_per_example=True
    )
    default = rouge_scores(preds, refs, rouge_types=["rougeLsum"], return_per_example=True)
    differs = 0
    for i, (pred, ref) in enumerate(zip(preds, refs)):
        expected = scorer.score(ref, pred)["rougeLsum"]
        assert per["rougeLsum"][i] == pytest.approx(expected.fmeasure, abs=1e-9), i
        assert per["rougeLsum_precision"][i] == pytest.approx(expected.precision, abs=1e-9)
        assert per["rougeLsum_recall"][i] == pytest.approx(expected.recall, abs=1e-9)
        if "\n" in pred and "\n" in ref:  # one sentence per line: both conventions agree
            assert default["rougeLsum"][i] == pytest.approx(expected.fmeasure, abs=1e-9)
        differs += abs(default["rougeLsum"][i] - expected.fmeasure) > 1e-9
    # khabar's default splits one-line texts into sentences; rouge_score does not
    assert differs > 0


def test_lsum_newlines_one_line_text_is_one_sentence() -> None:
    pred, ref = ["تراجعت البورصة. ارتفعت اسعار النفط"], ["ارتفعت اسعار النفط. تراجعت البورصة"]
    newlines = RougeTokenizer(lsum_split="newlines")
    lines = rouge_scores(pred, ref, rouge_types=["rougeL", "rougeLsum"], tokenizer=newlines)
    assert lines["rougeLsum"] == pytest.approx(lines["rougeL"])
    assert lines["rougeL"] == pytest.approx(3 / 5)
    assert rouge_scores(pred, ref, rouge_types=["rougeLsum"])["rougeLsum"] == pytest.approx(1.0)


# --- XL-Sum's protocol --------------------------------------------------------------------------


def test_xlsum_tokenization() -> None:
    tok = RougeTokenizer.xlsum(stem=False)
    # no Arabic normalisation, no digit mapping; letters, digits and symbols split apart;
    # punctuation (Arabic comma, "!") dropped; symbols kept as tokens
    text = "أعلنت الوزارة تشكيل1 لجنة ٢٠١٥م، بنسبة 25°!"
    assert tok(text) == ["أعلنت", "الوزارة", "تشكيل", "1", "لجنة", "٢٠١٥", "م", "بنسبة", "25", "°"]
    # diacritics and tatweel stay in their token; invisible format characters are deleted
    assert tok("مَدرسةٌ كبيـرة كتا\u200cب") == ["مَدرسةٌ", "كبيـرة", "كتاب"]
    # ROUGE-Lsum sentences are lines, tokenised without the letter/digit split (as XL-Sum does)
    assert tok.split_lsum("جملة. ثانية\nثالثة") == ["جملة. ثانية", "ثالثة"]
    assert tok.sentences("تشكيل1 لجنة\n25°") == [["تشكيل1", "لجنة"], ["25°"]]


def test_xlsum_scores_hand_computed() -> None:
    pred, ref = ["أعلنت الوزارة تشكيل1 لجنة"], ["اعلنت الوزارة تشكيل لجنة 1"]
    xlsum = rouge_scores(
        pred, ref, rouge_types=["rouge1"], tokenizer=RougeTokenizer.xlsum(stem=False)
    )
    # أعلنت != اعلنت (no normalisation); تشكيل and 1 match once split: 4 of 5 on both sides
    assert xlsum["rouge1_precision"] == pytest.approx(4 / 5)
    assert xlsum["rouge1_recall"] == pytest.approx(4 / 5)
    khabar = rouge_scores(pred, ref, rouge_types=["rouge1"])
    # alef unified, تشكيل1 one token: 3 of 4 predicted, 3 of 5 reference tokens
    assert khabar["rouge1_precision"] == pytest.approx(3 / 4)
    assert khabar["rouge1_recall"] == pytest.approx(3 / 5)


def test_xlsum_snowball_stemming() -> None:
    pytest.importorskip("nltk", reason="nltk is not installed")
    tok = RougeTokenizer.xlsum(snowball_stopwords=False)
    assert tok("والكتاب بالمدرسة للطلاب المعلمون أعلنت الوزارة") == [
        "كتاب",
        "مدرس",
        "طلاب",
        "معلم",
        "اعلن",
        "وزار",
    ]
    # tokens of at most 3 characters are not stemmed (Snowball alone: غزة → غز, إلى → الى)
    assert tok("غزة إلى وزير") == ["غزة", "إلى", "زير"]
    pred, ref = ["المعلمون والكتاب"], ["معلمون كتابهم"]
    assert rouge_scores(pred, ref, rouge_types=["rouge1"], tokenizer=tok)["rouge1"] == 1.0
    unstemmed = RougeTokenizer.xlsum(stem=False)
    assert rouge_scores(pred, ref, rouge_types=["rouge1"], tokenizer=unstemmed)["rouge1"] == 0.0


def test_xlsum_snowball_leaves_stopwords_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("nltk", reason="nltk is not installed")
    monkeypatch.setattr(_tokenize, "_nltk_arabic_stopwords", lambda: ["هناك"])
    assert RougeTokenizer.xlsum()("هناك الوزارة") == ["هناك", "وزار"]
    assert RougeTokenizer.xlsum(snowball_stopwords=False)("هناك الوزارة") == ["هنا", "وزار"]


def test_xlsum_stopwords_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("nltk", reason="nltk is not installed")
    import nltk.corpus

    class Missing:
        def words(self, language: str) -> list[str]:
            raise LookupError("Resource stopwords not found.")

    monkeypatch.setattr(nltk.corpus, "stopwords", Missing())
    with pytest.raises(LookupError, match=r"nltk\.downloader stopwords"):
        RougeTokenizer.xlsum()


def test_snowball_without_nltk_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "nltk.stem.snowball", None)
    with pytest.raises(ImportError, match="pip install nltk"):
        RougeTokenizer(stem=True, stemmer="snowball")
    assert RougeTokenizer.xlsum(stem=False)("نص") == ["نص"]  # tokenising alone needs no nltk


@pytest.mark.parametrize(
    ("field", "value"),
    [("lsum_split", "lines"), ("scheme", "rouge_score"), ("stemmer", "porter")],
)
def test_tokenizer_rejects_unknown_choices(field: str, value: str) -> None:
    with pytest.raises(ValueError, match=field):
        RougeTokenizer(**{field: value})


def test_new_options_are_part_of_equality() -> None:
    assert RougeTokenizer(split_letter_digit=True) != RougeTokenizer()
    assert RougeTokenizer(lsum_split="newlines") != RougeTokenizer()
    assert RougeTokenizer.xlsum(stem=False) == RougeTokenizer.xlsum(stem=False)
    assert RougeTokenizer.xlsum(stem=False) != RougeTokenizer.unnormalized()
