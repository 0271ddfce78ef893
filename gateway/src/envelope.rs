//! The success envelope: `{"success": true, "data": …}`.

use actix_web::HttpResponse;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Envelope<T> {
    /// Always `true`.
    pub success: bool,
    pub data: T,
}

pub fn ok<T: Serialize>(data: T) -> HttpResponse {
    HttpResponse::Ok().json(Envelope {
        success: true,
        data,
    })
}

pub fn created<T: Serialize>(data: T) -> HttpResponse {
    HttpResponse::Created().json(Envelope {
        success: true,
        data,
    })
}

/// For deletes: `{"success": true, "data": null}`.
pub fn deleted() -> HttpResponse {
    HttpResponse::Ok().json(Envelope {
        success: true,
        data: (),
    })
}

/// For requests taken in but not done yet (an e-mail to send): `202`.
pub fn accepted<T: Serialize>(data: T) -> HttpResponse {
    HttpResponse::Accepted().json(Envelope {
        success: true,
        data,
    })
}
