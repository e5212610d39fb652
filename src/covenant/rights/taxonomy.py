"""The rights taxonomy as data: ICCPR and ICESCR articles, themes, both State Department numbering schemes,
the units a State Department section breaks into, and the crosswalk between them all.

Kept apart from the code that applies it (crosswalk.py), so a reader can check and amend it as a table.
"""

from __future__ import annotations

from dataclasses import dataclass

#: ICCPR articles 1-27: short name, then what a passage about it concerns.
ICCPR: dict[int, tuple[str, str]] = {
    1: ("Self-determination", "peoples' right to self-determination and to dispose of their natural resources"),
    2: ("Respect and remedy", "the state's duty to respect and ensure rights without distinction; effective remedy"),
    3: ("Equality of men and women", "equal enjoyment of civil and political rights by women and men"),
    4: ("Derogation", "states of emergency and the limits of derogation"),
    5: ("No abuse of rights", "no right may be used to destroy others; no lowering of existing protection"),
    6: ("Life", "arbitrary killing, deaths in custody, the death penalty, enforced disappearance"),
    7: ("Torture and ill-treatment", "torture, cruel, inhuman or degrading treatment or punishment"),
    8: ("Slavery and forced labour", "slavery, servitude, forced or compulsory labour, trafficking"),
    9: ("Liberty and security", "arbitrary arrest and detention, prompt judicial control, pretrial detention"),
    10: ("Humane detention", "conditions and treatment of people deprived of liberty, prisons"),
    11: ("No prison for debt", "imprisonment for failing to fulfil a contract"),
    12: ("Freedom of movement", "movement within the country, leaving it and returning, internal displacement"),
    13: ("Expulsion of aliens", "expulsion of lawfully present foreigners, asylum procedures, refoulement"),
    14: ("Fair trial", "courts, independence of judges, fair and public hearing, defence, presumption of innocence"),
    15: ("No retroactive punishment", "no crime or penalty without prior law"),
    16: ("Legal personality", "recognition everywhere as a person before the law"),
    17: ("Privacy", "privacy, family, home, correspondence, surveillance, searches, reputation"),
    18: ("Religion and belief", "freedom of thought, conscience and religion, religious registration"),
    19: ("Expression", "opinion and expression, media, internet, access to information, defamation"),
    20: ("War propaganda and hate speech", "propaganda for war, advocacy of national, racial or religious hatred"),
    21: ("Peaceful assembly", "demonstrations, protests, permits for gatherings and their dispersal"),
    22: ("Association", "associations, NGOs, political parties, trade unions"),
    23: ("Family and marriage", "protection of the family, free consent to marriage"),
    24: ("Children", "protection of children, birth registration, nationality, child labour"),
    25: ("Political participation", "elections, voting, standing for office, public service"),
    26: ("Equality and non-discrimination", "equality before the law, discrimination on any ground"),
    27: ("Minorities", "ethnic, religious and linguistic minorities and indigenous peoples"),
}

#: The ICESCR rights reports cover.
ICESCR: dict[int, tuple[str, str]] = {
    6: ("Work", "the right to work, discrimination in employment, forced labour"),
    7: ("Just conditions of work", "wages, hours, occupational safety and health"),
    8: ("Trade unions", "forming and joining unions, collective bargaining, strikes"),
    9: ("Social security", "social security and social insurance"),
    10: ("Family, mothers and children", "protection of the family, maternity, children against exploitation"),
    11: ("Adequate standard of living", "housing, food, water, forced evictions"),
    12: ("Health", "physical and mental health, health care, HIV"),
    13: ("Education", "education at every level, academic freedom"),
    15: ("Culture and science", "cultural life and the benefits of science"),
}

#: Themes users search by: code -> (name, what it covers).
THEMES: dict[str, tuple[str, str]] = {
    "death_penalty": ("Death penalty", "capital punishment, death sentences, executions, moratoriums"),
    "prison_conditions": ("Prison conditions", "conditions in prisons and detention centres, their monitoring"),
    "media": ("Media", "journalists, newspapers, broadcasters, censorship, defamation suits"),
    "internet": ("Internet", "blocked websites, online expression, social media, surveillance of the internet"),
    "elections": ("Elections", "elections, referendums, candidates, parties in elections"),
    "religion": ("Religion", "religious groups, registration, worship, antisemitism"),
    "ngos_defenders": ("NGOs and defenders", "human rights organisations and defenders, their work and reprisals"),
    "trafficking": ("Trafficking", "trafficking in persons for sexual or labour exploitation"),
    "women": ("Women", "gender-based violence, women's equality, reproductive rights"),
    "children": ("Children", "child protection, child marriage, child labour, education of children"),
    "minorities": ("Minorities", "national, ethnic, linguistic minorities and indigenous peoples"),
    "lgbti": ("LGBTI", "sexual orientation, gender identity and sex characteristics"),
    "disability": ("Disability", "persons with disabilities"),
    "refugees_migrants": ("Refugees and migrants", "asylum, refugees, internally displaced and stateless persons"),
    "corruption": ("Corruption", "corruption, transparency, financial disclosure"),
    "torture": ("Torture", "torture and ill-treatment by officials, impunity for it"),
    "enforced_disappearance": ("Enforced disappearance", "people disappeared by or with the acquiescence of the state"),
}


