"""The words that tell an event of each type, and the words that make a sentence a statistic or a pattern: data
apart from the rules that apply them (extract.py)."""

from __future__ import annotations

import re

EVENT_TYPES = (
    "killing",
    "death_in_custody",
    "disappearance",
    "torture_ill_treatment",
    "arrest_detention",
    "charge_prosecution",
    "conviction_sentence",
    "release_pardon_acquittal",
    "attack_assault",
    "harassment_threat_surveillance",
    "media_closure_suspension",
    "website_blocking",
    "fine_lawsuit_defamation",
    "registration_denial_liquidation",
    "assembly_ban_dispersal",
    "law_adopted_amended",
    "election_irregularity",
    "deportation_extradition",
    "discrimination",
    "labour_violation",
    "trafficking",
    "other",
)

# Verb stems and phrases per type, matched case-insensitively on word boundaries. A sentence holds an event of a
# type when one of its cues is there and the sentence is no statistic or pattern (below).
CUES: dict[str, tuple[str, ...]] = {
    "killing": (
        r"(?:shot|shoot|stabbed|beat|beaten)\s+(?:\w+\s+){0,3}(?:and|to)\s+(?:killed|kill|death)",
        r"killed",
        r"killing",
        r"murdered",
        r"assassinat\w+",
        r"executed",
        r"shot dead",
        r"was found dead",
    ),
    "death_in_custody": (
        r"died\s+(?:\w+\s+){0,6}(?:custody|detention|prison|jail|cell|colony)",
        r"death\s+(?:\w+\s+){0,3}(?:custody|detention|prison|jail)",
        r"(?:prisoner|detainee|inmate)s?,?\s+(?:\w+\s+){0,4}died",
        r"died\s+(?:\w+\s+){0,5}(?:following|after)\s+(?:an?\s+)?(?:alleged\s+)?beating",
    ),
    "disappearance": (
        r"disappeared",
        r"disappearance",
        r"whereabouts\s+(?:\w+\s+){0,3}unknown",
        r"abduct\w*",
        r"kidnap\w*",
    ),
    "torture_ill_treatment": (
        r"tortur\w+",
        r"beat(?:en|ing|ings)?\b(?!\s+(?:\w+\s+){0,2}(?:to death|and killed))",
        r"broken?\s+(?:\w+\s+){0,2}(?:back|ribs?|arm|leg|nose|jaw)",
        r"ill[- ]treat\w*",
        r"mistreat\w*",
        r"abused",
    ),
    "arrest_detention": (
        r"arrest(?:ed|s)?\b",
        r"detain(?:ed|s)?\b",
        r"taken into custody",
        r"took\s+(?:\w+\s+){1,3}to\s+(?:a\s+)?(?:psychiatric|police)",
        r"held\s+(?:\w+\s+){0,8}(?:in\s+(?:pretrial\s+)?detention|in\s+jail|in\s+custody|incommunicado)",
        r"placed\s+(?:\w+\s+){0,3}(?:in|under)\s+(?:custody|detention|house arrest)",
    ),
    "charge_prosecution": (
        r"charged\s+with",
        r"(?:filed|brought|pressed)\s+(?:\w+\s+){0,4}charges?",
        r"charges?\s+(?:\w+\s+){0,3}(?:filed|brought)",
        r"criminal\s+(?:\w+\s+){0,2}case\s+(?:\w+\s+){0,4}(?:opened|initiated|launched)",
        r"opened\s+(?:a\s+)?(?:criminal\s+)?(?:case|investigation)",
        r"(?:was|were)\s+(?:the\s+)?subject\s+of\s+an\s+investigation",
        r"investigation\s+of\s+(?:\w+\s+){0,3}(?:journalist|activist|opposition)\b",
        r"indicted",
        r"prosecuted",
        r"began\s+hearing",
        r"trials?\s+of\b",
        r"(?:was|were)\s+tried",
        r"criminal\s+(?:libel|contempt|defamation)\s+case",
    ),
    "conviction_sentence": (
        r"convicted",
        r"sentenced",
        r"found\s+(?:\w+\s+){0,6}guilty",
        r"affirmed\s+(?:\w+\s+){0,4}(?:sentence|prison term|conviction|verdict)",
        r"(?:upheld|rejected|turned down|refused)\s+(?:\w+\s+){0,4}appeal",
        r"appeal\s+(?:\w+\s+){0,4}(?:rejected|denied|dismissed)",
        r"refused\s+to\s+(?:consider|send)\s+(?:\w+\s+){0,4}(?:appeal|case)",
        r"prison\s+terms?\b",
    ),
    "release_pardon_acquittal": (
        r"(?:was|were|been|be)\s+(?:\w+\s+)?released",
        r"released\s+(?:\w+\s+){0,5}(?:from|on\s+(?:parole|bail))",
        r"released\s+(?:him|her|them)",
        # A pardon given, not one asked for or considered ("appealed for a presidential pardon", "suspended
        # consideration of his pardon", "his constitutional power of pardon").
        r"pardoned\b",
        r"(?:granted|gave|given|received|issued|signed)\s+(?:\w+\s+){0,3}pardons?\b",
        r"amnest(?:y|ied)",
        r"acquitted",
        r"(?:charges?|case)\s+(?:\w+\s+){0,5}(?:dismissed|dropped|closed)",
        r"(?:dismissed|dropped)\s+(?:the\s+)?(?:charges?|case)",
        r"ordered\s+(?:\w+\s+){0,2}release",
    ),
    "attack_assault": (
        r"attacked",
        r"\battack\s+(?:on|by|against)",
        r"assaulted",
        r"firebomb\w*",
        r"(?:an|the)\s+(?:\w+\s+){0,2}attack\b",
        r"(?:was|were)\s+(?:badly\s+|severely\s+)?(?:injured|wounded)",
        r"set\s+(?:\w+\s+){0,3}on\s+fire",
        r"vandali[sz]ed",
    ),
    "harassment_threat_surveillance": (
        r"harass\w*",
        r"threat(?:s|ened)\b",
        r"intimidat\w+",
        r"wiretap\w*",
        r"surveillance",
        r"followed\s+by\s+(?:police|security)",
    ),
    "media_closure_suspension": (
        r"(?:newspaper|paper|station|broadcaster|channel|publication|outlet)\s+(?:\w+\s+){0,6}"
        r"(?:to\s+)?(?:close|closed|shut down|suspended|ceased)",
        r"forc\w+\s+(?:\w+\s+){0,4}(?:newspaper|station|paper)\s+to\s+(?:close|stop|cease)",
        r"(?:seized|confiscated)\s+(?:\w+\s+){0,3}(?:copies|print run|issues|circulation)",
        r"could\s+not\s+find\s+(?:\w+\s+){0,2}print\w*",
        r"suspend\w*\s+(?:\w+\s+){0,4}(?:publication|broadcast\w*|newspaper)",
        r"(?:closed|shut down)\s+(?:\w+\s+){0,3}(?:newspaper|station|channel)",
        r"refused\s+to\s+print",
    ),
    "website_blocking": (
        r"block(?:ed|ing)\s+(?:\w+\s+){0,8}(?:access|website|site|internet|web)",
        r"blocked\s+clients",
    ),
    "fine_lawsuit_defamation": (
        r"(?:libel|defamation|slander)\s+(?:\w+\s+){0,2}(?:suit|lawsuit|case|claim)",
        r"lawsuits?",
        r"(?:civil\s+)?suits?\s+against",
        r"sued",
        r"fined",
        r"ruled\s+(?:in\s+favor\s+of|against)",
        r"awarded\s+(?:\w+\s+){0,3}(?:\$|damages|approximately)",
        r"upheld\s+the\s+ruling",
        r"court\s+rulings?\s+against",
        r"(?:publish|print)\s+a\s+retraction",
        r"settled\s+(?:\w+\s+){0,4}case",
    ),
    "registration_denial_liquidation": (
        r"liquidat\w+",
        r"(?:denied|refused|rejected)\s+(?:\w+\s+){0,6}(?:registration|reregistration|accreditation|licen[cs]e|applications?)",
        r"registration\s+(?:\w+\s+){0,3}(?:denied|refused|revoked)",
        r"deregister\w*",
        r"revoked\s+(?:\w+\s+){0,3}(?:licen[cs]e|registration)",
    ),
    "assembly_ban_dispersal": (
        r"dispers\w+",
        r"(?:banned|prohibited|refused\s+to\s+sanction|denied\s+permission\s+for)\s+(?:\w+\s+){0,4}(?:rally|demonstration|protest|march|picket|meeting)",
        r"broke\s+up\s+(?:\w+\s+){0,3}(?:rally|demonstration|protest|meeting)",
    ),
    "law_adopted_amended": (
        r"(?:adopted|passed|enacted|signed|approved)\s+(?:\w+\s+){0,6}(?:law|legislation|amendments?|code|bill)",
        r"(?:law|legislation|amendments?|bill)\s+(?:\w+\s+){0,6}"
        r"(?:adopted|passed|enacted|signed|took effect|went into effect|entered into force|came into force)",
        r"amendments?\s+enacted",
        r"\b(?:19|20)\d\d\s+(?:[A-Z]\w+\s+){0,6}(?:law|amendments?)\b",
        r"new\s+(?:\w+\s+){0,2}law\s+(?:expanded|expands|requires|prohibits|restricts|introduced)",
        r"law\s+(?:commonly\s+)?(?:referred\s+to|known)\s+as",
    ),
    "election_irregularity": (
        r"(?:vote|ballot|election)\s+(?:\w+\s+){0,3}(?:fraud|rigging|irregularit\w+|stuffing)",
        r"(?:falsified|rigged)\s+(?:\w+\s+){0,3}(?:vote|ballot|results|election)",
        r"(?:removed|barred|disqualified)\s+(?:\w+\s+){0,4}(?:from\s+the\s+ballot|candidacy|from\s+running)",
    ),
    "deportation_extradition": (r"deport\w*", r"extradit\w*", r"expelled", r"forcibly\s+returned"),
    "discrimination": (r"discriminat\w+\s+against",),
    "labour_violation": (r"(?:unpaid|withheld)\s+wages", r"dismissed\s+(?:\w+\s+){0,4}for\s+(?:union|strike)"),
    "trafficking": (
        r"(?:was|were|been)\s+trafficked",
        r"traffick(?:ed|ing)\s+(?:\d+\s+)?(?:women|girls|children|persons|people|men|boys)",
        r"(?:traffickers?|trafficking\s+(?:ring|case))\s+(?:\w+\s+){0,4}(?:arrested|detained|convicted|charged|sentenced)",
    ),
    "other": (
        r"(?:closed|reopened|suspended)\s+(?:\w+\s+){0,3}(?:the\s+)?(?:case|investigation)",
        r"launched\s+an?\s+investigation",
        r"(?:officers?|officials?)\s+(?:\w+\s+){0,3}(?:were|was)\s+fired",
        r"publicly\s+declared",
        r"(?:draft|bill)\s+(?:\w+\s+){0,4}(?:submitted|withdrew|withdrawn|put forward)",
        r"put\s+forward\s+(?:a\s+)?draft",
        r"withdrew\s+it",
        r"transferred\s+(?:\w+\s+){0,4}to\s+(?:a|the)\s+(?:\w+\s+){0,2}(?:facility|prison|colony|hospital)",
        r"refused\s+to\s+call",
        r"(?:formally\s+)?registered\s+(?:in|on|by)\b",
        r"mutilated\s+themselves",
        r"denied\s+(?:him|her|them)\s+the\s+right",
        r"suspended\s+consideration",
    ),
}

