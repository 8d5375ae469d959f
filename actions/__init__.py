"""Custom actions served to Rasa by the action server (``python -m actions``).

One module per feature. Actions receive their collaborators through their constructors; the
server builds them once in :func:`actions.registry.build_actions` from the settings.
"""
