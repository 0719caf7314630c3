"""Every relative link and image in the Markdown docs resolves to a file of the repository, anchors included.

A fresh clone has nothing beside the repository, so no link may lead out of it (`../shared/...`), nor to an
absolute path of one machine. Links to other sites (`https://...`) are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted(
    {ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "bench" / "README.md", *(ROOT / "docs").rglob("*.md")}
)
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1[^\n]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
# [text](target "title") and ![alt](target); the text may hold one level of brackets (an image in a link).
INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^()\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.MULTILINE)
HTML = re.compile(r"<(?:img|a|source)\b[^>]*?\b(?:src|href|srcset)\s*=\s*\"([^\"]+)\"", re.IGNORECASE)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
# A path written as text or code that climbs out of its folder: `../shared/DESIGN.md`.
CLIMBING_PATH = re.compile(r"(?<![\w/.])((?:\.\./)+[\w.-][\w./-]*)")


@dataclass(frozen=True)
class Link:
    source: Path
    target: str

    def __str__(self) -> str:
        return f"{self.source.relative_to(ROOT) if self.source.is_relative_to(ROOT) else self.source}: {self.target}"


def prose(markdown: str) -> str:
    """The Markdown without fenced code blocks and code spans, where a link is only text."""
    return CODE_SPAN.sub("", FENCE.sub("", markdown))


def links(path: Path) -> list[Link]:
    text = prose(path.read_text())
    targets = [*INLINE.findall(text), *REFERENCE.findall(text), *HTML.findall(text)]
    return [Link(path, target) for target in targets]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]|<[^>]+>", "", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of a Markdown file's headings, repeated ones numbered as GitHub numbers them."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(prose(path.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def problem(link: Link, root: Path = ROOT) -> str | None:
    """Why the link does not resolve inside `root`, or None when it does (or leads to another site)."""
    target = link.target
    if SCHEME.match(target):
        return "a file on one machine" if target.lower().startswith("file:") else None
    if target.startswith("/"):
        return "an absolute path: it means something else on every machine and on the repository's web pages"
    path_part, _, anchor = target.partition("#")
    resolved = (link.source.parent / unquote(path_part)).resolve() if path_part else link.source
    if not resolved.is_relative_to(root):
        return "outside the repository"
    if not resolved.exists():
        return "no such file"
    if anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
        return f"no heading #{anchor}"
    return None


def test_the_docs_are_found() -> None:
    names = {str(path.relative_to(ROOT)) for path in DOCS}

    assert {"README.md", "CONTRIBUTING.md", "docs/architecture.md", "docs/contract/CONTRACT.md"} <= names


@pytest.mark.parametrize("document", DOCS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_and_image_resolves_inside_the_repository(document: Path) -> None:
    found = links(document)
    broken = [f"{link} ({reason})" for link in found if (reason := problem(link))]

    assert broken == []


def mentions_outside(path: Path, root: Path = ROOT) -> list[str]:
    """Paths the file names, in links, text or code, that lead out of `root` from the file's folder."""
    return [
        mention
        for mention in CLIMBING_PATH.findall(path.read_text())
        if not (path.parent / mention).resolve().is_relative_to(root)
    ]


@pytest.mark.parametrize("document", DOCS, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_path_the_docs_name_leads_out_of_the_repository(document: Path) -> None:
    assert mentions_outside(document) == []


def test_a_path_named_in_code_that_leads_outside_is_found(tmp_path: Path) -> None:
    root = tmp_path / "repository"
    root.mkdir()
    readme = root / "README.md"
    readme.write_text("See `../shared/DESIGN.md`; [docs](docs/a.md) and `docs/../README.md` stay inside.\n")

    assert mentions_outside(readme, root) == ["../shared/DESIGN.md"]


def test_the_readme_links_its_pictures_and_the_architecture() -> None:
    targets = {link.target for link in links(ROOT / "README.md")}

    assert {"docs/architecture.md", "CONTRIBUTING.md", "docs/screenshots/contact-light.png"} <= targets


def test_broken_outside_absolute_and_anchor_links_are_each_reported(tmp_path: Path) -> None:
    root = tmp_path / "repository"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "shot.png").write_bytes(b"\x89PNG")
    (tmp_path / "shared.md").write_text("# Outside\n")
    page = root / "docs" / "page.md"
    page.write_text(
        "# A page\n\n## Two words\n\n"
        "![shot](shot.png) [same page](#two-words) [here](page.md#a-page) [site](https://nicegui.io)\n"
        "![gone](missing.png) [out](../../shared.md) [abs](/etc/hosts) [anchor](page.md#nowhere) "
        '[file](file:///etc/hosts) <img src="also-missing.png">\n\n'
        "```bash\ncat [not a link](nowhere.md)\n```\n`[nor this](nowhere.md)`\n\n"
        "[ref]: ref-missing.md\n"
    )

    reasons = {link.target: problem(link, root) for link in links(page)}

    assert reasons == {
        "shot.png": None,
        "#two-words": None,
        "page.md#a-page": None,
        "https://nicegui.io": None,
        "missing.png": "no such file",
        "../../shared.md": "outside the repository",
        "/etc/hosts": "an absolute path: it means something else on every machine and on the repository's web pages",
        "page.md#nowhere": "no heading #nowhere",
        "file:///etc/hosts": "a file on one machine",
        "also-missing.png": "no such file",
        "ref-missing.md": "no such file",
    }


def test_heading_anchors_are_githubs() -> None:
    assert slug("Run one test tier, one file, one test") == "run-one-test-tier-one-file-one-test"
    assert slug("Rendering: built once, updated in place") == "rendering-built-once-updated-in-place"
    assert slug("`make run` and the `PORT`") == "make-run-and-the-port"
