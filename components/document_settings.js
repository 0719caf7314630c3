// The page's document settings (see document_settings.py): the language and direction of <html>, and light or
// dark (NiceGUI's own `setDark`, as `ui.dark_mode` uses it). Applied when the page mounts, before it shows.
export default {
  mounted() {
    this.apply();
  },
  updated() {
    this.apply();
  },
  methods: {
    apply() {
      document.documentElement.setAttribute("lang", this.lang);
      document.documentElement.setAttribute("dir", this.dir);
      setDark(this.dark);
    },
  },
  props: {
    lang: { type: String, default: "en" },
    dir: { type: String, default: "ltr" },
    dark: { type: Boolean, default: false },
  },
};
