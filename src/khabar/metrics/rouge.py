"""Arabic-aware ROUGE (ROUGE-N, ROUGE-L and summary-level ROUGE-Lsum).

``rouge_score`` (and therefore ``evaluate.load("rouge")``) replaces every character outside
``[a-z0-9]`` by a space, so any Arabic text scores 0. :func:`rouge_scores` computes the same
scores (n-gram overlap, LCS, and the union-LCS of ROUGE-Lsum with ``rouge_score``'s
double-counting guard) over the tokens of a :class:`RougeTokenizer`.

Two tokenisation protocols:

- **khabar's default**, :class:`RougeTokenizer()`: Unicode NFKC, Arabic orthographic
  normalisation (diacritics, tatweel, alef forms, alef maqsura, ta marbuta, Arabic-Indic
  digits), lowercase, tokens that are runs of letters and digits (punctuation and symbols
  separate tokens and are dropped), no stemming; ROUGE-Lsum sentences are the lines of a
  multi-line text, and the sentences (:func:`khabar.text.split_sentences`) of a one-line text.
  Letters glued to digits (``تشكيل1``, ``1436هـ``) stay one token unless
  ``split_letter_digit=True``.
- **XL-Sum's**, :meth:`RougeTokenizer.xlsum`: the tokenisation and stemming of XL-Sum's
  multilingual scorer (Hasan et al., Findings of ACL 2021; ``multilingual_rouge_scoring`` with
  ``lang="arabic", use_stemmer=True``), for comparing with published XL-Sum numbers: no Arabic
  normalisation, letters split from digits and symbols, NLTK's Snowball Arabic stemmer on
  tokens longer than 3 characters (stopwords left alone), ROUGE-Lsum sentences on newlines.

Against ``rouge_score.rouge_scorer.RougeScorer(use_stemmer=False)`` on ASCII text, the default
gives identical ROUGE-1/2/L. ROUGE-Lsum is identical when texts hold one sentence per line, or
for every text with ``lsum_split="newlines"``; by default khabar also splits a one-line text
into sentences, where ``rouge_score`` (without ``split_summaries``) takes it as one sentence.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from khabar._logging import get_logger
from khabar.metrics._tokenize import (
    TOKEN_RE,
    TOKEN_SPLIT_RE,
    LightStemmer,
    SnowballStemmer,
    build_char_map,
    nfkc,
    xlsum_tokens,
)
from khabar.text.sentences import split_sentences

__all__ = [
    "DEFAULT_ROUGE_TYPES",
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

_CHOICES = {
    "lsum_split": ("sentences", "newlines"),
    "scheme": ("khabar", "xlsum"),
    "stemmer": ("light", "snowball"),
}


# --- tokenizer -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RougeTokenizer:
    """Turn a text into ROUGE tokens, and into ROUGE-Lsum sentences.

    Steps (``scheme="khabar"``): NFKC normalisation (folds Arabic presentation forms), deletion
    of invisible format characters (ZWJ/ZWNJ, bidi marks, word joiner), the selected Arabic
    normalisations, lowercasing, then Unicode word tokens (runs of letters and digits;
    punctuation, including ``، ؛ ؟ « »``, symbols and ``_`` separate tokens and are dropped),
    then optional stemming.

    Attributes:
        strip_tashkeel: delete diacritics (harakat, tanwin, shadda, sukun, dagger alef).
        strip_tatweel: delete the tatweel/kashida ``ـ``.
        unify_alef: map ``أ إ آ ٱ ٲ ٳ`` to bare alef ``ا``.
        alef_maqsura: map ``ى`` to ``ي``.
        ta_marbuta: map ``ة`` to ``ه``.
        lowercase: lowercase (Latin and other cased scripts).
        unify_digits: map Arabic-Indic digits (``٠١٢`` and ``۰۱۲``) to ASCII digits.
        stem: stem every token with ``stemmer``.
        stemmer: ``"light"``: khabar's light Arabic stemmer
            (:class:`khabar.metrics._tokenize.LightStemmer`): at most one prefix among
            ``وال بال كال فال لل ال و ف ب ل ك`` and then at most one suffix among
            ``هما كما ها هم هن كم كن نا ات ون ين ان ية ه ي ة`` are removed (longest first), each
            only if at least 3 letters remain (4 after a single-letter prefix); non-Arabic
            tokens are **not** stemmed (there is no Porter stemmer here, unlike
            ``rouge_score``'s ``use_stemmer=True``). ``"snowball"``: NLTK's Snowball Arabic
            stemmer on every token longer than 3 characters, as XL-Sum's scorer applies it
            (needs ``nltk``).
        snowball_stopwords: with the Snowball stemmer, leave the words of NLTK's Arabic
            stopword list unstemmed, as XL-Sum does (needs NLTK's ``stopwords`` corpus;
            building the tokenizer without it raises a :class:`LookupError` saying how to get
            it). ``False`` stems them too, a close approximation of XL-Sum's scores.
        split_letter_digit: cut tokens where letters meet digits (``تشكيل1`` → ``تشكيل 1``,
            ``1436هـ`` → ``1436 هـ``, ``و2015`` → ``و 2015``), as XL-Sum's scorer does. Off by
            default, so that khabar's scores stay comparable with those already reported.
        lsum_split: the ROUGE-Lsum sentences. ``"sentences"`` (default): the lines of a text
            that has several non-blank lines, otherwise its sentences by
            :func:`khabar.text.split_sentences` (so a generated one-line summary of several
            sentences is scored sentence by sentence). ``"newlines"``: the lines only, as
            ``rouge_score`` (and XL-Sum) do: a one-line text is one sentence, so its ROUGE-Lsum
            equals its ROUGE-L.
        scheme: ``"khabar"`` (the steps above) or ``"xlsum"``: XL-Sum's token rule, with no
            NFKC: every control and format character is deleted, whitespace and punctuation
            (Unicode ``P*`` and ASCII symbols) separate tokens, and other symbols (``°``, ``€``,
            emoji) are kept; with ``split_letter_digit`` each symbol is then a token of its own
            (OpenNMT Tokenizer's "aggressive" mode, which XL-Sum runs), except in ROUGE-Lsum
            sentences, which XL-Sum tokenises without that step.
    """

    strip_tashkeel: bool = True
    strip_tatweel: bool = True
    unify_alef: bool = True
    alef_maqsura: bool = True
    ta_marbuta: bool = True
    lowercase: bool = True
    unify_digits: bool = True
    stem: bool = False
    stemmer: Literal["light", "snowball"] = "light"
    snowball_stopwords: bool = True
    split_letter_digit: bool = False
    lsum_split: Literal["sentences", "newlines"] = "sentences"
    scheme: Literal["khabar", "xlsum"] = "khabar"
    _table: dict[int, str | None] = field(init=False, repr=False, compare=False, hash=False)
    _stemmer: Callable[[str], str] | None = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        for name, choices in _CHOICES.items():
            if getattr(self, name) not in choices:
                raise ValueError(
                    f"RougeTokenizer.{name} must be one of {', '.join(choices)}, "
                    f"got {getattr(self, name)!r}"
                )
        table = build_char_map(
            strip_tashkeel=self.strip_tashkeel,
            strip_tatweel=self.strip_tatweel,
            unify_alef=self.unify_alef,
            alef_maqsura=self.alef_maqsura,
            ta_marbuta=self.ta_marbuta,
            unify_digits=self.unify_digits,
        )
        stemmer: Callable[[str], str] | None = None
        if self.stem:
            if self.stemmer == "snowball":
                stemmer = SnowballStemmer(stopwords=self.snowball_stopwords)
            else:
                stemmer = LightStemmer(table)
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "_stemmer", stemmer)

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

    @classmethod
    def xlsum(cls, *, stem: bool = True, snowball_stopwords: bool = True) -> RougeTokenizer:
        """XL-Sum's protocol: its tokenisation and, with ``stem``, its Snowball stemming.

        Reproduces ``multilingual_rouge_scoring``'s ``RougeScorer(..., lang="arabic",
        use_stemmer=True)`` (``stem=False``: ``use_stemmer=False``): lowercase, no Arabic
        normalisation and no NFKC, tokens split on whitespace and punctuation and where
        letters, digits and symbols meet, Snowball stems of tokens longer than 3 characters,
        ROUGE-Lsum sentences on newlines. XL-Sum's published figures are ROUGE-1/2/L F1
        (bootstrap mid, i.e. the corpus mean to within the resampling noise) of this protocol.
        Needs ``nltk`` for stemming, and NLTK's ``stopwords`` corpus unless
        ``snowball_stopwords=False``.
        """
        return cls(
            strip_tashkeel=False,
            strip_tatweel=False,
            unify_alef=False,
            alef_maqsura=False,
            ta_marbuta=False,
            unify_digits=False,
            lowercase=True,
            stem=stem,
            stemmer="snowball",
            snowball_stopwords=snowball_stopwords,
            split_letter_digit=True,
            lsum_split="newlines",
            scheme="xlsum",
        )

    def normalize(self, text: str) -> str:
        """Apply the character-level normalisation only (no tokenisation)."""
        if self.scheme == "khabar":
            text = nfkc(text)
        text = text.translate(self._table)
        return text.lower() if self.lowercase else text

    def _tokens(self, text: str, *, segment: bool) -> list[str]:
        text = self.normalize(text)
        if self.scheme == "xlsum":
            tokens = xlsum_tokens(text, segment=segment)
        else:
            tokens = (TOKEN_SPLIT_RE if segment else TOKEN_RE).findall(text)
        if self._stemmer is not None:
            stem = self._stemmer
            tokens = [s for s in (stem(tok) for tok in tokens) if s]
        return tokens

    def __call__(self, text: str) -> list[str]:
        """Tokenize ``text`` into a list of normalised (and optionally stemmed) tokens."""
        return self._tokens(text, segment=self.split_letter_digit)

    def split_lsum(self, text: str) -> list[str]:
        """The ROUGE-Lsum sentences of ``text`` (see ``lsum_split``); blank ones dropped."""
        if self.lsum_split == "newlines":
            return [line for line in text.split("\n") if line.strip()]
        lines = [line.strip() for line in text.splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > 1:
            return lines
        return split_sentences(text)

    def sentences(self, text: str) -> list[list[str]]:
        """The tokens of each ROUGE-Lsum sentence of ``text``."""
        # XL-Sum's scorer tokenises ROUGE-Lsum sentences without its letter/digit split
        segment = self.split_letter_digit and self.scheme != "xlsum"
        return [self._tokens(sentence, segment=segment) for sentence in self.split_lsum(text)]


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
            self._sents = self.tokenizer.sentences(self.text)
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
            ``rougeLsum`` (summary-level union LCS over the sentences that the tokenizer's
            ``lsum_split`` gives).
        tokenizer: the :class:`RougeTokenizer` (default: khabar's protocol, all Arabic
            normalisation on, no stemming; :meth:`RougeTokenizer.xlsum` for XL-Sum's).
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
