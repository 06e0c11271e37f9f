"""Drives the Salesforce sandbox with simple-salesforce, a client we did not write.

Usage: simple_salesforce_client.py <base_url> <ca_pem_path> <username> <password> <expected_rows>

Prints one line per step. Before the expired-session step it prints `expire-sessions` and
waits for a line on stdin, so the test can expire every session in between. Exits non-zero
with a message on the first thing that does not behave like Salesforce.
"""

import json
import sys

try:
    import requests
    from simple_salesforce import Salesforce, SalesforceLogin
    from simple_salesforce.exceptions import SalesforceExpiredSession
except ImportError as error:
    print(f"simple-salesforce is not installed for {sys.executable}: {error}", file=sys.stderr)
    sys.exit(3)


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}", file=sys.stderr)
        sys.exit(1)


def main():
    base_url, ca_pem, username, password, expected = sys.argv[1:6]
    expected = int(expected)
    session = requests.Session()
    # REQUESTS_CA_BUNDLE (and proxy settings) from the environment would override `verify`.
    session.trust_env = False
    session.verify = ca_pem

    # The SOAP login, pointed at the sandbox through its `scratch_url` parameter.
    session_id, instance = SalesforceLogin(
        username=username, password=password, scratch_url=base_url, session=session, sf_version="60.0"
    )
    check(instance == base_url.split("://", 1)[1], f"instance {instance!r} from serverUrl")
    sf = Salesforce(session_id=session_id, instance=instance, session=session, version="60.0")
    print("login ok", flush=True)

    result = sf.query_all(
        "SELECT Id, Name, OwnerId, Owner.Name, SystemModstamp FROM Account ORDER BY SystemModstamp, Id"
    )
    ids = [record["Id"] for record in result["records"]]
    check(result["totalSize"] == expected, f"totalSize {result['totalSize']} != {expected}")
    check(len(ids) == expected and len(set(ids)) == expected, f"{len(ids)} rows, {len(set(ids))} distinct")
    stamps = [record["SystemModstamp"] for record in result["records"]]
    check(stamps == sorted(stamps), "rows ordered by SystemModstamp")
    check(all(s.endswith(".000+0000") for s in stamps), "Salesforce datetime format")
    check(sf.api_usage["api-usage"].total > 0, "Sforce-Limit-Info parsed")
    owners = [record["Owner"] for record in result["records"]]
    check(all(o["attributes"]["type"] == "User" and o["Name"] for o in owners), "Owner.Name nested")
    check(
        all(o["attributes"]["url"].endswith("/User/" + r["OwnerId"]) for o, r in zip(owners, result["records"])),
        "Owner url names OwnerId",
    )
    print(f"query_all ok {len(ids)}", flush=True)

    created = sf.Account.upsert("External_Id__c/PY-1", {"Name": "Python One", "Industry": "Technology"})
    check(created == 201, f"first upsert status {created}")
    updated = sf.Account.upsert("External_Id__c/PY-1", {"Name": "Python Uno"})
    check(updated == 200, f"second upsert status {updated}")
    print("upsert ok", flush=True)

    body = {
        "allOrNone": False,
        "records": [
            {"attributes": {"type": "Account"}, "Name": "Collected"},
            {"attributes": {"type": "Account"}, "Website": "https://nameless.example"},
        ],
    }
    results = sf.restful("composite/sobjects", method="POST", data=json.dumps(body))
    check(results[0]["success"] is True, f"first collection record: {results[0]}")
    check(results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING", f"second: {results[1]}")
    print("collections ok", flush=True)

    print("expire-sessions", flush=True)
    sys.stdin.readline()
    try:
        sf.query("SELECT Id FROM Account LIMIT 1")
    except SalesforceExpiredSession as expired:
        check(expired.status == 401, f"status {expired.status}")
        print("expired session ok", flush=True)
    else:
        check(False, "a query with an expired session succeeded")


if __name__ == "__main__":
    main()
