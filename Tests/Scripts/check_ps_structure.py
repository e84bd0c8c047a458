#!/usr/bin/env python3
"""Checks the structure of every .ps1 in a folder with a real PowerShell grammar (tree-sitter-powershell):

- every command is a function the script defines or a cmdlet of CMDLETS_JSON, and every parameter it
  is given by name is one of that cmdlet's documented parameters (or a common parameter);
- the VM is stopped only inside Stop-MacauditVM, and every call of Stop-MacauditVM is inside a try
  whose finally starts the VM again (Start-MacauditVM);
- every Get-VMNetworkAdapter is filtered by the adapter's Id, or by its name and MAC together: never
  by name alone;
- every adapter step (Invoke-MacauditAdapterStep) carries the MAC it expects, never an empty one, and
  every range step the range it expects;
- the script begins with #Requires for Windows PowerShell 5.1, administrator rights and Hyper-V.

Usage: check_ps_structure.py SCRIPTS_DIR CMDLETS_JSON
Exit 0 when every check holds; prints what failed and exits 1 otherwise.
"""
import json, re, sys
from ps_scripts import finish, parsed_scripts, walk

def nodes(node, kind):
    return (n for n in walk(node) if n.type == kind)

def text(source, node):
    return source[node.start_byte:node.end_byte].decode("utf-8")

def child(node, kind):
    return next((c for c in node.children if c.type == kind), None)

def ancestors(node):
    n = node.parent
    while n is not None:
        yield n
        n = n.parent

def command_name(source, command):
    name = child(command, "command_name")
    return text(source, name) if name is not None else None

def parameters(source, command):
    elements = child(command, "command_elements")
    if elements is None:
        return []
    return [text(source, p).lstrip("-").rstrip(":") for p in elements.children if p.type == "command_parameter"]

def enclosing_function(source, node):
    for a in ancestors(node):
        if a.type == "function_statement":
            return text(source, child(a, "function_name"))
    return None

def check(name, source, tree, cmdlets, common):
    failures = []
    defined = {text(source, child(f, "function_name")) for f in nodes(tree.root_node, "function_statement")}
    commands = list(nodes(tree.root_node, "command"))
    for c in commands:
        cmd = command_name(source, c)
        if cmd is None or cmd in defined:
            continue
        if cmd not in cmdlets:
            failures.append("%s: %s is not a known cmdlet (add it to the cmdlet list with its source)" % (name, cmd))
            continue
        allowed = {p.lower() for p in cmdlets[cmd]["parameters"] + common}
        for p in parameters(source, c):
            if p.lower() not in allowed:
                failures.append("%s: %s has no parameter -%s (%s)" % (name, cmd, p, cmdlets[cmd]["source"]))
    for c in commands:
        cmd = command_name(source, c)
        if cmd in ("Stop-VM", "Stop-ClusterGroup") and enclosing_function(source, c) != "Stop-MacauditVM":
            failures.append("%s: %s outside Stop-MacauditVM" % (name, cmd))
        if cmd == "Stop-MacauditVM":
            guarded = False
            for a in ancestors(c):
                if a.type == "try_statement":
                    final = child(a, "finally_clause")
                    if final is not None and any(command_name(source, s) == "Start-MacauditVM" for s in nodes(final, "command")):
                        guarded = True
                        break
            if not guarded:
                failures.append("%s: Stop-MacauditVM at byte %d is not inside a try whose finally starts the VM" % (name, c.start_byte))
        if cmd == "Get-VMNetworkAdapter":
            pipeline = next((a for a in ancestors(c) if a.type == "pipeline"), None)
            filters = [text(source, w) for w in nodes(pipeline, "command") if command_name(source, w) == "Where-Object"] if pipeline else []
            if not any("$_.Id" in f or ("$_.Name" in f and "$_.MacAddress" in f) for f in filters):
                failures.append("%s: Get-VMNetworkAdapter at byte %d is not filtered by Id (or name and MAC)" % (name, c.start_byte))
        if cmd == "Invoke-MacauditAdapterStep" and enclosing_function(source, c) is None:
            if not re.search(r"Mac = '[0-9A-F]{12}'", text(source, c)):
                failures.append("%s: adapter step at byte %d has no expected MAC" % (name, c.start_byte))
        if cmd == "Invoke-MacauditRangeStep" and enclosing_function(source, c) is None:
            if len(re.findall(r"'[0-9A-F]{12}'", text(source, c))) < 2:
                failures.append("%s: range step at byte %d has no expected range" % (name, c.start_byte))
    head = source[:200].decode("utf-8")
    for line in ("#Requires -Version 5.1", "#Requires -PSEdition Desktop", "#Requires -RunAsAdministrator", "#Requires -Modules Hyper-V"):
        if line not in head:
            failures.append("%s: lacks %s" % (name, line))
    return failures, len(commands)

def main():
    folder, table = sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8"))
    common = table["_common"]
    cmdlets = {k: v for k, v in table.items() if not k.startswith("_")}
    failures, commands = [], 0
    scripts = parsed_scripts(folder, failures)
    for name, source, tree in scripts:
        f, n = check(name, source, tree, cmdlets, common)
        failures += f
        commands += n
    finish(failures, "%d scripts, %d commands checked" % (len(scripts), commands))

if __name__ == "__main__":
    main()
