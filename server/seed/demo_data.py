"""The fixed demo data: accounts, agents, inboxes, labels, attribute definitions, and what contacts and
conversations are drawn from (regions with their names, cities and phone ranges, companies, topics, notes).

The planner (server/seed/planner.py) draws the demo data set from these; bench's bulk generator draws from them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from api import demo

# The random generators' seed: the demo's planner, extra conversations, bench's bulk contacts (offset by an id).
SEED = 2026
MINUTE = 60
HOUR = 3_600
DAY = 86_400

DEMO_CONTACTS = {"Acme Support": 200, "Globex Help": 10}
SHOWCASE_EMAIL = "ada@example.com"
SHOWCASE_CONVERSATIONS = 25

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
class Region:
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
    Region(
        country="United Kingdom",
        code="GB",
        weight=30,
        cities=("London", "Manchester", "Edinburgh", "Bristol", "Leeds"),
        phone_prefixes=("+442079460",),
        phone_digits=3,
        first_names=("Oliver", "Amelia", "Harry", "Isla", "George", "Emily", "Jack", "Sophie", "Charlotte", "Thomas"),
        last_names=("Smith", "Jones", "Taylor", "Brown", "Williams", "Evans", "Davies", "Hughes", "Clarke", "Khan"),
    ),
    Region(
        country="United States",
        code="US",
        weight=35,
        cities=("New York", "San Francisco", "Austin", "Chicago", "Seattle"),
        phone_prefixes=("+141555501", "+121255501", "+131255501"),
        phone_digits=2,
        first_names=("James", "Mary", "Michael", "Jennifer", "David", "Jessica", "Daniel", "Ashley", "Olivia", "Ethan"),
        last_names=("Johnson", "Miller", "Garcia", "Rodriguez", "Anderson", "Thompson", "Harris", "Lee", "Nguyen"),
    ),
    Region(
        country="Germany",
        code="DE",
        weight=20,
        cities=("Berlin", "München", "Hamburg", "Köln"),
        phone_prefixes=("+49301234",),
        phone_digits=4,
        first_names=("Lukas", "Anna", "Jürgen", "Lena", "Felix", "Marie", "Maximilian", "Sophie", "Jonas"),
        last_names=("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Schäfer", "Hoffmann"),
    ),
    Region(
        country="Spain",
        code="ES",
        weight=15,
        cities=("Madrid", "Barcelona", "Valencia", "Sevilla"),
        phone_prefixes=("+3491123",),
        phone_digits=4,
        first_names=("José", "Lucía", "Javier", "Carmen", "Álvaro", "Sofía", "Pablo", "Martina"),
        last_names=("García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Ruiz"),
    ),
    Region(
        country="France",
        code="FR",
        weight=15,
        cities=("Paris", "Lyon", "Marseille", "Toulouse"),
        phone_prefixes=("+3319900",),
        phone_digits=4,
        first_names=("Léa", "Hugo", "Chloé", "Louis", "Camille", "Théo", "Manon", "Gabriel"),
        last_names=("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Lefèvre"),
    ),
    Region(
        country="Netherlands",
        code="NL",
        weight=10,
        cities=("Amsterdam", "Rotterdam", "Utrecht"),
        phone_prefixes=("+31201234",),
        phone_digits=3,
        first_names=("Daan", "Emma", "Sem", "Julia", "Lars", "Sanne", "Bram", "Fleur"),
        last_names=("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit"),
    ),
    Region(
        country="Brazil",
        code="BR",
        weight=10,
        cities=("São Paulo", "Rio de Janeiro", "Belo Horizonte"),
        phone_prefixes=("+5511912340",),
        phone_digits=3,
        first_names=("João", "Ana", "Pedro", "Beatriz", "Lucas", "Mariana", "Gabriel", "Larissa"),
        last_names=("Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Carvalho"),
    ),
    Region(
        country="India",
        code="IN",
        weight=15,
        cities=("Bengaluru", "Mumbai", "Pune", "Hyderabad"),
        phone_prefixes=("+91981200",),
        phone_digits=4,
        first_names=("Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Diya", "Arjun", "Kavya"),
        last_names=("Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Nair", "Singh", "Mehta"),
    ),
    Region(
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
    Region(
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
    Region(
        country="Egypt",
        code="EG",
        weight=8,
        cities=("Cairo", "Alexandria", "Giza"),
        phone_prefixes=("+20100123",),
        phone_digits=4,
        first_names=("محمد", "أحمد", "فاطمة", "مريم", "يوسف", "نور"),
        last_names=("علي", "حسن", "إبراهيم", "محمود", "السيد", "عبد الله"),
    ),
    Region(
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
class Topic:
    """A support conversation: customer and agent lines alternate, customer first."""

    label: str | None
    issue_type: str
    lines: tuple[str, ...]


TOPICS = (
    Topic(
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
    Topic(
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
    Topic(
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
    Topic(
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
    Topic(
        label="feedback",
        issue_type="other",
        lines=(
            "Any plans for a dark mode? Our night shift would love it.",
            "It's on our roadmap for next quarter. I've added your vote to the request.",
            "Nice! Keyboard shortcuts for switching conversations would be great too.",
            "Good idea, I've passed that on to the product team as well.",
        ),
    ),
    Topic(
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
    Topic(
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
    Topic(
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
    Topic(
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
    Topic(
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
    Topic(
        label="billing",
        issue_type="billing",
        lines=(
            "Can you add our VAT ID to the invoices? We need it for our accounts.",
            "Of course. You can add it under Billing > Company details, or send it here.",
            "It's in the company details now. Can you reissue last month's invoice?",
            "Done, the corrected invoice is in your billing history.",
        ),
    ),
    Topic(
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
