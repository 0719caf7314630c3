"""Deterministic demo data for an empty database, and large data sets for benchmarks.

Every time in the demo data is relative to the moment of seeding (the same layout each time), so a new
demo shows conversations from minutes, hours and days ago rather than a frozen past.

`python -m server.seed --contacts 1000000` adds bulk contacts to account 1;
`python -m server.seed --conversations-for 1 --count 500` adds conversations to one contact.
Both migrate the database and seed the demo data first when it is empty.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import phonenumbers
from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api import demo
from api.settings import Settings
from api.validation import SOCIAL_NETWORKS, normalize_phone
from server import models
from server.auth import hash_password, new_token
from server.db import create_engine, migrate_sync, sessions
from server.derived_rows import INSERT_TRIGGERS, attribute_values_insert, search_backfill

SEED = 2026
# Another process seeding the same PostgreSQL database waits on this lock (migrations use 7_303_001).
SEED_LOCK = 7_303_002
MINUTE = 60
HOUR = 3_600
DAY = 86_400

DEMO_CONTACTS = {"Acme Support": 200, "Globex Help": 10}
SHOWCASE_EMAIL = "ada@example.com"
SHOWCASE_CONVERSATIONS = 25
BULK_EMAIL_DOMAIN = "load.example"

STATUSES = ("open", "resolved", "pending", "snoozed")
STATUS_WEIGHTS = (25, 45, 15, 15)
# How long before seeding a conversation's last message was, by status: (shortest, typical, longest). Open
# ones are being worked on (a few minutes ago, most within a day), resolved ones are months of history.
LAST_ACTIVITY_AGES = {
    "open": (2 * MINUTE, DAY, 7 * DAY),
    "pending": (10 * MINUTE, 2 * DAY, 10 * DAY),
    "snoozed": (HOUR, 3 * DAY, 14 * DAY),
    "resolved": (DAY, 120 * DAY, 2 * 365 * DAY),
}
PRIORITIES = (None, None, "low", "medium", "high", "urgent")
PLANS = ("free", "starter", "pro", "enterprise")
ISSUE_TYPES = ("billing", "technical", "account", "other")
BROKEN_THUMBNAIL = "https://invalid.example/avatar-missing.png"


@dataclass(frozen=True, kw_only=True, slots=True)
class DemoAgent:
    """A seeded agent with a documented sign-in, and its role in one account."""

    name: str
    email: str
    password: str
    account: str
    role: str


DEMO_AGENTS = (
    DemoAgent(
        name="Alex Admin",
        email=demo.ADMIN.email,
        password=demo.ADMIN.password,
        account="Acme Support",
        role="administrator",
    ),
    DemoAgent(
        name="Sam Agent", email=demo.AGENT.email, password=demo.AGENT.password, account="Acme Support", role="agent"
    ),
    DemoAgent(
        name="Olga Other",
        email=demo.OTHER_ADMIN.email,
        password=demo.OTHER_ADMIN.password,
        account="Globex Help",
        role="administrator",
    ),
)

INBOXES: dict[str, tuple[tuple[str, str], ...]] = {
    "Acme Support": (
        ("Website", "Channel::WebWidget"),
        ("Email", "Channel::Email"),
        ("WhatsApp", "Channel::Whatsapp"),
    ),
    "Globex Help": (("Website", "Channel::WebWidget"),),
}

LABELS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "Acme Support": (
        ("vip", "#f59e0b", "High-value customer: answer first"),
        ("billing", "#3b82f6", "Invoices, refunds and payment methods"),
        ("bug", "#ef4444", "Reported a defect"),
        ("feedback", "#10b981", "Feature requests and praise"),
        ("lead", "#8b5cf6", "Prospect talking to sales"),
        ("churn-risk", "#dc2626", "Considering cancelling"),
        ("enterprise", "#0ea5e9", "Enterprise plan or evaluating it"),
        ("onboarding", "#14b8a6", "Setting up in the first 30 days"),
    ),
    "Globex Help": (
        ("vip", "#f59e0b", "High-value customer"),
        ("partner", "#6366f1", "Reseller or integration partner"),
    ),
}


def _definition(
    key: str,
    name: str,
    kind: str,
    description: str,
    *,
    model: int = 1,
    values: Sequence[str] = (),
    pattern: str | None = None,
    cue: str | None = None,
) -> dict[str, Any]:
    return {
        "attribute_key": key,
        "attribute_display_name": name,
        "attribute_display_type": kind,
        "attribute_description": description,
        "attribute_values": list(values),
        "regex_pattern": pattern,
        "regex_cue": cue,
        "default_value": None,
        "attribute_model": model,
    }


ATTRIBUTE_DEFINITIONS: dict[str, tuple[dict[str, Any], ...]] = {
    "Acme Support": (
        _definition("account_manager", "Account manager", "text", "Who looks after this customer"),
        _definition("seats", "Seats", "number", "Licensed seats"),
        _definition("mrr", "MRR", "currency", "Monthly recurring revenue in EUR"),
        _definition("discount", "Discount", "percent", "Negotiated discount"),
        _definition("crm_url", "CRM record", "link", "The customer's page in the CRM"),
        _definition("signed_up", "Signed up", "date", "First day as a customer"),
        _definition("plan", "Plan", "list", "Current subscription plan", values=PLANS),
        _definition("newsletter", "Newsletter", "checkbox", "Subscribed to the product newsletter"),
        _definition(
            "vat_id",
            "VAT ID",
            "text",
            "EU or UK VAT registration number",
            pattern=r"^[A-Z]{2}[0-9A-Z]{2,12}$",
            cue="Two capital letters for the country, then 2 to 12 letters or digits, e.g. GB123456789",
        ),
        _definition("issue_type", "Issue type", "list", "What the conversation is about", model=0, values=ISSUE_TYPES),
    ),
    "Globex Help": (_definition("plan", "Plan", "list", "Current subscription plan", values=PLANS),),
}


@dataclass(frozen=True, kw_only=True, slots=True)
class _Region:
    """Where a demo contact lives: names, cities and a phone range that libphonenumber accepts."""

    country: str
    code: str
    weight: int
    cities: tuple[str, ...]
    phone_prefixes: tuple[str, ...]
    phone_digits: int
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    family_first: bool = False
    separator: str = " "

    def full_name(self, first: str, last: str) -> str:
        return f"{last}{self.separator}{first}" if self.family_first else f"{first}{self.separator}{last}"


# Fictional ranges where they exist (UK drama numbers, US 555-01xx, French 01 99 00, Australian 0491 570).
REGIONS = (
    _Region(
        country="United Kingdom",
        code="GB",
        weight=30,
        cities=("London", "Manchester", "Edinburgh", "Bristol", "Leeds"),
        phone_prefixes=("+442079460",),
        phone_digits=3,
        first_names=("Oliver", "Amelia", "Harry", "Isla", "George", "Emily", "Jack", "Sophie", "Charlotte", "Thomas"),
        last_names=("Smith", "Jones", "Taylor", "Brown", "Williams", "Evans", "Davies", "Hughes", "Clarke", "Khan"),
    ),
    _Region(
        country="United States",
        code="US",
        weight=35,
        cities=("New York", "San Francisco", "Austin", "Chicago", "Seattle"),
        phone_prefixes=("+141555501", "+121255501", "+131255501"),
        phone_digits=2,
        first_names=("James", "Mary", "Michael", "Jennifer", "David", "Jessica", "Daniel", "Ashley", "Olivia", "Ethan"),
        last_names=("Johnson", "Miller", "Garcia", "Rodriguez", "Anderson", "Thompson", "Harris", "Lee", "Nguyen"),
    ),
    _Region(
        country="Germany",
        code="DE",
        weight=20,
        cities=("Berlin", "München", "Hamburg", "Köln"),
        phone_prefixes=("+49301234",),
        phone_digits=4,
        first_names=("Lukas", "Anna", "Jürgen", "Lena", "Felix", "Marie", "Maximilian", "Sophie", "Jonas"),
        last_names=("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Schäfer", "Hoffmann"),
    ),
    _Region(
        country="Spain",
        code="ES",
        weight=15,
        cities=("Madrid", "Barcelona", "Valencia", "Sevilla"),
        phone_prefixes=("+3491123",),
        phone_digits=4,
        first_names=("José", "Lucía", "Javier", "Carmen", "Álvaro", "Sofía", "Pablo", "Martina"),
        last_names=("García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Ruiz"),
    ),
    _Region(
        country="France",
        code="FR",
        weight=15,
        cities=("Paris", "Lyon", "Marseille", "Toulouse"),
        phone_prefixes=("+3319900",),
        phone_digits=4,
        first_names=("Léa", "Hugo", "Chloé", "Louis", "Camille", "Théo", "Manon", "Gabriel"),
        last_names=("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Lefèvre"),
    ),
    _Region(
        country="Netherlands",
        code="NL",
        weight=10,
        cities=("Amsterdam", "Rotterdam", "Utrecht"),
        phone_prefixes=("+31201234",),
        phone_digits=3,
        first_names=("Daan", "Emma", "Sem", "Julia", "Lars", "Sanne", "Bram", "Fleur"),
        last_names=("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit"),
    ),
    _Region(
        country="Brazil",
        code="BR",
        weight=10,
        cities=("São Paulo", "Rio de Janeiro", "Belo Horizonte"),
        phone_prefixes=("+5511912340",),
        phone_digits=3,
        first_names=("João", "Ana", "Pedro", "Beatriz", "Lucas", "Mariana", "Gabriel", "Larissa"),
        last_names=("Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Carvalho"),
    ),
    _Region(
        country="India",
        code="IN",
        weight=15,
        cities=("Bengaluru", "Mumbai", "Pune", "Hyderabad"),
        phone_prefixes=("+91981200",),
        phone_digits=4,
        first_names=("Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Diya", "Arjun", "Kavya"),
        last_names=("Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Nair", "Singh", "Mehta"),
    ),
    _Region(
        country="Japan",
        code="JP",
        weight=8,
        cities=("Tokyo", "Osaka", "Kyoto"),
        phone_prefixes=("+8131234",),
        phone_digits=4,
        first_names=("花子", "太郎", "さくら", "健", "結衣", "翔"),
        last_names=("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺"),
        family_first=True,
        separator="",
    ),
    _Region(
        country="China",
        code="CN",
        weight=8,
        cities=("Beijing", "Shanghai", "Shenzhen"),
        phone_prefixes=("+8613800",),
        phone_digits=6,
        first_names=("雷", "伟", "芳", "娜", "敏", "静"),
        last_names=("李", "王", "张", "刘", "陈", "杨"),
        family_first=True,
        separator="",
    ),
    _Region(
        country="Egypt",
        code="EG",
        weight=8,
        cities=("Cairo", "Alexandria", "Giza"),
        phone_prefixes=("+20100123",),
        phone_digits=4,
        first_names=("محمد", "أحمد", "فاطمة", "مريم", "يوسف", "نور"),
        last_names=("علي", "حسن", "إبراهيم", "محمود", "السيد", "عبد الله"),
    ),
    _Region(
        country="Australia",
        code="AU",
        weight=10,
        cities=("Sydney", "Melbourne", "Brisbane"),
        phone_prefixes=("+61491570",),
        phone_digits=3,
        first_names=("Jack", "Chloe", "Noah", "Mia", "Liam", "Ruby", "Cooper", "Matilda"),
        last_names=("Kelly", "Ryan", "Mitchell", "Campbell", "Murphy", "Kennedy", "O'Brien", "McDonald"),
    ),
)
REGION_BY_CODE = {region.code: region for region in REGIONS}
WEIGHTED_REGIONS = tuple(region for region in REGIONS for _ in range(region.weight))
VAT_COUNTRIES = frozenset({"GB", "DE", "ES", "FR", "NL"})

# Email addresses need Latin letters; names in other scripts are romanized for them.
ROMANIZED = {
    "花子": "hanako",
    "太郎": "taro",
    "さくら": "sakura",
    "健": "ken",
    "結衣": "yui",
    "翔": "sho",
    "佐藤": "sato",
    "鈴木": "suzuki",
    "高橋": "takahashi",
    "田中": "tanaka",
    "伊藤": "ito",
    "渡辺": "watanabe",
    "雷": "lei",
    "伟": "wei",
    "芳": "fang",
    "娜": "na",
    "敏": "min",
    "静": "jing",
    "李": "li",
    "王": "wang",
    "张": "zhang",
    "刘": "liu",
    "陈": "chen",
    "杨": "yang",
    "محمد": "mohamed",
    "أحمد": "ahmed",
    "فاطمة": "fatma",
    "مريم": "mariam",
    "يوسف": "youssef",
    "نور": "nour",
    "علي": "ali",
    "حسن": "hassan",
    "إبراهيم": "ibrahim",
    "محمود": "mahmoud",
    "السيد": "elsayed",
    "عبد الله": "abdallah",
}

# Contact index -> (country code, first name, last name): names the UI must render well.
FIXED_PEOPLE = {7: ("DE", "Zoë", "Müller"), 13: ("EG", "محمد", "علي"), 21: ("CN", "雷", "李")}
NAMELESS = frozenset({40, 80, 120, 160})

COMPANIES = (
    ("Initech", "initech.example"),
    ("Umbrella Health", "umbrella-health.example"),
    ("Stark Logistics", "stark-logistics.example"),
    ("Hooli", "hooli.example"),
    ("Pied Piper", "piedpiper.example"),
    ("Vandelay Industries", "vandelay.example"),
    ("Tyrell Systems", "tyrell.example"),
    ("Wonka Sweets", "wonka.example"),
    ("Oceanic Air", "oceanic-air.example"),
    ("Massive Dynamic", "massive-dynamic.example"),
    ("Aperture Labs", "aperture.example"),
    ("Dunder Mifflin", "dundermifflin.example"),
    ("Nakatomi Trading", "nakatomi.example"),
    ("Bluth Company", "bluth.example"),
    ("Monarch Solutions", "monarch.example"),
    ("Blue Sun", "bluesun.example"),
)
PERSONAL_DOMAINS = ("example.com", "example.org", "example.net")
DESCRIPTIONS = (
    "Head of operations at {company}",
    "Procurement lead at {company}; prefers email",
    "Evaluating the Pro plan for {company}",
    "Customer since launch, based in {city}",
    "Freelance designer in {city}",
    "Runs support for {company}",
    "IT admin at {company}, manages seats and SSO",
    "",
    "",
)
ACCOUNT_MANAGERS = ("Alex Admin", "Sam Agent", "Priya Raman", "Tom Becker")


@dataclass(frozen=True, kw_only=True, slots=True)
class _Topic:
    """A support conversation: customer and agent lines alternate, customer first."""

    label: str | None
    issue_type: str
    lines: tuple[str, ...]


TOPICS = (
    _Topic(
        label="billing",
        issue_type="billing",
        lines=(
            "Hi, I was charged twice for my subscription this month.",
            "Sorry about that! I can see the duplicate charge and have refunded it just now.",
            "Thanks. How long until the refund shows up on my card?",
            "Usually 5 to 7 business days, depending on your bank.",
            "Great, appreciate the quick help.",
            "You're welcome! I'll close this one, just reply if anything else comes up.",
        ),
    ),
    _Topic(
        label="bug",
        issue_type="technical",
        lines=(
            "The CSV export has been failing since yesterday with an 'unexpected error'.",
            "Thanks for reporting this. Could you tell me roughly how many rows you are exporting?",
            "About 40,000 contacts, filtered by the 'vip' label.",
            "I could reproduce it: exports above 25,000 rows time out. Our engineers are on it.",
            "OK, is there a workaround in the meantime?",
            "Yes, export in two halves using the created date filter. I'll update you when the fix ships.",
        ),
    ),
    _Topic(
        label="onboarding",
        issue_type="technical",
        lines=(
            "We just signed up. Where do I find the snippet for the website widget?",
            "Welcome aboard! It's under Settings > Inboxes > Website > Configuration.",
            "Found it. Does it go in the head or before the closing body tag?",
            "Before the closing body tag works best, so it loads after your page content.",
            "Done, the chat bubble shows up now.",
            "Perfect. Send a test message and you should see it in your inbox right away.",
        ),
    ),
    _Topic(
        label="lead",
        issue_type="other",
        lines=(
            "Hello, what would 50 seats on the Pro plan cost with annual billing?",
            "Hi! Annual Pro is 19 EUR per seat per month, so 11,400 EUR a year for 50 seats.",
            "Is there a discount for non-profits?",
            "There is: 25% off any plan. I just need a copy of your registration.",
            "I'll send it over this afternoon.",
            "Sounds good, I'll prepare the quote as soon as it arrives.",
        ),
    ),
    _Topic(
        label="feedback",
        issue_type="other",
        lines=(
            "Any plans for a dark mode? Our night shift would love it.",
            "It's on our roadmap for next quarter. I've added your vote to the request.",
            "Nice! Keyboard shortcuts for switching conversations would be great too.",
            "Good idea, I've passed that on to the product team as well.",
        ),
    ),
    _Topic(
        label=None,
        issue_type="account",
        lines=(
            "I lost my phone and can't get past two-factor authentication.",
            "I can help. For security, please confirm the last four digits of the card on file.",
            "It ends in 4242.",
            "Thanks, that matches. I've reset 2FA, you can sign in and set it up again.",
            "I'm in. Thank you so much!",
            "Glad to hear it! Consider saving the backup codes this time.",
        ),
    ),
    _Topic(
        label="churn-risk",
        issue_type="billing",
        lines=(
            "How do I cancel our subscription? We're moving to another tool.",
            "Sorry to hear that. May I ask what's missing for you?",
            "Mostly the reporting. We need weekly exports per agent.",
            "Scheduled per-agent reports launched last week. Want me to set up a trial for you?",
            "Hm, OK, let's give it two weeks.",
            "Done! I've extended your plan by 14 days at no charge.",
        ),
    ),
    _Topic(
        label="enterprise",
        issue_type="technical",
        lines=(
            "We'd like to set up SAML single sign-on with Okta.",
            "Sure. SSO is on the Enterprise plan. I'll send you the metadata URL and the setup guide.",
            "Got them. Which attribute do you map to the agent's email?",
            "Use the NameID in email format; the display name comes from the 'name' attribute.",
            "Works now, thanks.",
            "Great! Let us know when you want to enforce SSO for all agents.",
        ),
    ),
    _Topic(
        label=None,
        issue_type="other",
        lines=(
            "My order #48213 still hasn't arrived, it's been ten days.",
            "Let me check with the courier. One moment please.",
            "Sure.",
            "It was held at the depot because of a wrong house number. It goes out again tomorrow.",
            "Oh, my mistake. Thanks for sorting it out!",
            "No problem at all. You'll get a tracking email in the morning.",
        ),
    ),
    _Topic(
        label="bug",
        issue_type="technical",
        lines=(
            "The iOS app crashes as soon as I open a conversation with an image.",
            "Thanks for letting us know. Which app and iOS versions are you on?",
            "App 4.2.1 on iOS 18.1.",
            "That's a known issue, fixed in 4.2.2, which is rolling out today.",
            "Updated, it works now.",
            "Thanks for confirming!",
        ),
    ),
    _Topic(
        label="billing",
        issue_type="billing",
        lines=(
            "Can you add our VAT ID to the invoices? We need it for our accounts.",
            "Of course. You can add it under Billing > Company details, or send it here.",
            "It's in the company details now. Can you reissue last month's invoice?",
            "Done, the corrected invoice is in your billing history.",
        ),
    ),
    _Topic(
        label="feedback",
        issue_type="other",
        lines=(
            "Just wanted to say the new contact panel is fantastic, it saves us so much time.",
            "Thank you, that really made our day! I'll share it with the team.",
        ),
    ),
)

NOTES = (
    "Called about the renewal; wants a quote for 20 more seats.",
    "Prefers email over phone. Reachable after 14:00 their time.",
    "Escalated the export bug to engineering, ticket ENG-4821.",
    "Offered 10% loyalty discount, waiting for their decision.",
    "Met at the customer summit in Berlin, interested in SSO.",
    "Asked not to be contacted for marketing.",
    "Onboarding call done, they imported 3,000 contacts.",
    "Invoice address changed to the new office.",
)
SHOWCASE_NOTES = (
    "Key account: decides on renewals for the whole group. Loop in Alex before offering discounts.",
    "Asked for a roadmap call about reporting; scheduled for next Tuesday.",
    "Prefers email; answers within the hour during UK business hours.",
)
# The newest note was written while her open conversation was being answered: the last thing on her timeline.
SHOWCASE_NOTE_AGES = (30 * DAY, 9 * DAY, 5 * MINUTE)


@dataclass(kw_only=True, slots=True)
class _PlannedMessage:
    content: str
    outgoing: bool
    created_at: int


@dataclass(kw_only=True, slots=True)
class _PlannedConversation:
    inbox: str
    status: str
    priority: str | None
    labels: list[str]
    unread_count: int
    assignee: str | None
    custom_attributes: dict[str, Any]
    created_at: int
    messages: list[_PlannedMessage]
    display_id: int = 0

    @property
    def last_activity_at(self) -> int:
        return self.messages[-1].created_at


@dataclass(kw_only=True, slots=True)
class _PlannedNote:
    content: str
    agent: str
    created_at: int


@dataclass(kw_only=True, slots=True)
class _PlannedContact:
    row: dict[str, Any]
    labels: list[tuple[str, int]] = field(default_factory=list)
    notes: list[_PlannedNote] = field(default_factory=list)
    conversations: list[_PlannedConversation] = field(default_factory=list)
    inboxes: dict[str, str] = field(default_factory=dict)


@dataclass(kw_only=True, slots=True)
class _PlannedAccount:
    name: str
    created_at: int
    agents: list[DemoAgent]
    contacts: list[_PlannedContact]


def _ascii_slug(name: str) -> str:
    """`Zoë` -> `zoe`, `O'Brien` -> `obrien`, `佐藤` -> `sato`: for emails and social handles."""
    romanized = ROMANIZED.get(name, name)
    folded = unicodedata.normalize("NFKD", romanized).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _day(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).date().isoformat()


class _DemoPlanner:
    """Builds the demo data set from one seeded random generator; no database involved."""

    def __init__(self, now: int) -> None:
        self.now = now
        self.rng = random.Random(SEED)
        # Unique across both accounts, though the database only asks for unique per account.
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.next_identifier = 1001

    def plan(self) -> list[_PlannedAccount]:
        accounts: list[_PlannedAccount] = []
        for number, (name, count) in enumerate(DEMO_CONTACTS.items()):
            agents = [agent for agent in DEMO_AGENTS if agent.account == name]
            accounts.append(
                _PlannedAccount(
                    name=name,
                    created_at=self.now - 4 * 365 * DAY + number * DAY,
                    agents=agents,
                    contacts=self._contacts(name, count, [agent.email for agent in agents]),
                )
            )
        return accounts

    def _contacts(self, account: str, count: int, agents: list[str]) -> list[_PlannedContact]:
        rng = self.rng
        showcase = account == "Acme Support"
        self.next_identifier = 1001
        blocked = set(rng.sample(range(1, count), 3 if showcase else 1))
        broken = set(rng.sample(range(1, count), 3)) if showcase else set()
        contacts: list[_PlannedContact] = []
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

    def _unique_phone(self, region: _Region) -> str:
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

    def _contact(self, account: str, index: int, agents: list[str], showcase_account: bool) -> _PlannedContact:
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
        contact = _PlannedContact(row=row)
        titles = [title for title, _color, _description in LABELS[account]]
        for title in rng.sample(titles, min(len(titles), rng.choice((0, 0, 1, 1, 2, 3)))):
            contact.labels.append((title, rng.randint(created_at, min(created_at + 30 * DAY, self.now))))
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            contact.notes.append(
                _PlannedNote(
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

    def _showcase(self, agents: list[str]) -> _PlannedContact:
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
        contact = _PlannedContact(row=row)
        contact.labels = [
            (title, created_at + (n + 1) * DAY) for n, title in enumerate(("vip", "enterprise", "billing"))
        ]
        contact.notes = [
            _PlannedNote(content=content, agent=agents[n % len(agents)], created_at=self.now - age)
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

    def _link_inboxes(self, contact: _PlannedContact, inboxes: list[str]) -> None:
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
    ) -> _PlannedConversation:
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
            _PlannedMessage(content=line, outgoing=n % 2 == 1, created_at=start + gap)
            for n, (line, gap) in enumerate(zip(lines, gaps, strict=True))
        ]
        labels = [topic.label] if topic.label else []
        if rng.random() < 0.15 and "vip" not in labels:
            labels.append("vip")
        return _PlannedConversation(
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

    def _custom_attributes(self, account: str, region: _Region, index: int, created_at: int) -> dict[str, Any]:
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


def _demo_plan(now: int) -> list[_PlannedAccount]:
    """The whole demo data set, its times relative to `now`; the same layout on every call."""
    return _DemoPlanner(now).plan()


def _table(model: type[models.Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


async def _insert(session: AsyncSession, model: type[models.Base], rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(_table(model)), rows)


async def _insert_ids(session: AsyncSession, model: type[models.Base], rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows; their new ids, in the order of `rows`."""
    if not rows:
        return []
    table = _table(model)
    result = await session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return list(result.scalars())


