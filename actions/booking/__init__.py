"""Appointments at the hall's counters: the booking form, and showing and cancelling by code."""
