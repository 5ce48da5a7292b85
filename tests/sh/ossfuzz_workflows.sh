#!/bin/sh
# tests/sh/ossfuzz_workflows.sh [BUILD] - the ClusterFuzzLite workflows in
# .github/workflows/ are valid YAML and use ClusterFuzzLite's actions the
# documented way.
#
# actionlint is not packaged for Debian, so it runs only where it is
# installed; the checks below (python3 with PyYAML, Debian's python3-yaml)
# always run.  What they check, from ClusterFuzzLite's action.yml files and
# its GitHub Actions guide:
#   - every `uses:` is google/clusterfuzzlite/actions/build_fuzzers@v1 or
#     run_fuzzers@v1, and every `with:` key is an input that action has;
#   - run_fuzzers gets github-token and fuzz-seconds, and a mode of
#     code-change, batch, prune or coverage;
#   - language is the project's (.clusterfuzzlite/project.yaml: c);
#   - in each job the build and the run use the same sanitizer (matrix
#     expanded), one of address, undefined, memory, coverage, and coverage
#     goes with mode coverage and nothing else;
#   - every mode is set up (PR, batch, pruning, coverage), batch has pruning
#     beside it as the guide requires, and PR fuzzing runs when the code the
#     fuzzers are built from changes;
#   - ${{ }} expressions name only contexts that exist where they are used.
ROOT=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
cd "$ROOT" || exit 2

