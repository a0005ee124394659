"""Keeps bench/RESULTS.md's one results table: rows keyed by (benchmark,
subject), updated in place, each with its date and the command that made it.

    import results; results.update([{"date": ..., "benchmark": ..., "subject": ...,
                                      "result": ..., "vs": ..., "command": ...}])
"""
import os

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")
HEADER = "| date | benchmark | subject | result | compared (same run) | command |"
RULE = "|---|---|---|---|---|---|"
FIELDS = ("date", "benchmark", "subject", "result", "vs", "command")


def _row(r):
    cmd = r["command"]
    if not cmd.startswith("`"):
        cmd = "`%s`" % cmd
    return "| %s | %s | %s | %s | %s | %s |" % (r["date"], r["benchmark"], r["subject"], r["result"],
                                               r.get("vs", ""), cmd)


def _parse(line):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) < len(FIELDS):
        return None
    return dict(zip(FIELDS, cells[:5] + ["|".join(cells[5:])]))


def update(rows):
    with open(PATH) as f:
        lines = f.read().split("\n")
    start = lines.index(HEADER)
    end = start + 2
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    table = [_parse(line) for line in lines[start + 2:end]]
    table = [t for t in table if t]
    index = {(t["benchmark"], t["subject"]): i for i, t in enumerate(table)}
    for r in rows:
        key = (r["benchmark"], r["subject"])
        if key in index:
            table[index[key]] = r
        else:
            index[key] = len(table)
            table.append(r)
    body = [_row(t) for t in table]
    lines[start:end] = [HEADER, RULE] + body
    with open(PATH, "w") as f:
        f.write("\n".join(lines))
