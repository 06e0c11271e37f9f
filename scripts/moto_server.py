"""moto's server, with DynamoDB writes made atomic and transactions made cheap, as the real
service has them.

- moto serves requests on threads and checks a write's condition, then applies it, without a
  lock, so two concurrent conditional updates of one item can both succeed — which DynamoDB
  never allows. The tests rely on that guarantee (one winner among racing claims), so every
  DynamoDB write here runs under one lock.
- moto's TransactWriteItems deep-copies every table it touches, once per action, to roll back
  on cancellation: a 26-action transaction on a 20 000-item table copies 520 000 items, and the
  server stalls every other request meanwhile. Here a transaction saves only the items its
  actions name and restores those when it is cancelled — the same all-or-nothing outcome.

Arguments are moto_server's own (`-H 127.0.0.1 -p PORT`); `--self-test` checks the two
changes in process and exits.
"""

import copy
import functools
import sys
import threading
import time

import moto.dynamodb.models as dynamodb_models
from moto import server
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

WRITES = ("put_item", "update_item", "delete_item", "batch_write_item")
LOCK = threading.RLock()


def serialised(method):
    @functools.wraps(method)
    def locked(*args, **kwargs):
        with LOCK:
            return method(*args, **kwargs)

    return locked


class _TablesUncopied:
    """moto's `copy` module, except that a table is not deep-copied: its transactions' own
    rollback then restores the very table object, a no-op, and `transact_write_items` below
    restores the saved items instead."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, memo=None):
        if isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


def _saved_items(backend, transact_items):
    """(table, hash key, range key, deep copy of the stored item or None) per named item."""
    saved = []
    for action in transact_items:
        try:
            op_type, op = next(iter(action.items()))
            table = backend.tables[op["TableName"]]
            attrs = op["Item"] if op_type == "Put" else op["Key"]
            hash_key = DynamoType(attrs[table.hash_key_attr])
            range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
        except (KeyError, StopIteration, AttributeError, TypeError):
            continue  # moto rejects the malformed action before writing it
        saved.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
    return saved


def _restore(saved):
    for table, hash_key, range_key, item in reversed(saved):
        if range_key is None:
            if item is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = item
            continue
        bucket = table.items[hash_key]
        if item is None:
            bucket.pop(range_key, None)
        else:
            bucket[range_key] = item
        if not bucket:
            del table.items[hash_key]


def _transaction(original):
    @functools.wraps(original)
    def transact_write_items(self, transact_items):
        with LOCK:
            saved = _saved_items(self, transact_items)
            try:
                return original(self, transact_items)
            except Exception:
                _restore(saved)
                raise

    return transact_write_items


def install():
    for name in WRITES:
        setattr(DynamoDBBackend, name, serialised(getattr(DynamoDBBackend, name)))
    dynamodb_models.copy = _TablesUncopied()
    DynamoDBBackend.transact_write_items = _transaction(DynamoDBBackend.transact_write_items)


def self_test():
    """A cancelled transaction leaves nothing behind; none copies a whole table."""
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws

    with mock_aws():
        db = boto3.client("dynamodb", region_name="us-east-1")
        for name, schema in (("plain", [("id", "HASH")]), ("ranged", [("pk", "HASH"), ("sk", "RANGE")])):
            db.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": a, "KeyType": t} for a, t in schema],
                AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a, _ in schema],
                BillingMode="PAY_PER_REQUEST",
            )
        db.put_item(TableName="plain", Item={"id": {"S": "kept"}, "n": {"N": "1"}})
        db.put_item(TableName="ranged", Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "1"}})
        cancelled = [
            {"Put": {"TableName": "plain", "Item": {"id": {"S": "new"}}}},
            {"Update": {"TableName": "plain", "Key": {"id": {"S": "kept"}},
                        "UpdateExpression": "SET n = n + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Put": {"TableName": "ranged", "Item": {"pk": {"S": "a"}, "sk": {"S": "2"}}}},
            {"Delete": {"TableName": "ranged", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}}}},
            {"ConditionCheck": {"TableName": "plain", "Key": {"id": {"S": "absent"}},
                                "ConditionExpression": "attribute_exists(id)"}},
        ]
        try:
            db.transact_write_items(TransactItems=cancelled)
            raise AssertionError("the failed condition did not cancel the transaction")
        except ClientError as error:
            assert error.response["Error"]["Code"] == "TransactionCanceledException", error
        plain = sorted(i["id"]["S"] for i in db.scan(TableName="plain")["Items"])
        assert plain == ["kept"], plain
        kept = db.get_item(TableName="plain", Key={"id": {"S": "kept"}})["Item"]
        assert kept["n"] == {"N": "1"}, kept
        ranged = [(i["sk"]["S"], i["n"]["N"]) for i in db.scan(TableName="ranged")["Items"]]
        assert ranged == [("1", "1")], ranged

        for start in range(0, 5000, 25):
            db.batch_write_item(RequestItems={"plain": [
                {"PutRequest": {"Item": {"id": {"S": f"c{n}"}, "pad": {"S": "x" * 200}}}}
                for n in range(start, start + 25)
            ]})
        def refuse(table, memo):
            raise AssertionError("a transaction deep-copied a whole table")

        Table.__deepcopy__ = refuse
        started = time.perf_counter()
        for round_ in range(20):
            db.transact_write_items(TransactItems=[
                {"Put": {"TableName": "plain", "Item": {"id": {"S": f"c{n}"}, "round": {"N": str(round_)}}}}
                for n in range(25)
            ])
        took = time.perf_counter() - started
        del Table.__deepcopy__
    print(f"moto_server self-test: rollback restores items; 20 transactions took {took:.2f} s")


if __name__ == "__main__":
    install()
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    else:
        server.main(sys.argv[1:])
