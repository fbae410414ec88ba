#!/usr/bin/env bash
# Re-renders the kustomize output that the deploy tests check (e2e-tests/src/test/resources/deploy/rendered/).
# Run it after changing anything under deploy/ and commit the result with the change:
#   deploy/render-fixtures.sh
# Needs kubectl (its built-in kustomize) or a standalone kustomize on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
out=e2e-tests/src/test/resources/deploy/rendered
mkdir -p "$out"
if command -v kubectl >/dev/null 2>&1; then render=(kubectl kustomize); else render=(kustomize build); fi
for target in overlays/dev overlays/prod monitoring; do
  name=$(basename "$target")
  {
    echo "# Rendered from deploy/$target by deploy/render-fixtures.sh; do not edit by hand."
    "${render[@]}" "deploy/$target"
  } > "$out/$name.yaml"
  echo "rendered deploy/$target -> $out/$name.yaml"
done
