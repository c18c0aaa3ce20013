"""Roles from names: the built-in dictionary ``sledcheck init`` guesses a body's role with.

A name is cut into words on anything that is not a letter or a digit, on lower-to-upper case changes and on
letter-digit boundaries (``CPU0_HEATSINK`` -> cpu 0 heatsink, ``HeatSink2`` -> heat sink 2, ``M3x8_SCREW`` ->
m 3 x 8 screw); a run-together word is split into dictionary words when it splits completely (``TOPCOVER`` ->
top cover, ``FANHOUSING`` -> fan housing). Each dictionary word has a role, a rank and a confidence:

* rank 3, the thing itself: screw, socket, slot, bracket, heatsink, cover, pad, cable, duct ...
* rank 2, a unit or a board: fan, dimm, pcb, tray, psu, ssd, package ...
* rank 1, a qualifier that names a role only when nothing else does: cpu, gpu, ddr, case, bottom ...
* rank 0, a thread size (M3, M2.5x6): a fastener, unless any other word says otherwise.

The highest rank wins (``CPU0_HEATSINK`` and ``HEATSINK_CPU0`` are heat sinks, ``DIMM_SLOT_3`` is a connector,
``FAN_BRACKET`` a bracket); among equal ranks the last word, the head noun of an English compound (``CASE_FAN`` is
a fan). When the instance name and the product name say different things the product wins: it says what the
body is, while an instance name often says where it sits (``DIMM_SLOT_3`` of product ``DDR5_RDIMM`` is a DIMM).
A body whose names say nothing takes the role of the nearest sub-assembly whose name does (``FAN_3/HUB`` is a
fan); the root of the file names the whole assembly, not its parts, and is not used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

#: Confidences from these up are said as "sure" and "likely"; below is a "guess".
SURE = 0.85
LIKELY = 0.6
#: The role of a body whose names say nothing, and how sure that is.
DEFAULT_ROLE = "component"
DEFAULT_CONFIDENCE = 0.2
#: An inherited role is this much less sure than the sub-assembly's own.
INHERITED = 0.85


def confidence_word(confidence: float) -> str:
    """"sure", "likely" or "guess"."""
    return "sure" if confidence >= SURE else "likely" if confidence >= LIKELY else "guess"


@dataclass(frozen=True)
class Word:
    """What a dictionary word says: ``role``, ``rank`` (higher wins within a name) and ``confidence``."""

    role: str
    rank: int
    confidence: float


def _words(role: str, rank: int, confidence: float, *words: str) -> dict[str, Word]:
    return {w: Word(role, rank, confidence) for w in words}


#: Single words (lower case).
WORDS: dict[str, Word] = {
    **_words("heatsink", 3, 0.9, "heatsink", "heatsinks", "coldplate"),
    **_words("heatsink", 3, 0.8, "cooler", "fins", "heatspreader"),
    **_words("heatsink", 3, 0.75, "hs", "fin"),
    **_words("heatsink", 3, 0.6, "sink"),
    **_words("fan", 2, 0.9, "fan", "fans", "blower", "blowers"),
    **_words("fan", 2, 0.7, "impeller"),
    **_words("dimm", 2, 0.95, "rdimm", "lrdimm", "udimm", "sodimm", "dimms"),
    **_words("dimm", 2, 0.9, "dimm"),
    **_words("dimm", 1, 0.75, "ddr", "ram"),
    **_words("connector", 3, 0.9, "connector", "connectors", "receptacle"),
    **_words("connector", 3, 0.85, "socket"),
    **_words("connector", 3, 0.8, "conn", "slot", "header"),
    **_words("connector", 3, 0.7, "connect", "jack", "plug"),
    **_words("lid", 3, 0.9, "lid"),
    **_words("lid", 3, 0.8, "cover"),
    **_words("tray", 2, 0.9, "tray"),
    **_words("tray", 2, 0.85, "chassis"),
    **_words("tray", 2, 0.75, "pan"),
    **_words("tray", 1, 0.75, "enclosure"),
    **_words("tray", 1, 0.7, "case"),
    **_words("tray", 1, 0.6, "bottom"),
    **_words("pcb", 2, 0.95, "pcb", "pcba", "mainboard", "motherboard"),
    **_words("pcb", 2, 0.9, "baseboard"),
    **_words("pcb", 2, 0.85, "board", "pwb", "backplane"),
    **_words("pcb", 2, 0.6, "card"),
    **_words("fastener", 3, 0.95, "screw", "screws", "bolt", "bolts", "washer", "washers", "rivet", "rivets",
             "fastener", "fasteners"),
    **_words("fastener", 3, 0.9, "nut", "nuts"),
    **_words("fastener", 3, 0.8, "dowel"),
    **_words("fastener", 3, 0.6, "pin", "pins"),
    **_words("standoff", 3, 0.95, "standoff", "standoffs"),
    **_words("standoff", 3, 0.85, "spacer", "spacers"),
    **_words("standoff", 3, 0.7, "boss"),
    **_words("standoff", 3, 0.6, "penn", "pem"),   # PennEngineering (PEM) press-in hardware: standoffs and nuts
    **_words("psu", 2, 0.95, "psu", "psus"),
    **_words("bracket", 3, 0.9, "bracket", "brackets"),
    **_words("bracket", 3, 0.85, "brkt"),
    **_words("bracket", 3, 0.8, "brk", "bkt"),
    **_words("bracket", 3, 0.55, "mount"),
    **_words("bracket", 2, 0.7, "riser"),
    **_words("cable", 3, 0.9, "cable", "cables", "harness"),
    **_words("cable", 3, 0.7, "wire"),
    **_words("cable", 3, 0.6, "fpc", "ribbon"),
    **_words("duct", 3, 0.9, "duct", "airduct", "shroud", "baffle"),
    **_words("drive", 2, 0.9, "ssd", "hdd"),
    **_words("drive", 2, 0.8, "drive", "nvme"),
    **_words("drive", 2, 0.7, "disk"),
    **_words("package", 2, 0.85, "package"),
    **_words("package", 2, 0.8, "pkg", "lidded"),
    **_words("package", 2, 0.7, "die", "chip"),
    **_words("package", 1, 0.8, "asic"),
    **_words("package", 1, 0.75, "gpu", "cpu"),
    **_words("package", 1, 0.7, "soc", "fpga"),
    **_words("pad", 3, 0.9, "gasket", "gaskets"),
    **_words("pad", 3, 0.85, "pad", "pads"),
    **_words("pad", 3, 0.8, "tim"),
    **_words("pad", 3, 0.6, "foam"),
}

#: Two-word phrases (lower case), read before the single words.
PHRASES: dict[tuple[str, str], Word] = {
    ("heat", "sink"): Word("heatsink", 3, 0.9),
    ("heat", "spreader"): Word("heatsink", 3, 0.8),
    ("cold", "plate"): Word("heatsink", 3, 0.85),
    ("power", "supply"): Word("psu", 2, 0.9),
    ("top", "cover"): Word("lid", 3, 0.9),
    ("bottom", "cover"): Word("tray", 3, 0.85),
    ("bot", "cover"): Word("tray", 3, 0.85),
    ("base", "cover"): Word("tray", 3, 0.8),
    ("lower", "cover"): Word("tray", 3, 0.8),
    ("package", "lid"): Word("package", 3, 0.8),
    ("pkg", "lid"): Word("package", 3, 0.8),
    ("thermal", "pad"): Word("pad", 3, 0.95),
    ("gap", "pad"): Word("pad", 3, 0.9),
    ("stand", "off"): Word("standoff", 3, 0.9),
    ("hard", "drive"): Word("drive", 2, 0.9),
    ("circuit", "board"): Word("pcb", 2, 0.95),
}

#: Words with no role of their own, known so that run-together names split (``FANHOUSING``).
FILLERS = frozenset({
    "top", "bot", "base", "main", "housing", "hub", "rotor", "blade", "blades", "frame", "body", "left", "right",
    "front", "rear", "back", "side", "upper", "lower", "inner", "outer", "assy", "asm", "assembly", "sub", "plate",
    "sheet", "heat", "power", "supply", "thermal", "air", "stand", "off", "cold", "mother", "cap", "shell", "core",
    "module", "unit", "spreader", "hard", "circuit", "gap", "metal", "copper", "alu", "steel", "hinge", "axis",
})
_VOCABULARY = frozenset(WORDS) | FILLERS | {w for pair in PHRASES for w in pair}

#: ISO metric thread sizes (M3, M2.5, M3x8): a fastener when nothing else is said.
_THREAD = re.compile(r"(?<![a-z0-9.])m(1\.6|2\.5|1|2|3|4|5|6|8|10|12|14|16)(x\d+(\.\d+)?)?(?![0-9a-z.])")
_THREAD_WORD = Word("fastener", 0, 0.5)
#: An M.2 card (written with its dot, else it is a thread size).
_M_DOT_2 = re.compile(r"(?<![a-z0-9])m\.2(?![0-9])")
_M_DOT_2_WORD = Word("drive", 2, 0.8)
_PIECES = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_REPEAT = re.compile(r"#\d+$")   # the loader's mark of a repeated sibling name: 'SCREW#1'


class Match(NamedTuple):
    """The word of a name that decided its role: the role, how sure, and the word as written."""

    role: str
    confidence: float
    word: str


class RoleGuess(NamedTuple):
    """A body's role, how sure (0..1) and why: ``role, confidence, reason = guess_role(...)``."""

    role: str
    confidence: float
    reason: str


