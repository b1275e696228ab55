"""Samples, once a second, the requests the given workers answered and those the origin saw.

Usage: sample.py PHASE SECONDS NODE... with BASE (the port base) and STATUS (nginx stub_status) in the environment.
Prints one JSON line per second: phase, second, client requests, origin requests.
"""
import json, os, sys, time, urllib.request

phase, seconds, nodes = sys.argv[1], int(sys.argv[2]), [int(n) for n in sys.argv[3:]]
base, status = int(os.environ["BASE"]), int(os.environ["STATUS"])


def answered(node):
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{base + 3 * node + 1}/metrics", timeout=2).read().decode()
    except OSError:
        return None
    return sum(float(line.split()[-1]) for line in text.splitlines()
               if line.startswith("meshgate_gateway_requests_total{"))


def origin():
    text = urllib.request.urlopen(f"http://127.0.0.1:{status}/", timeout=2).read().decode()
    return int(text.splitlines()[2].split()[2])


def totals():
    counts = {n: answered(n) for n in nodes}
    return counts, origin()


counts, seen = totals()
start = time.monotonic()
for second in range(1, seconds + 1):
    time.sleep(max(0.0, start + second - time.monotonic()))
    now_counts, now_seen = totals()
    clients = sum(now_counts[n] - counts[n] for n in nodes
                  if now_counts[n] is not None and counts[n] is not None)
    print(json.dumps({"phase": phase, "second": second, "clients": clients, "origin": now_seen - seen - 1}), flush=True)
    counts, seen = now_counts, now_seen
