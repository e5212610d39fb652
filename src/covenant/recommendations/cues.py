"""Cue lists and patterns that mark asks, their issuers and their status: data kept apart from the rules."""

from __future__ import annotations

import re

# Verbs a recommendation starts with when it is written as an order ("Permit peaceful demonstrations"), and the
# verbs of change that make a "should" sentence an ask for change rather than a description of the law.
IMPERATIVE_VERBS = frozenset(
    """
    abolish accede accelerate accept add address adjust adopt align allow amend apply appoint authorize authorise
    ban bring cease clarify combat comply conduct consider continue create criminalize criminalise decriminalize
    decriminalise define desist develop devise devote discontinue drop eliminate end enact enhance ensure establish
    exclude expand expedite extend facilitate follow free grant guarantee implement improve include incorporate
    increase institute intensify introduce investigate join keep legalize legalise limit lift make monitor move
    oblige permit place prevent prohibit promote promulgate prosecute protect provide publish pursue put raise
    ratify reconsider reduce reform refrain regulate reject release remove repeal replace respect restore restrict
    review revise revoke sign specify step stop strengthen submit suspend take train transfer undertake uphold
    withdraw work
    """.split()  # noqa: SIM905
)

# Reporting verbs through which a report quotes another body's ask ("He urged your government to ...").
ASK_VERBS = (
    r"(?:recommend(?:s|ed|ing)?|urg(?:e|es|ed|ing)|call(?:s|ed|ing)?\s+(?:up)?on|call(?:s|ed|ing)?\s+for|"
    r"encourag(?:e|es|ed|ing)|invit(?:e|es|ed|ing)|request(?:s|ed|ing)?|appeal(?:s|ed|ing)?\s+to|"
    r"demand(?:s|ed|ing)?|propos(?:e|es|ed|ing)|insist(?:s|ed|ing)?)"
)
# An ask verb counts when it is followed by "that ..." or by an addressee and "to <verb>" (not "requested information").
ASK_VERB = re.compile(
    ASK_VERBS
    + r"\b(?:\s+(?:that\b|for\b)|\s+(?:[\w’'./-]+\s+){0,8}?to\s+[a-z]|"
    + r"\s+(?:the\s+)?(?:introduc|amend|establish|adopt|ensur|abolish)\w*)",
    re.IGNORECASE,
)
# Phrases with an ask verb that make no ask of their own.
NOT_ASK = re.compile(
    r"\b(?:made|make|makes|making)\s+(?:a\s+|several\s+|some\s+)?recommendations?\b|"
    r"\brequest(?:ed|s|ing)?\s+(?:information|(?:\w+[’']s?\s+)?views|details|clarification|data)\b|"
    r"\bcalled\s+on\s+(?:suitable\s+)?(?:segments|members)\s+of\s+(?:the\s+)?society\b|"
    r"\b(?:request|ask)\w*\s+(?:that\s+)?(?:we|us|me)\b",
    re.IGNORECASE,
)

