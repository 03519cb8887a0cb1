"""Language helpers: name normalisation, transliteration keys and name-variant matching."""
