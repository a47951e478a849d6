"""A page's tally (count, total, votes per star) is kept by the database itself: triggers on the
votes table add a new vote, move a changed one and take away a deleted one, in the same statement
that writes the vote. A vote is then one statement whatever else writes votes (the site, the
admin deleting a page, a script), and the figures stay exact however many arrive at once: each
adjustment is an UPDATE of the tally row, which waits for the one before it.

SQLite and PostgreSQL, the two databases the site runs on, each get their own dialect. The
tallies are counted again from the votes first, so they start exact.
"""

from django.db import migrations

VOTES = "appointments_pagerating"
TALLIES = "appointments_ratedpage"
STAR_FIELDS = ["one_star", "two_stars", "three_stars", "four_stars", "five_stars"]


def adjust(sign: str, row: str, as_number: str = "") -> str:
    """The UPDATE that adds (sign "+") or takes away (sign "-") the vote in OLD or NEW."""
    stars = ", ".join(f"{field} = {field} {sign} ({row}.stars = {n}){as_number}" for n, field in enumerate(STAR_FIELDS, 1))
    return (
        f"UPDATE {TALLIES} SET count = count {sign} 1, total = total {sign} {row}.stars, {stars} "
        f"WHERE id = {row}.rated_page_id;"
    )


SQLITE = [
    f"CREATE TRIGGER pagerating_tally_insert AFTER INSERT ON {VOTES} BEGIN {adjust('+', 'NEW')} END;",
    f"CREATE TRIGGER pagerating_tally_delete AFTER DELETE ON {VOTES} BEGIN {adjust('-', 'OLD')} END;",
    f"CREATE TRIGGER pagerating_tally_update AFTER UPDATE OF stars, rated_page_id ON {VOTES} "
    f"WHEN OLD.stars <> NEW.stars OR OLD.rated_page_id <> NEW.rated_page_id "
    f"BEGIN {adjust('-', 'OLD')} {adjust('+', 'NEW')} END;",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS pagerating_tally_insert;",
    "DROP TRIGGER IF EXISTS pagerating_tally_delete;",
    "DROP TRIGGER IF EXISTS pagerating_tally_update;",
]

POSTGRESQL = [
    f"""CREATE FUNCTION pagerating_tally() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND OLD.stars = NEW.stars AND OLD.rated_page_id = NEW.rated_page_id THEN
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            {adjust("-", "OLD", "::int")}
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            {adjust("+", "NEW", "::int")}
        END IF;
        RETURN NULL;
    END
    $$;""",
    f"CREATE TRIGGER pagerating_tally AFTER INSERT OR DELETE OR UPDATE OF stars, rated_page_id ON {VOTES} "
    "FOR EACH ROW EXECUTE FUNCTION pagerating_tally();",
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER IF EXISTS pagerating_tally ON {VOTES};",
    "DROP FUNCTION IF EXISTS pagerating_tally();",
]

RECOUNT = (
    f"UPDATE {TALLIES} SET "
    f"count = (SELECT COUNT(*) FROM {VOTES} v WHERE v.rated_page_id = {TALLIES}.id), "
    f"total = (SELECT COALESCE(SUM(v.stars), 0) FROM {VOTES} v WHERE v.rated_page_id = {TALLIES}.id), "
    + ", ".join(
        f"{field} = (SELECT COUNT(*) FROM {VOTES} v WHERE v.rated_page_id = {TALLIES}.id AND v.stars = {n})"
        for n, field in enumerate(STAR_FIELDS, 1)
    )
)


def statements(schema_editor, by_vendor: dict) -> list[str]:
    vendor = schema_editor.connection.vendor
    if vendor not in by_vendor:
        raise NotImplementedError(f"The rating tally triggers are written for SQLite and PostgreSQL, not {vendor}.")
    return by_vendor[vendor]


def create_triggers(apps, schema_editor):
    schema_editor.execute(RECOUNT)
    for statement in statements(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRESQL}):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in statements(schema_editor, {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("appointments", "0008_front_desk_logs_contacts")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
