"""Least privilege, measured: the AWS calls each function made against what its role grants.

    python infra/tests/least_privilege.py --calls DIR [--template infra/template.yaml]
    python infra/tests/least_privilege.py --self-test

`DIR/<LogicalId>.calls` holds the calls one function made (ServerFunction, WorkerFunction,
AuthorizerFunction), one line each, as `crates/aws/src/calls.rs` writes them when
`EXPEDITE_AWS_CALL_LOG` names the file: the IAM action first (`dynamodb:PutItem`), then flags
(`via=TransactWriteItems`, `unsigned`). A missing file is a function that made no AWS call.

The template is translated offline exactly as check_stack.py does; each function's role gives
its granted actions (`Action` as a string or a list, wildcards such as `dynamodb:*`; a Deny wins).
Fails (exit 1) on a signed call no statement of the role grants, and on a grant no call used
unless the role's `Metadata.ExpediteGrantReasons` maps that grant (as written in `Action`) to a
reason: what uses it instead (Lambda itself: logs, traces, the SQS event source) or the path that
needs it. An unsigned call (Cognito's public user-pool API) needs no grant. A reason for a grant
the role does not have fails too. Resources and conditions are not compared: a line names
no resource.
Exit 2: the template or a line cannot be read.
"""

from __future__ import annotations

import argparse
import copy
import fnmatch
import io
import logging
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_stack import ROOT, as_list, condition_values, grants, resolve_if, translate  # noqa: E402

# The translator warns, once per translation, that nobody published its metrics.
logging.getLogger("samtranslator.metrics.metrics").setLevel(logging.ERROR)

FUNCTIONS = ("ServerFunction", "WorkerFunction", "AuthorizerFunction")
REASONS = "ExpediteGrantReasons"
LINE = re.compile(r"^([a-z0-9-]+:[A-Za-z0-9]+)((?: via=[A-Za-z0-9]+)?)((?: unsigned)?)$")


class Unreadable(Exception):
    """The template or a call log is not what this check understands."""


# --------------------------------------------------------------------------- the template


def roles(template_path: Path) -> dict[str, dict[str, Any]]:
    """Function logical id -> {role, statements, reasons} from the translated template."""
    translated = translate(template_path, "least-privilege-offline")
    resources = resolve_if(copy.deepcopy(translated), condition_values(translated))["Resources"]
    found = {}
    for function in FUNCTIONS:
        role_ref = resources[function]["Properties"]["Role"]
        if not (isinstance(role_ref, dict) and "Fn::GetAtt" in role_ref):
            raise Unreadable(f"{function}: Role is not a GetAtt of a role in the template")
        getatt = role_ref["Fn::GetAtt"]
        name = getatt.split(".")[0] if isinstance(getatt, str) else getatt[0]
        role = resources[name]
        if role["Properties"].get("ManagedPolicyArns"):
            raise Unreadable(f"{name}: managed policies cannot be read offline")
        documents = [p["PolicyDocument"] for p in role["Properties"].get("Policies", [])]
        documents += [r["Properties"]["PolicyDocument"] for r in resources.values()
                      if r["Type"] == "AWS::IAM::Policy"
                      and {"Ref": name} in as_list(r["Properties"].get("Roles", []))]
        statements = [s for d in documents for s in as_list(d["Statement"])]
        for s in statements:
            if "NotAction" in s or "Action" not in s:
                raise Unreadable(f"{name}: statement {s.get('Sid', '?')} has no Action list (NotAction?)")
        found[function] = {"role": name, "statements": statements,
                           "reasons": role.get("Metadata", {}).get(REASONS, {})}
    return found


