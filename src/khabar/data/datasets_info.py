"""What khabar knows about the public Arabic data sets it is developed and benchmarked on.

Model cards describe a model's training data from this registry when the model's data files
come from one of these sets (e.g. ``topic/ant/train.jsonl.gz``): what the set is, which outlets
and years it covers, its licence and how to cite it. A data set that is not in the registry is
described from the model directory's ``data_summary.json`` alone; nothing is guessed.

Every statement here comes from the data directory's ``README.md`` (the canonical conversion
khabar is tested on); the sizes are those of its official ``train`` / ``dev`` / ``test`` splits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

__all__ = ["DATASETS", "DatasetInfo", "find_dataset", "hub_license_for"]

NON_COMMERCIAL = "non-commercial"
RESEARCH_ONLY = "research-only"


@dataclass(frozen=True)
class DatasetInfo:
    """One known data set, as the model card describes it."""

    key: str
    """khabar's name: the folder in the data directory, e.g. ``topic/ant``."""
    name: str
    """Human name, e.g. ``ANT Corpus v2.1``."""
    task: str
    """``topic``, ``stance`` or ``summarization``."""
    description: str
    """What a record is, in one or two sentences."""
    coverage: str
    """Outlets (or accounts) and period covered."""
    genre: str
    """Kind of text and language variety (Modern Standard Arabic news prose, tweets, ...)."""
    sizes: dict[str, int]
    """Rows of the official splits (``train`` / ``dev`` / ``test``)."""
    licence: str
    """The licence as the data's distributors state it."""
    hub_license: str
    """The Hub licence id a model trained on this set can carry (``other`` if none fits)."""
    licence_note: str | None
    """Why ``hub_license`` is ``other`` or restricted, for the card."""
    citation: str
    labels: dict[str, str] = field(default_factory=dict)
    """Label → what it means in this set."""
    caveats: tuple[str, ...] = ()
    """Known quirks: label noise, overlap between splits, class imbalance."""
    target: str | None = None
    """Summarisation: what the reference is (``headline`` or ``summary``)."""
    hub_id: str | None = None
    """The data set's id on the Hugging Face Hub, where khabar knows one (none are assumed)."""
    restriction: str | None = None
    """``non-commercial`` or ``research-only`` when the licence restricts use."""


_ANT = DatasetInfo(
    key="topic/ant",
    name="ANT Corpus v2.1",
    task="topic",
    description=(
        "News articles labelled with the desk of the outlet that published them; the `title` "
        "field is the outlet's headline."
    ),
    coverage="Al Arabiya, BBC Arabic, CNN Arabic, France24 and Sky News Arabia, 2018",
    genre="Modern Standard Arabic news articles",
    sizes={"train": 23963, "dev": 2949, "test": 3078},
    licence="Apache-2.0, with the request to cite the paper",
    hub_license="apache-2.0",
    licence_note=None,
    citation=(
        'Chouigui, Ben Khiroun, Elayeb, "ANT Corpus: An Arabic News Text Collection for '
        'Textual Classification", AICCSA 2017'
    ),
    labels={
        "culture": "culture desk",
        "economy": "economy desk",
        "internationalNews": "international-news desk; a regional desk, not a topic",
        "middleEast": "Middle East desk; a regional desk, not a topic",
        "sport": "sport desk",
        "technology": "technology desk",
    },
    caveats=(
        "`internationalNews` and `middleEast` are regional desks, not topics: an article about "
        "economics or sport in the region can carry either label.",
        "`culture` is small (3.5% of the articles).",
        "France24's international feed carries all its news, so its labels are noisier than the "
        "other outlets'.",
    ),
)

