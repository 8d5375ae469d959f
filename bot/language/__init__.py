"""Languages: the registry of the 32 supported languages, interface strings, identification and
translation to and from the English pivot."""
