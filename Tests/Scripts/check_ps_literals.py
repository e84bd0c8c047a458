#!/usr/bin/env python3
"""Parses every .ps1 in a folder with a real PowerShell grammar (tree-sitter-powershell) and checks
that each given input value appears only inside single-quoted (verbatim) string literals, whole,
and that the scripts parse without errors.

Usage: check_ps_literals.py SCRIPTS_DIR VALUES_JSON   (VALUES_JSON: a JSON array of the raw values)
Exit 0 when every check holds; prints what failed and exits 1 otherwise.
"""
import json, os, sys
import tree_sitter as ts
import tree_sitter_powershell as tsp

def literal(value):
    quotes = {"'", "\u2018", "\u2019", "\u201a", "\u201b"}
    return "'" + "".join(c + c if c in quotes else c for c in value) + "'"

def verbatim_spans(tree):
    spans, errors = [], []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            errors.append(node)
        if node.type == "verbatim_string_characters":
            spans.append((node.start_byte, node.end_byte))
        stack.extend(node.children)
    return spans, errors

def main():
    folder, values = sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8"))
    parser = ts.Parser(ts.Language(tsp.language()))
    failures, scripts, checked = [], 0, 0
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".ps1"):
            continue
        scripts += 1
        source = open(os.path.join(folder, name), "rb").read()
        tree = parser.parse(source)
        spans, errors = verbatim_spans(tree)
        if errors:
            failures.append("%s: parse errors at bytes %s" % (name, [e.start_byte for e in errors[:5]]))
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
    if scripts == 0:
        failures.append("no scripts in " + folder)
    for f in failures:
        print(f)
    print("%d scripts, %d literal occurrences checked, %d failures" % (scripts, checked, len(failures)))
    sys.exit(1 if failures else 0)

if __name__ == "__main__":
    main()