MODAL = re.compile(
    r"\b(?:should|must|ought\s+to|ha(?:s|ve)\s+to|needs\s+to|(?:will|would|also|still|we|they)\s+need\s+to|shall)\b",
    re.IGNORECASE,
)
NECESSITY = re.compile(
    r"\b(?:it|this)\s+(?:is|was|would\s+be|will\s+be|remains|seems)\s+(?:also\s+|therefore\s+|thus\s+|still\s+|"
    r"highly\s+|particularly\s+|most\s+|absolutely\s+|very\s+)*(?:necessary|essential|crucial|important|vital|"
    r"imperative|urgent|advisable|critical)\s+(?:to|that|for)\b|"
    r"\bwe\s+(?:find|consider|believe|deem)\s+it\s+(?:necessary|essential|important|crucial)\b|"
    r"\b(?:changes|measures|steps|action|actions|reforms|amendments|efforts)\s+(?:are|is)\s+(?:urgently\s+|"
    r"therefore\s+|also\s+)?(?:required|needed|necessary)\b|"
    r"\bexpect(?:s|ing|ed)?\s+(?:your|the)\s+government\s+to\b",
    re.IGNORECASE,
)
# "It should be noted", "it is necessary to note": the modal steers the reader, not the government.
DISCOURSE = re.compile(
    r"\b(?:should|must)\s+(?:also\s+)?be\s+(?:noted|mentioned|stressed|emphasi[sz]ed|pointed\s+out|recalled|"
    r"underlined|highlighted|added|remembered|borne\s+in\s+mind)\b|"
    r"\b(?:necessary|important)\s+to\s+(?:note|mention|stress|emphasi[sz]e|point\s+out|recall|underline|add)\b",
    re.IGNORECASE,
)
# "If it is necessary to ...", "when it should ...": a condition, not an ask.
CONDITIONAL = re.compile(r"\b(?:if|when|whether|unless|where)\s+(?:it\s+)?(?:is\s+)?$", re.IGNORECASE)
# A sentence (or the passage before it) that says what a law or standard provides: its "should" describes the law.
LAW_FRAME = re.compile(
    r"\b(?:stipulat(?:es|ed|ing)|provid(?:es|ed)\s+that|provides\s+for|stat(?:es|ed)\s+that|requir(?:es|ed)\s+that|"
    r"oblig(?:es|ed)|prescrib(?:es|ed)|envisag(?:es|ed)|establish(?:es|ed)\s+that|sets?\s+out\s+that|"
    r"prescribed\s+by\s+(?:the\s+)?law|standards?\s+(?:suggest|require|provide|say|stipulate|establish)(?:s|ed|ing)?)\b|"
    r"\b(?:in\s+accordance\s+with|according\s+to|in\s+line\s+with|pursuant\s+to|under)\s+(?:the\s+|these\s+|this\s+|"
    r"its\s+|[A-Z][\w’']+[’']s?\s+)?(?:[\w-]+\s+){0,3}?(?:law|laws|constitution|code|article|paragraph|resolution|"
    r"decree|instruction|rules?|principles|method|regulations?|legislation|standards?|order|act)\b",
    re.IGNORECASE,
)
# Who a descriptive "should" is about: people and papers the law sets duties for, or a pronoun in reported speech.
NON_ASK_SUBJECTS = frozenset(
    """
    he she him her you i one they application applications applicant applicants candidate candidates organisers
    organizers notification petition
    """.split()  # noqa: SIM905
)

# Labels and headings under which a report lists or quotes recommendations.
RECOMMENDATION_LABEL = re.compile(r"(?:^\s*|(?<=[.!?]\s))Recommendations?\s*:\s*")
RECOMMENDATION_HEADING = re.compile(r"\brecommendations?\b", re.IGNORECASE)
# A paragraph that introduces a list of asks ("we urge your government to:", "The following measures are proposed").
LEAD_IN = re.compile(
    ASK_VERBS + r"|\bfollowing\s+(?:measures|recommendations|steps|proposals|actions)\b|\bshould\b|\bmust\b|"
    r"\bnecessary\b|\bessential\b|\bwould\s+include\b|\brecommendations?\b",
    re.IGNORECASE,
)
# Leading list markers and paragraph numbers that are not part of the ask.
ENUMERATOR = re.compile(r"^\s*(?:\d{1,3}(?:\.\d{1,3})*\.(?=\s)|[-•–—*▪●◦]|[a-z]\)|\(?[a-z0-9]{1,3}\))\s+")

