#!/usr/bin/python3
"""An snmpd `pass_persist` handler for tests: serves the OIDs of a JSON state file, which the test rewrites to change
values (read again on every request, so a change shows at once).

snmpd starts it once as `snmp_pass.py STATE` and talks over stdin/stdout: "PING" → "PONG"; "get" OID or "getnext"
OID → three lines (the OID, its type, its value) or "NONE"; "set" is refused ("not-writable"). The state maps
numeric OIDs (no leading dot) to [type, value] with types the pass protocol knows: integer, gauge, counter,
timeticks, string.
"""
import json
import sys


def key(oid):
    return tuple(int(part) for part in oid.strip().strip(".").split(".") if part != "")


def load(path):
    with open(path, encoding="utf-8") as handle:
        return {key(name): entry for name, entry in json.load(handle).items()}


def answer(state, found):
    if found is None:
        return "NONE\n"
    kind, value = state[found]
    return "." + ".".join(str(part) for part in found) + f"\n{kind}\n{value}\n"


def main():
    state_path = sys.argv[1]
    lines = iter(sys.stdin.readline, "")
    for line in lines:
        command = line.strip()
        if command == "PING":
            reply = "PONG\n"
        elif command in ("get", "getnext"):
            wanted = key(next(lines))
            state = load(state_path)
            if command == "get":
                found = wanted if wanted in state else None
            else:
                following = sorted(name for name in state if name > wanted)
                found = following[0] if following else None
            reply = answer(state, found)
        elif command == "set":
            next(lines)
            next(lines)
            reply = "not-writable\n"
        elif command == "":
            return
        else:
            reply = "NONE\n"
        sys.stdout.write(reply)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
