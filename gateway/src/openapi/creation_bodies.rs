//! Creating and updating a module, a lesson or a quiz take one input type
//! in `mdsc-course` (an update leaves out what stays), but creating one
//! needs its title (`422 title: is required`). The document says so: the
//! create operations get a copy of the input's schema, named `New…`, with
//! the fields creation requires marked required.

use utoipa::openapi::schema::{Schema, SchemaType, Type};
use utoipa::openapi::{OpenApi, Ref, RefOr};

/// (operation, input schema, fields its creation requires).
const CREATIONS: [(&str, &str, &[&str]); 3] = [
    ("createModule", "ModuleInput", &["title"]),
    ("createLesson", "LessonInput", &["title"]),
    ("createQuiz", "QuizInput", &["title"]),
];

pub(super) fn require_on_create(api: &mut OpenApi) {
    for (operation_id, input, required) in CREATIONS {
        let Some(schema) = creation_schema(api, input, required) else {
            panic!("schema {input} of {operation_id} is not an object in the document");
        };
        let name = format!("New{input}");
        let components = api.components.get_or_insert_with(Default::default);
        components.schemas.insert(name.clone(), RefOr::T(schema));
        let body = api
            .paths
            .paths
            .values_mut()
            .filter_map(|item| item.post.as_mut())
            .find(|op| op.operation_id.as_deref() == Some(operation_id))
            .and_then(|op| match op.request_body.as_mut() {
                Some(RefOr::T(body)) => Some(body),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{operation_id} has no request body in the document"));
        for content in body.content.values_mut() {
            if let RefOr::T(content) = content {
                content.schema = Some(RefOr::Ref(Ref::from_schema_name(name.clone())));
            }
        }
    }
}

fn creation_schema(api: &OpenApi, input: &str, required: &[&str]) -> Option<Schema> {
    let schema = api.components.as_ref()?.schemas.get(input)?;
    let RefOr::T(Schema::Object(object)) = schema else {
        return None;
    };
    let mut object = object.clone();
    for field in required {
        assert!(
            object.properties.contains_key(*field),
            "{input} has no field {field}"
        );
        if !object.required.iter().any(|r| r == field) {
            object.required.push((*field).to_owned());
        }
        // Required and not `null`: `"title": null` is refused as missing.
        if let Some(RefOr::T(Schema::Object(property))) = object.properties.get_mut(*field)
            && let SchemaType::Array(types) = &property.schema_type
        {
            let mut types: Vec<Type> = types
                .iter()
                .filter(|t| **t != Type::Null)
                .cloned()
                .collect();
            property.schema_type = match types.len() {
                1 => SchemaType::Type(types.remove(0)),
                _ => SchemaType::Array(types),
            };
        }
    }
    Some(Schema::Object(object))
}