def tokens(text: str) -> list[str]:
    """The words of a name, lower case: split on non-alphanumerics, case changes and letter-digit boundaries;
    a run-together word that splits completely into dictionary words is split too."""
    out: list[str] = []
    for chunk in re.split(r"[^0-9A-Za-z]+", text):
        for piece in _PIECES.findall(chunk):
            word = piece.lower()
            out.extend(_split_compound(word) if word not in _VOCABULARY else (word,))
    return out


@lru_cache(maxsize=4096)
def _split_compound(word: str) -> tuple[str, ...]:
    """``word`` as dictionary words of at least 3 letters when it is made of them only (fewest pieces)."""
    if len(word) < 6 or not word.isalpha():
        return (word,)
    best: list[tuple[str, ...] | None] = [None] * (len(word) + 1)
    best[0] = ()
    for end in range(3, len(word) + 1):
        for start in range(0, end - 2):
            head = best[start]
            if head is not None and word[start:end] in _VOCABULARY:
                candidate = (*head, word[start:end])
                if best[end] is None or len(candidate) < len(best[end]):  # type: ignore[arg-type]
                    best[end] = candidate
    found = best[len(word)]
    return found if found else (word,)


def name_role(text: str) -> Match | None:
    """The role one name says, or None: highest rank first, then the last such word (the head noun)."""
    if not text:
        return None
    lowered = text.lower()
    words = tokens(text)
    found: list[tuple[int, int, Word, str]] = []   # (rank, position, word, as written)
    i = 0
    while i < len(words):
        pair = (words[i], words[i + 1]) if i + 1 < len(words) else None
        if pair in PHRASES:
            assert pair is not None
            found.append((PHRASES[pair].rank, i + 1, PHRASES[pair], " ".join(pair)))
            i += 2
            continue
        if words[i] in WORDS:
            found.append((WORDS[words[i]].rank, i, WORDS[words[i]], words[i]))
        i += 1
    if _M_DOT_2.search(lowered):
        found.append((_M_DOT_2_WORD.rank, -1, _M_DOT_2_WORD, "m.2"))
    thread = _THREAD.search(lowered)
    if thread:
        found.append((_THREAD_WORD.rank, -2, _THREAD_WORD, thread.group(0)))
    if not found:
        return None
    rank, _, word, written = max(found, key=lambda f: (f[0], f[1]))
    agree = [f[2].confidence for f in found if f[0] == rank and f[2].role == word.role]
    confidence = max(agree) + (0.05 if len(agree) > 1 else 0.0)   # 'CHASSIS_PAN': two words, one role
    if any(f[0] == rank and f[2].role != word.role for f in found):
        confidence *= 0.8   # another word of the same rank says something else
    return Match(word.role, round(min(confidence, 0.97), 2), written)


