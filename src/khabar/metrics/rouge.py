"""Arabic-aware ROUGE (ROUGE-N, ROUGE-L and summary-level ROUGE-Lsum).

``rouge_score`` (and therefore ``evaluate.load("rouge")``) replaces every character outside
``[a-z0-9]`` by a space, so any Arabic text scores 0. This module re-implements the same
scores over Unicode word tokens with optional Arabic orthographic normalisation and a light
stemmer. On lowercase Latin text with default settings the numbers are identical to
``rouge_score.rouge_scorer.RougeScorer(..., use_stemmer=False)``.

The real implementation is the plain function :func:`rouge_scores`; :class:`ArabicRouge` is a
thin :class:`evaluate.Metric` wrapper around it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import datasets

import evaluate
from khabar._logging import get_logger
from khabar.metrics._tokenize import (
    TOKEN_RE,
    LightStemmer,
    build_char_map,
    nfkc,
    split_sentences,
)

__all__ = [
    "DEFAULT_ROUGE_TYPES",
    "ArabicRouge",
    "RougeTokenizer",
    "Score",
    "lcs_length",
    "rouge_scores",
    "score_pair",
]

logger = get_logger(__name__)

DEFAULT_ROUGE_TYPES: tuple[str, ...] = ("rouge1", "rouge2", "rougeL", "rougeLsum")
_ROUGE_N_RE = re.compile(r"rouge([1-9][0-9]*)$")

Reference = str | Sequence[str]


# --- tokenizer -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RougeTokenizer:
    """Turn a text into ROUGE tokens.

    Steps: NFKC normalisation (folds Arabic presentation forms), deletion of invisible format
    characters (ZWJ/ZWNJ, bidi marks), the selected Arabic normalisations, lowercasing, then
    Unicode word tokens (runs of letters and digits; punctuation, including ``، ؛ ؟ « »``, and
    ``_`` separate tokens), then optional light stemming.

    Attributes:
        strip_tashkeel: delete diacritics (harakat, tanwin, shadda, sukun, dagger alef).
        strip_tatweel: delete the tatweel/kashida ``ـ``.
        unify_alef: map ``أ إ آ ٱ`` to bare alef ``ا``.
        alef_maqsura: map ``ى`` to ``ي``.
        ta_marbuta: map ``ة`` to ``ه``.
        lowercase: lowercase (Latin and other cased scripts).
        unify_digits: map Arabic-Indic digits (``٠١٢`` and ``۰۱۲``) to ASCII digits.
        stem: apply the light Arabic stemmer
            (:class:`khabar.metrics._tokenize.LightStemmer`): at most one prefix among
            ``وال بال كال فال لل ال و ف ب ل ك`` and then at most one suffix among
            ``هما كما ها هم هن كم كن نا ات ون ين ان ية ه ي ة`` are removed (longest first), each
            only if at least 3 letters remain (4 after a single-letter prefix). Non-Arabic
            tokens are **not** stemmed (there is no Porter stemmer here, unlike
            ``rouge_score``'s ``use_stemmer=True``).
    """

    strip_tashkeel: bool = True
    strip_tatweel: bool = True
    unify_alef: bool = True
    alef_maqsura: bool = True
    ta_marbuta: bool = True
    lowercase: bool = True
    unify_digits: bool = True
    stem: bool = False
    _table: dict[int, str | None] = field(init=False, repr=False, compare=False, hash=False)
    _stemmer: LightStemmer = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        table = build_char_map(
            strip_tashkeel=self.strip_tashkeel,
            strip_tatweel=self.strip_tatweel,
            unify_alef=self.unify_alef,
            alef_maqsura=self.alef_maqsura,
            ta_marbuta=self.ta_marbuta,
            unify_digits=self.unify_digits,
        )
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "_stemmer", LightStemmer(table))

    @classmethod
    def unnormalized(cls, *, stem: bool = False) -> RougeTokenizer:
        """A tokenizer with every Arabic normalisation off (lowercasing stays on)."""
        return cls(
            strip_tashkeel=False,
            strip_tatweel=False,
            unify_alef=False,
            alef_maqsura=False,
            ta_marbuta=False,
            unify_digits=False,
            stem=stem,
        )

    def normalize(self, text: str) -> str:
        """Apply the character-level normalisation only (no tokenisation)."""
        text = nfkc(text).translate(self._table)
        return text.lower() if self.lowercase else text

    def __call__(self, text: str) -> list[str]:
        """Tokenize ``text`` into a list of normalised (and optionally stemmed) tokens."""
        tokens = TOKEN_RE.findall(self.normalize(text))
        if self.stem:
            tokens = [self._stemmer(tok) for tok in tokens]
        return tokens


# --- core scores -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 of one rouge type for one prediction/reference pair."""

    precision: float
    recall: float
    fmeasure: float


_ZERO = Score(0.0, 0.0, 0.0)


def _fmeasure(precision: float, recall: float) -> float:
    if precision + recall > 0:
        return 2 * precision * recall / (precision + recall)
    return 0.0


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    if n == 1:
        return Counter((tok,) for tok in tokens)
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _score_ngrams(ref: Counter[tuple[str, ...]], pred: Counter[tuple[str, ...]]) -> Score:
    overlap = sum((ref & pred).values())
    precision = overlap / max(sum(pred.values()), 1)
    recall = overlap / max(sum(ref.values()), 1)
    return Score(precision, recall, _fmeasure(precision, recall))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two token sequences.

    Bit-parallel algorithm (Allison-Dix / Hyyrö): one big-integer update per token of ``b``,
    i.e. ``O(len(b) * len(a) / wordsize)``, much faster than the ``O(n*m)`` table in Python.
    """
    if not a or not b:
        return 0
    if len(a) < len(b):
        a, b = b, a  # bits over the longer sequence, iterate over the shorter one
    masks: dict[str, int] = {}
    for i, tok in enumerate(a):
        masks[tok] = masks.get(tok, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for tok in b:
        u = v & masks.get(tok, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def _lcs_indices(ref: Sequence[str], can: Sequence[str]) -> list[int]:
    """Indices into ``ref`` of one LCS, chosen exactly as ``rouge_score`` backtracks."""
    rows, cols = len(ref), len(can)
    table = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(1, rows + 1):
        prev, cur = table[i - 1], table[i]
        r = ref[i - 1]
        for j in range(1, cols + 1):
            if r == can[j - 1]:
                cur[j] = prev[j - 1] + 1
            else:
                cur[j] = prev[j] if prev[j] >= cur[j - 1] else cur[j - 1]
    out: list[int] = []
    i, j = rows, cols
    while i > 0 and j > 0:
        if ref[i - 1] == can[j - 1]:
            out.append(i - 1)
            i -= 1
            j -= 1
        elif table[i][j - 1] > table[i - 1][j]:
            j -= 1
        else:
            i -= 1
    out.reverse()
    return out


def _score_lcs(ref: Sequence[str], pred: Sequence[str]) -> Score:
    if not ref or not pred:
        return _ZERO
    lcs = lcs_length(ref, pred)
    precision = lcs / len(pred)
    recall = lcs / len(ref)
    return Score(precision, recall, _fmeasure(precision, recall))


def _score_summary_lcs(ref_sents: list[list[str]], pred_sents: list[list[str]]) -> Score:
    """Summary-level LCS with union-LCS per reference sentence (ROUGE paper, section 3.2)."""
    m = sum(map(len, ref_sents))
    n = sum(map(len, pred_sents))
    if not m or not n:
        return _ZERO
    ref_counts: Counter[str] = Counter()
    pred_counts: Counter[str] = Counter()
    for sent in ref_sents:
        ref_counts.update(sent)
    for sent in pred_sents:
        pred_counts.update(sent)
    pred_vocab = set(pred_counts)
    hits = 0
    for ref_sent in ref_sents:
        if not ref_sent or pred_vocab.isdisjoint(ref_sent):
            continue  # the union LCS is empty
        union: set[int] = set()
        for pred_sent in pred_sents:
            if pred_sent:
                union.update(_lcs_indices(ref_sent, pred_sent))
        for idx in sorted(union):
            tok = ref_sent[idx]
            if pred_counts[tok] > 0 and ref_counts[tok] > 0:
                hits += 1
                pred_counts[tok] -= 1
                ref_counts[tok] -= 1
    precision = hits / n
    recall = hits / m
    return Score(precision, recall, _fmeasure(precision, recall))


def _check_rouge_types(rouge_types: Sequence[str]) -> None:
    if isinstance(rouge_types, str):
        raise TypeError("rouge_types must be a sequence of names, not a single string")
    for rouge_type in rouge_types:
        if rouge_type not in ("rougeL", "rougeLsum") and not _ROUGE_N_RE.match(rouge_type):
            raise ValueError(
                f"unknown rouge type {rouge_type!r}: expected 'rougeN' (N >= 1), "
                "'rougeL' or 'rougeLsum'"
            )


class _Prepared:
    """A text tokenized once for all rouge types (tokens, n-gram counts, sentences)."""

    __slots__ = ("_ngrams", "_sents", "text", "tokenizer", "tokens")

    def __init__(self, text: str, tokenizer: RougeTokenizer) -> None:
        self.text = text
        self.tokenizer = tokenizer
        self.tokens = tokenizer(text)
        self._ngrams: dict[int, Counter[tuple[str, ...]]] = {}
        self._sents: list[list[str]] | None = None

    def ngrams(self, n: int) -> Counter[tuple[str, ...]]:
        if n not in self._ngrams:
            self._ngrams[n] = _ngrams(self.tokens, n)
        return self._ngrams[n]

    def sentences(self) -> list[list[str]]:
        if self._sents is None:
            self._sents = [self.tokenizer(s) for s in split_sentences(self.text)]
        return self._sents


def _score_prepared(ref: _Prepared, pred: _Prepared, rouge_type: str) -> Score:
    if rouge_type == "rougeL":
        return _score_lcs(ref.tokens, pred.tokens)
    if rouge_type == "rougeLsum":
        return _score_summary_lcs(ref.sentences(), pred.sentences())
    match = _ROUGE_N_RE.match(rouge_type)
    if match is None:  # pragma: no cover - validated earlier
        raise ValueError(f"unknown rouge type {rouge_type!r}")
    n = int(match.group(1))
    return _score_ngrams(ref.ngrams(n), pred.ngrams(n))


def score_pair(
    prediction: str,
    reference: str,
    *,
    rouge_types: Sequence[str] = DEFAULT_ROUGE_TYPES,
    tokenizer: RougeTokenizer | None = None,
) -> dict[str, Score]:
    """Score one prediction against one reference: ``{rouge_type: Score}``."""
    _check_rouge_types(rouge_types)
    tok = tokenizer or RougeTokenizer()
    ref, pred = _Prepared(reference, tok), _Prepared(prediction, tok)
    return {rt: _score_prepared(ref, pred, rt) for rt in rouge_types}


def _as_reference_list(reference: Any, index: int) -> list[str]:
    if isinstance(reference, str):
        return [reference]
    if isinstance(reference, Sequence) and all(isinstance(r, str) for r in reference):
        if not reference:
            raise ValueError(f"references[{index}] is an empty list of references")
        return list(reference)
    raise TypeError(
        f"references[{index}] must be a string or a sequence of strings, "
        f"got {type(reference).__name__}"
    )


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else 0.0


def rouge_scores(
    predictions: Sequence[str],
    references: Sequence[Reference],
    *,
    rouge_types: Sequence[str] = DEFAULT_ROUGE_TYPES,
    tokenizer: RougeTokenizer | None = None,
    multi_ref: Literal["best", "mean"] = "best",
    return_per_example: bool = False,
) -> dict[str, Any]:
    """Corpus ROUGE of ``predictions`` against ``references``.

    Args:
        predictions: one generated text per example.
        references: per example, a reference string or a non-empty sequence of reference
            strings.
        rouge_types: any of ``rougeN`` (N >= 1), ``rougeL`` (LCS over the whole text) and
            ``rougeLsum`` (summary-level union LCS over sentences; sentences are lines when
            the text has several lines, otherwise they are split after ``. ! ? ؟ ؛ …``).
        tokenizer: the :class:`RougeTokenizer` (default: all Arabic normalisation on, no
            stemming).
        multi_ref: with several references, ``"best"`` keeps per example and per rouge type
            the reference with the highest F1 (first one on ties; like
            ``rouge_score``'s ``score_multi``), ``"mean"`` averages P/R/F1 over references.
        return_per_example: return lists of per-example scores instead of corpus means.

    Returns:
        For every rouge type ``t``: ``t`` (F1), ``t + "_precision"`` and ``t + "_recall"``,
        each the mean over examples (a float in [0, 1]; 0.0 for an empty corpus), or with
        ``return_per_example=True`` a list with one value per example.

    Raises:
        ValueError: on a length mismatch, an unknown rouge type or ``multi_ref`` value, or an
            empty reference list.
    """
    _check_rouge_types(rouge_types)
    if multi_ref not in ("best", "mean"):
        raise ValueError(f"multi_ref must be 'best' or 'mean', got {multi_ref!r}")
    if isinstance(predictions, str) or isinstance(references, str):
        raise TypeError("predictions and references must be sequences, not a single string")
    if len(predictions) != len(references):
        raise ValueError(
            f"got {len(predictions)} predictions but {len(references)} references; "
            "they must be aligned one to one"
        )
    tok = tokenizer or RougeTokenizer()
    keys = [k for rt in rouge_types for k in (rt, f"{rt}_precision", f"{rt}_recall")]
    per_example: dict[str, list[float]] = {k: [] for k in keys}

    for idx, (prediction, reference) in enumerate(zip(predictions, references)):
        if not isinstance(prediction, str):
            raise TypeError(f"predictions[{idx}] must be a string, got {type(prediction).__name__}")
        refs = [_Prepared(r, tok) for r in _as_reference_list(reference, idx)]
        pred = _Prepared(prediction, tok)
        for rt in rouge_types:
            scores = [_score_prepared(ref, pred, rt) for ref in refs]
            if len(scores) == 1:
                chosen = scores[0]
            elif multi_ref == "best":
                chosen = max(scores, key=lambda s: s.fmeasure)  # first max on ties
            else:
                chosen = Score(
                    _mean([s.precision for s in scores]),
                    _mean([s.recall for s in scores]),
                    _mean([s.fmeasure for s in scores]),
                )
            per_example[rt].append(chosen.fmeasure)
            per_example[f"{rt}_precision"].append(chosen.precision)
            per_example[f"{rt}_recall"].append(chosen.recall)

    if return_per_example:
        return dict(per_example)
    if not predictions:
        logger.warning("rouge_scores called with no predictions; returning 0.0 for every score")
    return {k: _mean(v) for k, v in per_example.items()}


# --- evaluate wrapper ------------------------------------------------------------------------

_DESCRIPTION = """\
Arabic-aware ROUGE: ROUGE-N, ROUGE-L and ROUGE-Lsum over Unicode word tokens with Arabic
orthographic normalisation (diacritics, tatweel, alef variants, alef maqsura, ta marbuta,
Arabic-Indic digits) and an optional light Arabic stemmer. Identical to Google's rouge_score
on lowercase Latin text; unlike it, does not delete Arabic characters.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of generated texts.
    references: list of references; each a string or a list of strings.
    rouge_types: rouge types to compute (default rouge1, rouge2, rougeL, rougeLsum).
    use_stemmer: apply the light Arabic stemmer (Latin tokens are not stemmed).
    multi_ref: "best" (max F1 reference) or "mean" over several references.
    normalize: apply Arabic orthographic normalisation (lowercasing always applies).
    tokenizer: a khabar.metrics.RougeTokenizer, overriding use_stemmer and normalize.
    return_per_example: return per-example lists instead of corpus means.
Returns:
    dict: rouge1, rouge1_precision, rouge1_recall, ... (corpus means in [0, 1]).
Examples:
    >>> ArabicRouge().compute(predictions=["ذهب الولد"], references=["ذهب الولد"])["rouge1"]
    1.0
"""

_CITATION = """\
@inproceedings{lin-2004-rouge,
    title = "{ROUGE}: A Package for Automatic Evaluation of Summaries",
    author = "Lin, Chin-Yew",
    booktitle = "Text Summarization Branches Out",
    year = "2004",
    publisher = "Association for Computational Linguistics",
    pages = "74--81",
}
"""


class ArabicRouge(evaluate.Metric):
    """``evaluate`` metric wrapping :func:`rouge_scores`; needs no Hub download.

    Example:
        >>> ArabicRouge().compute(predictions=[...], references=[...], use_stemmer=True)
    """

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=[
                datasets.Features(
                    {
                        "predictions": datasets.Value("string"),
                        "references": datasets.Sequence(datasets.Value("string")),
                    }
                ),
                datasets.Features(
                    {
                        "predictions": datasets.Value("string"),
                        "references": datasets.Value("string"),
                    }
                ),
            ],
            codebase_urls=["https://github.com/google-research/google-research/tree/master/rouge"],
            reference_urls=["https://aclanthology.org/W04-1013/"],
        )

    def compute(self, *, predictions: Any = None, references: Any = None, **kwargs: Any) -> Any:
        """Compute the scores; see :func:`rouge_scores` for the arguments.

        A batch that mixes single-string and list references is accepted (strings are wrapped
        into one-element lists).
        """
        if (
            references is not None
            and not isinstance(references, str)
            and isinstance(references, Sequence)
            and any(isinstance(r, str) for r in references)
            and not all(isinstance(r, str) for r in references)
        ):
            references = [[r] if isinstance(r, str) else r for r in references]
        if predictions is None and references is None:
            return super().compute(**kwargs)
        return super().compute(predictions=predictions, references=references, **kwargs)

    def _compute(
        self,
        predictions: Sequence[str],
        references: Sequence[Reference],
        rouge_types: Sequence[str] = DEFAULT_ROUGE_TYPES,
        use_stemmer: bool = False,
        multi_ref: Literal["best", "mean"] = "best",
        normalize: bool = True,
        tokenizer: RougeTokenizer | None = None,
        return_per_example: bool = False,
    ) -> dict[str, Any]:
        if tokenizer is None:
            tokenizer = (
                RougeTokenizer(stem=use_stemmer)
                if normalize
                else RougeTokenizer.unnormalized(stem=use_stemmer)
            )
        return rouge_scores(
            predictions,
            references,
            rouge_types=rouge_types,
            tokenizer=tokenizer,
            multi_ref=multi_ref,
            return_per_example=return_per_example,
        )