async def _write_demo(session: AsyncSession, plan: list[_PlannedAccount], now: int) -> None:
    account_ids = await _insert_ids(
        session, models.Account, [{"name": account.name, "created_at": account.created_at} for account in plan]
    )
    hashes = await asyncio.gather(*(asyncio.to_thread(hash_password, agent.password) for agent in DEMO_AGENTS))
    agent_rows = [
        {
            "name": agent.name,
            "email": agent.email,
            "password_hash": password_hash,
            "access_token": new_token(),
            "pubsub_token": new_token(),
            "ui_settings": {},
            "created_at": now - 4 * 365 * DAY + HOUR,
        }
        for agent, password_hash in zip(DEMO_AGENTS, hashes, strict=True)
    ]
    agent_ids = dict(
        zip((a.email for a in DEMO_AGENTS), await _insert_ids(session, models.Agent, agent_rows), strict=True)
    )
    account_by_name = {account.name: account_id for account, account_id in zip(plan, account_ids, strict=True)}
    await _insert(
        session,
        models.AccountAgent,
        [
            {"account_id": account_by_name[agent.account], "agent_id": agent_ids[agent.email], "role": agent.role}
            for agent in DEMO_AGENTS
        ],
    )
    for account, account_id in zip(plan, account_ids, strict=True):
        await _write_account(session, account, account_id, agent_ids)


