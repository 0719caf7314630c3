"""The demo data set as plain objects: which accounts, agents, contacts, conversations, notes and labels to make,
drawn from one seeded random generator (the same layout every time), every time relative to the moment of seeding.
No database involved: server/seed/writer.py writes the plan.
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from api.validation import SOCIAL_NETWORKS, normalize_phone
from server.seed.demo_data import (
    ACCOUNT_MANAGERS,
    ATTRIBUTE_DEFINITIONS,
    BROKEN_THUMBNAIL,
    COMPANIES,
    DAY,
    DEMO_AGENTS,
    DEMO_CONTACTS,
    DESCRIPTIONS,
    FIXED_PEOPLE,
    HOUR,
    INBOXES,
    LABELS,
    LAST_ACTIVITY_AGES,
    MINUTE,
    NAMELESS,
    NOTES,
    PERSONAL_DOMAINS,
    PLANS,
    PRIORITIES,
    REGION_BY_CODE,
    ROMANIZED,
    SEED,
    SHOWCASE_CONVERSATIONS,
    SHOWCASE_EMAIL,
    SHOWCASE_NOTE_AGES,
    SHOWCASE_NOTES,
    STATUS_WEIGHTS,
    STATUSES,
    TOPICS,
    VAT_COUNTRIES,
    WEIGHTED_REGIONS,
    DemoAgent,
    Region,
)


@dataclass(kw_only=True, slots=True)
class PlannedMessage:
    content: str
    outgoing: bool
    created_at: int


@dataclass(kw_only=True, slots=True)
class PlannedConversation:
    inbox: str
    status: str
    priority: str | None
    labels: list[str]
    unread_count: int
    assignee: str | None
    custom_attributes: dict[str, Any]
    created_at: int
    messages: list[PlannedMessage]
    display_id: int = 0

    @property
    def last_activity_at(self) -> int:
        return self.messages[-1].created_at


@dataclass(kw_only=True, slots=True)
class PlannedNote:
    content: str
    agent: str
    created_at: int


@dataclass(kw_only=True, slots=True)
class PlannedContact:
    row: dict[str, Any]
    labels: list[tuple[str, int]] = field(default_factory=list)
    notes: list[PlannedNote] = field(default_factory=list)
    conversations: list[PlannedConversation] = field(default_factory=list)
    inboxes: dict[str, str] = field(default_factory=dict)


@dataclass(kw_only=True, slots=True)
class PlannedAccount:
    name: str
    created_at: int
    agents: list[DemoAgent]
    contacts: list[PlannedContact]


def _ascii_slug(name: str) -> str:
    """`Zoë` -> `zoe`, `O'Brien` -> `obrien`, `佐藤` -> `sato`: for emails and social handles."""
    romanized = ROMANIZED.get(name, name)
    folded = unicodedata.normalize("NFKD", romanized).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _day(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).date().isoformat()


class DemoPlanner:
    """Builds the demo data set from one seeded random generator; no database involved."""

    def __init__(self, now: int) -> None:
        self.now = now
        self.rng = random.Random(SEED)
        # Unique across both accounts, though the database only asks for unique per account.
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.next_identifier = 1001

    def plan(self) -> list[PlannedAccount]:
        accounts: list[PlannedAccount] = []
        for number, (name, count) in enumerate(DEMO_CONTACTS.items()):
            agents = [agent for agent in DEMO_AGENTS if agent.account == name]
            accounts.append(
                PlannedAccount(
                    name=name,
                    created_at=self.now - 4 * 365 * DAY + number * DAY,
                    agents=agents,
                    contacts=self._contacts(name, count, [agent.email for agent in agents]),
                )
            )
        return accounts

    def _contacts(self, account: str, count: int, agents: list[str]) -> list[PlannedContact]:
        rng = self.rng
        showcase = account == "Acme Support"
        self.next_identifier = 1001
        blocked = set(rng.sample(range(1, count), 3 if showcase else 1))
        broken = set(rng.sample(range(1, count), 3)) if showcase else set()
        contacts: list[PlannedContact] = []
        for index in range(count):
            if showcase and index == 0:
                contact = self._showcase(agents)
            else:
                contact = self._contact(account, index, agents, showcase)
                contact.row["blocked"] = index in blocked
                if index in broken:
                    contact.row["thumbnail"] = BROKEN_THUMBNAIL
            contacts.append(contact)
        conversations = sorted(
            (conversation for contact in contacts for conversation in contact.conversations),
            key=lambda conversation: conversation.created_at,
        )
        for display_id, conversation in enumerate(conversations, start=1):
            conversation.display_id = display_id
        return contacts

    def _unique_phone(self, region: Region) -> str:
        rng = self.rng
        while True:
            prefix = rng.choice(region.phone_prefixes)
            candidate = f"{prefix}{rng.randrange(10**region.phone_digits):0{region.phone_digits}d}"
            if candidate not in self.phones:
                self.phones.add(candidate)
                return normalize_phone(candidate)

    def _unique_email(self, first: str, last: str, domain: str) -> str:
        rng = self.rng
        first_slug, last_slug = _ascii_slug(first), _ascii_slug(last)
        local = rng.choice(
            (f"{first_slug}.{last_slug}", f"{first_slug}{last_slug}", f"{first_slug[:1]}{last_slug}", first_slug)
        )
        candidate, suffix = f"{local}@{domain}", 2
        while candidate in self.emails:
            candidate, suffix = f"{local}{suffix}@{domain}", suffix + 1
        self.emails.add(candidate)
        return candidate

    def _contact(self, account: str, index: int, agents: list[str], showcase_account: bool) -> PlannedContact:
        rng = self.rng
        fixed = FIXED_PEOPLE.get(index) if showcase_account else None
        if fixed:
            region = REGION_BY_CODE[fixed[0]]
            first, last = fixed[1], fixed[2]
        else:
            region = rng.choice(WEIGHTED_REGIONS)
            first, last = rng.choice(region.first_names), rng.choice(region.last_names)
        nameless = showcase_account and index in NAMELESS
        company, company_domain = rng.choice(COMPANIES) if rng.random() < 0.85 else ("", "")
        city = rng.choice(region.cities)
        domain = company_domain if company_domain and rng.random() < 0.6 else rng.choice(PERSONAL_DOMAINS)
        email: str | None = self._unique_email(first, last, domain)
        if rng.random() < 0.08 and not nameless:
            self.emails.discard(email or "")
            email = None
        phone = self._unique_phone(region) if email is None or rng.random() < 0.85 else None
        identifier = None
        if rng.random() < 0.4:
            self.next_identifier += 1
            identifier = f"crm-{self.next_identifier}"
        created_at = rng.randint(self.now - 3 * 365 * DAY, self.now - 20 * DAY)
        thumbnail = ""
        if rng.random() < 1 / 3:
            thumbnail = f"https://i.pravatar.cc/150?u={quote(email or f'contact-{account}-{index}', safe='')}"
        description = rng.choice(DESCRIPTIONS) if company else rng.choice(("", "Freelance designer in {city}"))
        row: dict[str, Any] = {
            "name": "" if nameless else region.full_name(first, last),
            "email": email,
            "phone_number": phone,
            "identifier": identifier,
            "thumbnail": thumbnail,
            "blocked": False,
            "additional_attributes": {
                "description": description.format(company=company, city=city),
                "company_name": company,
                "city": city,
                "country": region.country,
                "country_code": region.code,
                "social_profiles": self._social_profiles(first, last),
            },
            "custom_attributes": self._custom_attributes(account, region, index, created_at),
            "created_at": created_at,
        }
        contact = PlannedContact(row=row)
        titles = [title for title, _color, _description in LABELS[account]]
        for title in rng.sample(titles, min(len(titles), rng.choice((0, 0, 1, 1, 2, 3)))):
            contact.labels.append((title, rng.randint(created_at, min(created_at + 30 * DAY, self.now))))
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            contact.notes.append(
                PlannedNote(
                    content=rng.choice(NOTES), agent=rng.choice(agents), created_at=rng.randint(created_at, self.now)
                )
            )
        inboxes = self._reachable_inboxes(account, row)
        conversations = rng.choice((0, 1, 1, 2, 2, 3, 4, 5, 6)) if showcase_account else rng.choice((0, 1, 2, 3))
        for _ in range(conversations):
            status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            last_at = self.now - self._age(*LAST_ACTIVITY_AGES[status])
            conversation = self._conversation(rng.choice(inboxes), agents, status, last_at=last_at, after=created_at)
            contact.conversations.append(conversation)
        self._link_inboxes(contact, inboxes)
        if contact.conversations:
            row["last_activity_at"] = max(c.last_activity_at for c in contact.conversations)
        else:
            row["last_activity_at"] = None if rng.random() < 0.5 else rng.randint(created_at, self.now)
        return contact

    def _showcase(self, agents: list[str]) -> PlannedContact:
        """Ada Lovelace: every field, label and attribute set, and enough history to page through."""
        rng = self.rng
        created_at = self.now - 570 * DAY
        email, phone = SHOWCASE_EMAIL, "+442071838750"
        self.emails.add(email)
        self.phones.add(phone)
        socials = dict.fromkeys(SOCIAL_NETWORKS, "") | {"github": "ada", "twitter": "ada", "linkedin": "ada-l"}
        row: dict[str, Any] = {
            "name": "Ada Lovelace",
            "email": email,
            "phone_number": phone,
            "identifier": "crm-1001",
            "thumbnail": "",
            "blocked": False,
            "additional_attributes": {
                "description": "Mathematician and the first programmer; leads analytics at Analytical Engines",
                "company_name": "Analytical Engines Ltd",
                "city": "London",
                "country": "United Kingdom",
                "country_code": "GB",
                "social_profiles": socials,
            },
            "custom_attributes": {
                "account_manager": "Alex Admin",
                "seats": 250,
                "mrr": 4750.0,
                "discount": 15,
                "crm_url": "https://crm.example.com/contacts/1001",
                "signed_up": "2024-05-01",  # a customer since then, whenever the demo is seeded
                "plan": "enterprise",
                "newsletter": True,
                "vat_id": "GB123456789",
            },
            "created_at": created_at,
        }
        contact = PlannedContact(row=row)
        contact.labels = [
            (title, created_at + (n + 1) * DAY) for n, title in enumerate(("vip", "enterprise", "billing"))
        ]
        contact.notes = [
            PlannedNote(content=content, agent=agents[n % len(agents)], created_at=self.now - age)
            for n, (content, age) in enumerate(zip(SHOWCASE_NOTES, SHOWCASE_NOTE_AGES, strict=True))
        ]
        inboxes = self._reachable_inboxes("Acme Support", row)
        # From a year and a half ago to minutes ago, each about two thirds as long ago as the one before it;
        # the last week's show every status, older ones are resolved.
        for n in range(SHOWCASE_CONVERSATIONS):
            age = int(20 * MINUTE * (560 * DAY / (20 * MINUTE)) ** ((SHOWCASE_CONVERSATIONS - 1 - n) / 24))
            last_at = self.now - age + rng.randint(-age // 10, age // 10)
            status = STATUSES[n % 4] if age < 7 * DAY else "resolved"
            contact.conversations.append(
                self._conversation(inboxes[n % len(inboxes)], agents, status, last_at=last_at, after=created_at)
            )
        self._link_inboxes(contact, inboxes)
        row["last_activity_at"] = max(c.last_activity_at for c in contact.conversations)
        return contact

    def _reachable_inboxes(self, account: str, row: dict[str, Any]) -> list[str]:
        """Email needs an address and WhatsApp a phone number."""
        names = []
        for name, channel in INBOXES[account]:
            if (channel == "Channel::Email" and not row["email"]) or (
                channel == "Channel::Whatsapp" and not row["phone_number"]
            ):
                continue
            names.append(name)
        return names

    def _link_inboxes(self, contact: PlannedContact, inboxes: list[str]) -> None:
        """One contact inbox per inbox conversed in (the first reachable one when none), sourced as Chatwoot does."""
        used = list(dict.fromkeys(c.inbox for c in contact.conversations)) or inboxes[:1]
        for name in used:
            if name == "Email":
                source = contact.row["email"]
            elif name == "WhatsApp":
                source = contact.row["phone_number"].lstrip("+")
            else:
                source = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            contact.inboxes[name] = source

    def _age(self, shortest: int, typical: int, longest: int) -> int:
        """Seconds from `shortest` to `longest`, `typical` more on average; recent ones the most common."""
        return min(shortest + int(self.rng.expovariate(1 / typical)), longest)

    def _conversation(
        self, inbox: str, agents: list[str], status: str, *, last_at: int, after: int
    ) -> PlannedConversation:
        """A conversation whose last message is at `last_at`, or that starts an hour after `after` (the contact's
        creation) when its messages would otherwise begin before then."""
        rng = self.rng
        topic = rng.choice(TOPICS)
        assignee = rng.choice(agents) if rng.random() < 0.7 else None
        gaps = [0]
        for _line in topic.lines[1 : rng.randint(1, len(topic.lines))]:
            gaps.append(gaps[-1] + rng.randint(2 * MINUTE, 4 * HOUR))
        start = max(last_at - gaps[-1], after + HOUR)
        lines = topic.lines[: len(gaps)]
        messages = [
            PlannedMessage(content=line, outgoing=n % 2 == 1, created_at=start + gap)
            for n, (line, gap) in enumerate(zip(lines, gaps, strict=True))
        ]
        labels = [topic.label] if topic.label else []
        if rng.random() < 0.15 and "vip" not in labels:
            labels.append("vip")
        return PlannedConversation(
            inbox=inbox,
            status=status,
            priority=rng.choice(PRIORITIES),
            labels=labels,
            unread_count=rng.randint(0, 5) if status in {"open", "pending"} else 0,
            assignee=assignee,
            custom_attributes={"issue_type": topic.issue_type} if rng.random() < 0.6 else {},
            created_at=start,
            messages=messages,
        )

    def _social_profiles(self, first: str, last: str) -> dict[str, str]:
        rng = self.rng
        profiles = dict.fromkeys(SOCIAL_NETWORKS, "")
        if rng.random() < 0.3:
            first_slug, last_slug = _ascii_slug(first), _ascii_slug(last)
            for network in rng.sample(SOCIAL_NETWORKS, rng.randint(1, 3)):
                profiles[network] = rng.choice(
                    (f"{first_slug}{last_slug}", f"{first_slug}.{last_slug}", f"{first_slug}-{last_slug}")
                )
        return profiles

    def _custom_attributes(self, account: str, region: Region, index: int, created_at: int) -> dict[str, Any]:
        """Typed as the definitions say: numbers as numbers, dates as YYYY-MM-DD, checkboxes as booleans."""
        rng = self.rng
        seats = rng.choice((1, 3, 5, 10, 25, 50, 120, 500))
        plan = rng.choice(PLANS)
        values: dict[str, Any] = {
            "account_manager": rng.choice(ACCOUNT_MANAGERS),
            "seats": seats,
            "mrr": round(seats * rng.choice((9.0, 19.0, 29.5)), 2),
            "discount": rng.choice((0, 5, 10, 12.5, 15, 20, 25)),
            "crm_url": f"https://crm.example.com/contacts/{2000 + index}",
            "signed_up": _day(created_at),
            "plan": plan,
            "newsletter": rng.random() < 0.5,
            "vat_id": f"{region.code}{rng.randint(10**8, 10**9 - 1)}",
        }
        keys = {
            definition["attribute_key"]
            for definition in ATTRIBUTE_DEFINITIONS[account]
            if definition["attribute_model"] == 1
        }
        if region.code not in VAT_COUNTRIES:
            keys.discard("vat_id")
        return {key: value for key, value in values.items() if key in keys and rng.random() < 0.55}


def demo_plan(now: int) -> list[PlannedAccount]:
    """The whole demo data set, its times relative to `now`; the same layout on every call."""
    return DemoPlanner(now).plan()
