// The header bar's fixed parts, drawn from plain data (see app_header.py); the controls that talk to the server
// are the default slot. Text is interpolated, never parsed as HTML. The root takes no box (`contents`), so every
// part is laid out by the header's own row.
export default {
  template: `
    <div class="contents">
      <a class="nicegui-link skip-link" :href="skip.href">{{ skip.text }}</a>
      <div class="icon-before icon-before-md text-h6 row items-center no-wrap gap-2" data-icon="contacts">{{ title }}</div>
      <nav v-if="links.length" class="row gap-1 items-center" :aria-label="navigation">
        <a v-for="link in links" :key="link.href" class="nicegui-link text-white q-px-sm" :href="link.href">{{ link.text }}</a>
      </nav>
      <slot></slot>
      <div v-if="agent" class="text-caption gt-xs" data-testid="agent-name">{{ agent }}</div>
      <form v-if="sign_out" method="post" :action="sign_out.action" class="q-ma-none">
        <q-btn
          flat round color="white" type="submit" icon="logout"
          :aria-label="sign_out.label" :title="sign_out.label" data-testid="sign-out"
        />
      </form>
    </div>
  `,
  props: {
    skip: { type: Object, required: true },
    title: { type: String, default: "" },
    navigation: { type: String, default: "" },
    links: { type: Array, default: () => [] },
    agent: { type: String, default: "" },
    sign_out: { type: Object, default: null },
  },
};
