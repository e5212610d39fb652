"""Decide whether a sentence asks for something, and by which cue: ask verbs, necessity, or a prescriptive modal."""

from __future__ import annotations

import re

from covenant.recommendations.cues import (
    ASK_VERB,
    CONDITIONAL,
    DISCOURSE,
    IMPERATIVE_VERBS,
    LAW_FRAME,
    MODAL,
    NECESSITY,
    NON_ASK_SUBJECTS,
    NOT_ASK,
)

_IRREGULAR = {"brought": "bring", "made": "make", "taken": "take", "kept": "keep", "put": "put", "set": "set"}
_ADVERB = re.compile(r"(?:not|also|be|further|rather|only|therefore|thus|immediately|urgently|promptly|[a-z]+ly)$")
_HINDSIGHT = re.compile(r"\b(?:should|must)\s+(?:not\s+)?have\s+(?:been\s+)?\w+", re.IGNORECASE)
_REFERS_BACK = re.compile(
    r"^(?:(?:we|i)\s+(?:believe|consider|think|find)\s+(?:that\s+)?|in\s+our\s+(?:view|opinion),?\s+)?"
    r"(?:it|this|these|they|such\s+\w+)\s+(?:should|must|needs?\s+to|ha(?:s|ve)\s+to)\b",
    re.IGNORECASE,
)


_CONDITION_FIRST = re.compile(r"\s*(?:if|when|where|unless|in\s+case|once|after|before|while)\b", re.IGNORECASE)
_DETERMINER = re.compile(
    r"\b(?:the|a|an|with|this|that|its|their|our|his|her|such|any|no|upon|shall|may|will)\s+$", re.I
)


def _asks(sentence: str, at: int) -> bool:
    """The ask verb at `at` is a verb that asks (not the noun "request", not a law's "shall recommend", not
    "made recommendations")."""
    if any(m.start() <= at < m.end() for m in NOT_ASK.finditer(sentence)):
        return False
    if _DETERMINER.search(sentence[max(0, at - 20) : at]):
        return False
    return not LAW_FRAME.search(sentence[:at])


def lemma(word: str) -> str:
    word = word.casefold()
    if word in IMPERATIVE_VERBS or word in _IRREGULAR:
        return _IRREGULAR.get(word, word)
    for suffix, repl in (("ied", "y"), ("ies", "y"), ("ed", ""), ("d", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and word[: -len(suffix)] + repl in IMPERATIVE_VERBS:
            return word[: -len(suffix)] + repl
    return word


def asks_for_change(after_modal: str) -> bool:
    """The verb after "should"/"must" is one of change ("should be decriminalised", "should establish")."""
    for word in re.findall(r"[A-Za-z]+", after_modal)[:5]:
        if _ADVERB.match(word.casefold()):
            continue
        return lemma(word) in IMPERATIVE_VERBS
    return False


def _subject_word(before_modal: str) -> str:
    words = re.findall(r"[A-Za-z]+", before_modal)
    while words and _ADVERB.match(words[-1].casefold()) and words[-1].casefold() not in {"only"}:
        words.pop()
    return words[-1].casefold() if words else ""


def ask_cue(sentence: str, before: str = "", in_list: bool = False) -> str | None:
    """The kind of ask the sentence makes ("ask_verb", "necessity", "modal"), or None.

    `before` is the passage's text before the sentence: a law it cites there ("Article 56 obliges the judge ...")
    makes the sentence's "should" a description of the law unless it asks for change."""
    verb = ASK_VERB.search(sentence)
    if verb and _asks(sentence, verb.start()):
        return "ask_verb"
    necessity = NECESSITY.search(sentence)
    if necessity and not DISCOURSE.search(sentence) and not CONDITIONAL.search(sentence[: necessity.start()]):
        return "necessity"
    for modal in MODAL.finditer(sentence):
        word = modal.group(0).casefold()
        if word == "shall" and not in_list:
            continue
        rest = sentence[modal.end() :]
        clause = sentence[: modal.start()]
        # "has to coordinate", "If ..., the prosecutor has to ...": duties described, unless the verb is a change
        weak = word.startswith(("has", "have")) or _CONDITION_FIRST.match(sentence)
        if weak and not asks_for_change(rest):
            continue
        if DISCOURSE.match(sentence, modal.start()) or _HINDSIGHT.match(sentence, modal.start()):
            continue
        if _subject_word(re.split(r"[,;:(]", clause)[-1] or clause) in NON_ASK_SUBJECTS or _opens_with_party(clause):
            continue
        # "the Code stipulates that the court should ...": the sentence reports the law, whatever the verb
        if LAW_FRAME.search(clause):
            continue
        if LAW_FRAME.search(before) and not asks_for_change(rest):
            continue
        if CONDITIONAL.search(clause.rstrip()[-30:] + " "):
            continue
        return "modal"
    return None


def _opens_with_party(clause: str) -> bool:
    """ "The application for registration should ...": a duty the law sets on an applicant, not an ask."""
    return any(
        w in NON_ASK_SUBJECTS and w not in _PRONOUN_SUBJECTS for w in re.findall(r"[a-z]+", clause.casefold())[:5]
    )


_PRONOUN_SUBJECTS = frozenset(["he", "she", "him", "her", "you", "i", "one", "they"])


def refers_back(sentence: str) -> bool:
    """ "We believe it should be abolished": the ask names its object in the sentence before."""
    return bool(_REFERS_BACK.match(sentence.strip()))