@dataclass(frozen=True, slots=True)
class Unit:
    """The smallest part of a State Department report with one set of rights: a section or a recurring
    subsection within it. Every scheme's labels of a passage follow from its unit."""

    code: str  # the unit id: the section code, or section code/subject ("1.c/prison")
    section: str  # the 2017-2022 section code it belongs to
    iccpr: tuple[int, ...]
    themes: tuple[str, ...] = ()
    icescr: tuple[int, ...] = ()


def _u(code: str, iccpr: tuple[int, ...], themes: tuple[str, ...] = (), icescr: tuple[int, ...] = ()) -> Unit:
    return Unit(code, code.split("/")[0], iccpr, themes, icescr)


UNITS: dict[str, Unit] = {
    u.code: u
    for u in (
        _u("1.a", (6,)),
        _u("1.b", (6, 9, 16), ("enforced_disappearance",)),
        _u("1.c", (7,), ("torture",)),
        _u("1.c/prison", (10,), ("prison_conditions",)),
        _u("1.d", (9,)),
        _u("1.e", (14,)),
        _u("1.e/political_prisoners", (9, 14)),
        _u("1.e/property", (14,), (), (11,)),
        _u("1.f", (17,)),
        _u("1.g", (6, 7)),
        _u("1.g/child_soldiers", (8, 24), ("children",)),
        _u("2.a", (19,)),
        _u("2.a/media", (19,), ("media",)),
        _u("2.a/internet", (19,), ("internet",)),
        _u("2.a/academic", (19,), (), (13, 15)),
        _u("2.b", (21, 22)),
        _u("2.b/assembly", (21,)),
        _u("2.b/association", (22,)),
        _u("2.c", (18,), ("religion",)),
        _u("2.d", (12,)),
        _u("2.e", (12,), ("refugees_migrants",)),
        _u("2.f", (13,), ("refugees_migrants",)),
        _u("2.g", (24,), ("refugees_migrants",)),
        _u("3", (25,), ("elections",)),
        _u("3/women_minorities", (3, 25, 26), ("women",)),
        _u("4", (), ("corruption",)),
        _u("5", (22,), ("ngos_defenders",)),
        _u("5/bodies", (2,)),
        _u("6", (26,)),
        _u("6/women", (3, 26), ("women",)),
        _u("6/women_violence", (3, 7), ("women",)),
        _u("6/reproductive", (3, 17), ("women",), (12,)),
        _u("6/children", (24,), ("children",)),
        _u("6/child_education", (24,), ("children",), (13,)),
        _u("6/child_marriage", (23, 24), ("children", "women")),
        _u("6/child_abuse", (7, 24), ("children",)),
        _u("6/antisemitism", (26, 27), ("religion", "minorities")),
        _u("6/trafficking", (8,), ("trafficking",)),
        _u("6/disability", (26,), ("disability",)),
        _u("6/minorities", (26, 27), ("minorities",)),
        _u("6/indigenous", (27,), ("minorities",)),
        _u("6/lgbti", (17, 26), ("lgbti",)),
        _u("6/health", (26,), (), (12,)),
        _u("7.a", (22,), (), (8,)),
        _u("7.b", (8,), (), (6,)),
        _u("7.c", (24,), ("children",), (10,)),
        _u("7.d", (26,), (), (6,)),
        _u("7.e", (), (), (7,)),
    )
}

