# Everyday commands. `just` is optional: each recipe is one plain command.

# Run the server on SQLite (./data/stm.db)
run:
    cargo run -p stm-api

# Every test, SQLite and PostgreSQL
test:
    scripts/test

# Format the workspace
fmt:
    cargo fmt --all

# Lints as CI runs them
lint:
    cargo clippy --workspace --all-targets -- -D warnings
    scripts/check-layering

# Regenerate docs/openapi.json
openapi:
    cargo run -q -p stm-api -- openapi --output docs/openapi.json

# What CI runs
ci:
    bash .ci/run
