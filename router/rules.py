"""The compliance rules for one request, from the admin-edited tables and what the user may see."""

from collections.abc import Sequence

from router.postprocess import ComplianceRules
from router.records import BlockedTerm, GlossaryTerm


class AdminRules:
    """Glossary and blocked terms as the admins left them, read for every request so an
    edit applies at once."""

    def for_request(
        self, *, user, visible_values: frozenset[str], known_names: Sequence[str], visible_text: str = ""
    ) -> ComplianceRules:
        """visible_values: personal values in the question and in the passages the user may
        read; visible_text: that text."""
        visible = visible_values | {v for v in (user.email, user.get_full_name(), user.get_username()) if v}
        return ComplianceRules(
            glossary=list(GlossaryTerm.objects.values_list("term", "preferred")),
            blocked_terms=list(BlockedTerm.objects.values_list("term", flat=True)),
            visible_values=frozenset(visible),
            known_names=known_names,
            visible_text=visible_text,
        )
