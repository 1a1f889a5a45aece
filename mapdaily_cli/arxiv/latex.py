"""arXiv titles as authors type them (LaTeX) to the Unicode a reader sees, where that is unambiguous."""

from __future__ import annotations

import re
import unicodedata

_GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon"
    " phi chi psi omega"
).split()
_LETTERS = "αβγδεζηθικλμνξπρστυφχψω"
_SYMBOLS = {
    **{name: _LETTERS[i] for i, name in enumerate(_GREEK)},
    **{name.capitalize(): _LETTERS[i].upper() for i, name in enumerate(_GREEK)},
    **{"varepsilon": "ε", "vartheta": "ϑ", "varphi": "φ", "varrho": "ϱ", "varsigma": "ς"},
    **{"times": "×", "cdot": "·", "pm": "±", "mp": "∓", "infty": "∞", "ell": "ℓ", "partial": "∂"},
    **{"nabla": "∇", "sim": "∼", "approx": "≈", "neq": "≠", "ne": "≠", "leq": "≤", "le": "≤"},
    **{"geq": "≥", "ge": "≥", "to": "→", "rightarrow": "→", "leftarrow": "←", "in": "∈", "circ": "∘"},
    **{"log": "log", "exp": "exp", "max": "max", "min": "min", "sin": "sin", "cos": "cos"},
}
# Combining marks of the accent commands: \"o is ö, \c{c} is ç.
_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a",
}  # fmt: skip
_LETTER_COMMANDS = {
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å",
    "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ",
}  # fmt: skip
_SUPER = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
_SUB = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")

#: Commands whose argument is shown as it is, only styled (the style is dropped).
_STYLE = re.compile(
    r"\\(?:text(?:bf|it|tt|rm|sf|sc|up|normal)?|emph|mathrm|mathbf|mathit|mathsf|mathtt)\{([^{}\\$]*)\}"
)
_ACCENT = re.compile(r"""\{?\\(["'`^~=.]|[uvHckr](?=[{ ]))\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))\}?""")
_LETTER = re.compile(r"\{?\\(ss|o|O|ae|AE|oe|OE|aa|AA|l|L|i|j)(?![A-Za-z])\s?\}?")
_ESCAPE = re.compile(r"\\([&%#_$])")
_MATH = re.compile(r"((?<!\\)\$(?:[^$\\]|\\.)+\$)")
# A group of plain text ({BERT}) is the text; the argument of a command left as written stays.
_GROUP = re.compile(r"(\\[A-Za-z]+\s*)?\{([^{}\\$]*)\}")


def clean_title(raw: str) -> str:
    """A title as arXiv gives it (hard-wrapped, maybe with LaTeX) to one line of Unicode: runs of
    whitespace folded; styles, accents, escapes and simple inline maths (``$\\alpha$``,
    ``$\\ell_1$``) turned into the characters they stand for. What cannot be turned into text
    without guessing (``$\\mathcal{O}(n^{k+1})$``) stays exactly as written."""
    # Maths and text are read by their own rules; maths kept as written is not touched again.
    parts = _MATH.split(" ".join(raw.split()))
    out = [_math(part) if i % 2 else _text(part) for i, part in enumerate(parts)]
    return unicodedata.normalize("NFC", " ".join("".join(out).split()))


def _text(text: str) -> str:
    for _ in range(3):  # nested styles: \textbf{\emph{x}}
        text = _STYLE.sub(r"\1", text)
    text = _ACCENT.sub(_accent, text)
    text = _LETTER.sub(lambda m: _LETTER_COMMANDS[m[1]], text)
    text = _ESCAPE.sub(r"\1", text)
    return _GROUP.sub(lambda m: m[0] if m[1] else m[2], text)


def _accent(m: re.Match[str]) -> str:
    base = m[2] or m[3]
    # An accent on a dotless i or j (\\"{\\i}) is the accent on the letter.
    letter = {"\\i": "i", "\\j": "j"}.get(base) or _LETTER_COMMANDS.get(base[1:], base)
    return unicodedata.normalize("NFC", letter + _ACCENTS[m[1]])


def _math(written: str) -> str:
    """Inline maths as text when every part of it has one reading; else the maths as written."""
    inner = _STYLE.sub(r"\1", written[1:-1])
    inner = re.sub(r"\\([A-Za-z]+)(?![A-Za-z])", lambda c: _SYMBOLS.get(c[1], c[0]), inner)
    inner = re.sub(r"\^(?:\{([0-9+-]+)\}|([0-9]))", lambda c: (c[1] or c[2]).translate(_SUPER), inner)
    inner = re.sub(r"_(?:\{([0-9+-]+)\}|([0-9]))", lambda c: (c[1] or c[2]).translate(_SUB), inner)
    if re.search(r"[\\^_{}]", inner):
        return written
    return " ".join(inner.split())
