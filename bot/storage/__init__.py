"""The app database (SQLite by default, PostgreSQL in production): what staff read later —
questions the assistant could not answer, handoff requests, bookings, ratings.

Shared by the action server (which writes) and the staff commands (which read)."""
