"""Footnote blocks moved out of the body and markers glued to words and numbers resolved by the sequence."""

from __future__ import annotations

import re
from pathlib import Path

from citations import check_citations
from conftest import KAZAKHSTAN
from covenant.ingest.text import decode_text
from covenant.pipeline import build_document

SHADOW_004 = "004_c44e466740d2cce1"


def _marker_context(doc, number: str, before: int = 30) -> str:
    note = next(n for n in doc.footnotes if n.number == number)
    assert note.marker_offset is not None, number
    return doc.clean_text[note.marker_offset - before : note.marker_offset]


def test_glued_markers_in_the_shadow_report(reference_docs) -> None:
    doc = reference_docs[SHADOW_004]
    assert _marker_context(doc, "1").endswith("Law of Treaties of 1969,")
    assert _marker_context(doc, "2").endswith("acquittals in Kazakhstan.")
    assert _marker_context(doc, "3").endswith("dated 28 December 2009")  # "20093" = 2009 + note 3
    assert _marker_context(doc, "20").endswith("equality of citizens")  # "citizens20."
    assert _marker_context(doc, "59").endswith("Convention No.87")  # "No.8759" = No.87 + note 59
    body = doc.clean_text[: doc.passages[-1].end]
    assert "28 December 2009 stipulates" in body.replace("\n", " ") or "December 2009 stipula" in body
    assert "Kazakhstan.2" not in body and "citizens20" not in body and "No.8759" not in body


def test_no_footnote_text_left_in_a_body_paragraph(reference_docs) -> None:
    doc = reference_docs[SHADOW_004]
    assert len(doc.footnotes) >= 170
    numbers = [int(n.number) for n in doc.footnotes]
    assert numbers == sorted(numbers)
    note_lines = {n for note in doc.footnotes for n in range(note.line_start, note.line_end + 1)}
    body_end = doc.passages[-1].end
    for run in doc.offset_map:
        if run.clean_start < body_end and run.orig_start >= 0:
            assert run.line_start not in note_lines, run
    for note in doc.footnotes:
        probe = note.text[:80]
        if len(probe) < 60:
            continue  # "Ibid." and the like can stand in body text too
        for p in doc.passages:
            assert probe not in p.text, (note.number, p.id)


def test_paragraph_split_by_a_footnote_block_is_joined(reference_docs) -> None:
    doc = reference_docs[SHADOW_004]
    joined = [
        p
        for p in doc.passages
        if "cases where criminal courts referred to provisions of the Covenant, we are" in p.text
    ]
    assert len(joined) == 1
    assert joined[0].line_end - joined[0].line_start > 4  # cites the lines on both sides of the block


def test_sequence_decides_what_is_a_marker(tmp_path: Path) -> None:
    body = [
        "The law was adopted in 2011 and amended in Kazakhstan.1 It covers 2,500 persons and 1.5 million",
        "residents, according to the Ministry of 2014 figures, and all citizens2. The Resolution of 28",
        "December 20093 applies. Convention No.8759 was ratified. In 2012 the article 3 of the law was",
        "used against 20 journalists.",
        "",
        "1 See: Law on Public Associations.",
        "2 Ministry of Justice statistics, 2014.",
        "3 Regulatory Resolution No. 7.",
        "",
        "Page text continues here with more facts about the year in review and other findings of note.",
    ]
    # Footnotes 4..58 do not exist in this short text: number 59 is out of sequence and stays a number.
    path = tmp_path / "notes.txt"
    path.write_text("Report on Norland\n\n" + "\n".join(body) + "\n", encoding="utf-8")
    doc = build_document(path)
    assert [n.number for n in doc.footnotes] == ["1", "2", "3"]
    text = doc.clean_text
    assert "in Kazakhstan. It covers 2,500 persons and 1.5 million residents" in text
    assert "all citizens. The Resolution of 28 December 2009 applies. Convention No.8759 was ratified." in text
    assert "used against 20 journalists." in text
    assert "See: Law on Public Associations." in text[doc.passages[-1].end :]


# A line that reads as a note: its number then a source, a note's own "// source. URL: ..." or a bare address.
_NOTE_LIKE = re.compile(
    r"^\d{1,3}\s*(?:See\b|Ibid\b|Same document\b|Compare\b)|^//|^(?:https?://|www\.)|URL:\s*\S|\bIbid\.",
)
_PAGE_FOOT_RULE = re.compile(r"^[ \t_]{10,}$")


def test_no_body_passage_is_note_text(reference_docs) -> None:
    doc = reference_docs[SHADOW_004]
    for p in doc.passages:
        assert not _NOTE_LIKE.search(p.text), (p.id, p.text[:160])


def test_every_page_foot_note_is_a_footnote(reference_docs) -> None:
    """Each page's notes start under a rule: the first line there, and every source line of the original
    ("... URL: http://..."), lies within a footnote, whatever its number and whether it continues a note."""
    doc = reference_docs[SHADOW_004]
    original, _ = decode_text(SHADOW_004, (KAZAKHSTAN / f"{SHADOW_004}.txt").read_bytes())
    lines = original.split("\n")
    note_lines = {n for note in doc.footnotes for n in range(note.line_start, note.line_end + 1)}
    rules = [k for k, line in enumerate(lines) if _PAGE_FOOT_RULE.match(line)]
    assert len(rules) >= 50
    for k in rules:
        first = next(j for j in range(k + 1, len(lines)) if lines[j].strip())
        assert first + 1 in note_lines, (first + 1, lines[first][:100])
    for k, line in enumerate(lines, 1):
        if "URL:" in line:
            assert k in note_lines, (k, line[:100])


