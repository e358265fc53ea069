#!/usr/bin/env node
// Makes `require("pulumi-clore")` resolve to this checkout from anywhere under it: the
// examples and test programs import the package by name, as users do, and the serialized
// dynamic provider loads `pulumi-clore/dynamic` inside the provider plugin.
const { existsSync, lstatSync, readlinkSync, symlinkSync, unlinkSync } = require("node:fs");
const { join } = require("node:path");

const link = join(__dirname, "..", "node_modules", "pulumi-clore");
// Already there: nothing to do (several release.sh parts may run this at once).
if (isDanglingLink(link) && readlinkSync(link) === "..") process.exit(0);
if (existsSync(link) || isDanglingLink(link)) {
  if (!lstatSync(link).isSymbolicLink()) throw new Error(`${link} exists and is not a symlink; remove it`);
  unlinkSync(link);
}
symlinkSync("..", link, "dir");

function isDanglingLink(p) {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
