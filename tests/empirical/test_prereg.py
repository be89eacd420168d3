"""Pre-registration (empirical.harness.prereg and ``boolsens experiment NAME --confirmatory``):
declarations load and every malformed one is refused with one line naming the file and the key;
a confirmatory smoke run of length-scaling from a declaration committed in a temporary git
repository records its kind, digest and commits and says so in its report; a resumed run after
the declaration changed is refused; an exploratory run says it is exploratory; the nine draft
declarations of docs/experiments load against their presets."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("torch")

from empirical.harness import prereg, registry  # noqa: E402
from empirical.harness.cli import main as experiment_main  # noqa: E402

EXP = "length-scaling"

GOOD = """\
status = "declared"
claim = "PARITY's sharpness grows with n faster than FIRST's."
preset = "smoke"
seeds = "5-6"
filters = "A run is kept only if its final eval MSE < 0.001; the report gives the counts with and without it."
statistic = "Per-seed slope over n of the PARITY minus FIRST difference."
rule = "Reproduced if the 95 % t interval lies above 0."
multiplicity = "combine over the measures: reproduced only if every one is"
power = "2 seeds: a wiring check"

[settings]
"train.steps" = 4
measure.draws = 2
ns = [3, 4]

[paper]
authors = "Hahn, Rofin"
title = "Why are Sensitive Functions Hard for Transformers?"
venue = "ACL"
year = 2024
sections = "Fig. 3 (lengths), Appendix (training)"