def test_paragraphs_split_by_note_blocks_read_whole(reference_docs) -> None:
    doc = reference_docs[SHADOW_004]
    body = " ".join(p.text for p in doc.passages)
    assert "court chairs who are appointed by the executive power also limits" in body
    assert "as well as his/her very right to elect and be elected" in body
    assert "the members of the Council also included: the Chair of the Committee" in body
    assert "many years of practice show that unjustified refusals" in body
    ends = {note.text[-40:] for note in doc.footnotes}
    assert any(end.endswith("Legal Newspaper, 16 March 2006.") for end in ends)  # the rest of note 71


_RULE = " " * 50


def test_page_foot_notes_that_do_not_open_the_sequence(tmp_path: Path) -> None:
    """Under the rule at a page foot: the rest of a note run on from the page before, a number the source
    repeats, a number glued to its text, and a note quoting numbered provisions in its smaller type."""
    # Body lines wrap near 95 characters; the notes' smaller type holds about 125.
    body = [
        "1. The Law on Peaceful Assemblies was adopted in 2011 and amended in 2014.1 Its fifth article",
        "restricts any meeting of more than ten persons held without a permit of the local executive,",
        "and the courts have applied it to peaceful gatherings held across the whole country.2 The police",
        _RULE,
        "1 See: Law of Norland No. 12 of 3 May 2011 On the Procedure of Organising and Holding Peaceful Assemblies "
        "(as amended in 2014)",
        "// Legal Information System of Norland. URL: http://law.example.org/docs/Z110012",
        "2 See: Monitoring of Peaceful Assemblies in Norland, Capital City, 2015. The study was conducted by the "
        "Bureau for Human",
        " detained twenty persons at a meeting in the capital in the spring of 2015.3 Their trial lasted",
        "one hour, and the judge heard no witness for the defence before giving the sentence to all.",
        "2. The Code of Administrative Offences punishes those who organise such meetings severely.4 The",
        _RULE,
        "Rights and the Rule of Law with the support of its donors. URL: http://bureau.example.org/monitoring-2015",
        "3 See: Bureau for Human Rights, Trial Monitoring Report on the Peaceful Assembly Cases of 2015, "
        "Capital City, 2016.",
        "4See: Code of Administrative Offences of Norland of 5 July 2014, Article 489. Violation of the law on "
        "public associations.",
        "1. Commission of actions by the heads or members of a public association beyond the purposes and tasks "
        "of its charter, shall",
        "entail a fine.",
        "2. The actions of part one committed repeatedly within a year after the imposition of a fine shall entail "
        "the suspension",
        "of the association.",
        " fines reach two hundred monthly indices, and the association may be suspended for six months.",
        "3. The Ministry of Justice refused to register four associations in 2015 and gave no reasons",
        "in writing for any of its refusals, which the applicants then challenged in court in vain.",
        _RULE,
        "4 See: Law of Norland No. 3 of 31 May 1996 On Public Associations, Article 9: the reasons for a refusal "
        "to register.",
        " 4. The courts upheld every refusal, and none of the four associations could register later.5",
        "5. The authorities should amend the Law on Peaceful Assemblies and the Code of Administrative",
        "Offences so that a peaceful meeting needs only a notification, never a permit, to go ahead.",
        _RULE,
        "5 Recommendation of the Human Rights Committee on the previous report of Norland, paragraph 23.",
        " 6. The Committee should ask the State party what it has done to carry out these recommendations.",
    ]
    path = tmp_path / "page-foot.txt"
    path.write_text("Report on Norland\n\n" + "\n".join(body) + "\n", encoding="utf-8")
    doc = build_document(path)
    notes = [(n.number, n.text) for n in doc.footnotes]
    assert [number for number, _ in notes] == ["1", "2", "2", "3", "4", "4", "5"]
    assert notes[2][1].startswith("Rights and the Rule of Law")  # the rest of note 2, under the next page's rule
    assert notes[4][1].startswith("See: Code of Administrative Offences")  # "4See:" loses its number
    assert "2. The actions of part one" in notes[4][1]  # a quoted provision, not a body paragraph
    assert notes[5][1].startswith("See: Law of Norland No. 3")  # the source repeats number 4
    body_text = " ".join(p.text for p in doc.passages)
    assert "The police detained twenty persons" in body_text
    assert "organise such meetings severely. The fines reach two hundred monthly indices" in body_text
    for p in doc.passages:
        assert not _NOTE_LIKE.search(p.text), p.text
    for number, text in notes:
        assert "Ministry of Justice" not in text and "courts upheld" not in text, number
    # The rest of a note and a repeated number point at no marker of their own; the first note 4 keeps "severely.4".
    assert [n.marker_offset is None for n in doc.footnotes] == [False, False, True, False, False, True, False]
    check_citations(doc, path.read_text(encoding="utf-8"))