# Bodies that make recommendations, as reports name them, and the one name Covenant gives each.
BODIES: tuple[tuple[str, str], ...] = (
    (r"(?:UN\s+|United\s+Nations\s+)?Human\s+Rights\s+Committee", "UN Human Rights Committee"),
    (r"(?:UN\s+|United\s+Nations\s+)?Committee\s+against\s+Torture|(?-i:\bCAT\b)", "UN Committee against Torture"),
    (
        r"(?:UN\s+)?Committee\s+on\s+the\s+Elimination\s+of\s+(?:All\s+Forms\s+of\s+)?Discrimination\s+against\s+Women|(?-i:\bCEDAW\b)",
        "UN Committee on the Elimination of Discrimination against Women",
    ),
    (
        r"(?:UN\s+)?Committee\s+on\s+the\s+Elimination\s+of\s+Racial\s+Discrimination|(?-i:\bCERD\b)",
        "UN Committee on the Elimination of Racial Discrimination",
    ),
    (r"(?:UN\s+)?Committee\s+on\s+the\s+Rights\s+of\s+the\s+Child", "UN Committee on the Rights of the Child"),
    (
        r"(?:UN\s+)?Committee\s+on\s+Economic,\s+Social\s+and\s+Cultural\s+Rights",
        "UN Committee on Economic, Social and Cultural Rights",
    ),
    (r"(?:UN\s+)?Subcommittee\s+on\s+Prevention\s+of\s+Torture", "UN Subcommittee on Prevention of Torture"),
    (
        r"(?:UN\s+)?Special\s+Rapporteur\s+on\s+(?:the\s+)?[A-Za-z ,]+?(?=[,.;:]|\s+(?:who|has|had|in|to|and\s+the)\b)",
        "UN Special Rapporteur",
    ),
    (r"(?:UN\s+)?High\s+Commissioner\s+for\s+Human\s+Rights", "UN High Commissioner for Human Rights"),
    (r"(?:UN\s+)?High\s+Commissioner\s+for\s+Refugees|(?-i:\bUNHCR\b)", "UN High Commissioner for Refugees"),
    (r"Working\s+Group\s+on\s+Arbitrary\s+Detention", "UN Working Group on Arbitrary Detention"),
    (r"Human\s+Rights\s+Council", "UN Human Rights Council"),
    (r"(?:UN\s+)?Secretary[- ]General", "UN Secretary-General"),
    (
        r"(?:OSCE[’']?s?\s*/?\s*)?(?:Office\s+for\s+Democratic\s+Institutions\s+and\s+Human\s+Rights|(?-i:ODIHR))",
        "OSCE Office for Democratic Institutions and Human Rights",
    ),
    (r"Representative\s+on\s+Freedom\s+of\s+the\s+Media", "OSCE Representative on Freedom of the Media"),
    (r"(?-i:\bOSCE\b)|Organi[sz]ation\s+for\s+Security\s+and\s+Co-?operation\s+in\s+Europe", "OSCE"),
    (r"Venice\s+Commission", "Council of Europe Venice Commission"),
    (r"Council\s+of\s+Europe", "Council of Europe"),
    (r"European\s+Parliament", "European Parliament"),
    (r"European\s+Union|(?-i:\bEU\b)", "European Union"),
    (r"Human\s+Rights\s+Watch", "Human Rights Watch"),
    (r"Amnesty\s+International", "Amnesty International"),
    (r"Freedom\s+House", "Freedom House"),
    (r"Reporters\s+(?:without|sans)\s+(?:Borders|Fronti[eè]res)|(?-i:\bRSF\b)", "Reporters without Borders"),
    (r"Committee\s+to\s+Protect\s+Journalists|(?-i:\bCPJ\b)", "Committee to Protect Journalists"),
    (r"International\s+Crisis\s+Group", "International Crisis Group"),
    (r"(?:U\.S\.|United\s+States)\s+(?:State\s+)?Department(?:\s+of\s+State)?", "U.S. Department of State"),
)
# What the Committee's own words call the state it addresses: a sign that a text quotes a treaty body.
TREATY_BODY_VOICE = re.compile(r"\bState\s+party\b|\bthe\s+Committee\b", re.IGNORECASE)
REPORTING_VERBS = (
    ASK_VERBS + r"|point(?:s|ed)?\s+out|stat(?:es|ed)|not(?:es|ed)|sa(?:id|ys)|stress(?:es|ed)|emphasi[sz](?:es|ed)|"
    r"underlin(?:es|ed)|suggest(?:s|ed)|recall(?:s|ed)|reiterat(?:es|ed)|issued\s+statements?\s+calling|"
    r"(?:has|have|had)\s+(?:repeatedly\s+|also\s+)?(?:recommended|urged|called)"
)
# Who speaks in a clause: "<subject> [, apposition,] [has] [repeatedly] <reporting verb>".
SPEAKER = re.compile(
    r"(?P<subject>(?:[A-Z(“\"][^.;:]{0,120}?))\s*,?\s+(?:(?:has|have|had|also|repeatedly|in\s+particular|further|"
    r"therefore|,)\s+)*(?:" + REPORTING_VERBS + r")\b",
)
PRONOUNS = frozenset(["he", "she", "it", "they", "this"])
SELF = re.compile(
    r"^(?:we|the\s+authors?(?:\s+of\s+this\s+(?:document|report))?|our\s+organi[sz]ations?)$", re.IGNORECASE
)