[[deviations]]
setting = "d_model"
paper = "128"
ours = "8"
why = "a test"
"""


def _write(tmp_path: Path, text: str, name: str = EXP) -> Path:
    path = tmp_path / f"{name}.prereg.toml"
    path.write_text(text)
    return path


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                          capture_output=True, text=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A temporary git repository holding a committed, declared length-scaling declaration, which
    the CLI reads instead of docs/experiments."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _write(repo, GOOD)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "declare")
    monkeypatch.setattr(prereg, "DECLARATIONS_DIR", repo)
    return repo


# ----------------------------------------------------------------------------- load and validate
def test_a_good_declaration_loads(tmp_path):
    _write(tmp_path, GOOD)
    decl = prereg.load(EXP, tmp_path)
    assert decl.name == EXP and decl.status == "declared" and decl.preset == "smoke"
    assert decl.seeds == (5, 6)
    assert decl.settings == (("train.steps", 4), ("measure.draws", 2), ("ns", [3, 4]))
    assert decl.assignments == ["train.steps=4", "measure.draws=2", "ns=[3, 4]"]
    cfg = decl.config()
    assert cfg.train.steps == 4 and cfg.ns == (3, 4) and cfg.seeds == (5, 6)
    assert decl.paper["year"] == 2024 and decl.deviations[0]["ours"] == "8"
    import hashlib
    assert prereg.digest(decl) == hashlib.sha256((tmp_path / f"{EXP}.prereg.toml").read_bytes()).hexdigest()


def test_seeds_may_be_a_list(tmp_path):
    _write(tmp_path, GOOD.replace('seeds = "5-6"', "seeds = [7, 9]"))
    assert prereg.load(EXP, tmp_path).seeds == (7, 9)


@pytest.mark.parametrize("edit, key, allowed", [
    (lambda t: t.replace('rule = "Reproduced if the 95 % t interval lies above 0."\n', ""), "rule", "required keys"),
    (lambda t: t.replace("[settings]", 'colour = "red"\n[settings]'), "colour", "allowed: status, claim"),
    (lambda t: t.replace('status = "declared"', 'status = "final"'), "status", "'draft', 'declared'"),
    (lambda t: t.replace('preset = "smoke"', 'preset = "laptop"'), "preset", "cpu, gpu, smoke"),
    (lambda t: t.replace('"train.steps" = 4', '"train.stepz" = 4'), "settings", "no field 'train.stepz'"),
    (lambda t: t.replace('"train.steps" = 4', '"train.steps" = "many"'), "settings", "not a valid int"),
    (lambda t: t.replace('"train.steps" = 4', "seeds = [8]"), "settings.seeds", "top-level key seeds"),
    (lambda t: t.replace('seeds = "5-6"', 'seeds = "0-3"'), "seeds", "must be fresh"),
    (lambda t: t.replace('seeds = "5-6"', 'seeds = "five"'), "seeds", "'10-29'"),
    (lambda t: t.replace('seeds = "5-6"', "seeds = [5, 5]"), "seeds", "distinct"),
    (lambda t: t.replace('claim = "PARITY\'s sharpness grows with n faster than FIRST\'s."', "claim = 3"), "claim",
     "non-empty text"),
    (lambda t: t.replace("year = 2024", 'year = "2024"'), "paper.year", "integer year"),
    (lambda t: t.replace('venue = "ACL"\n', ""), "paper.venue", "required keys: authors, title, venue"),
    (lambda t: t.replace('why = "a test"', 'why = "a test"\ncolour = "red"'), "deviations[0].colour",
     "allowed: setting, paper, ours, why"),
    (lambda t: t + "= broken\n", "not valid TOML", ""),
])
def test_every_malformed_declaration_is_one_error_naming_file_and_key(tmp_path, edit, key, allowed):
    path = _write(tmp_path, edit(GOOD))
    with pytest.raises(prereg.DeclarationError) as err:
        prereg.load(EXP, tmp_path)
    text = str(err.value)
    assert "\n" not in text and text.startswith(str(path)), text
    assert key in text and allowed in text, text


def test_a_missing_or_misnamed_declaration_is_refused(tmp_path):
    with pytest.raises(prereg.DeclarationError, match="no such declaration"):
        prereg.load(EXP, tmp_path)
    with pytest.raises(prereg.DeclarationError, match="unknown experiment"):
        prereg.load("no-such-experiment", tmp_path)
    with pytest.raises(prereg.DeclarationError, match="not an experiment"):
        prereg.load_file(_write(tmp_path, GOOD, name="no-such-experiment"))


# ----------------------------------------------------------------------------- the nine drafts
@pytest.mark.parametrize("name", registry.names())
def test_every_experiment_has_a_declaration_that_validates(name):
    decl = prereg.load(name)   # overrides apply to the preset's config, seeds are fresh
    exp = registry.get(name)
    assert decl.status in ("draft", "declared")
    text = prereg.path_of(name).read_text(encoding="utf-8")
    # a declared file no longer calls itself a draft, and names where its run goes
    assert ("first draft for review" in text) == (decl.status == "draft")
    if decl.status == "declared":
        assert f"--confirmatory --out docs/results/confirmatory/{name}" in text
    assert decl.preset == "cpu"
    assert decl.claim == exp.claim
    assert not set(decl.seeds) & set(exp.presets["cpu"].seeds)
    assert len(decl.seeds) in (10, 20)
    decl.config()
    if decl.status == "draft":
        with pytest.raises(prereg.DeclarationError, match="only a declaration with status = \"declared\""):
            prereg.provenance(decl)


# ----------------------------------------------------------------------------- the runner
def _run(out: Path, *extra: str) -> int:
    return experiment_main([EXP, "--out", str(out), "--jobs", "1", "--quiet", *extra])


def test_a_confirmatory_smoke_run_records_its_declaration(repo, tmp_path):
    out = tmp_path / "run"
    assert _run(out, "--confirmatory") == 0
    cfg = json.loads((out / "config.json").read_text())
    decl = prereg.load(EXP)
    commit = _git(repo, "log", "-1", "--format=%H", "--", f"{EXP}.prereg.toml")
    assert cfg["run_kind"] == "confirmatory"
    assert cfg["declaration"] == {"path": f"{EXP}.prereg.toml", "sha256": prereg.digest(decl), "commit": commit,
                                  "head_commit": _git(repo, "rev-parse", "HEAD"), "git": "ok"}
    assert cfg["invocation"]["preset"] == "smoke" and cfg["config"]["seeds"] == [5, 6]
    assert cfg["config"]["train"]["steps"] == 4
    lines = (out / "report.md").read_text().splitlines()
    assert f"Confirmatory run (declared in {EXP}.prereg.toml at commit {commit})" in lines[:4]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["run_kind"] == "confirmatory" and summary["declaration"]["commit"] == commit
    # resuming with an unchanged declaration is fine; --analyze keeps the kind
    assert _run(out, "--confirmatory") == 0
    assert experiment_main([EXP, "--out", str(out), "--analyze", "--quiet"]) == 0
    assert json.loads((out / "summary.json").read_text())["run_kind"] == "confirmatory"
    # an exploratory run cannot resume a confirmatory folder
    assert _run(out, "--preset", "smoke") == 2


def test_a_changed_declaration_is_refused_on_resume(repo, tmp_path, capsys):
    out = tmp_path / "run"
    assert _run(out, "--confirmatory") == 0
    _write(repo, GOOD.replace('"train.steps" = 4', '"train.steps" = 5'))
    _git(repo, "commit", "-q", "-am", "change")
    capsys.readouterr()
    assert _run(out, "--confirmatory") == 2
    assert "declaration changed since this run started" in capsys.readouterr().err


def test_uncommitted_draft_and_untracked_declarations_are_refused(repo, tmp_path, capsys):
    _write(repo, GOOD + "\n# an edit\n")
    assert _run(tmp_path / "a", "--confirmatory") == 2
    assert "uncommitted changes" in capsys.readouterr().err
    _git(repo, "commit", "-q", "-am", "edit")
    _write(repo, GOOD.replace('status = "declared"', 'status = "draft"'))
    _git(repo, "commit", "-q", "-am", "back to draft")
    assert _run(tmp_path / "b", "--confirmatory") == 2
    assert "status = \"declared\"" in capsys.readouterr().err
    other = tmp_path / "untracked"
    other.mkdir()
    _write(other, GOOD)
    subprocess.run(["git", "init", "-q"], cwd=other, check=True)
    with pytest.raises(prereg.DeclarationError, match="uncommitted"):
        prereg.provenance(prereg.load(EXP, other))
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_without_git_the_commits_are_null_and_say_so(tmp_path, monkeypatch):
    monkeypatch.setattr(prereg, "_git", lambda args, cwd: (None, "git not available (no git command)"))
    _write(tmp_path, GOOD)
    rec = prereg.provenance(prereg.load(EXP, tmp_path))
    assert rec["commit"] is None and rec["head_commit"] is None
    assert rec["git"] == "git not available (no git command): the commits are not recorded"
    from empirical.analysis.report import run_kind_line
    assert run_kind_line({"run_kind": "confirmatory", "declaration": rec}).endswith(
        "at commit unknown (git not available (no git command): the commits are not recorded))")


@pytest.mark.parametrize("extra", [["--preset", "smoke"], ["--set", "train.steps=3"], ["--seeds", "7"],
                                   ["--n-seeds", "2"], ["--grid", "train.steps=3,4"], ["--analyze"]])
def test_confirmatory_refuses_the_options_its_declaration_fixes(repo, tmp_path, capsys, extra):
    assert _run(tmp_path / "run", "--confirmatory", *extra) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and extra[0] in err and "--confirmatory" in err
    assert not (tmp_path / "run").exists()


def test_an_exploratory_run_says_so(repo, tmp_path):
    out = tmp_path / "run"
    assert _run(out, "--preset", "smoke") == 0
    assert json.loads((out / "config.json").read_text())["run_kind"] == "exploratory"
    assert json.loads((out / "summary.json").read_text())["run_kind"] == "exploratory"
    assert "Exploratory run (not pre-registered)" in (out / "report.md").read_text().splitlines()[:4]
    # a confirmatory run does not resume an exploratory folder (its units were seen)
    assert _run(out, "--confirmatory") == 2
