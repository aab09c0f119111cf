#!/usr/bin/env python3
"""Writes AccentFolding.tsv: BERT's accent stripping as a table, for .NET's invariant-globalization mode.

BERT's uncased tokenizer strips accents by NFD-decomposing text and dropping non-spacing marks
(Mn). .NET's string.Normalize does nothing to non-ASCII text when InvariantGlobalization is on
(as it is for this solution), so TextTokenizer applies this table instead. One line per code
point whose "NFD without Mn" differs from itself: the code point, a tab, then the replacement's
code points (hex, space separated; empty when only marks remain). Hangul syllables are left out:
their decomposition is algorithmic (Unicode §3.12) and done in code.

Run: python3 AccentFolding.py > AccentFolding.tsv   (the committed table came from Unicode 14.0.0)
"""
import sys
import unicodedata

print(f"# NFD minus Mn, Unicode {unicodedata.unidata_version}; written by AccentFolding.py")
for cp in range(0x110000):
    if 0xD800 <= cp < 0xE000 or 0xAC00 <= cp <= 0xD7A3:
        continue
    ch = chr(cp)
    if unicodedata.category(ch) == "Mn":
        continue
    folded = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
    if folded != ch:
        sys.stdout.write(f"{cp:04X}\t{' '.join(f'{ord(c):04X}' for c in folded)}\n")
