"""What a passage's headings say about its rights: "Article 19" headings, and a State Department report's own
sections and subsections."""

from __future__ import annotations

import re

from covenant.model import Passage, Section
from covenant.rights.crosswalk import new_unit_for_old, run_in_label, unit_for, units_in_section, uses_old_scheme
from covenant.rights.taxonomy import ICCPR

# "Article 19", "Articles 21 and 22", "Art. 9", "Статья 19" (in an NGO report organised article by article).
_ARTICLE = re.compile(
    r"\b(?:articles?|arts?\.|стать[яи])\s*(\d{1,2})((?:\s*(?:,|and|&|и|-|–)\s*\d{1,2})*)", re.IGNORECASE
)
_OTHER_TREATY = re.compile(r"\b(ICESCR|CEDAW|CRC|CAT|CERD|CRPD|Economic, Social|Against Torture|of the Child)\b")


def heading_articles(section_path: list[str]) -> list[int]:
    """ICCPR articles named by the nearest heading that names any ("Article 19" -> [19])."""
    for heading in reversed(section_path):
        if _OTHER_TREATY.search(heading):
            return []
        found = _ARTICLE.search(heading)
        if found:
            numbers = [int(found.group(1)), *(int(n) for n in re.findall(r"\d{1,2}", found.group(2) or ""))]
            return [n for n in numbers if n in ICCPR]
    return []


class ReportSections:
    """One report's sections, to find each passage's State Department unit from the report's own headings."""

    def __init__(self, sections: list[Section]) -> None:
        self.by_id = {s.id: s for s in sections}
        coded = [s.title for s in sections if s.code]
        self.old_scheme = uses_old_scheme(coded)
        self.has_codes = any(s.code and "." in s.code for s in sections) or len(coded) >= 4

    def units(self, passages: list[Passage]) -> dict[str, str]:
        """Each passage's unit by the report's own headings, by passage id (none where the report has no State
        Department sections). A run-in label ("Physical Conditions: ...") governs its paragraph and the ones
        after it in the same section."""
        return {pid: unit for pid, (unit, _code, _specific) in self._placed(passages).items()}

    def scopes(self, passages: list[Passage]) -> dict[str, tuple[str, ...]]:
        """The units each passage can belong to by its headings: the one a subheading names, else every unit of
        its section (the older scheme's 1.c held prison conditions beside torture)."""
        out: dict[str, tuple[str, ...]] = {}
        for pid, (unit, code, specific) in self._placed(passages).items():
            out[pid] = (unit,) if specific else units_in_section(code, self.old_scheme) or (unit,)
        return out

    def own_sections(self, passages: list[Passage]) -> dict[str, str]:
        """Each passage's section code in the report's own numbering (where the report has sections)."""
        return {pid: code for pid, (_unit, code, _specific) in self._placed(passages).items()}

    def _placed(self, passages: list[Passage]) -> dict[str, tuple[str, str, bool]]:
        out: dict[str, tuple[str, str, bool]] = {}
        if not self.has_codes:
            return out
        label: str | None = None
        label_section: str | None = None
        for passage in passages:
            if passage.section_id is None:
                continue
            found = run_in_label(passage.text)
            if found is not None:
                label, label_section = found, passage.section_id
            elif label_section != passage.section_id:
                label = None
            placed = self._unit(passage.section_id, label)
            if placed is not None:
                out[passage.id] = placed
        return out

    def _unit(self, section_id: str, label: str | None) -> tuple[str, str, bool] | None:
        """(unit, the section whose units it may be, whether a subheading decided the unit)."""
        node = self.by_id.get(section_id)
        subheads: list[str] = []
        while node is not None and not node.code:
            subheads.insert(0, node.title)
            node = self.by_id.get(node.parent_id) if node.parent_id else None
        if node is None or node.code is None:
            return None
        if label:
            subheads.append(label)
        code = node.code
        base = new_unit_for_old(code) if self.old_scheme else code
        if base is None or "/" in base:
            return (base, code, True) if base else None
        unit = unit_for(base, subheads, node.title)
        section_unit = unit_for(base, [], node.title)
        if unit is None or section_unit is None:
            return None
        # The scope is the section in the report's own scheme (old) or the section its title names (new: the
        # letters of Section 2 moved between years).
        scope = code if self.old_scheme else section_unit.split("/")[0]
        return unit, scope, unit != section_unit
