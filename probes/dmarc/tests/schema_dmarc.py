#!/usr/bin/env python3
"""The dmarc section of schema/check.schema.json holds the probe's
invariants (RFC 9989 §4.10.1): objects the probe writes validate, and
objects that break an invariant do not.

    schema_dmarc.py SCHEMA
"""

import copy
import json
import sys

import jsonschema

BASE = {
    "status": "valid", "discovery": "tree-walk",
    "record": "v=DMARC1; p=reject", "found_at": "example.jp",
    "org_domain": "example.jp", "policy": "reject", "policy_source": "p",
    "subdomain_policy": "reject", "testing": False, "rua": [], "ruf": [],
    "external_destinations": [], "issues": [],
}


def obj(**kw):
    o = copy.deepcopy(BASE)
    o.update(kw)
    return o


def issue(code, sev="error"):
    return {"code": code, "severity": sev, "message": "m"}


GOOD = {
    "valid": obj(),
    # §4.10.1: invalid p, valid rua: applied as p=none, status invalid
    "fallback": obj(status="invalid", record="v=DMARC1; p=x; rua=mailto:a@b.jp",
                    policy="none", subdomain_policy="none",
                    rua=["mailto:a@b.jp"],
                    issues=[issue("invalid-policy"),
                            issue("policy-fallback", "warning")]),
    # §4.10.1: no valid p and no valid rua: no DMARC processing
    "no-processing": obj(status="invalid", record="v=DMARC1; p=x",
                         policy=None, policy_source=None,
                         subdomain_policy=None,
                         issues=[issue("invalid-policy"),
                                 issue("no-dmarc-processing")]),
    # §4.10 step 2: discarded records, nothing else applies
    "discarded": obj(status="invalid", record=None, found_at=None,
                     policy=None, policy_source=None, subdomain_policy=None,
                     issues=[issue("discarded-record")]),
    "absent": obj(status="absent", record=None, found_at=None, policy=None,
                  policy_source=None, subdomain_policy=None,
                  issues=[issue("non-dmarc-txt", "warning")]),
    "temperror": obj(status="temperror", record=None, found_at=None,
                     org_domain=None, policy=None, policy_source=None,
                     subdomain_policy=None, issues=[issue("dns-error",
                                                          "warning")]),
    # sp and np differ and existence is unknown: the record is shown
    "existence-unknown": obj(status="temperror", policy=None,
                             policy_source=None, subdomain_policy=None,
                             issues=[issue("existence-unknown", "warning")]),
}

BAD = {
    "temperror with a policy": obj(status="temperror"),
    "absent with a record": obj(status="absent", policy=None,
                                policy_source=None, subdomain_policy=None),
    "valid without a policy": obj(policy=None, policy_source=None,
                                  subdomain_policy=None),
    "policy without a source": obj(policy_source=None),
    "policy without a record": obj(status="invalid", record=None),
    "source without a policy": obj(status="invalid", policy=None,
                                   subdomain_policy=None),
    "unknown issue code": obj(issues=[issue("no-such-code")]),
}


def main():
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    sub = {"$defs": schema["$defs"], "$ref": "#/$defs/dmarc"}
    v = jsonschema.Draft202012Validator(sub)
    failures = []
    for name, o in GOOD.items():
        for err in v.iter_errors(o):
            failures.append("%s: rejected: %s" % (name, err.message))
    for name, o in BAD.items():
        if v.is_valid(o):
            failures.append("%s: accepted" % name)
    for f in failures:
        print("FAIL", f)
    print("%d good and %d bad dmarc objects checked" % (len(GOOD), len(BAD)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
