"""NiceGUI building blocks of the contact panel, each bound to the agent's store."""
