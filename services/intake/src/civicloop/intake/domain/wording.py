"""What a petition's words are, for comparing two petitions: normalised text, its words
(jieba with the city-service vocabulary, synonyms folded into one term), the states of the
problem it names (vocabulary.STATE_KINDS) and the sounds of its words (pairs of syllables,
so that a homophone typo, 路等 for 路灯 or 垃极 for 垃圾, still meets its word).

Segmenting is the costly step (jieba, about half a millisecond a petition), so intake does it
once, when a petition is filed, and stores the words (``segment``); comparing reads them back
and only folds synonyms and drops stopwords (``PetitionText.of``), which is cheap.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import threading
import unicodedata
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicloop.intake.domain.vocabulary import (
    CONCEPT_PATTERNS,
    DOMAIN_WORDS,
    STATE_KINDS,
    STATE_WORDS,
    STOPWORDS,
    SYNONYM_GROUPS,
)
from civicloop.reference.catalogue import communities

# Chinese numerals before a measure word are numbers: 三栋 = 3栋, 十八号 = 18号, 两斤 = 2斤.
# (Not everywhere: 一直, 一下 are words, not numbers.)
_MEASURES = (
    "栋|幢|号楼|号|单元|楼|层|组|期|巷|排|户|室|岁|斤|两|块|元|天|个月|个|年|点|米|公里|"
    "次|趟|回|辆|棵|盏|口|户|家|周|星期|礼拜|小时|钟头|分钟"
)
_CHINESE_NUMBER = re.compile(rf"([零〇一二两三四五六七八九十百千]+)(?={_MEASURES})")
_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_WORD = re.compile(r"[\u3400-\u9fff]|[a-z0-9]")


def chinese_number(text: str) -> int | None:
    """三 = 3, 十八 = 18, 二十一 = 21, 一百零五 = 105, 二一 = 21; None when it is no number."""
    if any(char not in _DIGITS and char not in _UNITS for char in text):
        return None
    if not any(char in _UNITS for char in text):
        return int("".join(str(_DIGITS[char]) for char in text))
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        else:
            total += (current or 1) * _UNITS[char]
            current = 0
    return total + current


def _numeral(match: re.Match[str]) -> str:
    value = chinese_number(match.group(1))
    return str(value) if value is not None else match.group(1)


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, Chinese numbers before measure words as digits."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _CHINESE_NUMBER.sub(_numeral, text)


_CANONICAL: dict[str, str] = {word: group[0] for group in SYNONYM_GROUPS for word in group}


def canonical(word: str) -> str:
    """The term a word stands for (its synonym group's first word), or the word itself; a
    community is one term with or without 社区."""
    word = _CANONICAL.get(word, word)
    return word.removesuffix("社区") if len(word) > 3 else word


def terms(words: list[str] | tuple[str, ...]) -> frozenset[str]:
    """The words that say what a petition is about: synonyms folded, stopwords dropped."""
    return frozenset(
        canonical(w) for w in words if w not in STOPWORDS and canonical(w) not in STOPWORDS
    )


def place_names() -> list[str]:
    """The communities' names, with and without 社区 (翔凤桥社区, 翔凤桥), kept whole."""
    names = [c.name for c in communities().values() if not c.name.startswith("第")]
    return [*names, *(n.removesuffix("社区") for n in names)]


_PLACE_SUFFIXES = (
    "路",
    "街",
    "巷",
    "桥",
    "门",
    "口",
    "院",
    "站",
    "场",
    "园",
    "河",
    "堤",
    "坝",
    "村",
    "组",
    "楼",
    "栋",
    "号",
    "单元",
    "片区",
    "小区",
    "社区",
    "附近",
)
_PLACE_WORDS = frozenset(
    (
        "门口",
        "路口",
        "楼下",
        "楼上",
        "楼道",
        "河边",
        "街上",
        "马路",
        "对面",
        "隔壁",
        "十字路口",
        "交叉口",
        "后街",
        "老街",
    )
)


def is_place_word(term: str) -> bool:
    """Whether a term names where (翔凤桥, 3栋, 东门, 路口) rather than what: two different
    problems at one spot share these, and place is weighed by its own signal."""
    return term in _PLACE_WORDS or (len(term) > 1 and term.endswith(_PLACE_SUFFIXES))


class CompactFrequencies:
    """jieba's word frequencies (``Tokenizer.FREQ``: each word's count, and 0 for each prefix
    of a word) read from two tries instead of a dict (see ``civicloop.intake.jieba_dictionary``):
    350,000 words and their prefixes take about 60 MB as Python strings and 3 MB mapped. jieba
    reads it through ``in``, ``[]`` and ``get``; the words added afterwards (the city-service
    vocabulary) go in a small dict."""

    def __init__(self, counts: Any, prefixes: Any, total: int) -> None:
        self._counts = counts  # word -> (count,)
        self._prefixes = prefixes  # every word and every prefix of one
        self.total = total
        self._added: dict[str, int] = {}

    def __contains__(self, fragment: object) -> bool:
        return fragment in self._added or fragment in self._prefixes

    def __getitem__(self, fragment: str) -> int:
        found = self.get(fragment)
        if found is None:
            raise KeyError(fragment)
        return found

    def get(self, fragment: str, default: int | None = None) -> int | None:
        if fragment in self._added:
            return self._added[fragment]
        counted = self._counts.get(fragment)
        if counted:
            return int(counted[0][0])
        return 0 if fragment in self._prefixes else default

    def __setitem__(self, fragment: str, count: int) -> None:
        self._added[fragment] = count


class Segmenter:
    """jieba with the city-service vocabulary, loaded once (about a second) and shared.
    jieba's dictionary ships inside its package: nothing is fetched."""

    _lock = threading.Lock()
    _tokenizer: Any = None

    @classmethod
    def load(cls) -> Any:
        with cls._lock:
            if cls._tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                from civicloop.intake import jieba_dictionary

                frequencies = CompactFrequencies(*jieba_dictionary.mapped())
                tokenizer.FREQ, tokenizer.total = frequencies, frequencies.total
                tokenizer.initialized = True
                for word in (*DOMAIN_WORDS, *_CANONICAL, *place_names()):
                    if len(word) > 1:
                        tokenizer.add_word(word, freq=100_000)
                cls._tokenizer = tokenizer
            return cls._tokenizer


# A building is a 栋, a 幢 or a 号楼 (3栋 = 3幢 = 3号楼); a number keeps its measure word.
_BUILDING = {
    "栋": "栋",
    "幢": "栋",
    "号楼": "栋",
    "单元": "单元",
    "号": "号",
    "组": "组",
    "楼": "楼",
}


def segment(text: str) -> tuple[str, ...]:
    """The words of a petition, as stored with it (normalised; punctuation dropped; a number
    joined to its measure word: 3 栋 -> 3栋). jieba's HMM guesses at unknown words (路灯不亮
    -> 路 / 灯不亮); the dictionary words are what petitions share, so it is off."""
    tokenizer = Segmenter.load()
    words = [w for w in tokenizer.lcut(normalise(text), HMM=False) if _WORD.match(w)]
    joined: list[str] = []
    for word in words:
        if joined and joined[-1].isdigit() and word in _BUILDING:
            joined[-1] += _BUILDING[word]
        elif joined and word == "楼" and joined[-1][:-1].isdigit() and joined[-1][-1] == "号":
            joined[-1] = joined[-1][:-1] + "栋"
        else:
            joined.append(word)
    return tuple(joined)


class Sounds:
    """Each Chinese character's syllable without its tone (路 and 露 are both "lu"), from
    pypinyin's table of single characters (it ships inside the package: nothing is fetched).
    Read straight from its file, without importing pypinyin (whose phrase tables take 50 MB),
    and kept as one number per character of the common block (40 KB)."""

    FIRST, LAST = 0x4E00, 0x9FFF
    _lock = threading.Lock()
    _table: array[int] | None = None
    _syllables: list[str] = []

    @classmethod
    def load(cls) -> tuple[array[int], list[str]]:
        with cls._lock:
            if cls._table is None:
                spec = importlib.util.find_spec("pypinyin")  # found, not imported
                if spec is None or spec.origin is None:
                    raise ModuleNotFoundError("pypinyin")
                table_file = Path(spec.origin).with_name("pinyin_dict.json")
                readings: dict[str, str] = json.loads(table_file.read_text("utf-8"))
                index: dict[str, int] = {"": 0}
                table = array("H", bytes(2 * (cls.LAST - cls.FIRST + 1)))
                for point in range(cls.FIRST, cls.LAST + 1):
                    reading = readings.get(str(point))
                    if reading:
                        syllable = _toneless(reading.split(",")[0])
                        table[point - cls.FIRST] = index.setdefault(syllable, len(index))
                cls._syllables = list(index)
                cls._table = table
            return cls._table, cls._syllables

    @classmethod
    def of(cls, char: str) -> str:
        """The character's toneless syllable, or the character itself when it has none."""
        table, syllables = cls.load()
        point = ord(char)
        if cls.FIRST <= point <= cls.LAST:
            return syllables[table[point - cls.FIRST]] or char
        return char


def _toneless(syllable: str) -> str:
    plain = unicodedata.normalize("NFD", syllable).replace("u\u0308", "v")
    return "".join(c for c in plain if not unicodedata.combining(c))


def sound_bigrams(words: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Pairs of syllables in the words that say what is wrong (words of place and stopwords
    left out, the rest read in order as one run): 路灯不亮 and 路等不亮 both give lu|deng,
    deng|bu, bu|liang. A fallback for words no dictionary knows, weighed by rarity."""
    syllables: list[str] = []
    for word in words:
        if word in STOPWORDS or is_place_word(canonical(word)):
            continue
        if word.isascii():
            syllables.append(word)
        else:
            syllables.extend(Sounds.of(char) for char in word)
    if len(syllables) == 1:
        return frozenset(syllables)
    return frozenset(f"{a}|{b}" for a, b in zip(syllables, syllables[1:], strict=False))


def states(words: tuple[str, ...] | list[str]) -> frozenset[str]:
    """The kinds of problem a petition's words name (vocabulary.STATE_WORDS, STATE_KINDS)."""
    return frozenset(
        kind
        for word in words
        for kind in (
            STATE_WORDS[word] if word in STATE_WORDS else STATE_KINDS.get(canonical(word), ())
        )
    )


_CONCEPTS: dict[str, tuple[str, ...]] = {}
for _concept, _patterns in CONCEPT_PATTERNS:
    for _pattern in _patterns:
        _CONCEPTS[_pattern] = (*_CONCEPTS.get(_pattern, ()), *((_concept,) if _concept else ()))
_LONGEST_PATTERN = max(map(len, _CONCEPTS))


def read_concepts(word: str, found: set[str]) -> None:
    start = 0
    while start < len(word):
        for size in range(min(_LONGEST_PATTERN, len(word) - start), 0, -1):
            concepts_of = _CONCEPTS.get(word[start : start + size])
            if concepts_of is not None:
                found.update(concepts_of)
                start += size
                break
        else:
            start += 1


def characters(words: tuple[str, ...] | list[str]) -> frozenset[str]:
    """The characters of the words that say what is wrong (stopwords and words of place left
    out), each marked with "#": Chinese words are built of meaningful characters, so two
    paraphrases often share some (停了一天的气 / 停气, 水浑 / 水质浑浊) where no word is
    shared. Weighed by rarity like the terms."""
    return frozenset(
        f"#{char}"
        for word in words
        if word not in STOPWORDS and not is_place_word(canonical(word))
        for char in word
        if "\u3400" <= char <= "\u9fff"
    )


def concepts(words: tuple[str, ...] | list[str]) -> frozenset[str]:
    """The concepts a petition's words name (vocabulary.CONCEPT_PATTERNS), read from the
    parts of each word and of the term it folds to; words of place and stopwords left out."""
    found: set[str] = set()
    for word in words:
        term = canonical(word)
        if word in STOPWORDS or term in STOPWORDS or is_place_word(term):
            continue
        read_concepts(word, found)
        if term != word:
            read_concepts(term, found)
    return frozenset(found)


@dataclass(frozen=True)
class PetitionText:
    """What the scorer compares of a petition's text: its terms, the kinds of problem they
    name, and the sounds of its words."""

    terms: frozenset[str]
    grams: frozenset[str]
    states: frozenset[str] = frozenset()
    concepts: frozenset[str] = frozenset()
    characters: frozenset[str] = frozenset()

    @classmethod
    def of(cls, description: str, words: tuple[str, ...] | None = None) -> PetitionText:
        """From the description and, when stored at filing, its words (else segmented now)."""
        words = words if words is not None else segment(description)
        kept = terms(words)
        return cls(
            kept,
            sound_bigrams(words),
            states(words),
            concepts(words),
            characters(words),
        )
