"""Creates infra/template.yaml in moto and checks the wiring the code expects.

Offline: the SAM transform is applied with aws-sam-translator (no AWS calls; the template names
no managed-policy templates), then the plain CloudFormation is created in moto's CloudFormation.
moto's CloudFormation creates tables, queues, roles, functions, the event source mapping, the
schedule rule, log groups, the bucket and the REST API; it skips the types it does not implement.
The types moto implements only as service APIs (Cognito, Secrets Manager, the API stage, WAFv2)
are created here from the template's own properties through those APIs, and their ids are put
where the template refers to them, so the functions' environment holds real ids. What moto does
not implement at all (CloudFront, the gateway's authorizer, gateway responses, the WAF rules'
behaviour) is asserted on the translated template.

    python infra/tests/check_stack.py [--moto-url URL] [--template PATH]

Uses EXPEDITE_TEST_MOTO_URL when set (scripts/test starts moto), else starts moto_server from
the venv on a free loopback port. Exits non-zero on the first failed assertion.
"""

from __future__ import annotations

import argparse
import ast
import copy
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"

# Any credentials work with moto; these never leave 127.0.0.1.
os.environ.update(
    AWS_ACCESS_KEY_ID="test",
    AWS_SECRET_ACCESS_KEY="test",
    AWS_DEFAULT_REGION=REGION,
    AWS_REGION=REGION,
)
for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
    os.environ.pop(proxy, None)
os.environ["NO_PROXY"] = "127.0.0.1,localhost"

import boto3  # noqa: E402  (after the environment is set)
from botocore.config import Config  # noqa: E402
from samtranslator.translator.transform import transform  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

PARAMETERS = {
    "StageName": "prod",
    "SalesforceClientId": "3MVG9-test-client",
    "SalesforceLoginUrl": "https://test.my.salesforce.com",
    "SalesforceUsername": "integration@example.com",
    "OpenAiModel": "gpt-4o-mini",
}
SECRET_ENV = ("OPENAI_API_KEY", "SALESFORCE_CLIENT_SECRET", "SALESFORCE_PRIVATE_KEY", "SECRET")
CHECKS: list[str] = []


def check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)
    CHECKS.append(what)


# --------------------------------------------------------------------------- translation


class NoManagedPolicies:
    """The translator's managed-policy lookup, offline: the template names none."""

    def load(self) -> dict[str, str]:
        return {}