# What a report says about whether a recommendation was carried out.
STATUS_NOT = re.compile(
    r"\b(?:largely|mostly|still|yet|entirely|completely)\s+(?:not|never)\s+(?:been\s+)?(?:implemented|fulfilled|"
    r"complied)|\b(?:has|have|had)\s+(?:still\s+|largely\s+|so\s+far\s+)?not\s+(?:yet\s+)?been\s+(?:implemented|"
    r"solved|resolved|addressed|brought\s+in(?:to)?\s+line|abolished|adopted|amended|changed|established|developed|"
    r"extended|repealed|revised|fulfilled|ratified|taken\s+into\s+account)\b|\b(?:has|have)\s+yet\s+to\s+be\s+"
    r"(?:implemented|solved|resolved|adopted|addressed)\b|\b(?:is|are|was|remains?)\s+(?:still\s+)?retained\b|"
    r"\bremain(?:s|ed)?\s+(?:largely\s+)?(?:unchanged|unresolved|unimplemented)\b|\bhas\s+not\s+changed\b|"
    r"\bno\s+(?:steps|measures|action)\s+(?:have|has)\s+been\s+taken\b|\bhas\s+not\s+taken\s+any\s+(?:steps|measures)\b|"
    r"\bincreased\s+(?:only\s+)?insignificantly\b|\bnot\s+implemented\b|\bcontinues?\s+to\s+exist\b",
    re.IGNORECASE,
)
STATUS_PARTIAL = re.compile(
    r"\b(?:partly|partially|part)\s+(?:been\s+)?implemented\b|\bnot\s+(?:been\s+)?fully\s+(?:implemented|"
    r"compl(?:y|ied)|in\s+line)\b|\bdo(?:es)?\s+not\s+fully\s+comply\b|\bsome\s+progress\b",
    re.IGNORECASE,
)
STATUS_DONE = re.compile(
    r"\b(?:has|have|was|were)\s+(?:been\s+)?(?:fully\s+)?implemented\b|\b(?:was|were|has\s+been|have\s+been)\s+"
    r"(?:abolished|repealed|ratified|decriminali[sz]ed)\b",
    re.IGNORECASE,
)
# A concession ("Although the authorities have taken significant measures, ...") that grants some progress.
CONCESSION = re.compile(r"\b(?:although|though|despite|while|even\s+though|notwithstanding)\b", re.IGNORECASE)
PROGRESS = re.compile(
    r"\b(?:taken|adopted|steps|measures|progress|improved|decreased|increased|reduced|established|introduced|"
    r"significantly)\b",
    re.IGNORECASE,
)

# What a UPR report says the state under review did with the recommendations listed after it.
RESPONSE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("noted", re.compile(r"\bdid\s+not\s+enjoy\s+the\s+support\b|\bwere\s+noted\b|\bnoted\s+by\b|\brejected\b", re.I)),
    ("supported", re.compile(r"\benjoy\s+the\s+support\b|\bhave\s+been\s+accepted\b|\bsupported\s+by\b", re.I)),
    (
        "pending",
        re.compile(r"\bwill\s+be\s+examined\s+by\b|\bwill\s+provide\s+responses\b|\bin\s+due\s+course\b", re.I),
    ),
)
UPR_SECTION = re.compile(r"conclusions\s+and/or\s+recommendations|^recommendations$", re.IGNORECASE)
# State names as UPR lists print them that pycountry does not know.
UPR_STATE_NAMES = {"Holy See": "VA", "State of Palestine": "PS", "Palestine": "PS", "Timor-Leste": "TL"}