#: Subsection headings and the run-in labels that open paragraphs ("Physical Conditions: ..."), by the
#: section they occur in: (section code, pattern on the heading, unit). The deepest heading that matches wins.
SUBHEAD_RULES: tuple[tuple[str, str, str], ...] = (
    ("2.d", r"refugee|asylum|refoulement", "2.f"),
    ("2.d", r"internally displaced|\bidps?\b", "2.e"),
    ("2.d", r"stateless", "2.g"),
    (
        "1.c",
        r"prison|detention cent|physical conditions|administration|independent monitoring|improvements",
        "1.c/prison",
    ),
    ("1.e", r"political prisoners|reprisal|transnational repression", "1.e/political_prisoners"),
    ("1.e", r"property", "1.e/property"),
    ("1.g", r"child soldiers", "1.g/child_soldiers"),
    ("2.a", r"internet", "2.a/internet"),
    ("2.a", r"academic", "2.a/academic"),
    ("2.a", r"press|media|violence and harassment|censorship|libel|slander|nongovernmental impact", "2.a/media"),
    ("2.b", r"assembly", "2.b/assembly"),
    ("2.b", r"association", "2.b/association"),
    ("3", r"participation of women|minorit", "3/women_minorities"),
    ("5", r"human rights bodies", "5/bodies"),
    (
        "6",
        r"rape|domestic violence|genital|harmful traditional|sexual harassment|gender-based violence",
        "6/women_violence",
    ),
    ("6", r"population control|reproductive", "6/reproductive"),
    ("6", r"^education", "6/child_education"),
    ("6", r"marriage", "6/child_marriage"),
    ("6", r"child abuse|sexual exploitation of children|infanticide", "6/child_abuse"),
    ("6", r"semiti", "6/antisemitism"),
    ("6", r"trafficking", "6/trafficking"),
    ("6", r"disabilit", "6/disability"),
    ("6", r"indigenous", "6/indigenous"),
    ("6", r"minorit|racial|ethnic", "6/minorities"),
    ("6", r"sexual orientation|gender identity|lgbt", "6/lgbti"),
    ("6", r"hiv|aids", "6/health"),
    ("6", r"^children|birth registration|displaced children|institutionalized children|child abduction", "6/children"),
    ("6", r"^women", "6/women"),
)

#: Section 2's later letters moved between years (refugees were 2.d's subject in 2017, 2.e or 2.f later): the
#: section's own title decides its unit.
TITLE_RULES: tuple[tuple[str, str, str], ...] = (
    ("2", r"movement", "2.d"),
    ("2", r"internally displaced", "2.e"),
    ("2", r"refugee", "2.f"),
    ("2", r"stateless", "2.g"),
)

#: The 2017-2022 sections (the scheme every State Department page here uses).
SECTIONS_2017: dict[str, str] = {
    "1": "Respect for the Integrity of the Person",
    "1.a": "Arbitrary Deprivation of Life and Other Unlawful or Politically Motivated Killings",
    "1.b": "Disappearance",
    "1.c": "Torture and Other Cruel, Inhuman, or Degrading Treatment or Punishment",
    "1.d": "Arbitrary Arrest or Detention",
    "1.e": "Denial of Fair Public Trial",
    "1.f": "Arbitrary or Unlawful Interference with Privacy, Family, Home, or Correspondence",
    "1.g": "Abuses in Internal Conflict",
    "2": "Respect for Civil Liberties",
    "2.a": "Freedom of Expression, Including for the Press",
    "2.b": "Freedoms of Peaceful Assembly and Association",
    "2.c": "Freedom of Religion",
    "2.d": "Freedom of Movement",
    "2.e": "Internally Displaced Persons",
    "2.f": "Protection of Refugees",
    "2.g": "Stateless Persons",
    "3": "Freedom to Participate in the Political Process",
    "4": "Corruption and Lack of Transparency in Government",
    "5": "Governmental Attitude Regarding International and Nongovernmental Investigation of Alleged Abuses",
    "6": "Discrimination, Societal Abuses, and Trafficking in Persons",
    "7": "Worker Rights",
    "7.a": "Freedom of Association and the Right to Collective Bargaining",
    "7.b": "Prohibition of Forced or Compulsory Labor",
    "7.c": "Prohibition of Child Labor and Minimum Age for Employment",
    "7.d": "Discrimination with Respect to Employment and Occupation",
    "7.e": "Acceptable Conditions of Work",
}