def translate(template_path: Path, code_bucket: str) -> dict[str, Any]:
    sam = yaml_parse(template_path.read_text())
    for logical, resource in sam["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            # `sam package` would upload the build; here a stub zip stands in for it.
            resource["Properties"]["CodeUri"] = f"s3://{code_bucket}/{logical}.zip"
    return transform(sam, dict(PARAMETERS), NoManagedPolicies())


def condition_values(template: dict[str, Any]) -> dict[str, bool]:
    params = {
        name: PARAMETERS.get(name, spec.get("Default", ""))
        for name, spec in template.get("Parameters", {}).items()
    }

    def value(node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            (fn, arg), = node.items()
            if fn == "Ref":
                return params[arg]
            if fn == "Fn::Equals":
                return str(value(arg[0])) == str(value(arg[1]))
            if fn == "Fn::Not":
                return not value(arg[0])
            if fn == "Condition":
                return conditions[arg]
        return node

    conditions: dict[str, bool] = {}
    for name, expr in template.get("Conditions", {}).items():
        conditions[name] = bool(value(expr))
    return conditions


NO_VALUE = {"Ref": "AWS::NoValue"}


def resolve_if(node: Any, conditions: dict[str, bool]) -> Any:
    """Replaces Fn::If by the branch the parameter values choose, and drops AWS::NoValue."""
    if isinstance(node, dict):
        if set(node) == {"Fn::If"}:
            name, yes, no = node["Fn::If"]
            return resolve_if(yes if conditions[name] else no, conditions)
        resolved = {k: resolve_if(v, conditions) for k, v in node.items()}
        return {k: v for k, v in resolved.items() if v != NO_VALUE}
    if isinstance(node, list):
        return [v for v in (resolve_if(v, conditions) for v in node) if v != NO_VALUE]
    return node


def parameter_values(template: dict[str, Any]) -> dict[str, str]:
    return {
        name: str(PARAMETERS.get(name, spec.get("Default", "")))
        for name, spec in template.get("Parameters", {}).items()
    }


def substitute(node: Any, refs: dict[str, str], attrs: dict[tuple[str, str], str]) -> Any:
    """Puts the physical ids of resources created outside moto's CloudFormation in their place."""
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in refs:
            return refs[node["Ref"]]
        if set(node) == {"Fn::GetAtt"} and tuple(node["Fn::GetAtt"]) in attrs:
            return attrs[tuple(node["Fn::GetAtt"])]
        if set(node) == {"Fn::Sub"}:
            arg = node["Fn::Sub"]
            text, names = (arg, None) if isinstance(arg, str) else (arg[0], arg[1])

            def repl(m: re.Match[str]) -> str:
                key = m.group(1)
                if "." in key and tuple(key.split(".", 1)) in attrs:
                    return attrs[tuple(key.split(".", 1))]  # type: ignore[index]
                return refs.get(key, m.group(0))

            text = re.sub(r"\$\{([A-Za-z0-9.:]+)\}", repl, text)
            if names is None:
                return {"Fn::Sub": text}
            return {"Fn::Sub": [text, substitute(names, refs, attrs)]}
        return {k: substitute(v, refs, attrs) for k, v in node.items()}
    if isinstance(node, list):
        return [substitute(v, refs, attrs) for v in node]
    return node


def plain(node: Any, refs: dict[str, str], attrs: dict[tuple[str, str], str] | None = None) -> Any:
    """Evaluates the intrinsics in properties this script passes to service APIs itself."""
    attrs = attrs or {}
    if isinstance(node, dict):
        if set(node) == {"Ref"}:
            return refs[node["Ref"]]
        if set(node) == {"Fn::GetAtt"}:
            return attrs[tuple(node["Fn::GetAtt"])]  # type: ignore[index]
        if set(node) == {"Fn::Sub"}:
            arg = node["Fn::Sub"]
            text, names = (arg, {}) if isinstance(arg, str) else (arg[0], plain(arg[1], refs, attrs))

            def value(m: re.Match[str]) -> str:
                key = m.group(1)
                if key in names:
                    return names[key]
                if "." in key:
                    return attrs[tuple(key.split(".", 1))]  # type: ignore[index]
                return refs[key]

            return re.sub(r"\$\{([A-Za-z0-9_.:]+)\}", value, text)
        if set(node) == {"Fn::Select"}:
            index, items = node["Fn::Select"]
            return plain(items, refs, attrs)[int(index)]
        if set(node) == {"Fn::Split"}:
            sep, text = node["Fn::Split"]
            return plain(text, refs, attrs).split(sep)
        return {k: plain(v, refs, attrs) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v, refs, attrs) for v in node]
    return node


# --------------------------------------------------------------------------- moto


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto() -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    exe = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
            return url, proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("moto did not start")


def stub_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("bootstrap", "#!/bin/sh\nexit 0\n")
    return buffer.getvalue()


def create_outside_cloudformation(
    clients: dict[str, Any], resources: dict[str, Any], suffix: str, stack_uuid: str,
    params: dict[str, str],
) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Cognito and Secrets Manager, through their APIs, from the template's properties."""
    refs: dict[str, str] = {**params, "AWS::StackName": f"expedite-{suffix}", "AWS::Region": REGION,
                            "AWS::Partition": "aws", "AWS::AccountId": "123456789012",
                            "AWS::StackId": f"arn:aws:cloudformation:{REGION}:123456789012:stack/x/{stack_uuid}"}
    attrs: dict[tuple[str, str], str] = {}
    idp = clients["cognito-idp"]
    pool = resources["UserPool"]["Properties"]
    created = idp.create_user_pool(
        PoolName=plain(pool["UserPoolName"], refs),
        UsernameAttributes=pool["UsernameAttributes"],
        AutoVerifiedAttributes=pool["AutoVerifiedAttributes"],
        AdminCreateUserConfig=pool["AdminCreateUserConfig"],
        Policies=pool["Policies"],
        UserPoolTier=plain(pool["UserPoolTier"], refs),
        **({"UserPoolAddOns": pool["UserPoolAddOns"]} if "UserPoolAddOns" in pool else {}),
    )["UserPool"]
    refs["UserPool"] = created["Id"]
    attrs[("UserPool", "Arn")] = created["Arn"]
    client = resources["UserPoolClient"]["Properties"]
    refs["UserPoolClient"] = idp.create_user_pool_client(
        UserPoolId=created["Id"],
        ClientName=client["ClientName"],
        GenerateSecret=client["GenerateSecret"],
        ExplicitAuthFlows=client["ExplicitAuthFlows"],
        PreventUserExistenceErrors=client["PreventUserExistenceErrors"],
        EnableTokenRevocation=client["EnableTokenRevocation"],
        AccessTokenValidity=client["AccessTokenValidity"],
        IdTokenValidity=client["IdTokenValidity"],
        RefreshTokenValidity=client["RefreshTokenValidity"],
        TokenValidityUnits=client["TokenValidityUnits"],
    )["UserPoolClient"]["ClientId"]
    group = resources["AdminsGroup"]["Properties"]
    idp.create_group(UserPoolId=created["Id"], GroupName=group["GroupName"],
                     Description=group["Description"])
    for logical in ("OpenAiSecret", "SalesforceSecret"):
        if logical in resources:
            props = resources[logical]["Properties"]
            check("SecretString" not in props and "GenerateSecretString" not in props,
                  f"{logical} is created empty (its value is set after deploy, never in the template)")
            refs[logical] = clients["secretsmanager"].create_secret(
                Name=plain(props["Name"], refs), Description=props["Description"]
            )["ARN"]
    return refs, attrs


def create_rest_api(apigw: Any, body: dict[str, Any]) -> str:
    """SAM's swagger 2.0 body, through moto's API Gateway API (moto imports OpenAPI 3 only)."""
    api = apigw.create_rest_api(name=body["info"]["title"])["id"]
    ids = {"/": next(r["id"] for r in apigw.get_resources(restApiId=api)["items"] if r["path"] == "/")}
    authorizers = {}
    for name, definition in body.get("securityDefinitions", {}).items():
        spec = definition["x-amazon-apigateway-authorizer"]
        authorizers[name] = apigw.create_authorizer(
            restApiId=api, name=name, type=spec["type"].upper(), authorizerUri=spec["authorizerUri"],
            authorizerResultTtlInSeconds=spec["authorizerResultTtlInSeconds"],
            **({"identitySource": spec["identitySource"]} if "identitySource" in spec else {}),
        )["id"]
    for path in sorted(body["paths"], key=len):
        parent = "/"
        for part in [p for p in path.split("/") if p]:
            here = parent.rstrip("/") + "/" + part
            if here not in ids:
                ids[here] = apigw.create_resource(restApiId=api, parentId=ids[parent], pathPart=part)["id"]
            parent = here
        for verb, method in body["paths"][path].items():
            http = "ANY" if verb == "x-amazon-apigateway-any-method" else verb.upper()
            security = [name for entry in method.get("security", []) for name in entry]
            apigw.put_method(
                restApiId=api, resourceId=ids[path], httpMethod=http,
                authorizationType="CUSTOM" if security else "NONE",
                **({"authorizerId": authorizers[security[0]]} if security else {}),
            )
            integration = method["x-amazon-apigateway-integration"]
            apigw.put_integration(
                restApiId=api, resourceId=ids[path], httpMethod=http,
                type=integration["type"].upper(), integrationHttpMethod=integration["httpMethod"],
                uri=integration["uri"],
            )
    return api


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moto-url", default=os.environ.get("EXPEDITE_TEST_MOTO_URL"))
    parser.add_argument("--template", default=str(ROOT / "infra" / "template.yaml"))
    args = parser.parse_args()
    started = time.monotonic()
    proc = None
    url = args.moto_url
    if not url:
        url, proc = start_moto()
    try:
        run(url, Path(args.template))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"infra stack check: {len(CHECKS)} assertions passed in {time.monotonic() - started:.1f}s")
    return 0


