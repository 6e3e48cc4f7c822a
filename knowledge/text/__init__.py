"""Words and languages: which language a text is in, its sentences, and the German-English
dictionary. Both passages and search need them."""
