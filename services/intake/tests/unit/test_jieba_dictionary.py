"""The mapped dictionary answers jieba exactly as its own dict does: the same counts, the same
prefixes, so the same words for every petition."""

from __future__ import annotations

import logging

import jieba

from civicloop.intake import jieba_dictionary
from civicloop.intake.domain.wording import CompactFrequencies

SENTENCES = [
    "翔凤桥社区3栋门口的路灯坏了好几天，晚上黑灯瞎火",
    "小区里堆了好多建渣没人清运，下雨天到处是泥浆",
    "楼上天天装修噪音太大，老人娃娃都睡不着觉",
    "幸福路口的下水道堵了，一落雨就积水",
]


def test_the_mapped_dictionary_segments_as_jieba_s_own() -> None:
    jieba.setLogLevel(logging.WARNING)
    plain = jieba.Tokenizer()
    plain.initialize()
    mapped = jieba.Tokenizer()
    frequencies = CompactFrequencies(*jieba_dictionary.mapped())
    mapped.FREQ, mapped.total = frequencies, frequencies.total
    mapped.initialized = True
    for tokenizer in (plain, mapped):
        tokenizer.add_word("黑灯瞎火", freq=100_000)

    assert mapped.total == plain.total
    for word in ("路灯", "路", "建筑垃圾", "建筑垃", "黑灯瞎火", "不是一个词语"):
        assert (word in frequencies) == (word in plain.FREQ), word
        assert frequencies.get(word) == plain.FREQ.get(word), word
    for sentence in SENTENCES:
        assert mapped.lcut(sentence, HMM=False) == plain.lcut(sentence, HMM=False)
