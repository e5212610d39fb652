"""Apply the taxonomy: a State Department section and its subheadings -> a unit -> labels in every scheme."""

from __future__ import annotations

import re
from functools import cache

from covenant.errors import QueryError
from covenant.rights.taxonomy import (
    ICCPR,
    ICESCR,
    NEW_TO_OLD,
    OLD_SCHEME_MARKERS,
    OLD_TO_NEW,
    SECTIONS_2003,
    SECTIONS_2017,
    SUBHEAD_RULES,
    TEXT_RULES,
    THEMES,
    TITLE_RULES,
    UNITS,
    Unit,
)

SCHEMES = ("iccpr", "dos_section", "theme", "icescr")

# A run-in label that opens a State Department paragraph ("Physical Conditions: Prisons were ...").
_RUN_IN = re.compile(r"^([A-Z][\w ,/\-'’()]{2,90}?):\s")


def run_in_label(text: str) -> str | None:
    """The run-in heading a paragraph opens with, if any (at most nine words)."""
    found = _RUN_IN.match(text)
    if found and len(found.group(1).split()) <= 9:
        return found.group(1)
    return None


@cache
def _rules() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    return tuple((section, re.compile(pattern, re.IGNORECASE), unit) for section, pattern, unit in SUBHEAD_RULES)


def unit_for(section: str | None, subheads: list[str], title: str = "") -> str | None:
    """The unit of a passage in the 2017-2022 scheme: its section code (and that section's title) and the
    headings below that section (outermost first, a run-in label last); the deepest heading a rule knows decides."""
    if section is None:
        return None
    base = _top_unit(section)
    for top, title_pattern, title_unit in TITLE_RULES:
        if base is not None and base.startswith(top + ".") and re.search(title_pattern, title, re.IGNORECASE):
            base = title_unit
            break
    if base is None:
        return None
    for heading in reversed(subheads):
        for rule_section, pattern, unit in _rules():
            if base.split("/")[0] == rule_section and pattern.search(heading.strip()):
                return unit
    return base


def _top_unit(section: str) -> str | None:
    if section in UNITS:
        return section
    # "1" or "2" alone (text before the first lettered subsection) has no single right
    return None


def new_unit_for_old(section: str) -> str | None:
    """The 2017-2022 unit of a section of the older scheme."""
    unit = OLD_TO_NEW.get(section, section)
    return unit if unit in UNITS else None


# Units whose subject the older scheme kept in another section than their number says.
_UNIT_TO_OLD = {"6/trafficking": "6.f", "2.e": "2.d", "2.f": "2.d", "2.g": "2.d"}


def old_section_of_unit(unit: str) -> str:
    """The older scheme's section that held a unit's subject."""
    return _UNIT_TO_OLD.get(unit) or old_section(unit.split("/")[0])


def units_in_section(code: str, old_scheme: bool = False) -> tuple[str, ...]:
    """The units a section of either scheme holds (a section with lettered subsections: theirs)."""
    if old_scheme:
        sections = {u: old_section_of_unit(u) for u in UNITS}
    else:
        sections = {u: found.section for u, found in UNITS.items()}
    exact = tuple(u for u, section in sections.items() if section == code)
    nested = tuple(u for u, section in sections.items() if section.startswith(code + "."))
    moved = new_unit_for_old(code) if old_scheme else None  # 6.b shares 7.a with 6.a
    return exact or nested or ((moved,) if moved else ())


def old_section(code: str) -> str:
    """The older scheme's section for a 2017-2022 section code."""
    return NEW_TO_OLD.get(code, code)


def new_section(code: str) -> str:
    """The 2017-2022 section for a section code of the older scheme."""
    return OLD_TO_NEW.get(code, code).split("/")[0]


def uses_old_scheme(section_titles: list[str]) -> bool:
    """Whether a report's own section titles are those of the older (2003-era) numbering."""
    text = " | ".join(section_titles).casefold()
    if "worker rights" in text and re.search(r"section 6\.?\s*worker rights", text):
        return True
    return any(re.search(marker, text) for marker in OLD_SCHEME_MARKERS[:2])


def labels(unit: str) -> dict[str, list[str]]:
    """Every scheme's codes for one unit: {"iccpr": ["7"], "dos_section": ["1.c"], "theme": [...], "icescr": []}."""
    found: Unit = UNITS[unit]
    return {
        "iccpr": [str(a) for a in found.iccpr],
        "dos_section": [found.section],
        "theme": list(found.themes),
        "icescr": [str(a) for a in found.icescr],
    }


@cache
def text_rules() -> dict[tuple[str, str], tuple[re.Pattern[str], int, tuple[str, ...]]]:
    return {
        key: (re.compile(pattern, re.IGNORECASE), needed, context)
        for key, (pattern, needed, context) in TEXT_RULES.items()
    }


def rule_hits(text: str, iccpr_scores: dict[str, float] | None = None) -> list[tuple[str, str]]:
    """The (scheme, code) pairs whose text rule the passage meets (a rule with a context needs one of its
    ICCPR articles to score 0.3 or more already)."""
    out = []
    for key, (pattern, needed, context) in text_rules().items():
        if context and not any((iccpr_scores or {}).get(code, 0.0) >= 0.3 for code in context):
            continue
        words = {m.group(0).casefold() for m in pattern.finditer(text)}
        if len(words) >= needed:
            out.append(key)
    return out


def known(scheme: str, code: str) -> bool:
    """Whether a code exists in a scheme (for checking a user's correction)."""
    if scheme == "iccpr":
        return code.isdigit() and int(code) in ICCPR
    if scheme == "icescr":
        return code.isdigit() and int(code) in ICESCR
    if scheme == "theme":
        return code in THEMES
    if scheme == "dos_section":
        return code in SECTIONS_2017 or code in SECTIONS_2003
    return False


def describe(scheme: str, code: str) -> str:
    """A label's short name ("19 Expression", "1.c Torture and Other ...")."""
    if scheme == "iccpr" and code.isdigit() and int(code) in ICCPR:
        return ICCPR[int(code)][0]
    if scheme == "icescr" and code.isdigit() and int(code) in ICESCR:
        return ICESCR[int(code)][0]
    if scheme == "theme" and code in THEMES:
        return THEMES[code][0]
    if scheme == "dos_section":
        return SECTIONS_2017.get(code) or SECTIONS_2003.get(code, "")
    return ""


def parse_right(value: str) -> tuple[str, str]:
    """A right as users write it: "19" or "iccpr:19", "1.c" or "dos:1.c", "media" or "theme:media",
    "icescr:8" -> (scheme, code)."""
    text = value.strip()
    if ":" in text:
        scheme, code = (part.strip() for part in text.split(":", 1))
        scheme = {"dos": "dos_section", "section": "dos_section", "themes": "theme"}.get(
            scheme.casefold(), scheme.casefold()
        )
    elif text.isdigit():
        scheme, code = "iccpr", text
    elif text in SECTIONS_2017 or text in SECTIONS_2003:
        scheme, code = "dos_section", text
    else:
        scheme, code = "theme", text.casefold().replace(" ", "_").replace("-", "_")
    if scheme == "theme":
        code = code.casefold().replace(" ", "_").replace("-", "_")
    if scheme in ("iccpr", "icescr"):
        code = code.lstrip("0") or "0"
    if scheme not in SCHEMES or not known(scheme, code):
        raise QueryError(
            f"unknown right {value!r}: give an ICCPR article (19 or iccpr:19), a State Department section "
            f"(1.c or dos:1.c), an ICESCR article (icescr:8) or a theme ({', '.join(THEMES)})"
        )
    return scheme, code
