"""Summarizes bench/cache-zipf.sh samples (JSON lines on stdin): per second, then per phase."""
import json, sys

rows = [json.loads(line) for line in sys.stdin if line.strip()]
print(f"{'phase':8} {'s':>3} {'client/s':>9} {'origin/s':>9} {'hit%':>6}")
for r in rows:
    if r["phase"] == "warm" and r["second"] % 5:
        continue
    hit = 100 * (1 - r["origin"] / r["clients"]) if r["clients"] else 0
    print(f"{r['phase']:8} {r['second']:>3} {r['clients']:>9.0f} {r['origin']:>9.0f} {hit:>6.1f}")
steady = [r for r in rows if r["phase"] == "steady"]
steady_origin = sum(r["origin"] for r in steady) / max(1, len(steady))
for phase in ["warm", "steady", "leave", "rejoin"]:
    part = [r for r in rows if r["phase"] == phase]
    if not part:
        continue
    clients, origin = sum(r["clients"] for r in part), sum(r["origin"] for r in part)
    hit = 100 * (1 - origin / clients) if clients else 0
    peak = max(r["origin"] for r in part)
    recovered = next((r["second"] for r in part if r["clients"] and 1 - r["origin"] / r["clients"] >= 0.95), None)
    line = f"{phase}: hit rate {hit:.2f}%, {clients:.0f} client requests, {origin:.0f} at the origin"
    if origin:
        line += f" ({clients / origin:.1f}x fewer)"
    if phase != "warm" and steady_origin:
        line += f", origin peak {peak:.0f}/s = {peak / steady_origin:.2f}x the steady rate"
    if phase in ("leave", "rejoin"):
        line += f", hit rate >= 95% from second {recovered}" if recovered else ", hit rate never >= 95%"
    print(line)