async def _write_account(
    session: AsyncSession, account: _PlannedAccount, account_id: int, agent_ids: dict[str, int]
) -> None:
    created_at = account.created_at
    inbox_rows = [
        {"account_id": account_id, "name": name, "channel_type": kind} for name, kind in INBOXES[account.name]
    ]
    inbox_ids = dict(
        zip((row["name"] for row in inbox_rows), await _insert_ids(session, models.Inbox, inbox_rows), strict=True)
    )
    await _insert(
        session,
        models.Label,
        [
            {
                "account_id": account_id,
                "title": title,
                "description": description,
                "color": color,
                "show_on_sidebar": True,
            }
            for title, color, description in LABELS[account.name]
        ],
    )
    await _insert(
        session,
        models.CustomAttributeDefinition,
        [
            definition | {"account_id": account_id, "created_at": created_at}
            for definition in ATTRIBUTE_DEFINITIONS[account.name]
        ],
    )
    contact_rows = [
        contact.row | {"account_id": account_id, "updated_at": contact.row["created_at"], "version": 1}
        for contact in account.contacts
    ]
    contact_ids = await _insert_ids(session, models.Contact, contact_rows)
    owned = sorted(
        (
            (conversation, contact_id)
            for contact, contact_id in zip(account.contacts, contact_ids, strict=True)
            for conversation in contact.conversations
        ),
        key=lambda pair: pair[0].display_id,
    )
    conversation_ids = await _insert_ids(
        session,
        models.Conversation,
        [
            {
                "account_id": account_id,
                "display_id": conversation.display_id,
                "contact_id": contact_id,
                "inbox_id": inbox_ids[conversation.inbox],
                "assignee_id": agent_ids[conversation.assignee] if conversation.assignee else None,
                "status": conversation.status,
                "priority": conversation.priority,
                "labels": conversation.labels,
                "unread_count": conversation.unread_count,
                "additional_attributes": {},
                "custom_attributes": conversation.custom_attributes,
                "created_at": conversation.created_at,
                "last_activity_at": conversation.last_activity_at,
            }
            for conversation, contact_id in owned
        ],
    )
    messages: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []

    def event(
        contact_id: int, at: int, kind: str, *, field: str | None = None, new: Any = None, agent: int | None = None
    ) -> None:
        events.append(
            {
                "account_id": account_id,
                "contact_id": contact_id,
                "kind": kind,
                "field": field,
                "old_value": None,
                "new_value": new,
                "agent_id": agent,
                "created_at": at,
            }
        )

    for (conversation, contact_id), conversation_id in zip(owned, conversation_ids, strict=True):
        agent = conversation.assignee or account.agents[conversation.display_id % len(account.agents)].email
        for message in conversation.messages:
            messages.append(
                {
                    "conversation_id": conversation_id,
                    "content": message.content,
                    "message_type": 1 if message.outgoing else 0,
                    "private": False,
                    "sender_type": "user" if message.outgoing else "contact",
                    "sender_id": agent_ids[agent] if message.outgoing else contact_id,
                    "created_at": message.created_at,
                }
            )
        event(contact_id, conversation.created_at, "conversation_opened", new=conversation.display_id)
        if conversation.status == "resolved":
            agent_id = agent_ids[conversation.assignee] if conversation.assignee else None
            event(
                contact_id,
                conversation.last_activity_at,
                "conversation_resolved",
                new=conversation.display_id,
                agent=agent_id,
            )
    await _insert(session, models.Message, messages)
    links: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for contact, contact_id in zip(account.contacts, contact_ids, strict=True):
        event(contact_id, contact.row["created_at"], "created")
        links.extend(
            {"contact_id": contact_id, "inbox_id": inbox_ids[name], "source_id": source}
            for name, source in contact.inboxes.items()
        )
        for title, at in contact.labels:
            labels.append({"contact_id": contact_id, "title": title})
            event(contact_id, at, "label_added", field="labels", new=title, agent=agent_ids[account.agents[0].email])
        for note in contact.notes:
            notes.append(
                {
                    "account_id": account_id,
                    "contact_id": contact_id,
                    "agent_id": agent_ids[note.agent],
                    "content": note.content,
                    "created_at": note.created_at,
                    "updated_at": note.created_at,
                }
            )
            event(contact_id, note.created_at, "note_added", new=note.content[:255], agent=agent_ids[note.agent])
    await _insert(session, models.ContactInbox, links)
    await _insert(session, models.ContactLabel, labels)
    await _insert(session, models.Note, notes)
    # The activity trail is read newest id first, so ids must follow time.
    events.sort(key=lambda row: row["created_at"])
    await _insert(session, models.ContactEvent, events)


