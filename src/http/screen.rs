//! The wall screen: `/` lists the scopes, `/screen/{scope}` is one scope's cockpit.
//! Assets are embedded in the binary (screens often sit on an intranet with no CDN).

use actix_web::web;

pub fn configure(_cfg: &mut web::ServiceConfig) {}
