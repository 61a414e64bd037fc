// `terraform fmt -check` without terraform: HashiCorp's hclwrite formatter (the code behind
// `terraform fmt`), compiled to WebAssembly and shipped in @cdktf/hcl-tools. Formats every
// .tf file under the given folders (default: infra/) and fails listing those that differ.
// Usage: node infra/tools/fmt-check.mjs [--diff] [DIR...]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { format } = require("@cdktf/hcl-tools");

const args = process.argv.slice(2);
const showDiff = args.includes("--diff");
const roots = args.filter((a) => a !== "--diff");
if (roots.length === 0) roots.push(new URL("..", import.meta.url).pathname);

function tfFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tfFiles(path));
    else if (name.endsWith(".tf") || name.endsWith(".tfvars")) out.push(path);
  }
  return out;
}

const files = roots.flatMap(tfFiles);
const differ = [];
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const formatted = await format(text);
  if (formatted !== text) {
    differ.push(file);
    if (showDiff) {
      const a = text.split("\n");
      const b = formatted.split("\n");
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (a[i] !== b[i]) console.log(`${relative(process.cwd(), file)}:${i + 1}\n- ${a[i] ?? ""}\n+ ${b[i] ?? ""}`);
      }
    }
  }
}
if (files.length === 0) {
  console.error("fmt-check: no .tf files found");
  process.exit(2);
}
if (differ.length > 0) {
  console.error("fmt-check: not formatted as `terraform fmt` would (run `terraform fmt` on them):");
  for (const file of differ) console.error(`  ${relative(process.cwd(), file)}`);
  process.exit(1);
}
console.log(`fmt-check: ${files.length} files formatted (hclwrite via WebAssembly)`);