async def seed_demo_if_empty(session_factory: async_sessionmaker[AsyncSession], now: int | None = None) -> bool:
    """Seed the demo accounts, agents and contacts into a database without accounts; True when it did.

    Times are relative to `now` (the moment of seeding unless given). On PostgreSQL an advisory lock makes
    processes starting together seed once.
    """
    now = int(time.time()) if now is None else now
    plan = _demo_plan(now)
    async with session_factory() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEED_LOCK})
        if await session.scalar(select(models.Account.id).limit(1)) is not None:
            return False
        await _write_demo(session, plan, now)
    return True


@lru_cache(maxsize=1)
def _bulk_area_codes() -> tuple[int, ...]:
    """US area codes whose 555 exchange libphonenumber accepts (about 450)."""

    def valid(number: str) -> bool:
        return phonenumbers.is_valid_number(phonenumbers.parse(number, None))

    return tuple(
        code for code in range(200, 1000) if all(valid(f"+1{code}555{line:04d}") for line in (0, 200, 5000, 9999))
    )


def bulk_phone(number: int) -> str | None:
    """A unique valid phone for bulk contact `number` (+1 AAA 555 XXXX, never the demo's 555-01xx), or None."""
    if number % 5 == 0:
        return None
    codes = _bulk_area_codes()
    area, line = divmod(number, 9_900)
    if area >= len(codes):
        return None
    return f"+1{codes[area]}555{line + 100 if line >= 100 else line:04d}"