def _segments(path: str) -> list[str]:
    return [_REPEAT.sub("", s) for s in path.split("/")] if path else []


def guess_role(name: str, product: str = "", path: str = "") -> RoleGuess:
    """The role of a body from its instance ``name``, its ``product`` name and its instance ``path`` (root
    first, '/'-joined): (role, confidence 0..1, reason)."""
    name = _REPEAT.sub("", name or "")
    product = product or ""
    segments = _segments(path)
    if not name and not product and segments:
        name = segments[-1]
    own = name_role(name)
    prod = name_role(product) if product and product != name else None
    ancestors = segments[1:-1]   # the root names the whole file; the last segment is the body itself
    context = None
    for depth in range(len(ancestors), 0, -1):
        if ancestors[depth - 1] in (name, product):
            continue   # a part exported as a solid plus curves: 'PART/SOLID' is named after PART already
        found = name_role(ancestors[depth - 1])
        if found is not None:
            context = (found, ancestors[depth - 1])
            break
    if own is not None and prod is not None:
        if own.role == prod.role:
            guess = RoleGuess(own.role, round(min(0.97, max(own.confidence, prod.confidence) + 0.05), 2),
                              f"from name {name!r} and product {product!r}")
        else:
            guess = RoleGuess(prod.role, min(prod.confidence, 0.7),
                              f"from product {product!r} ('{prod.word}'); the name {name!r} says {own.role} "
                              f"('{own.word}')")
    elif own is not None or prod is not None:
        match, text, what = (own, name, "name") if own is not None else (prod, product, "product")
        assert match is not None
        guess = RoleGuess(match.role, match.confidence, f"from {what} {text!r}" + _word_note(text, match))
    elif context is not None:
        found, segment = context
        return RoleGuess(found.role, round(found.confidence * INHERITED, 2),
                         f"from the sub-assembly {segment!r}" + _word_note(segment, found))
    else:
        said = name or product or (segments[-1] if segments else "")
        return RoleGuess(DEFAULT_ROLE, DEFAULT_CONFIDENCE,
                         f"no role word in {said!r}" if said else "the body has no name")
    if context is not None and context[0].role == guess.role:
        return RoleGuess(guess.role, round(min(0.97, guess.confidence + 0.05), 2),
                         f"{guess.reason}, in sub-assembly {context[1]!r}")
    return guess