_ASND = DatasetInfo(
    key="topic/asnd",
    name="ASND",
    task="topic",
    description=(
        "Short news posts from Al Jazeera's social-media accounts, each with one of 12 topics "
        "(official splits; duplicates across splits removed)."
    ),
    coverage="Al Jazeera's social-media accounts",
    genre="short Modern Standard Arabic news posts from social media",
    sizes={"train": 5589, "dev": 385, "test": 709},
    licence="CC BY 4.0",
    hub_license="cc-by-4.0",
    licence_note=None,
    citation=(
        'Chowdhury et al., "Improving Arabic Text Categorization Using Transformer Training '
        'Diversification", WANLP 2020'
    ),
    labels={
        "art-and-entertainment": "art and entertainment",
        "business-and-economy": "business and economy",
        "crime-war-conflict": "crime, war and conflict",
        "education": "education",
        "environment": "environment",
        "health": "health",
        "human-rights-press-freedom": "human rights and press freedom",
        "others": "other topics",
        "politics": "politics",
        "science-and-technology": "science and technology",
        "spiritual": "spiritual and religious topics",
        "sports": "sports",
    },
)

_MAWQIF = DatasetInfo(
    key="stance/mawqif",
    name="Mawqif",
    task="stance",
    description=(
        "Tweets with their stance toward one of three targets: COVID-19 vaccine, digital "
        "transformation, women empowerment. `dev` is a stratified 10% of the official train split."
    ),
    coverage="tweets about three targets (COVID-19 vaccine, digital transformation, women empowerment)",
    genre="tweets, which often mix dialectal Arabic with Modern Standard Arabic",
    sizes={"train": 3152, "dev": 350, "test": 619},
    licence="research use (no licence stated)",
    hub_license="other",
    licence_note="the data set is distributed for research use and states no licence",
    citation=(
        'Alturayeif, Luqman, Ahmed, "Mawqif: A Multi-label Arabic Dataset for Target-specific '
        'Stance Detection", WANLP 2022'
    ),
    labels={
        "favor": "the tweet supports the target",
        "against": "the tweet opposes the target",
        "none": "the tweet takes no stance toward the target",
    },
    caveats=("4 tweets are in both the train and the test split.",),
    restriction=RESEARCH_ONLY,
)

_ANS = DatasetInfo(
    key="stance/ans",
    name="ANS",
    task="stance",
    description=(
        "A news headline (the target) and a rewritten sentence that agrees with it, disagrees "
        "with it, or neither (official splits)."
    ),
    coverage="news headlines and sentences rewritten from them",
    genre="Modern Standard Arabic news headlines and sentences",
    sizes={"train": 2652, "dev": 755, "test": 379},
    licence="Apache-2.0",
    hub_license="apache-2.0",
    licence_note=None,
    citation=(
        'Khouja, "Stance Prediction and Claim Verification: An Arabic Perspective", FEVER 2020'
    ),
    labels={
        "agree": "the sentence agrees with the headline",
        "disagree": "the sentence contradicts the headline",
        "other": "the sentence neither agrees nor disagrees with the headline",
    },
    caveats=("Some headlines are repeated across splits.",),
)

_BALY = DatasetInfo(
    key="stance/baly",
    name="Arabic claim–article stance corpus (Baly et al.)",
    task="stance",
    description=(
        "A claim (the target) and a full web news article about it. Articles are long (median "
        "about 800 words) and still carry web boilerplate."
    ),
    coverage="web news articles retrieved for fact-checked claims",
    genre="Modern Standard Arabic web news articles",
    sizes={"train": 1842, "dev": 587, "test": 613},
    licence="research use (no licence stated)",
    hub_license="other",
    licence_note="the data set is distributed for research use and states no licence",
    citation=(
        'Baly et al., "Integrating Stance Detection and Fact Checking in a Unified Corpus", '
        "NAACL 2018"
    ),
    labels={
        "agree": "the article agrees with the claim",
        "disagree": "the article disagrees with the claim",
        "discuss": "the article discusses the claim without taking a position",
        "unrelated": "the article is not about the claim",
    },
    caveats=(
        "There are very few `disagree` examples.",
        "Articles are long and keep web boilerplate.",
    ),
    restriction=RESEARCH_ONLY,
)

