"""Demo data for an empty database, and more data for tests and benchmarks.

`demo_data` holds the fixed data (accounts, agents, labels, attribute definitions, what contacts are drawn from);
`planner` draws the demo data set from it, no database involved; `writer` writes it, and writes extra conversations
and bulk contacts. bench/bulk_contacts.py generates the bulk contacts. `python -m server.seed` runs it all
(`command`).
"""
