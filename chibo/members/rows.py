"""Column order of member and event rows written below the ORM.

The demo loader and the importer insert members and their events in bulk
(``executemany`` / COPY) for speed; both build their tuples in this order,
so the layout is defined once, next to the models it mirrors.
"""

from __future__ import annotations

MEMBER_FIELDS: tuple[str, ...] = (
    "id",
    "member_code",
    "full_name",
    "name_folded",
    "given_folded",
    "date_of_birth",
    "gender",
    "ethnicity",
    "category",
    "expected_graduation",
    "party_card_number",
    "citizen_id",
    "phone",
    "org",
    "status",
    "is_full",
    "admitted_on",
    "admitting_org",
    "category_at_admission",
    "ceremony_on",
    "probation_ends_on",
    "recognized_on",
    "temp_host_org",
    "pending_org",
    "status_changed_on",
    "last_event_on",
    "version",
    "created_at",
    "updated_at",
)

# Without "id": the importer lets the database number events; the demo,
# which numbers its own, prepends "id".
EVENT_FIELDS: tuple[str, ...] = (
    "member",
    "kind",
    "effective_date",
    "recorded_at",
    "decision_number",
    "issuing_org",
    "issuing_body",
    "actor",
    "note",
    "reason",
    "data",
    "org",
    "status_after",
    "category_after",
)
