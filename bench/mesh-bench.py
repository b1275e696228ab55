#!/usr/bin/env python3
"""Starts N real meshd processes on loopback and measures, from the admin API of every node:
join convergence (all see N alive), kill -9 detection (every survivor sees the victim dead),
and idle RSS and CPU per node. After the join it waits idle-seconds / 2, measures CPU over
idle-seconds, then counts members not alive and suspicions raised by all nodes since their
start (both false suspicions: nobody has failed yet) before the kill.
Bounded: every wait has a deadline, every process is stopped (also on Ctrl-C).

usage: bench/mesh-bench.py [--nodes 16] [--profile lan] [--bin .build/release/meshd] [--idle-seconds 10]
"""
import argparse, base64, json, os, random, signal, socket, subprocess, sys, tempfile, time, urllib.request


HANDED_OUT = set()


def free_port():
    """A port free for UDP and TCP, below Linux's ephemeral range (so no outgoing
    connection takes it meanwhile), and never handed out twice in one run."""
    while True:
        port = random.randint(20000, 32000)
        if port in HANDED_OUT:
            continue
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t, \
                 socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                t.bind(("127.0.0.1", port))
                u.bind(("127.0.0.1", port))
        except OSError:
            continue
        HANDED_OUT.add(port)
        return port


class Node:
    def __init__(self, binary, directory, name, key, profile, seeds):
        self.name = name
        self.gossip = free_port()
        self.admin = free_port()
        self.data = os.path.join(directory, name)
        args = [binary, "--name", name, "--bind", f"127.0.0.1:{self.gossip}", "--admin", f"127.0.0.1:{self.admin}",
                "--data-dir", self.data, "--cluster-key-file", key, "--profile", profile, "--log-level", "warning"]
        if seeds:
            args += ["--seeds", ",".join(seeds)]
        self.log = open(os.path.join(directory, name + ".log"), "w")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=self.log)
        self.token = None

    def members(self):
        if self.token is None:
            path = os.path.join(self.data, "admin.token")
            if not os.path.exists(path):
                return {}
            self.token = open(path).read().strip()
        request = urllib.request.Request(f"http://127.0.0.1:{self.admin}/v1/members",
                                         headers={"Authorization": "Bearer " + self.token})
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                return {m["name"]: m["state"] for m in json.load(response)["members"]}
        except OSError:
            return {}

    def suspicions_raised(self):
        request = urllib.request.Request(f"http://127.0.0.1:{self.admin}/v1/status",
                                         headers={"Authorization": "Bearer " + (self.token or "")})
        with urllib.request.urlopen(request, timeout=2) as response:
            return json.load(response)["gossip"]["suspicions_raised"]

    def cpu_seconds(self):
        fields = open(f"/proc/{self.process.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory_mib(self, field):
        """Rss (shared library pages counted whole) or Pss (shared pages split among their users)."""
        for line in open(f"/proc/{self.process.pid}/smaps_rollup"):
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        return 0.0


def n_started(states):
    """Any answer from the admin API: the process is up and serving."""
    return len(states) > 0


def wait_until(nodes, condition, timeout):
    """Seconds until condition(states) holds on every node, or None."""
    start = time.monotonic()
    pending = list(nodes)
    while pending and time.monotonic() - start < timeout:
        pending = [n for n in pending if not condition(n.members())]
        if pending:
            time.sleep(0.02)
    return None if pending else time.monotonic() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=16)
    parser.add_argument("--profile", default="lan")
    parser.add_argument("--bin", default=".build/release/meshd")
    parser.add_argument("--idle-seconds", type=float, default=10)
    opts = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="mesh-bench-")
    key = os.path.join(directory, "cluster.key")
    with open(key, "w") as f:
        f.write(base64.b64encode(os.urandom(32)).decode() + "\n")
    nodes = []
    try:
        start = time.monotonic()
        first = Node(opts.bin, directory, "n0", key, opts.profile, [])
        nodes.append(first)
        seed = f"127.0.0.1:{first.gossip}"
        for i in range(1, opts.nodes):
            nodes.append(Node(opts.bin, directory, f"n{i}", key, opts.profile, [seed]))
        names = {n.name for n in nodes}
        started = wait_until(nodes, lambda s: n_started(s), 30)
        started_s = None if started is None else time.monotonic() - start
        converged = wait_until(nodes, lambda s: set(s) == names and all(v == "alive" for v in s.values()), 30)
        join_s = None if converged is None else time.monotonic() - start

        time.sleep(opts.idle_seconds / 2)
        cpu0 = {n.name: n.cpu_seconds() for n in nodes}
        t0 = time.monotonic()
        time.sleep(opts.idle_seconds)
        elapsed = time.monotonic() - t0
        cpu = [(n.cpu_seconds() - cpu0[n.name]) / elapsed * 100 for n in nodes]
        rss = [n.memory_mib("Rss") for n in nodes]
        pss = [n.memory_mib("Pss") for n in nodes]
        false_suspicions = sum(1 for n in nodes for state in n.members().values() if state != "alive")
        suspicions_raised = sum(n.suspicions_raised() for n in nodes)

        victim = nodes[-1]
        victim.process.kill()
        survivors = nodes[:-1]
        detected = wait_until(survivors, lambda s: s.get(victim.name) == "dead", 60)

        print(json.dumps({
            "nodes": opts.nodes, "profile": opts.profile,
            "all_started_s": None if started_s is None else round(started_s, 3),
            "join_all_alive_s": None if join_s is None else round(join_s, 3),
            "kill9_seen_dead_by_all_s": None if detected is None else round(detected, 3),
            "idle_cpu_percent_max": round(max(cpu), 2), "idle_cpu_percent_mean": round(sum(cpu) / len(cpu), 2),
            "rss_mib_max": round(max(rss), 1), "rss_mib_mean": round(sum(rss) / len(rss), 1),
            "pss_mib_mean": round(sum(pss) / len(pss), 1),
            "non_alive_seen_while_idle": false_suspicions,
            "suspicions_raised_before_kill": suspicions_raised,
        }))
    finally:
        for n in nodes:
            if n.process.poll() is None:
                n.process.send_signal(signal.SIGTERM)
        for n in nodes:
            try:
                n.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                n.process.kill()
                n.process.wait()


if __name__ == "__main__":
    sys.exit(main())
