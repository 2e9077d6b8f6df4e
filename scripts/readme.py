#!/usr/bin/env python3
"""Regenerates README.md from scripts/README.template.md.

Every `{{blast ...}}` line is replaced by the real output (stdout, then
stderr) of that command, run with the release binary from the repository
root, so the README only ever shows real runs:

    cargo build --release && python3 scripts/readme.py
"""
import os
import re
import shlex
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLAST = os.path.join(ROOT, "target", "release", "blast")


def run(command: str) -> str:
    args = shlex.split(command)
    assert args[0] == "blast", command
    done = subprocess.run([BLAST] + args[1:], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"})
    out = f"$ {command}\n{done.stdout}{done.stderr}"
    if done.returncode != 0:
        out += f"[exit code {done.returncode}]\n"
    return out.rstrip("\n")


def prepare() -> None:
    """Files the README's examples read: the edited quickstarts for `blast
    diff`, and the us-east-1 model without its load dynamics."""
    with open(os.path.join(ROOT, "topologies", "quickstart.yaml")) as f:
        text = f.read()
    with open("/tmp/quickstart-new.yaml", "w") as f:
        f.write(text.replace("quorum: 2, of: [db.replica-a", "quorum: 3, of: [db.replica-a", 1))
    with open("/tmp/quickstart-pinned.yaml", "w") as f:
        shop = "    name: Public shop load balancer\n"
        f.write(text.replace(shop, shop + "    zones: [demo-1a]\n", 1))
    with open(os.path.join(ROOT, "topologies", "us-east-1.yaml")) as f:
        lines = f.read().splitlines()
    first_order = [l for l in lines if not l.lstrip().startswith(("surges:", "failover:"))]
    with open("/tmp/us-east-1-first-order.yaml", "w") as f:
        f.write("\n".join(first_order) + "\n")


def main() -> None:
    prepare()
    with open(os.path.join(ROOT, "scripts", "README.template.md")) as f:
        template = f.read()
    text = re.sub(r"\{\{(blast [^}]*)\}\}", lambda m: run(m.group(1)), template)
    with open(os.path.join(ROOT, "README.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