_AUSTR = DatasetInfo(
    key="stance/austr",
    name="AuSTR",
    task="stance",
    description=(
        "A rumour (the target) and a tweet by an authority about it; fold 1 of the official folds."
    ),
    coverage="tweets of authorities about rumours",
    genre="tweets, which often mix dialectal Arabic with Modern Standard Arabic",
    sizes={"train": 488, "dev": 166, "test": 157},
    licence="research use (no licence stated)",
    hub_license="other",
    licence_note="the data set is distributed for research use and states no licence",
    citation=(
        'Haouari & Elsayed, "Detecting Stance of Authorities towards Rumors in Arabic Tweets", 2023'
    ),
    labels={
        "agree": "the authority's tweet supports the rumour",
        "disagree": "the authority's tweet denies the rumour",
        "other": "the tweet neither supports nor denies the rumour",
    },
    caveats=("Small: a few hundred training pairs.",),
    restriction=RESEARCH_ONLY,
)

_SAUDINEWSNET = DatasetInfo(
    key="summarization/saudinewsnet",
    name="SaudiNewsNet",
    task="summarization",
    description=(
        "Articles from 14 Saudi newspapers with their headline as the reference; split by date "
        "so that no story crosses splits."
    ),
    coverage="14 Saudi newspapers, July–August 2015",
    genre="Modern Standard Arabic newspaper articles",
    sizes={"train": 23896, "dev": 2514, "test": 3222},
    licence="CC BY-NC-SA 4.0 (non-commercial research)",
    hub_license="cc-by-nc-sa-4.0",
    licence_note="the training data is licensed CC BY-NC-SA 4.0 (non-commercial, share-alike)",
    citation='Alhagri, "Saudi Newspapers Arabic Corpus (SaudiNewsNet)", 2015',
    caveats=(
        "The references are headlines: short (about 8 words) and sometimes teasers, so the "
        "scores measure headline generation rather than summarisation.",
    ),
    target="headline",
    restriction=NON_COMMERCIAL,
)

_EASC = DatasetInfo(
    key="summarization/easc",
    name="EASC",
    task="summarization",
    description=("153 articles, each with five human extractive summaries; for evaluation only."),
    coverage="Wikipedia and newspaper articles",
    genre="Modern Standard Arabic articles",
    sizes={"test": 153},
    licence="CC BY-SA 3.0 (Wikipedia part); newspaper part distributed with permission",
    hub_license="other",
    licence_note=(
        "the Wikipedia part is CC BY-SA 3.0 and the newspaper part is distributed with permission"
    ),
    citation=(
        'El-Haj, Kruschwitz, Fox, "Using Mechanical Turk to Create a Corpus of Arabic '
        'Summaries", 2010'
    ),
    caveats=(
        "The references lost the hamza forms of alef in many places; alef is normalised on both "
        "sides before scoring.",
    ),
    target="summary",
)

DATASETS: dict[str, DatasetInfo] = {
    d.key: d for d in (_ANT, _ASND, _MAWQIF, _ANS, _BALY, _AUSTR, _SAUDINEWSNET, _EASC)
}
"""Known data sets by khabar name."""


def find_dataset(ref: str | None) -> DatasetInfo | None:
    """The known data set a name or data-file path refers to, or None.

    ``ref`` may be the khabar name (``topic/ant``), a path relative to the data directory
    (``topic/ant/train.jsonl.gz``) or an absolute path that contains the name as folders.
    """
    if not ref:
        return None
    parts = PurePosixPath(str(ref).replace("\\", "/")).parts
    for info in DATASETS.values():
        key_parts = tuple(info.key.split("/"))
        n = len(key_parts)
        if any(tuple(parts[i : i + n]) == key_parts for i in range(len(parts) - n + 1)):
            return info
    return None


def hub_license_for(datasets: list[DatasetInfo]) -> tuple[str, str | None] | None:
    """The Hub licence id a model trained on ``datasets`` can carry, with the reason in words.

    Returns None when ``datasets`` is empty (nothing is known, so nothing is claimed). One
    licence shared by all sets is returned as is; differing licences give ``other``.
    """
    if not datasets:
        return None
    ids = {d.hub_license for d in datasets}
    if len(ids) == 1:
        (only,) = ids
        notes = [d.licence_note for d in datasets if d.licence_note]
        if only == "other":
            return "other", "; ".join(f"{d.name}: {d.licence}" for d in datasets)
        return only, ("; ".join(notes) if notes else None)
    return "other", "the training sets carry different licences: " + "; ".join(
        f"{d.name}: {d.licence}" for d in datasets
    )