def _word_note(text: str, match: Match) -> str:
    """" ('heatsink')" when the deciding word is not the whole name."""
    return "" if text.lower() == match.word else f" ('{match.word}')"


#: Reference-designator prefixes (IEEE 315-1975 / ASME Y14.44-2008 class letters, as ECAD libraries use them) and
#: the role each names. Longest prefix first; the prefix must be followed by a digit or the end (``U12``, ``J3``).
DESIGNATORS: dict[str, Word] = {
    **_words("heatsink", 3, 0.85, "HS", "HSK"),
    **_words("fan", 3, 0.85, "FAN"),
    **_words("connector", 3, 0.85, "J", "P", "CN", "CON", "CONN", "X", "XS", "XP", "SKT", "JP"),
    **_words("package", 2, 0.7, "U", "IC", "Z"),
    **_words("fastener", 3, 0.6, "MH", "H", "MT", "MTG", "HOLE"),   # mounting holes (MT1, MTG2, HOLE3)
    **_words("dimm", 2, 0.8, "DIMM"),
    **_words("component", 1, 0.6, "R", "C", "L", "D", "Q", "Y", "F", "FB", "SW", "S", "K", "T", "TP", "LED", "BT",
             "RN", "CR", "VR", "FL"),
}
_DESIGNATOR = re.compile(r"([A-Za-z]+)")


def designator_role(refdes: str, package: str = "") -> RoleGuess:
    """The role of an ECAD component from its reference designator and package name: the package name when it
    names the thing itself (rank 3: ``SOCKET_LGA4677``, ``HEATSINK_40``, ``CONN_PCIE_X16``), else the designator's
    class letter (``J3`` a connector, ``U1`` a package, ``R5`` a component), else the package's weaker words, else
    ``component``."""
    by_package = name_role(package) if package else None
    if by_package is not None and WORDS.get(by_package.word, Word("", 0, 0)).rank >= 3:
        return RoleGuess(by_package.role, by_package.confidence,
                         f"from package {package!r}" + _word_note(package, by_package))
    match = _DESIGNATOR.match(refdes.strip())
    prefix = match.group(1).upper() if match else ""
    if prefix in DESIGNATORS:
        word = DESIGNATORS[prefix]
        return RoleGuess(word.role, word.confidence, f"from designator prefix {prefix!r} of {refdes!r}")
    if by_package is not None:
        return RoleGuess(by_package.role, by_package.confidence,
                         f"from package {package!r}" + _word_note(package, by_package))
    return RoleGuess(DEFAULT_ROLE, DEFAULT_CONFIDENCE, f"no role in designator {refdes!r} or package {package!r}")
