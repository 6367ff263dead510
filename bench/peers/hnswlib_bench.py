#!/usr/bin/python3
"""hnswlib peer benchmark: build time, queries/s, p50/p99 latency and recall@k of an hnswlib HNSW
index on the same fvecs files as `./planstream bench index`, measured the way the Java side measures:
cosine ranking, one thread, one query per call, exact top k as ground truth.

Runs under the system python (Debian's python3-hnswlib and python3-numpy; see install.sh)."""

import argparse
import gc
import importlib.metadata
import json
import math
import os
import sys
import time

import hnswlib
import numpy as np

PROG = os.path.basename(sys.argv[0])
MAX_DIMENSION = 65_536  # as the Java reader (Fvecs.MAX_DIMENSION): anything larger is not an fvecs file


def fail(message):
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(2)


def log(message):
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def read_vecs(path, dtype, what):
    """Rows of an fvecs/ivecs file: per row a little-endian int32 length, then that many 4-byte values."""
    try:
        with open(path, "rb") as f:
            buf = f.read()
    except OSError as e:
        fail(f"cannot read {what} {path}: {e.strerror}")
    if len(buf) < 4:
        fail(f"{what} {path} holds no vectors")
    d = int.from_bytes(buf[:4], "little", signed=True)
    if not 1 <= d <= MAX_DIMENSION:
        fail(f"{what} {path}: length {d} at byte offset 0 is not between 1 and {MAX_DIMENSION}; not a {what} file?")
    record = 4 * (d + 1)
    if len(buf) % record:
        whole = len(buf) // record * record
        fail(f"{what} {path} is truncated: {len(buf) - whole} bytes at byte offset {whole} are not a whole "
             f"vector of {d} values ({record} bytes)")
    rows = np.frombuffer(buf, dtype="<i4").reshape(-1, d + 1)
    bad = np.flatnonzero(rows[:, 0] != d)
    if bad.size:
        i = int(bad[0])
        fail(f"{what} {path}: vector {i} at byte offset {i * record} has length {rows[i, 0]}, the first has {d}")
    return np.ascontiguousarray(rows[:, 1:].view(dtype), dtype=dtype)


def normalised(x, what):
    # As VectorSet.normalised() in Java: the sum of squares in double, then a multiply by its inverse root.
    norms = np.sqrt(np.einsum("ij,ij->i", x, x, dtype=np.float64))
    bad = np.flatnonzero(~(np.isfinite(norms) & (norms > 0)))
    if bad.size:
        fail(f"{what} vector {bad[0]} has length {norms[bad[0]]}; it cannot be normalised")
    return np.ascontiguousarray(x * (1.0 / norms)[:, None], dtype=np.float32)


def exact_top_k(x, q, k):
    """Ids of each query's k rows of highest dot product, best first; ties go to the lower id, as in Java's ExactSearch."""
    out = np.empty((len(q), k), dtype=np.int64)
    step = max(1, (1 << 24) // len(x))  # keeps a block of scores to 64 MB
    for s in range(0, len(q), step):
        for r, row in enumerate(q[s:s + step] @ x.T):
            kth = np.partition(row, len(row) - k)[len(row) - k]
            cand = np.flatnonzero(row >= kth)
            out[s + r] = cand[np.lexsort((cand, -row[cand]))[:k]]
    return out


def read_truth(path, nq, n, k):
    truth = read_vecs(path, np.int32, "ivecs")
    if len(truth) != nq:
        fail(f"truth {path} has {len(truth)} rows, there are {nq} queries")
    if truth.shape[1] < k:
        fail(f"truth {path} has {truth.shape[1]} ids per query, fewer than --k {k}")
    truth = truth[:, :k]
    if truth.min() < 0 or truth.max() >= n:
        fail(f"truth {path} has ids outside 0..{n - 1}")
    return truth.astype(np.int64)


def percentile(sorted_ns, p):
    return sorted_ns[max(0, min(len(sorted_ns) - 1, math.ceil(p * len(sorted_ns)) - 1))]


def measure(index, queries, exact, k, ef, rounds, recall=None):
    """One untimed pass that gives the recall, then `rounds` timed ones; where the recall is given (a later
    request of --serve for the same ef), no untimed pass, so that the timed pass follows the caller's own
    searches as the caller's follow this one's."""
    index.set_ef(max(ef, k))
    search = index.knn_query
    rows = [queries[i:i + 1] for i in range(len(queries))]  # sliced up front: the slice is not the search
    if recall is None:
        # A search of a built graph always gives the same answer, so the warm-up pass gives the recall.
        hits = sum(len(set(search(r, k=k, num_threads=1)[0][0].tolist()) & set(e.tolist())) for r, e in zip(rows, exact))
        recall = hits / (len(rows) * k)
    clock = time.perf_counter_ns
    latencies = []
    gc.disable()  # a collection inside a timed call would be charged to hnswlib
    try:
        for _ in range(rounds):
            for r in rows:
                t0 = clock()
                search(r, k=k, num_threads=1)
                latencies.append(clock() - t0)
    finally:
        gc.enable()
    latencies.sort()
    return {"qps": len(latencies) / (sum(latencies) / 1e9),
            "p50_ms": percentile(latencies, 0.50) / 1e6,
            "p99_ms": percentile(latencies, 0.99) / 1e6,
            "recall": recall}


def positive_ints(text):
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text!r}")
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"values must be at least 1: {text!r}")
    return values


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--vectors", required=True, metavar="FILE", help="vectors to index, fvecs")
    p.add_argument("--queries", required=True, metavar="FILE", help="query vectors, fvecs")
    p.add_argument("--truth", metavar="FILE", help="exact neighbour ids per query, ivecs (default: brute force)")
    p.add_argument("--k", type=int, default=10, help="hits per query (default %(default)s)")
    p.add_argument("--m", type=int, default=16, help="HNSW neighbours per node (default %(default)s)")
    p.add_argument("--ef-construction", type=int, default=100, help="HNSW candidates while building (default %(default)s)")
    p.add_argument("--ef", type=positive_ints, default=[10, 16, 20, 32, 50, 64, 100, 200],
                   help="search candidates, comma-separated, one row each (default 10,16,20,32,50,64,100,200)")
    p.add_argument("--build-threads", type=int, default=os.cpu_count() or 1, help="threads of add_items (default %(default)s)")
    p.add_argument("--rounds", type=int, default=3, help="timed passes over the queries per ef, after one untimed (default %(default)s)")
    p.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    p.add_argument("--serve", action="store_true",
                   help="after the build, read 'EF ROUNDS' lines from stdin and answer each with one JSON search line "
                        "(instead of --ef), so that a caller can measure its own searches between hnswlib's")
    a = p.parse_args()
    for name, low in (("k", 1), ("m", 2), ("ef_construction", 1), ("build_threads", 1), ("rounds", 1)):
        if getattr(a, name) < low:
            p.error(f"--{name.replace('_', '-')} must be at least {low}")
    return a


