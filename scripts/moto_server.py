"""moto's server, with DynamoDB writes made atomic as the real service makes them.

moto serves requests on threads and checks a write's condition, then applies it, without a lock,
so two concurrent conditional updates of one item can both succeed — which DynamoDB never
allows. The tests rely on that guarantee (one winner among racing claims), so every DynamoDB
write here runs under one lock. Arguments are moto_server's own (`-H 127.0.0.1 -p PORT`).
"""

import functools
import sys
import threading

from moto import server
from moto.dynamodb.models import DynamoDBBackend

WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
LOCK = threading.RLock()


def serialised(method):
    @functools.wraps(method)
    def locked(*args, **kwargs):
        with LOCK:
            return method(*args, **kwargs)

    return locked


for name in WRITES:
    setattr(DynamoDBBackend, name, serialised(getattr(DynamoDBBackend, name)))

if __name__ == "__main__":
    server.main(sys.argv[1:])
