"""The reactive store, actions, sessions, i18n and analytics of the UI."""