def main():
    a = parse_args()
    try:
        version = getattr(hnswlib, "__version__", None) or importlib.metadata.version("hnswlib")
    except importlib.metadata.PackageNotFoundError:
        version = "(version unknown)"
    log(f"hnswlib {version}, numpy {np.__version__}")

    x = read_vecs(a.vectors, np.float32, "fvecs")
    q = read_vecs(a.queries, np.float32, "fvecs")
    n, d = x.shape
    if q.shape[1] != d:
        fail(f"queries {a.queries} have {q.shape[1]} dimensions, vectors {a.vectors} have {d}")
    if a.k > n:
        fail(f"--k {a.k} is more than the {n} vectors")
    x = normalised(x, "data")
    q = normalised(q, "query")
    if a.truth:
        exact = read_truth(a.truth, len(q), n, a.k)
    else:
        log(f"exact top {a.k} of {len(q)} queries by brute force")
        exact = exact_top_k(x, q, a.k)

    # 'ip' distance is 1 - dot product; on unit vectors that ranks by cosine, as the Lucene index does.
    index = hnswlib.Index(space="ip", dim=d)
    index.init_index(max_elements=n, M=a.m, ef_construction=a.ef_construction, random_seed=100)
    log(f"building: {n} vectors x {d}, m {a.m}, ef_construction {a.ef_construction}, build_threads {a.build_threads}")
    t0 = time.perf_counter()
    index.add_items(x, np.arange(n), num_threads=a.build_threads)
    build_s = time.perf_counter() - t0
    index.set_num_threads(1)  # searches on one thread, as the Java side's

    def line(phase, **fields):
        return json.dumps({"peer": "hnswlib", "phase": phase, "vectors": n, "dimension": d, "m": a.m,
                           "ef_construction": a.ef_construction, **fields})

    recall_key = f"recall_at_{a.k}"
    if a.serve:
        print(line("build", build_threads=a.build_threads, build_s=round(build_s, 3)), flush=True)
        recalls = {}
        for request in sys.stdin:
            try:
                ef, rounds = (int(v) for v in request.split())
                if ef < 1 or rounds < 1:
                    raise ValueError
            except ValueError:
                fail(f"expected a line 'EF ROUNDS' of two positive integers on stdin, got {request.strip()!r}")
            r = measure(index, q, exact, a.k, ef, rounds, recalls.get(ef))
            recalls[ef] = r["recall"]
            print(line("search", k=a.k, ef=ef, qps=round(r["qps"], 1), p50_ms=round(r["p50_ms"], 3),
                       p99_ms=round(r["p99_ms"], 3), **{recall_key: round(r["recall"], 4)}), flush=True)
        return
    if a.json:
        print(line("build", build_threads=a.build_threads, build_s=round(build_s, 3)), flush=True)
    else:
        print(f"hnswlib {version}: {n:,} vectors x {d} dimensions, {len(q):,} queries; m {a.m}, "
              f"ef_construction {a.ef_construction}")
        print(f"build: {build_s:.2f} s with build_threads {a.build_threads} ({n / build_s:,.0f} vectors/s)")
        print(f"{'k':<4} {'ef':<5} {'qps':<9} {'p50_ms':<8} {'p99_ms':<8} {recall_key}")
    for ef in a.ef:
        log(f"search ef={ef}")
        r = measure(index, q, exact, a.k, ef, a.rounds)
        if a.json:
            print(line("search", k=a.k, ef=ef, qps=round(r["qps"], 1), p50_ms=round(r["p50_ms"], 3),
                       p99_ms=round(r["p99_ms"], 3), **{recall_key: round(r["recall"], 4)}), flush=True)
        else:
            print(f"{a.k:<4} {ef:<5} {r['qps']:<9.1f} {r['p50_ms']:<8.3f} {r['p99_ms']:<8.3f} {r['recall']:.4f}", flush=True)


if __name__ == "__main__":
    main()