def matches(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, `*` and `?` wildcards."""
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def by_effect(statements: list[dict[str, Any]]) -> tuple[dict[str, list[str]], list[str]]:
    """Allowed pattern -> the Sids granting it (through check_stack.grants), and denied patterns."""
    # grants() collects resources in sets: intrinsics (dicts) become their text.
    flat = [{**s, "Resource": [r if isinstance(r, str) else repr(r) for r in as_list(s.get("Resource", "*"))]}
            for s in statements]
    sids: dict[str, list[str]] = {pattern: [] for pattern in grants(flat)}
    for i, s in enumerate(statements):
        if s["Effect"] == "Allow":
            for pattern in as_list(s["Action"]):
                sids[pattern].append(s.get("Sid", f"#{i}"))
    denied = [p for s in statements if s["Effect"] == "Deny" for p in as_list(s["Action"])]
    return sids, denied


# --------------------------------------------------------------------------- the calls


def read_calls(path: Path) -> tuple[Counter[str], Counter[str]]:
    """(signed action -> count, unsigned action -> count) of one function's log."""
    signed: Counter[str] = Counter()
    unsigned: Counter[str] = Counter()
    if not path.exists():
        return signed, unsigned
    for number, line in enumerate(path.read_text().splitlines(), 1):
        found = LINE.match(line)
        if not found:
            raise Unreadable(f"{path}:{number}: not a call line: {line!r}")
        (unsigned if found.group(3) else signed)[found.group(1)] += 1
    return signed, unsigned


# --------------------------------------------------------------------------- the check


def evaluate(role: dict[str, Any], signed: Counter[str], unsigned: Counter[str]
             ) -> tuple[list[tuple[str, str, int, str]], list[str]]:
    """Rows (action or grant, granted by, used, reason) and the problems found."""
    sids, denied = by_effect(role["statements"])
    reasons: dict[str, str] = role["reasons"]
    rows, problems = [], []
    for action, count in sorted(signed.items()):
        by = [sid for pattern, ss in sids.items() if matches(pattern, action) for sid in ss]
        if not by or any(matches(p, action) for p in denied):
            problems.append(f"{action} was called {count}x but {role['role']} does not grant it")
            rows.append((action, "NOT GRANTED", count, ""))
        else:
            rows.append((action, ",".join(dict.fromkeys(by)), count, reasons.get(action, "")))
    for action, count in sorted(unsigned.items()):
        rows.append((action, "unsigned: no IAM", count, ""))
    for pattern, by in sorted(sids.items()):
        if any(matches(pattern, action) for action in signed):
            continue
        reason = str(reasons.get(pattern, "")).strip()
        if not reason:
            problems.append(f"{pattern} (statement {','.join(by)}) is granted but no call used it, "
                            f"and {role['role']}'s Metadata.{REASONS} gives no reason to keep it")
        rows.append((pattern, ",".join(by), 0, reason or "NO REASON"))
    for pattern in reasons:
        if pattern not in sids:
            problems.append(f"{role['role']}'s Metadata.{REASONS} names {pattern}, which it does not grant")
    return rows, problems


def check(template_path: Path, calls_dir: Path, out: Any = sys.stdout) -> list[str]:
    problems = []
    for function, role in roles(template_path).items():
        signed, unsigned = read_calls(calls_dir / f"{function}.calls")
        rows, found = evaluate(role, signed, unsigned)
        problems += [f"{function}: {p}" for p in found]
        print(f"\n{function} (role {role['role']})", file=out)
        print(f"  {'action':<36} {'granted by':<18} {'used':>5}  reason", file=out)
        for action, by, used, reason in rows:
            short = reason if len(reason) <= 70 else reason[:67] + "..."
            print(f"  {action:<36} {by:<18} {used:>5}  {short}", file=out)
    return problems


# --------------------------------------------------------------------------- self-test


def self_test(template_path: Path) -> None:
    """Crafted logs: every unexplained grant used → passes; one call not granted → fails."""
    assert matches("dynamodb:*", "dynamodb:Scan") and matches("SQS:get*", "sqs:GetQueueAttributes")
    assert not matches("dynamodb:Get*", "dynamodb:Query")
    wildcard = {"role": "R", "reasons": {}, "statements": [
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": {"Fn::GetAtt": ["T", "Arn"]}},
        {"Effect": "Deny", "Action": ["dynamodb:DeleteTable"], "Resource": "*"}]}
    _, problems = evaluate(wildcard, Counter({"dynamodb:Scan": 1, "dynamodb:DeleteTable": 1}), Counter())
    assert problems == ["dynamodb:DeleteTable was called 1x but R does not grant it"], problems

    found = roles(template_path)
    quiet = io.StringIO()
    with tempfile.TemporaryDirectory() as tmp:
        calls = Path(tmp)
        for function, role in found.items():
            sids, _ = by_effect(role["statements"])
            needed = [p.replace("*", "Any") for p in sids if p not in role["reasons"]]
            (calls / f"{function}.calls").write_text("".join(f"{a}\n" for a in needed))
        with (calls / "ServerFunction.calls").open("a") as log:
            log.write("cognito-idp:InitiateAuth unsigned\ndynamodb:PutItem via=TransactWriteItems\n")
        assert check(template_path, calls, quiet) == [], "every grant used or explained passes"

        with (calls / "ServerFunction.calls").open("a") as log:
            log.write("dynamodb:Scan\n")
        problems = check(template_path, calls, quiet)
        assert problems == ["ServerFunction: dynamodb:Scan was called 1x but ServerRole does not grant it"], problems

        (calls / "ServerFunction.calls").write_text("dynamodb:GetItem\n")
        problems = check(template_path, calls, quiet)
        assert any("dynamodb:PutItem" in p and "no reason" in p for p in problems), problems
    print("least-privilege self-test: passed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=Path, help="directory of <LogicalId>.calls files")
    parser.add_argument("--template", type=Path, default=ROOT / "infra" / "template.yaml")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    try:
        if args.self_test:
            self_test(args.template)
            return 0
        if args.calls is None or not args.calls.is_dir():
            parser.error("--calls DIR (an existing directory) is required")
        problems = check(args.template, args.calls)
    except Unreadable as error:
        print(f"least privilege: cannot check: {error}", file=sys.stderr)
        return 2
    if problems:
        print(f"\nleast privilege: {len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print("\nleast privilege: every call granted, every unused grant explained")
    return 0


if __name__ == "__main__":
    sys.exit(main())
