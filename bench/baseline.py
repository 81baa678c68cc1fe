#!/usr/bin/env python3
"""The baseline emailprof is measured against: the script administrators write today.

Reads a directory CSV (userId, userPrincipalName, primarySmtpAddress, sAMAccountName,
domainFqdn, netbiosName) and writes one iOS Exchange ActiveSync .mobileconfig per user with
plistlib, the same payload keys `emailprof batch --platforms ios` writes for
examples/minimal.yaml (name-based UUIDs, all services, SSL), either as one file per user
(temp file + rename, like emailprof) or as JSON lines.

usage: baseline.py DIRECTORY.csv (--out DIR | --jsonl FILE)
Standard library only (csv, json, plistlib, uuid).
"""
import csv
import json
import os
import plistlib
import sys
import tempfile
import uuid

IDENTIFIER = "com.contoso.email.minimal"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "emailprof")


def payload_uuid(identifier, payload_type, user):
    return str(uuid.uuid5(NAMESPACE, f"{identifier}|{payload_type}|{user}")).upper()


def profile(row):
    user = row["userId"]
    eas = {
        "EmailAddress": row["userPrincipalName"],
        "Host": "outlook.office365.com",
        "SSL": True,
        "UserName": row["userPrincipalName"],
        "OAuth": False,
        "PreventMove": False,
        "PreventAppSheet": False,
        "disableMailRecentsSyncing": False,
        "allowMailDrop": False,
        "SMIMESigningEnabled": False,
        "SMIMEEncryptByDefault": False,
        "SMIMEEnableEncryptionPerMessageSwitch": False,
        "SMIMESigningUserOverrideable": False,
        "SMIMESigningCertificateUUIDUserOverrideable": False,
        "SMIMEEncryptByDefaultUserOverrideable": False,
        "SMIMEEncryptionCertificateUUIDUserOverrideable": False,
        "PayloadDisplayName": "Contoso mail",
        "PayloadIdentifier": IDENTIFIER + ".eas",
        "PayloadType": "com.apple.eas.account",
        "PayloadUUID": payload_uuid(IDENTIFIER + ".eas", "com.apple.eas.account", user),
        "PayloadVersion": 1,
    }
    for service in ("Mail", "Contacts", "Calendars", "Reminders", "Notes"):
        eas["Enable" + service] = True
        eas["Enable" + service + "UserOverridable"] = True
    top = {
        "PayloadContent": [eas],
        "PayloadDisplayName": "Contoso Exchange",
        "PayloadIdentifier": IDENTIFIER,
        "PayloadType": "Configuration",
        "PayloadUUID": payload_uuid(IDENTIFIER, "Configuration", user),
        "PayloadVersion": 1,
    }
    return plistlib.dumps(top, fmt=plistlib.FMT_XML, sort_keys=True)


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in ("--out", "--jsonl"):
        sys.exit(__doc__)
    directory, mode, target = sys.argv[1:]
    with open(directory, newline="", encoding="utf-8") as f:
        rows = csv.DictReader(f)
        if mode == "--out":
            out = os.path.join(target, "ios")
            os.makedirs(out, exist_ok=True)
            for row in rows:
                data = profile(row)
                fd, tmp = tempfile.mkstemp(dir=out, prefix=".tmp-")
                with os.fdopen(fd, "wb") as t:
                    t.write(data)
                os.replace(tmp, os.path.join(out, row["userId"] + ".mobileconfig"))
        else:
            with open(target, "w", encoding="utf-8") as j:
                for row in rows:
                    data = profile(row)
                    j.write(json.dumps({"user": row["userId"], "platform": "ios",
                                        "content": data.decode("utf-8")}) + "\n")


if __name__ == "__main__":
    main()