# What makes a sentence a count over a period or a general practice rather than one act (FORMAT.md).
STATISTIC = re.compile(
    r"\b(?:according\s+to\s+(?:the\s+)?(?:\w+\s+){0,4}statistics|statistics|during\s+the\s+(?:year|first|period)"
    r"|in\s+the\s+first\s+\w+\s+months|per\s+cent|percent|\d+\s*%|a\s+total\s+of|the\s+number\s+of"
    r"|(?:increased|decreased|rose|fell)\s+(?:\w+\s+){0,3}(?:from|to)\s+\d)",
    re.IGNORECASE,
)
# A number of victims over a whole year, with no act that happened at a point of time: "534 women were killed".
COUNTED_VICTIMS = re.compile(r"^\W*(?:\w+\s+){0,4}\d[\d,]*\s+(?:\w+\s+){0,2}(?:were|was|had been)\b", re.IGNORECASE)
PATTERN = re.compile(
    r"\b(?:routinely|often|frequently|sometimes|commonly|regularly|usually|generally|reportedly\s+continued"
    r"|continued\s+to|there\s+were\s+(?:\w+\s+){0,3}reports|there\s+were\s+no\s+reports|reports\s+of|allegations?\s+of"
    r"|widespread|the\s+law\s+(?:prohibits|provides|requires|allows|permits)|may\s+be|can\s+be"
    r"|the\s+constitution|in\s+practice|remained\s+a\s+(?:\w+\s+){0,2}problem|there\s+(?:was|were|is|are)\s+no"
    r"|punishable|provides?\s+for|was\s+also\s+a\s+problem|was\s+a\s+problem)\b",
    re.IGNORECASE,
)
# Counts and surveys that no named day turns into one act ("In February, the Chairman stated that 3,788
# groundless arrests were recorded in 2002"; "Of those cases, 19 officers were convicted").
STRONG_STATISTIC = re.compile(
    r"\b(?:statistics|were\s+recorded|was\s+recorded|of\s+(?:those|these)\s+cases|cases\s+of|no\s+further\s+details"
    r"|estimated|a\s+pattern\s+of|(?:were|was)\s+common|almost\s+all|\d[\d,]*\s+(?:\w+\s+){0,3}(?:cases|complaints))\b"
    r"|\b(?:nine|ten|eleven|twelve|\w+teen|\w+ty|\d{2,}[\d,]*)\s+(?:[\w-]+\s+){0,3}(?:were|had\s+been)\s+(?:\w+\s+)?"
    r"(?:convicted|charged|sentenced|killed|arrested|detained)\b",
    re.IGNORECASE,
)
# A cue said not to have happened: "the Government brought no charges", "No arrests were made".
NEGATED = re.compile(r"(?:\b(?:no|not|never|without)\s+(?:[\w-]+\s+){0,3}$)", re.IGNORECASE)
# ... or inside the cue's own words: "it brought no criminal charges against them".
NEGATED_INSIDE = re.compile(r"\bno\b", re.IGNORECASE)  # "not" inside a cue is the cue's own ("could not find")

