"""The built-in feature plugins, one package each."""
