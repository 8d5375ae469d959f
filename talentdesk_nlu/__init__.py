"""Custom Rasa NLU components (imported by the Rasa process from the project root)."""
