"""What the script checkers share: every .ps1 of a folder parsed with a real PowerShell grammar
(tree-sitter-powershell), its parse errors reported, and the summary line and exit code."""
import os, sys
import tree_sitter as ts
import tree_sitter_powershell as tsp

def walk(node):
    """Every node below and including `node`, in source order."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))

def parsed_scripts(folder, failures):
    """(name, source bytes, tree) of every .ps1 in `folder`, by name; parse errors and an empty
    folder are added to `failures`."""
    parser = ts.Parser(ts.Language(tsp.language()))
    names = sorted(n for n in os.listdir(folder) if n.endswith(".ps1"))
    if not names:
        failures.append("no scripts in " + folder)
    out = []
    for name in names:
        source = open(os.path.join(folder, name), "rb").read()
        tree = parser.parse(source)
        errors = [n.start_byte for n in walk(tree.root_node) if n.type == "ERROR" or n.is_missing]
        if errors:
            failures.append("%s: parse errors at bytes %s" % (name, errors[:5]))
        out.append((name, source, tree))
    return out

def finish(failures, summary):
    """Prints every failure and the summary with the failure count; exits 1 when any failed."""
    for f in failures:
        print(f)
    print("%s, %d failures" % (summary, len(failures)))
    sys.exit(1 if failures else 0)
