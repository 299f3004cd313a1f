"""Vietnamese text for people: searching without caring for accents, and alphabetical order.

`fold` makes "UBND xã Hòa Bình", "hoa binh", "Hoà Bình" and "HÒA BÌNH" the same text (accents,
tone marks, đ and case removed), so that a search typed on any keyboard, with the old or the new
tone placement (hoà/hòa), finds the name. It is plain Python, so SQLite and PostgreSQL match the
same way: a folded copy of the name is stored (units.Unit.name_folded) and compared with the
folded query.

`sort_key` orders names as a Vietnamese dictionary does: the letters a ă â b c d đ e ê g h i k l
m n o ô ơ p q r s t u ư v x y (f, j, w, z of foreign words in their Latin places), then, between
names with the same letters, the tones word by word: none, huyền, hỏi, ngã, sắc, nặng
(a à ả ã á ạ). The tone belongs to the syllable, not to the letter it is written on, so "Hoà"
and "Hòa" sort together.
"""

from __future__ import annotations

import unicodedata

# Combining marks that make a different letter (ă â ê ô ơ ư), in NFD.
BREVE, CIRCUMFLEX, HORN = "\u0306", "\u0302", "\u031b"
# Combining marks of the five tones, in dictionary order after the level tone (ngang).
TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

ALPHABET = [
    "a",
    "a" + BREVE,
    "a" + CIRCUMFLEX,
    "b",
    "c",
    "d",
    "đ",
    "e",
    "e" + CIRCUMFLEX,
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "o" + CIRCUMFLEX,
    "o" + HORN,
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "u" + HORN,
    "v",
    "w",
    "x",
    "y",
    "z",
]
RANK = {letter: number for number, letter in enumerate(ALPHABET)}

# What a name's characters are, in the order they sort: spaces and punctuation before digits,
# digits before letters ("Phường 1" before "Phường A", "Hòa Bình" before "Hòabình").
SEPARATOR, DIGIT, LETTER = 0, 1, 2

SortKey = tuple[tuple[tuple[int, int | str], ...], tuple[int, ...], str, str]


def fold(text: str) -> str:
    """Text without accents, tone marks or case, with đ as d and single spaces."""
    decomposed = unicodedata.normalize("NFD", str(text).casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.replace("đ", "d").split())


def _letters(text: str) -> tuple[list[str], list[int]]:
    """The letters of a casefolded text (with their vowel marks) and the tone of each word."""
    letters: list[str] = []
    tones: list[int] = []
    in_word = False
    for char in unicodedata.normalize("NFD", text):
        if char in TONES:
            if tones:
                tones[-1] = TONES[char]
            continue
        if unicodedata.combining(char):
            if letters:
                letters[-1] += char
            continue
        if char.isalnum():
            if not in_word:
                tones.append(0)
                in_word = True
        else:
            in_word = False
        letters.append(char)
    return letters, tones


def _rank(letter: str) -> tuple[int, int | str]:
    if letter in RANK:
        return (LETTER, RANK[letter])
    if letter[:1].isdigit():
        return (DIGIT, letter)
    if letter[:1].isalpha():  # a letter of another alphabet: after ours, by its code point
        return (LETTER, len(ALPHABET) + ord(letter[0]))
    return (SEPARATOR, letter)


def sort_key(name: str) -> SortKey:
    """The key that sorts names in Vietnamese alphabetical order (see the module's note).

    Letters first, then tones word by word, then case ("hòa" before "Hòa"), then the text
    itself, so that different names never compare equal."""
    folded = " ".join(unicodedata.normalize("NFC", str(name)).casefold().split())
    letters, tones = _letters(folded)
    # Lower case before upper case: swapcase makes "a" sort before "A" in plain code points.
    return tuple(_rank(letter) for letter in letters), tuple(tones), str(name).swapcase(), name


def search_matches(name: str, query: str) -> bool:
    """True when every word of the query is in the name, without accents or case."""
    haystack = fold(name)
    return all(word in haystack for word in fold(query).split())
