"""The supervisor behind ``make run``: starts the action server, Rasa and the gateway in order,
waits for each to be healthy, restarts a crashed one and stops them all on Ctrl-C."""
