"""jieba's dictionary as two memory-mapped tries, built once per machine.

jieba keeps its 350,000 words and their prefixes in a dict of about 60 MB. Intake reads
them from two marisa tries instead (about 3 MB, mapped from files), built from the dictionary
jieba ships by a child process (``python -m civicloop.intake.jieba_dictionary DIR``): built in
this process, the tries' input would leave its memory to the service for good. The files go
in the temporary directory, named after jieba's version, and are rebuilt when missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

COUNTS = "counts.marisa"
PREFIXES = "prefixes.marisa"
TOTAL = "total"  # the sum of the counts, jieba's denominator


def _counted_words(lines: Iterable[bytes]) -> Iterator[tuple[str, tuple[int]]]:
    """jieba's dictionary lines ("word count [tag]") as (word, (count,))."""
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and fields[1].isdigit():
            yield fields[0].decode("utf-8"), (int(fields[1]),)


def cache_dir() -> Path:
    import jieba

    return Path(tempfile.gettempdir()) / f"civicloop-jieba-{jieba.__version__}"


def build(directory: Path) -> None:
    """Write the two tries into ``directory`` (each file appears whole or not at all)."""
    import jieba
    import marisa_trie

    tokenizer = jieba.Tokenizer()
    directory.mkdir(parents=True, exist_ok=True)
    counts = marisa_trie.RecordTrie("<I", _counted_words(tokenizer.get_dict_file()))
    prefixes = marisa_trie.Trie(
        word[:end]
        for word, _ in _counted_words(tokenizer.get_dict_file())
        for end in range(1, len(word) + 1)
    )
    total = sum(count for _, (count,) in _counted_words(tokenizer.get_dict_file()))
    for name, trie in ((COUNTS, counts), (PREFIXES, prefixes)):
        partial = directory / f"{name}.{os.getpid()}"
        trie.save(str(partial))
        partial.replace(directory / name)
    partial = directory / f"{TOTAL}.{os.getpid()}"
    partial.write_text(str(total))
    partial.replace(directory / TOTAL)  # last: its presence says the others are whole


def mapped(directory: Path | None = None) -> tuple[object, object, int]:
    """The word counts (RecordTrie), the prefix set (Trie) and the counts' sum, built first
    if need be."""
    import marisa_trie

    directory = directory or cache_dir()
    if not (directory / TOTAL).is_file():
        subprocess.run(
            [sys.executable, "-m", "civicloop.intake.jieba_dictionary", str(directory)],
            check=True,
        )
    counts = marisa_trie.RecordTrie("<I").mmap(str(directory / COUNTS))
    prefixes = marisa_trie.Trie().mmap(str(directory / PREFIXES))
    return counts, prefixes, int((directory / TOTAL).read_text())


if __name__ == "__main__":
    build(Path(sys.argv[1]))