#: The older scheme (the 2003 reports): Section 4 was investigations, 5 discrimination, 6 worker rights
#: with trafficking as 6.f.
SECTIONS_2003: dict[str, str] = {
    "1": "Respect for the Integrity of the Person",
    "1.a": "Arbitrary or Unlawful Deprivation of Life",
    "1.b": "Disappearance",
    "1.c": "Torture and Other Cruel, Inhuman, or Degrading Treatment or Punishment",
    "1.d": "Arbitrary Arrest, Detention, or Exile",
    "1.e": "Denial of Fair Public Trial",
    "1.f": "Arbitrary Interference with Privacy, Family, Home, or Correspondence",
    "1.g": "Use of Excessive Force and Violations of Humanitarian Law in Internal Conflicts",
    "2": "Respect for Civil Liberties",
    "2.a": "Freedom of Speech and Press",
    "2.b": "Freedom of Peaceful Assembly and Association",
    "2.c": "Freedom of Religion",
    "2.d": "Freedom of Movement within the Country, Foreign Travel, Emigration, and Repatriation",
    "3": "Respect for Political Rights: The Right of Citizens to Change Their Government",
    "4": "Governmental Attitude Regarding International and Nongovernmental Investigation of Alleged Violations",
    "5": "Discrimination Based on Race, Sex, Disability, Language, or Social Status",
    "6": "Worker Rights",
    "6.a": "The Right of Association",
    "6.b": "The Right to Organize and Bargain Collectively",
    "6.c": "Prohibition of Forced or Bonded Labor",
    "6.d": "Status of Child Labor Practices and Minimum Age for Employment",
    "6.e": "Acceptable Conditions of Work",
    "6.f": "Trafficking in Persons",
}

#: Old section -> the 2017-2022 unit it became. Codes not listed kept their number and meaning.
OLD_TO_NEW: dict[str, str] = {
    "4": "5",
    "5": "6",
    "6": "7",
    "6.a": "7.a",
    "6.b": "7.a",
    "6.c": "7.b",
    "6.d": "7.c",
    "6.e": "7.e",
    "6.f": "6/trafficking",
}

#: New section -> the old section that held its subject (2.e-2.g were part of 2.d; corruption had no section
#: and was reported under political rights).
NEW_TO_OLD: dict[str, str] = {
    "2.e": "2.d",
    "2.f": "2.d",
    "2.g": "2.d",
    "4": "3",
    "5": "4",
    "6": "5",
    "7": "6",
    "7.a": "6.a",
    "7.b": "6.c",
    "7.c": "6.d",
    "7.d": "5",
    "7.e": "6.e",
}

#: Section titles from which a report is known to use the older scheme.
OLD_SCHEME_MARKERS: tuple[str, ...] = (
    r"respect for political rights",
    r"discrimination based on race, sex",
    r"worker rights",  # as Section 6 (the 2017-2022 pages have it as Section 7)
)

#: Words that mark a right where the State Department pages cannot teach it: the death penalty has no heading of
#: its own, and religion and trafficking moved to separate reports (their sections here only point to them).
#: Ill-treatment told inside a passage on detention is article 7 as well as 10: the State Department files such
#: paragraphs under prison conditions, so its pages teach 10 alone.
#: (scheme, code) -> (pattern, distinct words needed, ICCPR articles one of which the passage must already be
#: likely about (score 0.3 or more), or none).
_RELIGION = (
    r"\b(religio\w*|church\w*|mosques?|synagogues?|worship\w*|believers?|missionar\w*|jehovah\w*|baptists?|"
    r"clergy|imams?|hare krishna|scientolog\w*|ahmadi\w*|falun gong|salafi\w*|tablighi|evangelical|"
    r"protestant\w*|catholic\w*|sects?|proselyti\w*|faith|религи\w*|верующ\w*|церк\w*|мечет\w*)"
)
_TRAFFICKING = r"\b(traffick\w*|торгов\w+ людьми)"

TEXT_RULES: dict[tuple[str, str], tuple[str, int, tuple[str, ...]]] = {
    ("theme", "death_penalty"): (
        r"\b(death penalt\w*|death sentences?|sentenced to death|capital punishment|capital crimes?|death row|"
        r"moratorium on (the )?(death penalty|executions?)|смертн\w+ казн\w*)",
        1,
        (),
    ),
    ("iccpr", "7"): (
        r"\b(beat|beats|beating|beatings|beaten|tortur\w*|ill-treat\w*|rap(e|ed|ing)|electric shocks?|"
        r"physical(ly)? abuse\w*|suffocat\w*|избиени\w*|избил\w*|пыт\w*)\b",
        1,
        ("9", "10"),
    ),
    ("iccpr", "18"): (_RELIGION, 2, ()),
    ("theme", "religion"): (_RELIGION, 2, ()),
    ("iccpr", "8"): (
        r"\b(traffick\w*|forced labou?r|slavery|servitude|debt bondage|bonded labou?r|торгов\w+ людьми)",
        1,
        (),
    ),
    ("theme", "trafficking"): (_TRAFFICKING, 1, ()),
}
