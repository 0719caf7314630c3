// A section of the contact panel: a flat bordered card with its heading drawn from a prop (see section_card.py).
// The heading is interpolated text, never HTML.
export default {
  template: `
    <q-card flat bordered>
      <div v-if="title" class="text-subtitle1 text-weight-medium" role="heading" aria-level="2">{{ title }}</div>
      <slot></slot>
    </q-card>
  `,
  props: {
    title: { type: String, default: "" },
  },
};
