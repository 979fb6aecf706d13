#!/usr/bin/env bash
# Lints /api/v1/openapi.json as the worker serves it with Redocly's recommended rules (strict:
# a warning fails too) and Spectral's recommended OpenAPI ruleset (.spectral.yaml), failing on any
# finding, so partners can generate clients from it without noise.
set -euo pipefail
cd "$(dirname "$0")/.."

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

npx tsx scripts/openapi-document.ts >"$out/openapi.json"
# No usage reports or update checks from the linter: CI talks to nothing it does not need.
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  npx redocly lint "$out/openapi.json" --extends=recommended-strict --format=stylish
npx spectral lint "$out/openapi.json" --ruleset .spectral.yaml --fail-severity=hint
echo "check-openapi: Redocly and Spectral clean"