def run(url: str, template_path: Path) -> None:
    suffix = uuid.uuid4().hex[:8]
    stack_uuid = str(uuid.uuid4())
    names = ["s3", "cloudformation", "lambda", "iam", "sqs", "dynamodb", "cognito-idp",
             "secretsmanager", "events", "logs", "apigateway", "wafv2"]
    no_retries = Config(retries={"max_attempts": 1, "mode": "standard"})
    clients = {n: boto3.client(n, endpoint_url=url, region_name=REGION, config=no_retries)
               for n in names}
    code_bucket = f"expedite-code-{suffix}"
    clients["s3"].create_bucket(Bucket=code_bucket)

    translated = translate(template_path, code_bucket)
    check_translated(translated)

    conditions = condition_values(translated)
    template = resolve_if(copy.deepcopy(translated), conditions)
    resources = {
        k: v for k, v in template["Resources"].items()
        if conditions.get(v.get("Condition", ""), True)
    }
    for logical, resource in resources.items():
        if resource["Type"] == "AWS::Lambda::Function":
            clients["s3"].put_object(Bucket=code_bucket, Key=f"{logical}.zip", Body=stub_zip())

    refs, attrs = create_outside_cloudformation(clients, resources, suffix, stack_uuid,
                                                parameter_values(template))
    # moto's CloudFormation ignores a RestApi's Body; import it through the API instead, with the
    # function ARNs the fixed function names give.
    function_arns = dict(attrs)
    for logical, resource in resources.items():
        if resource["Type"] == "AWS::Lambda::Function":
            name = plain(resource["Properties"]["FunctionName"], refs)
            function_arns[(logical, "Arn")] = f"arn:aws:lambda:{REGION}:123456789012:function:{name}"
    apigw = clients["apigateway"]
    api_body = plain(resources["Api"]["Properties"]["Body"], refs, function_arns)
    refs["Api"] = create_rest_api(apigw, api_body)
    deployments = [k for k, v in resources.items() if v["Type"] == "AWS::ApiGateway::Deployment"]
    check(len(deployments) == 1, "one API deployment")
    refs[deployments[0]] = apigw.create_deployment(restApiId=refs["Api"])["id"]
    outside = {"UserPool", "UserPoolClient", "AdminsGroup", "OpenAiSecret", "SalesforceSecret",
               "Api", deployments[0]}
    # The rest moto's CloudFormation does not implement; created or asserted separately below.
    skipped_types = {"AWS::CloudFront::Distribution", "AWS::CloudFront::Function",
                     "AWS::CloudFront::OriginAccessControl", "AWS::S3::BucketPolicy",
                     "AWS::WAFv2::WebACL", "AWS::WAFv2::WebACLAssociation",
                     "AWS::WAFv2::LoggingConfiguration", "AWS::ApiGateway::Stage",
                     "AWS::ApiGateway::Account", "AWS::CloudWatch::Alarm"}
    stack_resources = {
        k: substitute(v, refs, attrs) for k, v in resources.items()
        if k not in outside and v["Type"] not in skipped_types
    }
    for resource in stack_resources.values():
        resource.pop("Condition", None)
    body = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": template.get("Parameters", {}),
        "Resources": stack_resources,
    }
    stack_name = refs["AWS::StackName"]
    cf = clients["cloudformation"]
    cf.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(body),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in PARAMETERS.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
    )
    stack = cf.describe_stacks(StackName=stack_name)["Stacks"][0]
    check(stack["StackStatus"] == "CREATE_COMPLETE",
          f"moto creates the stack ({stack['StackStatus']} {stack.get('StackStatusReason', '')})")
    physical = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cf.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    }
    for logical in stack_resources:
        check(logical in physical, f"moto created {logical}")
    for logical in ("Api", deployments[0]):
        physical[logical] = refs[logical]
    for logical, arn in function_arns.items():
        if arn.startswith("arn:aws:lambda:"):
            got = clients["lambda"].get_function_configuration(FunctionName=physical[logical[0]])
            check(got["FunctionArn"] == arn, f"{logical[0]} has the ARN the API integrates with")
    check_moto(clients, resources, refs, attrs, physical, stack_name)


# --------------------------------------------------------------------------- translated template


def methods(api_body: dict[str, Any], path: str) -> dict[str, Any]:
    return api_body["paths"][path]


