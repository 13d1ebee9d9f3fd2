"""checker.fingerprint: the hash of many tuples at once is the one-tuple hash of each."""

import numpy as np

from tcpverify.checker.fingerprint import stable_hash, tuple_hash, tuple_hashes


def test_tuple_hashes_of_columns_are_the_tuple_hash_of_each_row():
    rows = [(i, -i, "x" * (i % 5), None, (i, i % 3)) for i in range(200)]
    columns = [np.asarray([stable_hash(r[j]) for r in rows], np.uint64) for j in range(5)]
    assert tuple_hashes(columns).tolist() == [tuple_hash([stable_hash(x) for x in r]) for r in rows] \
        == [stable_hash(r) for r in rows]
