"""The README's promises: its quick start is exactly two commands, CI runs the second one, and
the guided example runs as written."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_quick_start_is_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = _bash_blocks(quick)
    assert len(commands) == 2, commands
    assert all("\n" not in c for c in commands)
    assert "boolsens tour" in commands[0]
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert commands[1] in ci, "a line of .ci/run must be the README's test command"
    # after the fast tier, CI runs the slow tier with the property tests at strength
    slow = 'BOOLSENS_HYPOTHESIS_PROFILE=ci python3 -m pytest -q -m "slow or hypothesis"'
    assert slow in ci and ci.index(slow) > ci.index(commands[1])
    assert slow in readme


def test_guided_example_runs():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## A guided example\n\n```python\n(.*?)```", readme, flags=re.S).group(1)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    bs = namespace["bs"]
    assert namespace["batch"].shape == (4, 1024)
    assert bs.total_influence(namespace["h"]) == 2.0