if command -v actionlint >/dev/null; then
    if actionlint .github/workflows/*.yml >/tmp/actionlint.$$ 2>&1; then
        echo "ok - actionlint passes .github/workflows/*.yml"
    else
        echo "not ok - actionlint on .github/workflows/*.yml"
        sed 's/^/    /' /tmp/actionlint.$$ | head -n 20
    fi
    rm -f /tmp/actionlint.$$
fi

if ! command -v python3 >/dev/null || ! python3 -c 'import yaml' 2>/dev/null; then
    echo "ok - ClusterFuzzLite workflow checks (skipped: python3-yaml not installed)"
    exit 0
fi

python3 - .github/workflows/*.yml <<'EOF'
import re
import sys

import yaml

BUILD = "google/clusterfuzzlite/actions/build_fuzzers@v1"
RUN = "google/clusterfuzzlite/actions/run_fuzzers@v1"
# The inputs of each action (action.yml, and the GitHub Actions guide).
INPUTS = {
    BUILD: {"language", "dry-run", "allowed-broken-targets-percentage", "sanitizer",
            "project-src-path", "bad-build-check", "keep-unaffected-fuzz-targets",
            "storage-repo", "storage-repo-branch", "storage-repo-branch-coverage",
            "upload-build", "github-token", "output-sarif"},
    RUN: {"language", "fuzz-seconds", "dry-run", "sanitizer", "mode", "github-token",
          "storage-repo", "storage-repo-branch", "storage-repo-branch-coverage",
          "report-unreproducible-crashes", "minimize-crashes", "parallel-fuzzing",
          "report-timeouts", "report-ooms", "output-sarif"},
}
MODES = {"code-change", "batch", "prune", "coverage"}
SANITIZERS = {"address", "undefined", "memory", "coverage"}
FUZZ_INPUTS = ["ref/**", "impl/**", "fuzz/**", "include/**", "corpus/**", ".clusterfuzzlite/**"]
CONTEXTS = {"github", "secrets", "matrix", "steps", "env", "inputs", "runner", "job", "strategy", "needs", "vars"}

results = []


def check(ok, name, detail=""):
    results.append(ok)
    print(("ok - " if ok else "not ok - ") + name + ("" if ok else (": " + detail if detail else "")))


with open(".clusterfuzzlite/project.yaml") as f:
    language = (yaml.safe_load(f) or {}).get("language")
check(language == "c", ".clusterfuzzlite/project.yaml: language c", repr(language))

modes_seen = {}
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            text = f.read()
        wf = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as e:
        check(False, path + " parses as YAML", str(e))
        continue
    check(isinstance(wf, dict), path + " parses as YAML (a mapping)")
    if not isinstance(wf, dict):
        continue
    # YAML 1.1 reads the key `on` as true.
    on = wf.get("on", wf.get(True))
    problems = []
    if not wf.get("name"):
        problems.append("no name")
    if not isinstance(on, (dict, list, str)) or not on:
        problems.append("no trigger (on:)")
    if "permissions" not in wf:
        problems.append("no permissions: (the guide uses read-all)")
    if isinstance(on, dict) and "schedule" in on:
        for s in on["schedule"] or []:
            if len(str(s.get("cron", "")).split()) != 5:
                problems.append("cron %r is not 5 fields" % s.get("cron"))
    jobs = wf.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        problems.append("no jobs")
        jobs = {}
    for jname, job in jobs.items():
        where = "%s job %s" % (path, jname)
        if not isinstance(job, dict) or "runs-on" not in job or not isinstance(job.get("steps"), list):
            problems.append(where + ": needs runs-on and steps")
            continue
        matrix = ((job.get("strategy") or {}).get("matrix") or {})
        for expr in re.findall(r"\$\{\{\s*([^}]*?)\s*\}\}", yaml.safe_dump(job)):
            ctx = re.split(r"[.\[ (]", expr, 1)[0]
            if ctx not in CONTEXTS:
                problems.append("%s: unknown context in ${{ %s }}" % (where, expr))
            m = re.match(r"matrix\.([\w-]+)$", expr)
            if m and m.group(1) not in matrix:
                problems.append("%s: ${{ %s }} but the matrix has no %s" % (where, expr, m.group(1)))

        def values(v):
            """The values v takes over the job's matrix."""
            m = re.fullmatch(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}", str(v))
            if m:
                return [str(x) for x in matrix.get(m.group(1), [])]
            return [str(v)]

        ids = [s.get("id") for s in job["steps"] if isinstance(s, dict) and s.get("id")]
        if len(ids) != len(set(ids)):
            problems.append(where + ": step ids repeat")
        build_san, run_san, mode = None, None, None
        for step in job["steps"]:
            if not isinstance(step, dict):
                problems.append(where + ": a step is not a mapping")
                continue
            uses = step.get("uses")
            if uses is None:
                continue
            if uses not in INPUTS:
                problems.append("%s: uses %s (want %s or %s)" % (where, uses, BUILD, RUN))
                continue
            w = step.get("with") or {}
            unknown = sorted(set(w) - INPUTS[uses])
            if unknown:
                problems.append("%s: %s has no input %s" % (where, uses.split("/")[-1], ", ".join(unknown)))
            if "language" in w and w["language"] != language:
                problems.append("%s: language %r, project.yaml says %r" % (where, w["language"], language))
            sans = values(w.get("sanitizer", "address"))
            for s in sans:
                if s not in SANITIZERS:
                    problems.append("%s: sanitizer %r" % (where, s))
            if uses == BUILD:
                if "language" not in w:
                    problems.append(where + ": build_fuzzers without language (its default is c++)")
                build_san = sans
            else:
                run_san = sans
                mode = w.get("mode")
                if mode not in MODES:
                    problems.append("%s: mode %r (want one of %s)" % (where, mode, ", ".join(sorted(MODES))))
                if not str(w.get("github-token", "")).startswith("${{ secrets."):
                    problems.append(where + ": run_fuzzers needs github-token: ${{ secrets.GITHUB_TOKEN }}")
                try:
                    if int(w.get("fuzz-seconds")) <= 0:
                        raise ValueError
                except (TypeError, ValueError):
                    problems.append(where + ": run_fuzzers needs a positive fuzz-seconds")
                modes_seen.setdefault(mode, []).append((path, on, run_san))
        if run_san is not None:
            if build_san is None:
                problems.append(where + ": run_fuzzers without build_fuzzers before it")
            elif build_san != run_san:
                problems.append("%s: built with %s, run with %s" % (where, build_san, run_san))
            if (mode == "coverage") != (run_san == ["coverage"]):
                problems.append("%s: mode %s with sanitizer %s (coverage goes with coverage only)" % (where, mode, run_san))
    check(not problems, path + " uses ClusterFuzzLite's actions with their documented inputs",
          "; ".join(problems))

for m in sorted(MODES):
    check(m in modes_seen, "a workflow runs ClusterFuzzLite in mode %s" % m)
check("batch" not in modes_seen or "prune" in modes_seen, "batch fuzzing has corpus pruning beside it")
for path, on, sans in modes_seen.get("code-change", []):
    pr = on.get("pull_request") if isinstance(on, dict) else None
    paths = (pr or {}).get("paths") if isinstance(pr, dict) else None
    missing = [p for p in FUZZ_INPUTS if paths is not None and p not in paths]
    check(pr is not None or (isinstance(on, list) and "pull_request" in on) or on == "pull_request",
          path + ": code-change fuzzing runs on pull requests")
    check(not missing, path + ": PR fuzzing runs when what the fuzzers are built from changes",
          "paths lack " + ", ".join(missing))
    check("address" in sans and "undefined" in sans, path + ": PR fuzzing with ASan and UBSan", str(sans))
sys.exit(0)
EOF
st=$?
[ "$st" -eq 0 ] || echo "not ok - the workflow checker itself failed (exit $st)"
