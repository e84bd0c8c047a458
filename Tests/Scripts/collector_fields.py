"""Reads the collector script (the .ps1 files of a folder) with the real PowerShell grammar and
prints, as JSON, the string lists it assigns to its property variables ($AdapterProperties,
$HostProperties, $PortProfileProperties, $ControllerResources): the properties it selects from
each export. Parse errors are failures (exit 1)."""
import json, sys
from ps_scripts import walk, parsed_scripts, finish

LISTS = ("$AdapterProperties", "$HostProperties", "$PortProfileProperties", "$ControllerResources")

def strings(node, source):
    """The string literals below `node`, unquoted, in source order."""
    out = []
    for n in walk(node):
        if n.type == "string_literal":
            text = source[n.start_byte:n.end_byte].decode("utf-8")
            out.append(text[1:-1])
    return out

failures = []
found = {}
for name, source, tree in parsed_scripts(sys.argv[1], failures):
    for n in walk(tree.root_node):
        if n.type != "assignment_expression" or n.child_by_field_name("value") is None:
            continue
        left = source[n.children[0].start_byte:n.children[0].end_byte].decode("utf-8").strip()
        if left in LISTS:
            if left in found:
                failures.append("%s: %s is assigned twice" % (name, left))
            found[left] = strings(n.child_by_field_name("value"), source)
for wanted in LISTS:
    if wanted not in found:
        failures.append("no assignment to " + wanted)
if failures:
    finish(failures, "collector")
print(json.dumps(found, sort_keys=True))
