//! JSON request bodies, read the way their schemas in the OpenAPI document
//! say: JSON Schema's `integer` admits `2.0` (a JavaScript client cannot
//! always tell the two apart), and serde would refuse it for an `i32`. The
//! body is parsed once into a JSON value, whole-number floats become
//! integers, then the input type is read from it.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

use crate::error::{ApiError, deserialize_error};

/// Like `actix_web::web::Json` (the same size limit, content type check
/// and error envelope, from the app's `JsonConfig`), with integral floats
/// read as integers.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let value = value.await?.into_inner();
            decode(value).map(Json).map_err(Into::into)
        })
    }
}

/// Reads `T` from a parsed body (whole-number floats as integers); a
/// value of the wrong shape is a `422` on `body`. Every body of this API
/// is an object: serde would read a struct from an array (`[null, null]`
/// as its first two fields), so an array is refused here.
pub fn decode<T: DeserializeOwned>(mut value: Value) -> Result<T, ApiError> {
    if value.is_array() {
        let mut api = ApiError::new(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "Invalid input: the body must be a JSON object, not an array",
        );
        api.body.errors.push(mdsc_core::FieldError {
            field: "body".to_owned(),
            message: "must be a JSON object".to_owned(),
        });
        return Err(api);
    }
    integral_floats_as_integers(&mut value);
    serde_json::from_value(value).map_err(|e| deserialize_error(&e))
}

fn integral_floats_as_integers(value: &mut Value) {
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                // Below 2^53, every whole f64 is exact as an i64.
                *n = Number::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Input {
        weeks: i32,
        score: f64,
        items: Vec<u32>,
    }

    #[test]
    fn whole_number_floats_read_as_integers_and_fractions_stay_refused() {
        let input: Input =
            decode(serde_json::json!({"weeks": 12.0, "score": 75, "items": [1.0, 2]})).unwrap();
        assert_eq!(
            input,
            Input {
                weeks: 12,
                score: 75.0,
                items: vec![1, 2]
            }
        );
        let err = decode::<Input>(serde_json::json!({"weeks": 1.5, "score": 1, "items": []}))
            .unwrap_err();
        assert_eq!(
            err.status,
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
