"""A Python team's first program over the generated client (openapi-python-client): list, page,
create, merge-patch, revalidate with an ETag, read the change feed, export CSV. Run against a
live server by tests/api/clients.rs (BASE_URL, TOKEN); any failure exits non-zero."""

import datetime
import os
import sys

from coalition_registry_api_client import AuthenticatedClient
from coalition_registry_api_client.api.changes import changes
from coalition_registry_api_client.api.coalitions import create_coalition
from coalition_registry_api_client.api.initiatives import (
    create_initiative,
    get_initiative,
    list_initiatives,
    list_initiatives_csv,
    patch_initiative,
)
from coalition_registry_api_client.models import (
    ActivityArea,
    ChangeList,
    Coalition,
    CoalitionInput,
    CoalitionStatus,
    Initiative,
    InitiativeInput,
    InitiativeInputPatch,
    InitiativeList,
    InitiativeStatus,
    Publication,
    RecordType,
    Sphere,
    Texts,
)


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"failed: {what}")


def main() -> None:
    client = AuthenticatedClient(base_url=os.environ["BASE_URL"], token=os.environ["TOKEN"])

    coalition = create_coalition.sync(
        client=client,
        body=CoalitionInput(
            country_code="EE",
            original_language="et",
            name=Texts.from_dict({"et": "Pythoni koalitsioon", "en": "Python coalition"}),
            status=CoalitionStatus.ESTABLISHED,
            activity_areas=[ActivityArea.EDUCATION],
        ),
    )
    check(isinstance(coalition, Coalition), f"create coalition: {coalition}")
    assert isinstance(coalition, Coalition)

    created: list[Initiative] = []
    for title in ["Coding club", "Digital teachers", "Data skills"]:
        initiative = create_initiative.sync(
            client=client,
            idempotency_key=f"py-{coalition.id}-{title.replace(' ', '-')}",
            body=InitiativeInput(
                coalition_id=coalition.id,
                original_language="en",
                title=Texts.from_dict({"en": title}),
                activity_areas=[ActivityArea.EDUCATION],
                countries=["EE"],
                sphere=Sphere.NATIONAL,
                status=InitiativeStatus.ONGOING,
                start_date=datetime.date(2024, 1, 15),
                publication=Publication.PUBLISHED,
                website="https://example.org",
            ),
        )
        check(isinstance(initiative, Initiative), f"create initiative: {initiative}")
        assert isinstance(initiative, Initiative)
        created.append(initiative)

    titles: list[str] = []
    cursor: str | None = None
    while True:
        kwargs = {"cursor": cursor} if cursor is not None else {}
        page = list_initiatives.sync(client=client, coalition=[coalition.id], limit=2, **kwargs)
        check(isinstance(page, InitiativeList), f"list: {page}")
        assert isinstance(page, InitiativeList)
        titles.extend(initiative.display.title for initiative in page.data)
        check(page.page.limit == 2, "page limit")
        next_cursor = page.page.next_cursor
        if next_cursor is None:
            break
        cursor = next_cursor
    check(len(titles) == 3, f"three initiatives paged, got {titles}")

    first = created[0]
    patched = patch_initiative.sync(
        first.id,
        client=client,
        body=InitiativeInputPatch(
            website=None, title=Texts.from_dict({"en": "Coding club (patched)", "et": "Programmeerimisring"})
        ),
    )
    check(isinstance(patched, Initiative), f"patch: {patched}")
    assert isinstance(patched, Initiative)
    check(patched.website is None, "website cleared")
    check(patched.version == first.version + 1, "version moved")
    check(patched.title.to_dict() == {"en": "Coding club (patched)", "et": "Programmeerimisring"}, "maps round-trip")

    estonian = get_initiative.sync(first.id, client=client, lang="et")
    check(isinstance(estonian, Initiative), f"read: {estonian}")
    assert isinstance(estonian, Initiative)
    check(estonian.display.title == "Programmeerimisring", "display in Estonian")
    check(estonian.display.language == "et", "display language")
    check(coalition.display.name == "Pythoni koalitsioon", "a coalition's display, original language")

    read = get_initiative.sync_detailed(first.id, client=client)
    etag = read.headers.get("etag")
    check(read.status_code == 200 and etag is not None, "read with an ETag")
    again = get_initiative.sync_detailed(first.id, client=client, if_none_match=etag)
    check(again.status_code == 304, f"revalidated: {again.status_code}")

    feed = changes.sync(client=client, wait=0, limit=100)
    check(isinstance(feed, ChangeList), f"feed: {feed}")
    assert isinstance(feed, ChangeList)
    initiatives = [c for c in feed.data if c.type_ == RecordType.INITIATIVE]
    check(len(initiatives) >= 3, f"feed shows the initiatives ({len(initiatives)})")

    csv = list_initiatives_csv.sync_detailed(client=client, coalition=[coalition.id])
    check(csv.status_code == 200 and len(csv.content.decode().splitlines()) >= 4, "CSV export")

    print(f"python client: ok ({len(titles)} paged, patched v{patched.version}, {len(initiatives)} in the feed)")


if __name__ == "__main__":
    main()
    sys.exit(0)
