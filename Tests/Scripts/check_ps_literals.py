#!/usr/bin/env python3
"""Parses every .ps1 in a folder with a real PowerShell grammar (tree-sitter-powershell) and checks
that each given input value appears only inside single-quoted (verbatim) string literals, whole,
and that the scripts parse without errors.

Usage: check_ps_literals.py SCRIPTS_DIR VALUES_JSON   (VALUES_JSON: a JSON array of the raw values)
Exit 0 when every check holds; prints what failed and exits 1 otherwise.
"""
import json, sys
from ps_scripts import finish, parsed_scripts, walk

def literal(value):
    quotes = {"'", "\u2018", "\u2019", "\u201a", "\u201b"}
    return "'" + "".join(c + c if c in quotes else c for c in value) + "'"

def verbatim_spans(tree):
    return [(n.start_byte, n.end_byte) for n in walk(tree.root_node) if n.type == "verbatim_string_characters"]

def main():
    folder, values = sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8"))
    failures, checked = [], 0
    scripts = parsed_scripts(folder, failures)
    for name, source, tree in scripts:
        spans = verbatim_spans(tree)
        for value in values:
            needle = literal(value).encode("utf-8")
            start = source.find(needle)
            while start != -1:
                checked += 1
                end = start + len(needle)
                if (start, end) not in spans:
                    failures.append("%s: %r at byte %d is not one whole verbatim string literal" % (name, value, start))
                start = source.find(needle, end)
            # The raw value must never stand outside a literal (it would be code).
            raw = value.encode("utf-8")
            if len(value) > 3 and raw != needle[1:-1]:
                pos = source.find(raw)
                while pos != -1:
                    if not any(s < pos and pos + len(raw) < e for s, e in spans):
                        failures.append("%s: %r appears unquoted at byte %d" % (name, value, pos))
                    pos = source.find(raw, pos + 1)
    finish(failures, "%d scripts, %d literal occurrences checked" % (len(scripts), checked))

if __name__ == "__main__":
    main()
