//! Reading inputs: the read-only view rules get instead of a deep copy.

use rhai::{Engine, INT};

use super::reg;
use crate::runtime::View;

const S: &str = "Reading inputs";

pub(super) fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<View>("View")
        .register_indexer_get(|v: &mut View, key: &str| v.get_key(key))
        .register_indexer_get(|v: &mut View, i: INT| v.get_index(i))
        .register_iterator::<View>();
    reg(
        engine,
        S,
        "len",
        &["input: View", "INT"],
        "Members of an object or elements of an array in the input; 0 for scalars.",
        View::len,
    );
    reg(
        engine,
        S,
        "is_empty",
        &["input: View", "bool"],
        "Whether an input object or array has no members.",
        View::is_empty,
    );
    reg(
        engine,
        S,
        "contains",
        &["input: View", "key: Dynamic", "bool"],
        "`key in input`: a member of an object, or an equal element of an array.",
        View::contains,
    );
    reg(
        engine,
        S,
        "keys",
        &["input: View", "Array"],
        "Member names of an input object, in document order.",
        View::keys,
    );
    reg(
        engine,
        S,
        "copy",
        &["input: View", "Dynamic"],
        "A plain Rhai copy of an input value, for array methods like `filter` and `map`.",
        View::materialize,
    );
    reg(
        engine,
        S,
        "to_string",
        &["input: View", "String"],
        "The input value as JSON text.",
        |v: &mut View| v.value().to_string(),
    );
    reg(
        engine,
        S,
        "to_debug",
        &["input: View", "String"],
        "The input value as JSON text.",
        |v: &mut View| v.value().to_string(),
    );
}
