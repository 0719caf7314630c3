// A contact's custom attribute rows, drawn from one list of plain data (see attribute_list.py).
// Keyed by attribute key: a row added, removed or changed touches only its own nodes. Text is interpolated,
// never parsed as HTML; a link is only ever an http(s) address (checked in Python). A row being edited shows
// its slot (`editor-<key>`: the NiceGUI elements of the inline editor) instead of its value and pencil.
export default {
  template: `
    <div class="column w-full gap-1">
      <div
        v-for="row in rows"
        :key="row.key"
        class="row attribute-row items-center gap-2 w-full no-wrap icon-before icon-before-xs"
        :data-icon="row.icon"
        :data-testid="'attribute-' + row.key"
      >
        <div :class="'w-1/3 max-w-[12rem] shrink-0 ellipsis ' + muted" :title="row.description || null">{{ row.name }}</div>
        <div v-if="row.editing" class="grow"><slot :name="'editor-' + row.key"></slot></div>
        <template v-else>
          <a
            v-if="row.shown === 'link'"
            class="nicegui-link min-w-0 ellipsis"
            :href="row.url"
            target="_blank"
            rel="noopener noreferrer"
            :dir="row.dir"
            :data-testid="'attribute-value-' + row.key"
          >{{ row.text }}</a>
          <div
            v-else-if="row.shown === 'text'"
            class="min-w-0 ellipsis"
            :dir="row.dir || null"
            :data-testid="'attribute-value-' + row.key"
          >{{ row.text }}</div>
          <div v-else :class="muted + ' italic'">{{ row.text }}</div>
          <q-btn
            v-if="row.editable"
            class="attribute-edit"
            flat round dense size="sm" icon="edit"
            :disable="saving"
            :aria-label="row.edit_label"
            :data-testid="'attribute-edit-' + row.key"
            @click="$emit('edit', row.key)"
          />
        </template>
      </div>
    </div>
  `,
  props: {
    rows: { type: Array, default: () => [] },
    saving: { type: Boolean, default: false },
    muted: { type: String, default: "" },
  },
};
