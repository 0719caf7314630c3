// The entries of the activity timeline, drawn from one list of plain data (see activity_entries.py).
// Keyed by event id: an entry added or removed touches only its own node. Text is interpolated, never
// parsed as HTML, so any value an agent typed shows as typed. An entry about a conversation links to it.
export default {
  template: `
    <q-timeline side="right" layout="dense">
      <q-timeline-entry
        v-for="entry in entries"
        :key="entry.id"
        class="nicegui-timeline-entry"
        side="left"
        :icon="entry.icon"
        :subtitle="entry.subtitle"
        :data-testid="'timeline-' + entry.kind"
        :data-event-id="entry.id"
      >
        <a v-if="entry.href" :href="link(entry.href)" :title="entry.when" class="text-primary">{{ entry.body }}</a>
        <div v-else :title="entry.when">{{ entry.body }}</div>
      </q-timeline-entry>
    </q-timeline>
  `,
  props: {
    entries: { type: Array, default: () => [] },
  },
  methods: {
    // Behind a path prefix (a proxy), as NiceGUI's own links do.
    link(href) {
      return (href.startsWith("/") ? window.path_prefix : "") + href;
    },
  },
};
