// What else is known of a contact, and its dates, drawn from plain data (see fact_list.py). Keyed by fact:
// a fact added, removed or changed touches only its own nodes. Text is interpolated, never parsed as HTML.
export default {
  template: `
    <div class="column w-full gap-2">
      <div
        v-for="fact in facts"
        :key="fact.key"
        :class="fact.block ? 'column gap-0 w-full' : 'row items-baseline gap-2 w-full no-wrap'"
      >
        <div :class="'text-caption shrink-0 ' + muted + (fact.block ? '' : ' w-24')">{{ fact.label }}</div>
        <div
          :class="'min-w-0 break-words ' + (fact.block ? 'whitespace-pre-wrap' : 'ellipsis')"
          dir="auto"
          :data-testid="'contact-' + fact.key"
        >{{ fact.text }}</div>
      </div>
      <div v-if="stamps.length" :class="'row items-center gap-x-4 gap-y-0 w-full text-caption ' + muted">
        <div v-for="stamp in stamps" :key="stamp.key" :title="stamp.exact" :data-testid="'contact-' + stamp.key">{{ stamp.text }}</div>
      </div>
    </div>
  `,
  props: {
    facts: { type: Array, default: () => [] },
    stamps: { type: Array, default: () => [] },
    muted: { type: String, default: "" },
  },
};
