"""Pure rules: parse what clerks type, score a Project by a rules profile. No file I/O here."""