BULK_COLUMNS = (
    "account_id",
    "name",
    "email",
    "phone_number",
    "identifier",
    "thumbnail",
    "blocked",
    "additional_attributes",
    "custom_attributes",
    "last_activity_at",
    "created_at",
    "updated_at",
    "version",
)
JSON_COLUMNS = frozenset({"additional_attributes", "custom_attributes"})
MAX_SEATS = 200
# For the build only: no fsync (a crash mid-build leaves a database to throw away anyway), sorts and temporary
# b-trees in memory, a cache that holds the indexes being built, and a helper thread for CREATE INDEX's sort.
BULK_PRAGMAS = (
    "PRAGMA synchronous=OFF",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-524288",
    "PRAGMA threads=2",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class _BulkRegion:
    """A region's draws for bulk contacts, prepared once: full names, and the additional attributes as JSON."""

    names: tuple[str, ...]
    additional: tuple[str, ...]


@lru_cache(maxsize=1)
def _bulk_regions() -> tuple[_BulkRegion, ...]:
    """One entry per region weight, so a uniform draw picks regions by weight."""
    prepared = {
        region.code: _BulkRegion(
            names=tuple(region.full_name(first, last) for first in region.first_names for last in region.last_names),
            additional=tuple(
                json.dumps(
                    {"company_name": company, "city": city, "country": region.country, "country_code": region.code}
                )
                for company, _domain in COMPANIES
                for city in region.cities
            ),
        )
        for region in REGIONS
    }
    return tuple(prepared[region.code] for region in WEIGHTED_REGIONS)


@lru_cache(maxsize=1)
def _bulk_custom() -> tuple[str, ...]:
    return tuple(json.dumps({"plan": plan, "seats": seats}) for plan in PLANS for seats in range(1, MAX_SEATS + 1))


def _bulk_rows(rng: random.Random, account_id: int, first: int, size: int, now: int) -> list[tuple[Any, ...]]:
    """Bulk contacts `first` .. `first + size - 1` as rows in BULK_COLUMNS' order, attribute objects as JSON text.

    Drawn from lists prepared once, one `random()` per choice: a million rows take seconds, not minutes.
    """
    regions, custom = _bulk_regions(), _bulk_custom()
    draw = rng.random
    rows = []
    for number in range(first, first + size):
        region = regions[int(draw() * len(regions))]
        last_activity = now - int(draw() * 730 * DAY) if draw() < 0.9 else None
        created_at = (last_activity or now) - DAY - int(draw() * 364 * DAY)
        rows.append(
            (
                account_id,
                region.names[int(draw() * len(region.names))],
                f"bulk-{number}@{BULK_EMAIL_DOMAIN}",
                bulk_phone(number),
                f"bulk-{number}" if number % 10 == 0 else None,
                "",
                number % 500 == 0,
                region.additional[int(draw() * len(region.additional))],
                custom[int(draw() * len(custom))] if number % 2 else "{}",
                last_activity,
                created_at,
                created_at,
                1,
            )
        )
    return rows


Progress = Callable[[int, float], None]


def _load_sqlite(database: str, account_id: int, first: int, count: int, batch: int, progress: Progress | None) -> None:
    """Insert the bulk contacts into a SQLite file in one transaction, with every index built after the data.

    The triggers that fill the search table and the filter's attribute values for a new contact are dropped for
    the load, and what they would have written is written afterwards by one statement each over the new contacts
    (server.derived_rows, the SQL the triggers run), before the indexes are built: per row the triggers made the
    load several times slower. All of it in the one transaction, triggers included: nobody sees them missing.
    """
    started = time.perf_counter()
    rng = random.Random(SEED + first)
    now = int(time.time())
    connection = sqlite3.connect(database, timeout=30, isolation_level=None)
    try:
        for pragma in BULK_PRAGMAS:
            connection.execute(pragma)
        connection.execute("BEGIN IMMEDIATE")
        indexes = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
        for name, _sql in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        triggers = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)", INSERT_TRIGGERS
        ).fetchall()
        for name, _sql in triggers:
            connection.execute(f'DROP TRIGGER "{name}"')
        columns = ", ".join(BULK_COLUMNS)
        connection.execute(f"CREATE TEMP TABLE bulk_contacts AS SELECT {columns} FROM main.contacts WHERE 0")
        done = 0
        while done < count:
            size = min(batch, count - done)
            connection.executemany(
                f"INSERT INTO temp.bulk_contacts ({columns}) VALUES ({', '.join('?' * len(BULK_COLUMNS))})",
                _bulk_rows(rng, account_id, first + done, size, now),
            )
            connection.execute(f"INSERT INTO main.contacts ({columns}) SELECT {columns} FROM temp.bulk_contacts")
            connection.execute("DELETE FROM temp.bulk_contacts")
            done += size
            if progress:
                progress(done, time.perf_counter() - started)
        connection.execute("DROP TABLE temp.bulk_contacts")
        loaded = "contacts.id >= :first"
        connection.execute(search_backfill(loaded), {"first": first})
        connection.execute(attribute_values_insert("contacts", loaded), {"first": first})
        for _name, sql in triggers:
            connection.execute(sql)
        for _name, sql in indexes:
            connection.execute(sql)
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()


