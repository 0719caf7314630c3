// The entries of the activity timeline, drawn from one list of plain data (see activity_entries.py), with the
// markup and classes Quasar's QTimeline and QTimelineEntry draw (dense, entries on the left), so Quasar's
// stylesheet lays them out as before, without a component per entry and icon.
// Keyed by event id: an entry added or removed touches only its own node. Text is interpolated, never
// parsed as HTML, so any value an agent typed shows as typed. An entry about a conversation links to it.
export default {
  template: `
    <ul :class="'q-timeline q-timeline--dense q-timeline--dense--right' + ($q.dark.isActive ? ' q-timeline--dark' : '')">
      <li
        v-for="entry in entries"
        :key="entry.id"
        class="q-timeline__entry q-timeline__entry--left q-timeline__entry--icon nicegui-timeline-entry"
        :data-testid="'timeline-' + entry.kind"
        :data-event-id="entry.id"
      >
        <div class="q-timeline__subtitle"><span>{{ entry.subtitle }}</span></div>
        <div class="q-timeline__dot text-primary">
          <i class="q-icon notranslate material-icons row items-center justify-center" aria-hidden="true">{{ entry.icon }}</i>
        </div>
        <div class="q-timeline__content">
          <h6 class="q-timeline__title"></h6>
          <a v-if="entry.href" :href="link(entry.href)" :title="entry.when" class="text-primary">{{ entry.body }}</a>
          <div v-else :title="entry.when">{{ entry.body }}</div>
        </div>
      </li>
    </ul>
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
