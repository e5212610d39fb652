"""Recommendations: every ask a report makes or quotes, its issuer, the state's response and its claimed status."""

from covenant.recommendations.extract import extract_recommendations
from covenant.recommendations.group import group_recommendations

__all__ = ["extract_recommendations", "group_recommendations"]
