#!/usr/bin/env python3
"""Write graph-metadata.json: the email-profile types of Microsoft Graph (beta) and what they use.

Usage: extract.py CSDL [TYPE-MAPPINGS-DIR] > graph-metadata.json

CSDL is a Graph beta CSDL document from microsoftgraph/msgraph-metadata (see README.md for the
file and commit used). With TYPE-MAPPINGS-DIR (that repository's `schemas/type-mappings` at a
newer commit), the script also checks that the property and navigation-property names of every
extracted type, and the members of every extracted enum, are the same there; a difference is
printed to stderr and the exit status is 1.
"""
import json
import sys
import xml.etree.ElementTree as ET

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
TYPES = [
    "iosEasEmailProfileConfiguration",
    "windows10EasEmailProfileConfiguration",
    "windowsPhoneEASEmailProfileConfiguration",
    "androidEasEmailProfileConfiguration",
    "androidForWorkGmailEasConfiguration",
    "androidForWorkNineWorkEasConfiguration",
    "androidWorkProfileGmailEasConfiguration",
    "androidWorkProfileNineWorkEasConfiguration",
]


def local(name):
    for prefix in ("graph.", "microsoft.graph."):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def main():
    root = ET.parse(sys.argv[1]).getroot()
    schema = next(s for s in root.iter(EDM + "Schema") if s.get("Namespace") == "microsoft.graph")
    entities = {e.get("Name"): e for e in schema.iter(EDM + "EntityType")}
    enums = {e.get("Name"): e for e in schema.iter(EDM + "EnumType")}
    annotations = {}
    for a in schema.iter(EDM + "Annotations"):
        annotations.setdefault(local(a.get("Target")), []).extend(a.findall(EDM + "Annotation"))

    def read_only(owner, prop):
        for a in annotations.get(f"{owner}/{prop}", []):
            term = a.get("Term")
            if term == "Org.OData.Core.V1.Computed" and a.get("Bool", "true") == "true":
                return True
            if term == "Org.OData.Core.V1.Description" and "read-only" in a.get("String", "").lower():
                return True
        return False

    out_types, used_enums, pending = {}, set(), list(TYPES)
    while pending:
        name = pending.pop(0)
        if name in out_types or name not in entities:
            continue
        e = entities[name]
        t = {"baseType": local(e.get("BaseType")) if e.get("BaseType") else None,
             "abstract": e.get("Abstract") == "true", "properties": {}, "navigationProperties": {}}
        if name == "entity":
            t["key"] = [k.get("Name") for k in e.iter(EDM + "PropertyRef")]
        for p in e.findall(EDM + "Property"):
            ty = p.get("Type")
            inner = local(ty[len("Collection("):-1] if ty.startswith("Collection(") else ty)
            if inner in enums:
                used_enums.add(inner)
            t["properties"][p.get("Name")] = {
                "type": local(ty) if not ty.startswith("Collection(") else f"Collection({inner})",
                "nullable": p.get("Nullable") != "false",
                "readOnly": read_only(name, p.get("Name")),
            }
        for n in e.findall(EDM + "NavigationProperty"):
            t["navigationProperties"][n.get("Name")] = local(n.get("Type"))
        out_types[name] = t
        if t["baseType"]:
            pending.append(t["baseType"])
    out_enums = {}
    for name in sorted(used_enums):
        e = enums[name]
        out_enums[name] = {"isFlags": e.get("IsFlags") == "true",
                           "members": [m.get("Name") for m in e.findall(EDM + "Member")]}
    doc = {"types": dict(sorted(out_types.items())), "enums": out_enums}
    json.dump(doc, sys.stdout, indent=2)
    sys.stdout.write("\n")

    if len(sys.argv) > 2:
        ok = True
        ents = json.load(open(f"{sys.argv[2]}/beta-entity-types.json"))["microsoft.graph"]
        enms = json.load(open(f"{sys.argv[2]}/beta-enum-types.json"))["microsoft.graph"]
        for name, t in out_types.items():
            m = ents.get(name)
            if m is None:
                continue
            if sorted(m["properties"]) != sorted(t["properties"]) or sorted(m["navigationProperties"]) != sorted(t["navigationProperties"]):
                print(f"{name}: {m} differs", file=sys.stderr)
                ok = False
        for name, e in out_enums.items():
            if sorted(enms.get(name, [])) != sorted(e["members"]):
                print(f"enum {name}: {enms.get(name)} differs from {e['members']}", file=sys.stderr)
                ok = False
        sys.exit(0 if ok else 1)


main()
