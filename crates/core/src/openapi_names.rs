//! Schemas for text fields that take one name out of a fixed list (a
//! locale, a notification type, a calendar kind). The list comes from the
//! domain code that parses the field, so the document cannot drift from
//! what the parser accepts.

use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

/// A string schema whose only values are `names`.
pub fn one_of_names(names: impl IntoIterator<Item = &'static str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(names))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_lists_exactly_the_names() {
        let schema = serde_json::to_value(one_of_names(["fr", "en"])).unwrap();
        assert_eq!(schema["type"], "string");
        assert_eq!(schema["enum"], serde_json::json!(["fr", "en"]));
    }
}