def check_translated(t: dict[str, Any]) -> None:
    res = t["Resources"]
    types = {k: v["Type"] for k, v in res.items()}
    check("IdentityTable" not in res, "no IdentityTable (Cognito keeps users on AWS)")

    # API Gateway: the authorizer, and which paths use it.
    api = res["Api"]["Properties"]["Body"]
    authorizer = api["securityDefinitions"]["ExpediteAuthorizer"]["x-amazon-apigateway-authorizer"]
    check(authorizer["type"] == "request", "ExpediteAuthorizer is a Lambda REQUEST authorizer")
    check(authorizer["authorizerResultTtlInSeconds"] == 0, "authorizer caching is off")
    check("identitySource" not in authorizer,
          "authorizer has no required identity source (a cookie-only request reaches it)")
    check(authorizer["authorizerUri"]["Fn::Sub"][1]["__FunctionArn__"]
          == {"Fn::GetAtt": ["AuthorizerFunction", "Arn"]}, "the authorizer is AuthorizerFunction")
    api_any = methods(api, "/api/{proxy+}")["x-amazon-apigateway-any-method"]
    check(api_any.get("security") == [{"ExpediteAuthorizer": []}],
          "every method of /api/{proxy+} uses ExpediteAuthorizer")
    for path in ("/", "/{proxy+}"):
        any_method = methods(api, path)["x-amazon-apigateway-any-method"]
        check(not any_method.get("security"), f"{path} reaches the server without gateway auth")
        check("ServerFunction" in json.dumps(any_method["x-amazon-apigateway-integration"]["uri"]),
              f"{path} is integrated with ServerFunction")
    responses = api["x-amazon-apigateway-gateway-responses"]
    for kind, status, code in [("UNAUTHORIZED", "401", "unauthorized"),
                               ("ACCESS_DENIED", "403", "forbidden"),
                               ("WAF_FILTERED", "403", "forbidden"),
                               ("THROTTLED", "429", "rate_limited"),
                               ("DEFAULT_4XX", None, "bad_request"),
                               ("DEFAULT_5XX", None, "unavailable")]:
        response = responses[kind]
        check(status is None or response.get("statusCode") == status, f"{kind} answers {status}")
        body = response["responseTemplates"]["application/json"]
        check(f'"code":"{code}"' in body and body.startswith('{"error":'),
              f"{kind} answers the app's JSON error body ({code})")
    stage = res["ApiStage"]["Properties"]
    log_format = json.loads(stage["AccessLogSetting"]["Format"].replace("\n", ""))
    for key in ("requestId", "ip", "caller", "method", "path", "status", "latencyMs"):
        check(key in log_format, f"the stage's JSON access log has {key}")
    check(log_format["caller"] == "$context.authorizer.principalId", "access log names the caller")
    check(stage["TracingEnabled"] is True, "the stage is traced")
    check(res["ApiAccessLogGroup"].get("DependsOn") == "ApiGatewayAccount",
          "the stage's log group (so the stage) waits for the account's CloudWatch role")
    role = res["ApiGatewayCloudWatchRole"]["Properties"]
    check(role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
          == {"Service": "apigateway.amazonaws.com"}, "the CloudWatch role trusts API Gateway")
    check("AmazonAPIGatewayPushToCloudWatchLogs" in json.dumps(role["ManagedPolicyArns"]),
          "the CloudWatch role has AmazonAPIGatewayPushToCloudWatchLogs")
    check(types["ApiGatewayAccount"] == "AWS::ApiGateway::Account", "API Gateway account is set")

    # Functions: timeouts and the secrets on the worker only.
    server = res["ServerFunction"]["Properties"]
    worker = res["WorkerFunction"]["Properties"]
    authz = res["AuthorizerFunction"]["Properties"]
    check(server["Timeout"] == 28 and server["Environment"]["Variables"]
          ["EXPEDITE_REQUEST_TIMEOUT_SECS"] == "25", "server: 25 s app timeout < 28 s Lambda < 29 s gateway")
    check(authz["MemorySize"] <= 256 and authz["Timeout"] <= 10, "authorizer is small and quick")
    for name in ("ServerFunction", "WorkerFunction", "AuthorizerFunction"):
        props = res[name]["Properties"]
        check(props["Runtime"] == "provided.al2023" and props["Architectures"] == ["arm64"],
              f"{name} runs on provided.al2023 arm64")
    check(authz["Environment"]["Variables"]["EXPEDITE_COGNITO_ISSUER"]
          == {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"},
          "authorizer: the user pool's issuer")

    # WAF.
    acl = res["WebAcl"]["Properties"]
    check(acl["Scope"] == "REGIONAL", "WebACL is regional")
    rules = {r["Name"]: r for r in acl["Rules"]}
    groups = {r["Statement"]["ManagedRuleGroupStatement"]["Name"]: r for r in acl["Rules"]
              if "ManagedRuleGroupStatement" in r["Statement"]}
    for name in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet",
                 "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"):
        check(name in groups and groups[name]["OverrideAction"] == {"None": {}},
              f"WebACL runs {name}")
    rate = rules["RateLimitPerClient"]
    rbs = rate["Statement"]["RateBasedStatement"]
    check(rbs["Limit"] == 1000 and rbs["EvaluationWindowSec"] == 60,
          "rate rule: 1000 requests per 60 s")
    check(rbs["AggregateKeyType"] == "FORWARDED_IP"
          and rbs["ForwardedIPConfig"] == {"HeaderName": "x-expedite-viewer-ip", "FallbackBehavior": "MATCH"},
          "rate rule keys on the viewer address CloudFront sets")
    check(rate["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
          and rate["Action"]["Block"]["CustomResponse"]["CustomResponseBodyKey"] == "rate_limited",
          "rate rule answers 429 rate_limited")
    bodies = acl["CustomResponseBodies"]
    for key in ("forbidden", "rate_limited"):
        check(bodies[key]["ContentType"] == "APPLICATION_JSON"
              and json.loads(bodies[key]["Content"])["error"]["code"] == key,
              f"WAF custom body {key} is the app's JSON error")
    counted = {
        name: {o["Name"] for o in groups[name]["Statement"]["ManagedRuleGroupStatement"]
               .get("RuleActionOverrides", []) if o["ActionToUse"] == {"Count": {}}}
        for name in groups
    }
    acl_text = json.dumps(acl["Rules"])
    label_of = {
        "SQLi_BODY": "sql-database:SQLi_Body",
        "SQLiExtendedPatterns_BODY": "sql-database:SQLiExtendedPatterns_Body",
        "SQLi_QUERYARGUMENTS": "sql-database:SQLi_QueryArguments",
        "SQLiExtendedPatterns_QUERYARGUMENTS": "sql-database:SQLiExtendedPatterns_QueryArguments",
        "CrossSiteScripting_BODY": "core-rule-set:CrossSiteScripting_Body",
        "SizeRestrictions_BODY": "core-rule-set:SizeRestrictions_Body",
        "GenericLFI_BODY": "core-rule-set:GenericLFI_Body",
        "GenericRFI_BODY": "core-rule-set:GenericRFI_Body",
        "EC2MetaDataSSRF_BODY": "core-rule-set:EC2MetaDataSSRF_Body",
        "CrossSiteScripting_QUERYARGUMENTS": "core-rule-set:CrossSiteScripting_QueryArguments",
        "GenericLFI_QUERYARGUMENTS": "core-rule-set:GenericLFI_QueryArguments",
    }
    for must in ("SQLi_BODY", "CrossSiteScripting_BODY", "SizeRestrictions_BODY"):
        check(any(must in c for c in counted.values()), f"{must} only counts")
    for group_counted in counted.values():
        for rule in group_counted:
            check(f"awswaf:managed:aws:{label_of[rule]}" in acl_text,
                  f"a later rule blocks again on {rule}'s label")
    for path in ("api/ai/query", "sfn/ask", "sfn/list_customers", "api/customers", "customers"):
        check(path in acl_text, f"a scope-down exempts {path}")
    check(all(r["Action"]["Block"]["CustomResponse"]["CustomResponseBodyKey"] == "forbidden"
              for r in acl["Rules"] if r["Name"].startswith("Block")),
          "re-blocking rules answer 403 forbidden")
    assoc = res["WebAclAssociation"]["Properties"]
    check(assoc["ResourceArn"] == {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}"
                                             "::/restapis/${Api}/stages/${ApiStage}"},
          "WebACL is associated with the stage, referencing SAM's ApiStage (so created after it)")
    check(types.get("ApiStage") == "AWS::ApiGateway::Stage", "SAM's stage resource is ApiStage")
    logging = res["WafLogging"]["Properties"]
    check("aws-waf-logs-expedite-${AWS::StackName}"
          == res["WafLogGroup"]["Properties"]["LogGroupName"]["Fn::Sub"],
          "WAF logs to aws-waf-logs-expedite-<stack>")
    check("RetentionInDays" in res["WafLogGroup"]["Properties"], "WAF log group has a retention")
    check(logging["ResourceArn"] == {"Fn::GetAtt": ["WebAcl", "Arn"]}, "WAF logging is on")

    # Front door.
    dist = res["Distribution"]["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in dist["Origins"]}
    api_origin = origins["api"]
    check(api_origin["DomainName"] == {"Fn::Sub": "${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}"},
          "the default origin is the REST API")
    check(api_origin["OriginPath"] == {"Fn::Sub": "/${StageName}"}, "origin path is the stage")
    check(api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only", "HTTPS to the API")
    default = dist["DefaultCacheBehavior"]
    check(default["TargetOriginId"] == "api", "the app is served at the root path")
    check(default["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "API: CachingDisabled")
    check(default["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac",
          "API: AllViewerExceptHostHeader (cookies, Authorization, query strings)")
    check(set(default["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"},
          "API: every method")
    behaviours = {b["PathPattern"]: b for b in dist["CacheBehaviors"]}
    for pattern in ("/pkg/*", "/favicon.svg"):
        b = behaviours[pattern]
        check(b["TargetOriginId"] == "assets"
              and b["CachePolicyId"] == "658327ea-f89d-4fab-a63d-7e88639e58f6",
              f"{pattern} comes from S3, CachingOptimized")
    check("OriginAccessControlId" in origins["assets"], "S3 through an origin access control")
    bucket = res["AssetsBucket"]["Properties"]
    check(all(bucket["PublicAccessBlockConfiguration"].values())
          and len(bucket["PublicAccessBlockConfiguration"]) == 4, "assets bucket blocks all public access")
    check(bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
          ["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", "assets bucket encrypted")
    check(bucket["OwnershipControls"]["Rules"][0]["ObjectOwnership"] == "BucketOwnerEnforced",
          "assets bucket: ACLs off (owner enforced)")
    oac = res["AssetsOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    check(oac["SigningProtocol"] == "sigv4" and oac["SigningBehavior"] == "always", "OAC signs sigv4")
    policy = res["AssetsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    check(policy["Action"] == "s3:GetObject"
          and policy["Principal"] == {"Service": "cloudfront.amazonaws.com"}
          and "distribution/${Distribution}" in policy["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"],
          "bucket policy: s3:GetObject for this distribution only")
    header = api_origin["OriginCustomHeaders"][0]
    verify = rules["RequireCloudFront"]["Statement"]["NotStatement"]["Statement"]["ByteMatchStatement"]
    check(header["HeaderName"] == verify["FieldToMatch"]["SingleHeader"]["Name"]
          and header["HeaderValue"] == verify["SearchString"],
          "the WebACL requires the header only the distribution adds")
    check(default["FunctionAssociations"][0]["EventType"] == "viewer-request",
          "the viewer-address function runs on every app request")
    check("x-expedite-viewer-ip" in res["ViewerAddressFunction"]["Properties"]["FunctionCode"],
          "the function sets the header the rate rule reads")
    check("x-expedite-viewer-host" in res["ViewerAddressFunction"]["Properties"]["FunctionCode"],
          "the function passes on the host the same-origin check compares")
    check_alarms(res)
    outputs = t["Outputs"]
    for key in ("SiteUrl", "SiteBucketName", "ApiUrl", "DistributionId", "AlarmTopicArn"):
        check(key in outputs, f"output {key}")


def check_alarms(res: dict[str, Any]) -> None:
    """Every alarm notifies the topic, firing and clearing, and the operations the design asks
    to watch each have one, on the resource the metric belongs to."""
    alarms = {k: v["Properties"] for k, v in res.items() if v["Type"] == "AWS::CloudWatch::Alarm"}
    for name, alarm in alarms.items():
        for actions in ("AlarmActions", "OKActions"):
            check(alarm.get(actions) == [{"Ref": "AlarmTopic"}], f"{name} {actions} notify AlarmTopic")
        check(alarm.get("TreatMissingData") == "notBreaching", f"{name}: no data is not an alarm")

    def watched(alarm: dict[str, Any]) -> set[tuple[str, str, str]]:
        """(namespace, metric, what it is of) for a plain or a metric-math alarm."""
        stats = [m["MetricStat"]["Metric"] for m in alarm.get("Metrics", []) if "MetricStat" in m]
        if not stats:
            stats = [alarm]
        return {
            (m["Namespace"], m["MetricName"], json.dumps(m.get("Dimensions", [{}])[0].get("Value")))
            for m in stats
        }

    everything = set().union(*(watched(a) for a in alarms.values()))
    expected = [
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"Fn::GetAtt": ["JobsDeadLetterQueue", "QueueName"]}),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage", {"Fn::GetAtt": ["JobsQueue", "QueueName"]}),
        ("AWS/ApiGateway", "5XXError", {"Fn::Sub": "${AWS::StackName}-api"}),
        ("AWS/WAFV2", "BlockedRequests", {"Fn::Sub": "${AWS::StackName}-api"}),
    ] + [
        ("AWS/Lambda", metric, {"Ref": function})
        for metric in ("Errors", "Throttles")
        for function in ("ServerFunction", "WorkerFunction", "AuthorizerFunction")
    ]
    for namespace, metric, of in expected:
        check((namespace, metric, json.dumps(of)) in everything, f"an alarm on {namespace} {metric} of {of}")
    check(res["WebAcl"]["Properties"]["Name"] == {"Fn::Sub": "${AWS::StackName}-api"},
          "the WAF alarm names the web ACL")
    check(res["Api"]["Properties"]["Name"] == {"Fn::Sub": "${AWS::StackName}-api"},
          "the 5xx alarm names the API")
    subscription = res.get("AlarmEmailSubscription")
    check(subscription is None or subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"},
          "the alarm e-mail subscribes the AlarmEmail parameter")


# --------------------------------------------------------------------------- what moto created


def env_of(lam: Any, name: str) -> dict[str, str]:
    return lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"]


def statements(iam: Any, role_name: str) -> list[dict[str, Any]]:
    found = []
    for policy in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role_name, PolicyName=policy)["PolicyDocument"]
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except json.JSONDecodeError:  # moto keeps a CloudFormation-made policy as a Python repr
                document = ast.literal_eval(document)
        found.extend(document["Statement"])
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def grants(stmts: list[dict[str, Any]]) -> dict[str, set[str]]:
    """action -> resources it is allowed on."""
    allowed: dict[str, set[str]] = {}
    for s in stmts:
        if s["Effect"] != "Allow":
            continue
        for action in as_list(s["Action"]):
            allowed.setdefault(action, set()).update(as_list(s["Resource"]))
    return allowed


def check_moto(clients: dict[str, Any], resources: dict[str, Any], refs: dict[str, str],
               attrs: dict[tuple[str, str], str], physical: dict[str, str], stack: str) -> None:
    ddb, sqs, lam, iam = clients["dynamodb"], clients["sqs"], clients["lambda"], clients["iam"]
    tables = {}
    for logical, gsis in [("QueriesTable", {"by_owner", "queued"}),
                          ("CustomersTable", {"by_name", "by_revenue", "by_modified"}),
                          ("SyncTable", {"by_created"})]:
        table = ddb.describe_table(TableName=physical[logical])["Table"]
        tables[logical] = table
        check({g["IndexName"] for g in table.get("GlobalSecondaryIndexes", [])} == gsis,
              f"{logical} has the GSIs {sorted(gsis)}")
        check(table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST", f"{logical} on demand")
    queued = next(g for g in tables["QueriesTable"]["GlobalSecondaryIndexes"] if g["IndexName"] == "queued")
    check([k["AttributeName"] for k in queued["KeySchema"]] == ["queued", "due_sk"],
          "the sparse `queued` GSI is keyed (queued, due_sk)")

    queue_url, dlq_url = physical["JobsQueue"], physical["JobsDeadLetterQueue"]
    q = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    dlq = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]
    redrive = json.loads(q["RedrivePolicy"])
    check(redrive["deadLetterTargetArn"] == dlq["QueueArn"] and int(redrive["maxReceiveCount"]) == 5,
          "JobsQueue redrives to JobsDeadLetterQueue after 5 receives")
    check(q["VisibilityTimeout"] == "540", "JobsQueue visibility timeout 540 s (6 x worker timeout)")

    fn = {k: physical[k] for k in ("ServerFunction", "WorkerFunction", "AuthorizerFunction")}
    configs = {k: lam.get_function_configuration(FunctionName=v) for k, v in fn.items()}
    roles = {k: physical[k.replace("Function", "Role")] for k in fn}
    for k, c in configs.items():
        # moto's CloudFormation drops Architectures; the translated template is checked for arm64.
        check(c["Runtime"] == "provided.al2023" and c["Handler"] == "bootstrap",
              f"{k}: provided.al2023, bootstrap")
        check(c["Role"].endswith(f"/{roles[k]}"), f"{k} runs with its own role {roles[k]}")
    check(len(set(roles.values())) == 3, "one role per function")
    check(configs["ServerFunction"]["Timeout"] == 28, "server timeout 28 s")
    check(configs["WorkerFunction"]["Timeout"] == 90, "worker timeout 90 s")

    server, worker, authz = (env_of(lam, fn[k]) for k in ("ServerFunction", "WorkerFunction", "AuthorizerFunction"))
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{refs['UserPool']}"
    for name, env in (("server", server), ("worker", worker)):
        check(env["EXPEDITE_STORE"] == "dynamodb" and env["EXPEDITE_QUEUE"] == "sqs", f"{name}: DynamoDB + SQS")
        check(env["EXPEDITE_DYNAMODB_QUERIES_TABLE"] == physical["QueriesTable"]
              and env["EXPEDITE_DYNAMODB_CUSTOMERS_TABLE"] == physical["CustomersTable"]
              and env["EXPEDITE_DYNAMODB_SYNC_TABLE"] == physical["SyncTable"],
              f"{name}: env names the stack's three tables")
        check(env["EXPEDITE_SQS_QUEUE_URL"] == queue_url and env["EXPEDITE_SQS_DEAD_LETTER_QUEUE_URL"] == dlq_url,
              f"{name}: env names the jobs queue and its DLQ")
        check("EXPEDITE_DYNAMODB_IDENTITY_TABLE" not in env, f"{name}: no identity table")
        check(env["EXPEDITE_IDENTITY"] == "cognito" and env["EXPEDITE_COGNITO_ISSUER"] == issuer,
              f"{name}: Cognito issuer of the stack's user pool")
        check("EXPEDITE_DATA_DIR" not in env, f"{name}: no data dir on Lambda")
    check(server["EXPEDITE_CLIENT_ID"] == refs["UserPoolClient"], "server: the user pool client id")
    check(server["EXPEDITE_REQUEST_TIMEOUT_SECS"] == "25", "server: app request timeout 25 s")
    check(server["SALESFORCE_CLIENT_ID"] == PARAMETERS["SalesforceClientId"]
          and server["SALESFORCE_LOGIN_URL"] == PARAMETERS["SalesforceLoginUrl"],
          "server: knows the sync is configured")
    leaked = [k for k in server if any(s in k for s in SECRET_ENV) or k.startswith("OPENAI_")]
    check(not leaked, f"server: no secret or OpenAI settings in its environment ({leaked})")
    check(worker["EXPEDITE_OPENAI_SECRET_ARN"] == refs["OpenAiSecret"]
          and worker["EXPEDITE_SALESFORCE_SECRET_ARN"] == refs["SalesforceSecret"],
          "worker: env names the two secrets by ARN")
    check(not [k for k in worker if k in ("OPENAI_API_KEY", "SALESFORCE_CLIENT_SECRET", "SALESFORCE_PRIVATE_KEY")],
          "worker: no secret values in its environment")
    check(worker["SALESFORCE_USERNAME"] == PARAMETERS["SalesforceUsername"]
          and worker["OPENAI_MODEL"] == "gpt-4o-mini", "worker: non-secret settings as env")
    check(authz["EXPEDITE_IDENTITY"] == "cognito"
          and authz["EXPEDITE_COGNITO_ISSUER"] == issuer and authz["EXPEDITE_CLIENT_ID"] == refs["UserPoolClient"]
          and authz["EXPEDITE_LOG_FORMAT"] == "json" and "RUST_LOG" in authz,
          "authorizer: issuer, client id, JSON logs")
    check(not any(k.startswith("EXPEDITE_DYNAMODB") or k.startswith("EXPEDITE_SQS") for k in authz),
          "authorizer: no tables or queues")

    # Roles: exactly what each function uses.
    table_arns = {tables[t]["TableArn"] for t in tables}
    index_arns = {f"{a}/index/*" for a in table_arns}
    queue_arn, dlq_arn = q["QueueArn"], dlq["QueueArn"]
    s_grants = grants(statements(iam, roles["ServerFunction"]))
    w_grants = grants(statements(iam, roles["WorkerFunction"]))
    a_grants = grants(statements(iam, roles["AuthorizerFunction"]))
    for name, g in (("server", s_grants), ("worker", w_grants)):
        for action in ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"):
            check(g.get(action) == table_arns | index_arns, f"{name}: {action} on the three tables and indexes only")
        check("dynamodb:Scan" not in g and "dynamodb:*" not in g, f"{name}: no Scan, no wildcard")
        check(not any("Identity" in r for rs in g.values() for r in rs), f"{name}: nothing on an identity table")
    check(w_grants.get("dynamodb:UpdateItem") == table_arns | index_arns,
          "worker: dynamodb:UpdateItem on the three tables and indexes only")
    check(not any(a in s_grants for a in ("dynamodb:DeleteItem", "dynamodb:BatchWriteItem")),
          "server: no item deletes or batch writes (the worker's)")
    check(s_grants.get("dynamodb:UpdateItem") == {tables["SyncTable"]["TableArn"]},
          "server: dynamodb:UpdateItem on the sync table only")
    rollups = [st for st in statements(iam, roles["ServerFunction"]) if "dynamodb:UpdateItem" in as_list(st["Action"])]
    check(all(st.get("Condition", {}).get("ForAllValues:StringLike", {}).get("dynamodb:LeadingKeys") == ["OPS#*"]
              for st in rollups), "server: its updates are limited to the OPS# rollup items")
    check(s_grants["sqs:SendMessage"] == {queue_arn}, "server: sqs:SendMessage on JobsQueue only")
    check(s_grants["sqs:GetQueueAttributes"] == {queue_arn, dlq_arn},
          "server: reads the redrive policy and both queues' depth")
    check(not any(a.startswith("sqs:") and a not in ("sqs:SendMessage", "sqs:GetQueueAttributes")
                  for a in s_grants), "server: no other SQS")
    check(not any(a.startswith(("secretsmanager:", "cognito-idp:", "kms:")) for a in s_grants),
          "server: no secrets, no Cognito admin calls")
    for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                   "sqs:ChangeMessageVisibility", "sqs:SendMessage"):
        check(queue_arn in w_grants[action], f"worker: {action} on JobsQueue")
    check(w_grants["sqs:ReceiveMessage"] == {queue_arn, dlq_arn}, "worker: drains the DLQ")
    check(w_grants["sqs:DeleteMessage"] == {queue_arn, dlq_arn}, "worker: removes settled dead letters")
    check(dlq_arn not in w_grants["sqs:SendMessage"], "worker: never sends to the DLQ")
    check(w_grants["secretsmanager:GetSecretValue"] == {refs["OpenAiSecret"], refs["SalesforceSecret"]},
          "worker: GetSecretValue on exactly the two secrets")
    check(w_grants["secretsmanager:DescribeSecret"] == {refs["OpenAiSecret"], refs["SalesforceSecret"]},
          "worker: DescribeSecret on exactly the two secrets")
    check(set(a_grants) == {"logs:CreateLogStream", "logs:PutLogEvents",
                            "xray:PutTraceSegments", "xray:PutTelemetryRecords"},
          "authorizer: logs and traces only")
    for k, g in (("ServerFunction", s_grants), ("WorkerFunction", w_grants), ("AuthorizerFunction", a_grants)):
        group = physical[k.replace("Function", "LogGroup")]
        check(all(group in r for r in g["logs:PutLogEvents"]), f"{k}: writes its own log group only")
        for action, rs in g.items():
            check("*" not in rs or action.startswith("xray:"), f"{k}: {action} is not on '*'")

    # The event source and the schedule.
    mappings = lam.list_event_source_mappings(FunctionName=fn["WorkerFunction"])["EventSourceMappings"]
    check([m["EventSourceArn"] for m in mappings] == [queue_arn], "worker is fed by JobsQueue")
    check(mappings[0].get("BatchSize") == 10, "SQS batches of 10")
    check(mappings[0].get("FunctionResponseTypes") == ["ReportBatchItemFailures"], "partial batch failures")
    events = clients["events"]
    rule = events.describe_rule(Name=physical["WorkerFunctionHourlyPoll"])
    check(rule["ScheduleExpression"] == "rate(1 hour)", "hourly schedule rule")
    targets = events.list_targets_by_rule(Rule=physical["WorkerFunctionHourlyPoll"])["Targets"]
    check([t["Arn"] for t in targets] == [configs["WorkerFunction"]["FunctionArn"]],
          "the schedule invokes the worker")

    # Cognito and the secrets (created through their APIs from the template's properties).
    idp = clients["cognito-idp"]
    pool = idp.describe_user_pool(UserPoolId=refs["UserPool"])["UserPool"]
    check(pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True, "user pool: admin-created users")
    check("UserPoolAddOns" not in resources["UserPool"]["Properties"],
          "threat protection is off on the default ESSENTIALS tier (creates on a fresh account)")
    app = idp.describe_user_pool_client(UserPoolId=refs["UserPool"], ClientId=refs["UserPoolClient"])["UserPoolClient"]
    check(set(app["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
          and "ClientSecret" not in app, "client: password + refresh flows, no secret")
    check([g["GroupName"] for g in idp.list_groups(UserPoolId=refs["UserPool"])["Groups"]] == ["admins"],
          "group admins")
    sm = clients["secretsmanager"]
    for logical in ("OpenAiSecret", "SalesforceSecret"):
        described = sm.describe_secret(SecretId=refs[logical])
        check(described["Name"].startswith(f"expedite/{stack}/"), f"{logical} exists as {described['Name']}")

    # Log groups with retention; the assets bucket locked down.
    logs = clients["logs"]
    for logical in ("ServerLogGroup", "WorkerLogGroup", "AuthorizerLogGroup", "ApiAccessLogGroup", "WafLogGroup"):
        found = logs.describe_log_groups(logGroupNamePrefix=physical[logical])["logGroups"]
        check(bool(found) and int(found[0].get("retentionInDays", 0)) == 30, f"{logical} keeps logs 30 days")
    check(physical["WafLogGroup"] == f"aws-waf-logs-expedite-{stack}", "WAF log group name")
    # moto's CloudFormation creates the bucket but drops its access settings: see check_translated.
    check(physical["AssetsBucket"] in {b["Name"] for b in clients["s3"].list_buckets()["Buckets"]},
          "assets bucket exists")

    # The stage, the WebACL and its association through the APIs moto implements.
    apigw = clients["apigateway"]
    api_id = physical["Api"]
    deployment = physical[next(k for k in resources if k.startswith("ApiDeployment"))]
    apigw.create_stage(restApiId=api_id, stageName=PARAMETERS["StageName"], deploymentId=deployment)
    by_path = {r["path"]: r["id"] for r in apigw.get_resources(restApiId=api_id, limit=500)["items"]}
    check({"/", "/{proxy+}", "/api/{proxy+}"} <= set(by_path), "REST API has /, /{proxy+}, /api/{proxy+}")
    authorizer = apigw.get_authorizers(restApiId=api_id)["items"]
    check(len(authorizer) == 1 and authorizer[0]["type"] == "REQUEST"
          and authorizer[0]["authorizerResultTtlInSeconds"] == 0
          and configs["AuthorizerFunction"]["FunctionArn"] in authorizer[0]["authorizerUri"],
          "moto: one REQUEST authorizer, no caching, backed by AuthorizerFunction")
    for path, auth in (("/api/{proxy+}", "CUSTOM"), ("/", "NONE"), ("/{proxy+}", "NONE")):
        method = apigw.get_method(restApiId=api_id, resourceId=by_path[path], httpMethod="ANY")
        check(method["authorizationType"] == auth
              and (auth == "NONE" or method["authorizerId"] == authorizer[0]["id"]),
              f"moto: ANY {path} authorization {auth}")
        uri = method["methodIntegration"]["uri"]
        check(configs["ServerFunction"]["FunctionArn"] in uri and method["methodIntegration"]["type"] == "AWS_PROXY",
              f"moto: ANY {path} proxies to ServerFunction")
    waf = clients["wafv2"]
    acl_props = plain(resources["WebAcl"]["Properties"], refs)
    acl_props.pop("Description", None)
    summary = waf.create_web_acl(**acl_props)["Summary"]
    created = waf.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])["WebACL"]
    check({r["Name"] for r in created["Rules"]} == {r["Name"] for r in acl_props["Rules"]},
          "WAFv2 accepts the WebACL with all its rules")
    stage_arn = (f"arn:aws:apigateway:{REGION}::/restapis/{api_id}/stages/{PARAMETERS['StageName']}")
    waf.associate_web_acl(WebACLArn=summary["ARN"], ResourceArn=stage_arn)
    check(waf.get_web_acl_for_resource(ResourceArn=stage_arn)["WebACL"]["ARN"] == summary["ARN"],
          "the WebACL is associated with the stage")
    log_group_arn = f"arn:aws:logs:{REGION}:123456789012:log-group:{physical['WafLogGroup']}"
    waf.put_logging_configuration(LoggingConfiguration={
        "ResourceArn": summary["ARN"], "LogDestinationConfigs": [log_group_arn],
        "RedactedFields": resources["WafLogging"]["Properties"]["RedactedFields"]})
    got = waf.get_logging_configuration(ResourceArn=summary["ARN"])["LoggingConfiguration"]
    check(got["LogDestinationConfigs"] == [log_group_arn], "WAF logs to its log group")


if __name__ == "__main__":
    sys.exit(main())
