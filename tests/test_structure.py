"""Heading trees of the reference reports."""

from __future__ import annotations

from conftest import EVAL_DEV, read_jsonl


def _outline(doc):
    return [{"level": s.level, "title": s.title, "code": s.code} for s in doc.sections]


def test_state_department_2003_headings_match_the_annotation(reference_docs) -> None:
    gold = read_jsonl(EVAL_DEV / "000_81691023f15c1c92" / "sections.jsonl")
    assert _outline(reference_docs["000_81691023f15c1c92"]) == gold


def test_state_department_2019_web_copy_keeps_its_numbering(reference_docs) -> None:
    codes = [s.code for s in reference_docs["003_45cd954fc36bba18"].sections if s.code]
    assert codes == ["2", "2.a", "2.b", "3", "4", "5"]


def test_hrw_chapter_title_case_headings(reference_docs) -> None:
    titles = [s.title for s in reference_docs["001_30dfef030156c0a4"].sections]
    assert titles[1:] == [
        "Persecution of Independent Media",
        "Persecution of Political Opponents",
        "Obstacles to Political Participation",
        "Nongovernmental Organizations (NGOs)",
        "Fueling the AIDS Epidemic",
        "International Cooperation",
        "Key International Actors",
    ]


def test_hrw_letter_headings_and_no_signature_headings(reference_docs) -> None:
    titles = [s.title for s in reference_docs["002_e77f42745581b012"].sections]
    assert titles[0] == "Harassment of Political Opposition"
    assert "Attacks on the ZSK" in titles and "Internet Access" in titles
    assert "Holly Cartner" not in titles and "Human Rights Watch" not in titles


def test_a_letter_signature_is_one_passage(reference_docs) -> None:
    doc = reference_docs["002_e77f42745581b012"]
    signature = [p for p in doc.passages if p.text.startswith("Holly Cartner")]
    assert len(signature) == 1
    p = signature[0]
    assert p.text == "Holly Cartner Executive Director Europe and Central Asia division Human Rights Watch"
    assert (p.line_start, p.line_end) == (131, 134)
    # The closing sentence before it stays a passage of its own; the site footer after it is not text.
    assert doc.passages[-2].text == "Thank you for your attention to these pressing concerns."
    assert doc.passages[-1] is p


def test_shadow_report_parts_and_articles(reference_docs) -> None:
    doc = reference_docs["004_c44e466740d2cce1"]
    top = [s.title for s in doc.sections if s.level == 1]
    assert top[0].startswith("COMMENTS OF KAZAKHSTANI HUMAN RIGHTS NGOs ON KAZAKHSTAN’S SECOND PERIODIC REPORT")
    assert top[0].endswith("CIVIL AND POLITICAL RIGHTS")  # the wrapped title is one heading
    assert "INTRODUCTION" in top
    assert "I. IMPLEMENTATION OF RECOMMENDATIONS ISSUED TO KAZAKHSTAN BY THE UN HUMAN RIGHTS COMMITTEE" in top
    articles = [s.title for s in doc.sections if s.title.startswith("Article")]
    assert articles[0] == "Article 2, paragraph 3" and "Article 19" in articles and "Article 25" in articles
    part_two = next(s for s in doc.sections if s.title.startswith("II."))
    article_19 = next(s for s in doc.sections if s.title == "Article 19")
    assert article_19.parent_id == part_two.id and article_19.level == 2
    # The contents list is furniture, so each article heading appears once.
    assert articles.count("Article 19") == 1


def test_sections_nest_and_cover_their_passages(reference_docs) -> None:
    for doc in reference_docs.values():
        by_id = {s.id: s for s in doc.sections}
        for s in doc.sections:
            assert s.start < s.end
            if s.parent_id:
                parent = by_id[s.parent_id]
                assert parent.level < s.level and parent.start <= s.start and s.end <= parent.end
        for p in doc.passages:
            if p.section_id:
                section = by_id[p.section_id]
                assert section.start <= p.start and p.end <= section.end
                assert p.section_path[-1] == section.title