async def add_bulk_contacts(
    session_factory: async_sessionmaker[AsyncSession],
    account_id: int,
    count: int,
    batch: int = 10_000,
    *,
    progress: Progress | None = None,
) -> None:
    """Add `count` generated contacts (`bulk-<n>@load.example`) to an account, `batch` rows per statement.

    `progress(done, seconds)` is called after every batch. Numbering continues after the
    highest contact id, so running it again adds new contacts rather than colliding.
    """
    async with session_factory() as session:
        if await session.get(models.Account, account_id) is None:
            raise LookupError(f"account {account_id} does not exist")
        first = (await session.scalar(select(func.max(models.Contact.id))) or 0) + 1
        url = (await session.connection()).engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        await asyncio.to_thread(_load_sqlite, url.database, account_id, first, count, batch, progress)
        return
    started = time.perf_counter()
    rng = random.Random(SEED + first)
    now = int(time.time())
    table = _table(models.Contact)
    per_transaction = batch * 10
    done = 0
    while done < count:
        async with session_factory() as session, session.begin():
            end = min(count, done + per_transaction)
            while done < end:
                size = min(batch, end - done)
                rows = [
                    {
                        column: json.loads(value) if column in JSON_COLUMNS else value
                        for column, value in zip(BULK_COLUMNS, row, strict=True)
                    }
                    for row in _bulk_rows(rng, account_id, first + done, size, now)
                ]
                await session.execute(insert(table), rows)
                done += size
                if progress:
                    progress(done, time.perf_counter() - started)


