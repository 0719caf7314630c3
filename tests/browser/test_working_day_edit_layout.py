"""Edit dialog: inputs as wide as the dialog; hints and errors never overlap each other or a field (issue 11, bug 2)."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}  # where the error wraps to two lines
ENGLISH = ("International format with the country code", "Enter a valid phone number")
ARABIC = ("بالصيغة الدولية مع رمز الدولة", "أدخل رقم هاتف صالحًا")

# Widths of the dialog's scrolling column and of each field in it, as laid out (the dialog may still be zooming in).
WIDTHS_JS = """() => {
  const column = document.querySelector('[data-testid=edit-form] .overflow-auto');
  const fields = [...column.querySelectorAll('label.q-field')];
  return {
    column: column.clientWidth,
    fields: fields.map(field => [field.querySelector('[data-testid]').dataset.testid, field.offsetWidth]),
  };
}"""

# Every animation frame for `duration` ms: the phone field's messages (hint, error, both while one replaces the
# other) must not overlap each other, nor the Identifier field below, nor may any two fields overlap.
WATCH_JS = """(duration) => new Promise((resolve) => {
  const problems = new Set();
  const column = document.querySelector('[data-testid=edit-form] .overflow-auto');
  const field = (slug) => [...column.querySelectorAll('label.q-field')]
    .find(f => f.querySelector(`[data-testid=field-${slug}]`));
  const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const started = performance.now();
  const sample = () => {
    const phone = field('phone-number');
    const identifier = field('identifier').getBoundingClientRect();
    const messages = [...phone.querySelectorAll('.q-field__messages > div')]
      .filter(message => message.textContent.trim())
      .map(message => [message.textContent.trim(), message.getBoundingClientRect()]);
    messages.forEach(([text, box], i) => {
      if (hit(box, identifier)) problems.add(`"${text}" overlaps the Identifier field`);
      messages.slice(i + 1).forEach(([other, otherBox]) => {
        if (hit(box, otherBox)) problems.add(`"${text}" overlaps "${other}"`);
      });
    });
    const boxes = [...column.querySelectorAll('label.q-field')].map(f => f.getBoundingClientRect());
    boxes.slice(1).forEach((box, i) => {
      if (hit(box, boxes[i])) problems.add(`field ${i + 1} overlaps field ${i + 2}`);
    });
    if (performance.now() - started < duration) requestAnimationFrame(sample);
    else resolve([...problems]);
  };
  requestAnimationFrame(sample);
})"""


@pytest.mark.parametrize(
    ("locale", "viewport", "messages"),
    [("en-US", DESKTOP, ENGLISH), ("ar", DESKTOP, ARABIC), ("en-US", PHONE, ENGLISH)],
    ids=["english", "arabic", "english-phone"],
)
async def test_edit_dialog_fields_are_wide_and_their_messages_never_overlap(
    open_agent: OpenAgent,
    app_server: RunningServer,
    locale: str,
    viewport: dict[str, int],
    messages: tuple[str, str],
) -> None:
    hint, error = messages
    contact = app_server.create_contact(name="Layout Case")
    agent = await open_agent(locale=locale, viewport=viewport)
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])
    await view.open_edit_form()
    phone = view.field_box("phone-number")
    await expect(phone).to_contain_text(hint)

    widths = await agent.page.evaluate(WIDTHS_JS)
    narrow = [(name, width) for name, width in widths["fields"] if width < widths["column"] - 24]
    assert not narrow, f"fields narrower than the dialog's {widths['column']} px: {narrow}"

    watching = agent.page.evaluate(WATCH_JS, 1500)
    await view.field("phone-number").press_sequentially("12")
    problems = await watching
    await expect(phone).to_contain_text(error)
    assert not problems, problems

    # And back: the error gives way to the hint again.
    watching = agent.page.evaluate(WATCH_JS, 1500)
    await view.field("phone-number").fill("")
    problems = await watching
    await expect(phone).not_to_contain_text(error)
    assert not problems, problems
