#!/usr/bin/env bash
# Type-checks every TypeScript project with the project's own compiler (TypeScript 7), called by
# path: the TypeScript 5 that openapi-typescript needs (the `typescript-5` package) installs a
# `tsc` too, and which of the two `npx tsc` finds depends on install order.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in tsconfig.json tsconfig.node.json test/tsconfig.json test/publish/tsconfig.json test/e2e/tsconfig.json; do
  node node_modules/typescript/bin/tsc --noEmit -p "$project"
done