async def add_conversations(
    session_factory: async_sessionmaker[AsyncSession], contact_id: int, count: int, batch: int = 5_000
) -> None:
    """Add `count` conversations, one incoming message each, to a contact; spread out until now."""
    async with session_factory() as session, session.begin():
        contact = await session.get(models.Contact, contact_id)
        if contact is None:
            raise LookupError(f"contact {contact_id} does not exist")
        account_id = contact.account_id
        links = list(
            await session.scalars(
                select(models.ContactInbox.inbox_id)
                .where(models.ContactInbox.contact_id == contact_id)
                .order_by(models.ContactInbox.id)
            )
        )
        inboxes = list(
            await session.scalars(
                select(models.Inbox.id).where(models.Inbox.account_id == account_id).order_by(models.Inbox.id)
            )
        )
        if not inboxes:
            raise LookupError(f"account {account_id} has no inbox")
        if not links:
            await _insert(
                session,
                models.ContactInbox,
                [{"contact_id": contact_id, "inbox_id": inboxes[0], "source_id": f"contact-{contact_id}"}],
            )
            links = [inboxes[0]]
        agents = list(
            await session.scalars(
                select(models.AccountAgent.agent_id)
                .where(models.AccountAgent.account_id == account_id)
                .order_by(models.AccountAgent.agent_id)
            )
        )
        last_display = (
            await session.scalar(
                select(func.max(models.Conversation.display_id)).where(models.Conversation.account_id == account_id)
            )
            or 0
        )
        rng = random.Random(SEED + contact_id)
        begin = contact.created_at + HOUR
        step = max(MINUTE, (max(int(time.time()), begin + count * MINUTE) - begin) // max(count, 1))
        newest = contact.last_activity_at or 0
        for offset in range(0, count, batch):
            planned: list[tuple[int, _Topic, dict[str, Any]]] = []
            for n in range(offset, min(count, offset + batch)):
                created_at = begin + n * step
                topic = rng.choice(TOPICS)
                planned.append(
                    (
                        created_at,
                        topic,
                        {
                            "account_id": account_id,
                            "display_id": last_display + n + 1,
                            "contact_id": contact_id,
                            "inbox_id": rng.choice(links),
                            "assignee_id": rng.choice(agents) if agents and rng.random() < 0.7 else None,
                            "status": rng.choice(STATUSES),
                            "priority": rng.choice(PRIORITIES),
                            "labels": [topic.label] if topic.label else [],
                            "unread_count": 0,
                            "additional_attributes": {},
                            "custom_attributes": {"issue_type": topic.issue_type},
                            "created_at": created_at,
                            "last_activity_at": created_at + step // 2,
                        },
                    )
                )
            ids = await _insert_ids(session, models.Conversation, [row for _at, _topic, row in planned])
            await _insert(
                session,
                models.Message,
                [
                    {
                        "conversation_id": conversation_id,
                        "content": topic.lines[0],
                        "message_type": 0,
                        "private": False,
                        "sender_type": "contact",
                        "sender_id": contact_id,
                        "created_at": row["last_activity_at"],
                    }
                    for conversation_id, (_at, topic, row) in zip(ids, planned, strict=True)
                ],
            )
            await _insert(
                session,
                models.ContactEvent,
                [
                    {
                        "account_id": account_id,
                        "contact_id": contact_id,
                        "kind": "conversation_opened",
                        "field": None,
                        "old_value": None,
                        "new_value": row["display_id"],
                        "agent_id": None,
                        "created_at": created_at,
                    }
                    for created_at, _topic, row in planned
                ],
            )
            newest = max(newest, *(row["last_activity_at"] for _at, _topic, row in planned))
        await session.execute(
            update(models.Contact).where(models.Contact.id == contact_id).values(last_activity_at=newest)
        )


def _report(done: int, seconds: float) -> None:
    print(f"  {done:>12,} contacts  {seconds:8.1f} s  ({done / max(seconds, 1e-9):,.0f}/s)", flush=True)


@contextmanager
def _contact_progress(total: int) -> Iterator[Progress]:
    """A progress bar on a terminal; elsewhere (a log, a pipe) a plain line per batch."""
    if not sys.stdout.isatty():
        yield _report
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.progress import Progress as ProgressBar

    with ProgressBar(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ) as bar:
        task = bar.add_task("contacts", total=total)
        yield lambda done, _seconds: bar.update(task, completed=done)


async def _run(arguments: argparse.Namespace, url: str) -> None:
    engine = create_engine(url)
    session_factory = sessions(engine)
    try:
        started = time.perf_counter()
        seeded = await seed_demo_if_empty(session_factory)
        print(f"Demo data {'seeded' if seeded else 'already present'} ({time.perf_counter() - started:.1f} s)")
        if arguments.contacts:
            print(f"Adding {arguments.contacts:,} contacts to account {arguments.account_id}")
            started = time.perf_counter()
            with _contact_progress(arguments.contacts) as progress:
                await add_bulk_contacts(session_factory, arguments.account_id, arguments.contacts, progress=progress)
            print(f"Added {arguments.contacts:,} contacts in {time.perf_counter() - started:.1f} s")
        if arguments.conversations_for:
            started = time.perf_counter()
            await add_conversations(session_factory, arguments.conversations_for, arguments.count)
            print(
                f"Added {arguments.count:,} conversations to contact {arguments.conversations_for}"
                f" in {time.perf_counter() - started:.1f} s"
            )
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    """Migrate, seed the demo data when empty, then add what the arguments ask for."""
    parser = argparse.ArgumentParser(prog="python -m server.seed", description="Seed demo and benchmark data.")
    parser.add_argument("--database-url", help="SQLAlchemy URL; DATABASE_URL or the app's default when omitted")
    parser.add_argument("--account-id", type=int, default=1, help="account that receives the bulk contacts")
    parser.add_argument("--contacts", type=int, default=0, help="how many bulk contacts to add")
    parser.add_argument("--conversations-for", type=int, metavar="CONTACT_ID", help="contact that gets conversations")
    parser.add_argument("--count", type=int, default=500, help="how many conversations to add (default 500)")
    arguments = parser.parse_args(argv)
    url: str = arguments.database_url or Settings().database_url
    migrate_sync(url)
    asyncio.run(_run(arguments, url))


if __name__ == "__main__":
    main()