# Patterns that still tell one act despite a word above: a named day is a point of time.
POINT_OF_TIME = re.compile(
    r"\b(?:on|in)\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\b",
)

# The article of the International Covenant on Civil and Political Rights each type usually bears on; the
# passage's own rights labels win when there are any.
TYPE_ICCPR: dict[str, tuple[int, ...]] = {
    "killing": (6,),
    "death_in_custody": (6, 7),
    "disappearance": (6, 7, 9, 16),
    "torture_ill_treatment": (7,),
    "arrest_detention": (9,),
    "charge_prosecution": (14,),
    "conviction_sentence": (14,),
    "release_pardon_acquittal": (9,),
    "attack_assault": (7,),
    "harassment_threat_surveillance": (17,),
    "media_closure_suspension": (19,),
    "website_blocking": (19,),
    "fine_lawsuit_defamation": (19,),
    "registration_denial_liquidation": (22,),
    "assembly_ban_dispersal": (21,),
    "law_adopted_amended": (),
    "election_irregularity": (25,),
    "deportation_extradition": (13,),
    "discrimination": (26,),
    "labour_violation": (22,),
    "trafficking": (8,),
    "other": (),
}

# Words naming who acts when no name is given: perpetrators described by their body or office.
AGENT_NOUNS = re.compile(
    r"\b(?:police(?:\s+officers?)?|(?:the\s+)?authorities|security\s+(?:forces|services|officers)|soldiers?|troops"
    r"|prosecutors?|(?:the\s+)?Government|(?:a|an|the)\s+(?:\w+\s+){0,3}court|judge|guards?|officials?"
    r"|tax\s+police|financial\s+police|militia|unknown\s+(?:persons|assailants|attackers|men)|gunmen|assailants)\b"
)
