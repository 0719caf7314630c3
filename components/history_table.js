// The conversation history's rows as a plain table, drawn from one list of plain data (see history_table.py).
// The markup and classes are those Quasar's QTable, QTr, QTd and QBadge draw for the history (flat, dense,
// no header, no bottom), so Quasar's stylesheet lays it out as before, without a component per row, cell
// and badge. Keyed by conversation id. Text is interpolated, never parsed as HTML.
const BADGE = "q-badge flex inline items-center no-wrap q-badge--single-line";
export default {
  template: `
    <div :class="containerClass">
      <div class="q-table__middle scroll">
        <table class="q-table">
          <tbody>
            <tr
              v-for="row in rows"
              :key="row.id"
              class="q-tr cursor-pointer"
              tabindex="0"
              role="link"
              :data-conversation="row.id"
              :data-testid="'conversation-' + row.id"
            >
              <td class="q-td text-left">#{{ row.id }}</td>
              <td class="q-td text-left">
                <div :class="badge + ' bg-' + row.status_color + ' text-' + row.status_text_color" role="status"
                     :aria-label="row.status_text">{{ row.status_text }}</div>
                <div v-if="row.unread" :class="badge + ' bg-negative q-badge--rounded q-ml-xs'" role="status"
                     :aria-label="row.unread_text">{{ row.unread }}</div>
              </td>
              <td class="q-td text-left preview-cell">
                <div :class="'text-caption ' + muted">{{ row.inbox }}</div>
                <div class="ellipsis"><bdi>{{ row.preview }}</bdi></div>
                <div v-if="row.labels.length">
                  <div v-for="label in row.labels" :key="label" :class="badge + ' q-badge--outline text-secondary q-mr-xs'"
                       role="status" :aria-label="label">{{ label }}</div>
                </div>
              </td>
              <td :class="'q-td text-right text-caption ' + muted">{{ row.time }}</td>
            </tr>
          </tbody>
        </table>
      </div>
    </div>
  `,
  props: {
    rows: { type: Array, default: () => [] },
    muted: { type: String, default: "" },
  },
  data() {
    return { badge: BADGE };
  },
  computed: {
    containerClass() {
      const dark = this.$q.dark.isActive;
      return (
        "q-table__container q-table--horizontal-separator column no-wrap q-table__card" +
        (dark ? " q-table__card--dark q-dark" : "") +
        " q-table--flat" +
        (dark ? " q-table--dark" : "") +
        " q-table--dense q-table--no-wrap"
      );
    },
  },
};
