import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../helpers/build";

/**
 * The README's runnable parts, taken from README.md itself so README and tests cannot drift.
 * A fenced block preceded by `<!-- readme-test: KIND NAME -->` is one of:
 *   setup            a shell block users run as it is
 *   file NAME        a project file, written as it is
 *   program NAME     a Pulumi program (becomes the project's index.ts)
 *   typecheck NAME   TypeScript that must compile in the project
 * and, for the Install section (test/release/registries.e2e.spec.ts):
 *   install LANG     a shell block installing LANG's package from its registry
 *   project LANG/F   file F of LANG's quickstart project, written as it is
 *   stack            the shell block that makes a stack of any of those projects
 */
export interface ReadmeBlock {
  kind: "setup" | "file" | "program" | "typecheck" | "install" | "project" | "stack";
  name: string;
  text: string;
}

export function readmeBlocks(path = join(REPO, "README.md")): ReadmeBlock[] {
  const text = readFileSync(path, "utf8");
  const blocks: ReadmeBlock[] = [];
  const re =
    /<!-- readme-test: (setup|file|program|typecheck|install|project|stack)(?: (\S+))? -->\n```\w*\n([\s\S]*?)\n```/g;
  for (let m = re.exec(text); m; m = re.exec(text))
    blocks.push({ kind: m[1] as ReadmeBlock["kind"], name: m[2] ?? "", text: `${m[3]}\n` });
  return blocks;
}
