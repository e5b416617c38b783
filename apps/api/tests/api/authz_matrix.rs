//! The authorization matrix: every operation of the served OpenAPI document
//! with an id in its path, called by nine callers against an object of their
//! own side and a foreign one, on both backends. An operation of the document
//! without a row in [`table::MATRIX`] fails the test, so a new route is
//! picked up by itself.
//!
//! One world is built per backend and reused by every cell; an operation that
//! changes its object gets a fresh one per side, and its refused callers are
//! tried before the allowed ones.

#[path = "authz_matrix_objects.rs"]
pub mod objects;
#[path = "authz_matrix_table.rs"]
pub mod table;
#[path = "authz_matrix_world.rs"]
pub mod world;

use std::collections::HashMap;
use std::time::Instant;

use persistence::Backend;
use serde_json::Value;

use objects::Kind;
use table::{MATRIX, Op};
use world::{ROLES, Role, Side, World};

/// The document's operations with a path parameter, as `METHOD path`.
fn operations_with_ids() -> Vec<String> {
    let doc: Value = serde_json::from_str(&stm_api::openapi::document())
        .unwrap_or_else(|e| panic!("the document is not JSON: {e}"));
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        if !path.contains('{') {
            continue;
        }
        for method in item.as_object().into_iter().flatten().map(|(m, _)| m) {
            if ["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                ops.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    ops.sort();
    ops
}

#[test]
fn every_operation_with_an_id_has_a_row() {
    let rows: Vec<String> = MATRIX
        .iter()
        .map(|op| format!("{} {}", op.method, op.path))
        .collect();
    let documented = operations_with_ids();
    let missing: Vec<&String> = documented.iter().filter(|o| !rows.contains(o)).collect();
    let stale: Vec<&String> = rows.iter().filter(|r| !documented.contains(r)).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "operations without a matrix row: {missing:?}; rows of no operation: {stale:?}"
    );
    for op in MATRIX {
        for row in [op.own, op.foreign] {
            assert!(
                row.len() == ROLES.len() && row.chars().all(|c| "134oca".contains(c)),
                "{} {}: bad row {row:?}",
                op.method,
                op.path
            );
        }
    }
}

/// What a cell letter allows.
fn satisfied(letter: char, ok: u16, got: u16) -> bool {
    match letter {
        '1' => got == 401,
        '3' => got == 403,
        '4' => got == 404,
        'o' => got == ok,
        'c' => got == 409,
        _ => !matches!(got, 401 | 403 | 404) && got < 500,
    }
}

/// The cells of a row, refusals first so the allowed caller changes the object last.
fn order(row: &str) -> Vec<(Role, char)> {
    let mut cells: Vec<(Role, char)> = ROLES.iter().copied().zip(row.chars()).collect();
    cells.sort_by_key(|(_, letter)| !"134".contains(*letter));
    cells
}

struct Run {
    cells: usize,
    failures: Vec<String>,
    cache: HashMap<(Kind, &'static str), String>,
}

impl Run {
    async fn object(&mut self, world: &World, op: &Op, side: Side) -> String {
        if op.method != "GET" {
            return world.make(op.kind, side).await;
        }
        let key = (op.kind, if side == Side::Own { "own" } else { "foreign" });
        if let Some(id) = self.cache.get(&key) {
            return id.clone();
        }
        let id = world.make(op.kind, side).await;
        self.cache.insert(key, id.clone());
        id
    }

    async fn row(&mut self, world: &World, op: &Op, side: Side) {
        let id = self.object(world, op, side).await;
        let start = op.path.find('{').unwrap_or(op.path.len());
        let end = op.path.find('}').map_or(op.path.len(), |i| i + 1);
        let path = format!(
            "{}{id}{}{}",
            &op.path[..start],
            &op.path[end..],
            world.query(op.path)
        );
        let body: Option<Value> = op
            .body
            .map(|b| serde_json::from_str(b).unwrap_or_else(|e| panic!("{b}: {e}")));
        let row = if side == Side::Own {
            op.own
        } else {
            op.foreign
        };
        for (role, letter) in order(row) {
            let r = world
                .app
                .call(op.method, &path, world.token(role), body.as_ref())
                .await;
            self.cells += 1;
            let got = r.status.as_u16();
            if !satisfied(letter, op.ok, got) {
                let failure = format!(
                    "{} {} ({side:?} object {id}) as {role:?}: expected `{letter}`, got {got} {}",
                    op.method, op.path, r.body
                );
                eprintln!("{failure}");
                self.failures.push(failure);
            }
        }
    }
}

async fn matrix(backend: Backend) {
    let started = Instant::now();
    let world = world::world(backend).await;
    let built = started.elapsed();
    let mut run = Run {
        cells: 0,
        failures: Vec::new(),
        cache: HashMap::new(),
    };
    for op in MATRIX {
        run.row(&world, op, Side::Own).await;
        run.row(&world, op, Side::Foreign).await;
    }
    eprintln!(
        "authorization matrix on {backend:?}: {} operations, {} cells, world built in {:.1?}, total {:.1?}",
        MATRIX.len(),
        run.cells,
        built,
        started.elapsed()
    );
    assert!(
        run.failures.is_empty(),
        "{} of {} cells failed:\n{}",
        run.failures.len(),
        run.cells,
        run.failures.join("\n")
    );
}

#[actix_web::test]
async fn every_caller_gets_the_expected_status_on_sqlite() {
    matrix(Backend::Sqlite).await;
}

#[actix_web::test]
async fn every_caller_gets_the_expected_status_on_postgres() {
    if persistence::testing::postgres_url().is_none() {
        eprintln!("STM_TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    }
    matrix(Backend::Postgres).await;
}
