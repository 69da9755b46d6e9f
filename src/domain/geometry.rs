//! Places on a map: a scope's point or outline as the scopes file gives it (a
//! GeoJSON geometry: `Point`, `Polygon` or `MultiPolygon`), and a ticket's
//! coordinates as its report carries them. Parsed and range-checked once, so
//! the map endpoint and the screen never meet a ring that does not close or a
//! latitude of 95.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// The most positions one scope's geometry may hold: a screen draws every one of
/// them, and an outline traced to the metre would only make the map slow.
pub const MAX_POSITIONS: usize = 5_000;

/// A longitude and latitude in degrees (WGS 84, as GeoJSON and Open311 give them).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Position {
    pub lon: f64,
    pub lat: f64,
}

impl Position {
    /// Checks the ranges: longitude within ±180, latitude within ±90.
    pub fn new(lon: f64, lat: f64) -> Result<Position, String> {
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(format!("longitude {lon} is outside -180..180"));
        }
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(format!("latitude {lat} is outside -90..90"));
        }
        Ok(Position { lon, lat })
    }

    /// A GeoJSON position: `[lon, lat]` (an altitude after them is allowed and dropped).
    fn parse(v: &Value) -> Result<Position, String> {
        let Value::Array(a) = v else {
            return Err("must be a position [longitude, latitude]".into());
        };
        if !(2..=3).contains(&a.len()) {
            return Err(format!("must be [longitude, latitude], not {} numbers", a.len()));
        }
        let num = |v: &Value| v.as_f64().ok_or_else(|| "must be [longitude, latitude] as numbers".to_owned());
        Position::new(num(&a[0])?, num(&a[1])?)
    }

    /// Where a ticket was reported, when its `location` says: an object with
    /// `lat`/`long` (as Open311 reports are stored; `latitude`, `lng`, `lon`,
    /// `longitude` too, numbers or numeric strings), or a GeoJSON point. A free-text
    /// location, or coordinates out of range, give none.
    pub fn of_location(location: &Value) -> Option<Position> {
        let Value::Object(o) = location else { return None };
        if o.get("type").and_then(Value::as_str) == Some("Point") {
            return o.get("coordinates").and_then(|c| Position::parse(c).ok());
        }
        let number = |names: &[&str]| {
            names.iter().find_map(|n| match o.get(*n)? {
                Value::Number(x) => x.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            })
        };
        let lat = number(&["lat", "latitude"])?;
        let lon = number(&["long", "lng", "lon", "longitude"])?;
        Position::new(lon, lat).ok()
    }
}

/// A closed ring: at least four positions, the last equal to the first.
pub type Ring = Vec<Position>;

/// A scope's place: a point (a community's office, say) or an outline.
#[derive(Clone, Debug, PartialEq)]
pub enum Geometry {
    Point(Position),
    /// The outer ring, then any holes.
    Polygon(Vec<Ring>),
    MultiPolygon(Vec<Vec<Ring>>),
}

impl Geometry {
    /// Parses a GeoJSON geometry object, naming the part that is wrong
    /// (`coordinates[0][3]: latitude 95 is outside -90..90`).
    pub fn parse(v: &Value) -> Result<Geometry, String> {
        let Value::Object(o) = v else {
            return Err("must be a GeoJSON geometry object {\"type\", \"coordinates\"}".into());
        };
        if let Some(k) = o.keys().find(|k| !matches!(k.as_str(), "type" | "coordinates" | "bbox")) {
            return Err(format!("{k}: unknown field; a geometry has type and coordinates"));
        }
        let coords = o.get("coordinates").ok_or("coordinates: missing")?;
        let at = |path: String, e: String| format!("coordinates{path}: {e}");
        let g = match o.get("type").and_then(Value::as_str) {
            Some("Point") => Geometry::Point(Position::parse(coords).map_err(|e| at(String::new(), e))?),
            Some("Polygon") => Geometry::Polygon(polygon(coords).map_err(|(p, e)| at(p, e))?),
            Some("MultiPolygon") => {
                let Value::Array(polys) = coords else {
                    return Err(at(String::new(), "must be an array of polygons".into()));
                };
                if polys.is_empty() {
                    return Err(at(String::new(), "must hold at least one polygon".into()));
                }
                let parsed: Result<Vec<Vec<Ring>>, (String, String)> = polys
                    .iter()
                    .enumerate()
                    .map(|(i, p)| polygon(p).map_err(|(path, e)| (format!("[{i}]{path}"), e)))
                    .collect();
                Geometry::MultiPolygon(parsed.map_err(|(p, e)| at(p, e))?)
            }
            Some(other) => return Err(format!("type: {other:?} is not Point, Polygon or MultiPolygon")),
            None => return Err("type: missing; Point, Polygon or MultiPolygon".into()),
        };
        let n = g.positions().count();
        if n > MAX_POSITIONS {
            return Err(format!("coordinates: {n} positions, at most {MAX_POSITIONS}"));
        }
        Ok(g)
    }

    /// Every position, rings in order.
    pub fn positions(&self) -> Box<dyn Iterator<Item = &Position> + '_> {
        match self {
            Geometry::Point(p) => Box::new(std::iter::once(p)),
            Geometry::Polygon(rings) => Box::new(rings.iter().flatten()),
            Geometry::MultiPolygon(polys) => Box::new(polys.iter().flatten().flatten()),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Geometry::Point(_) => "Point",
            Geometry::Polygon(_) => "Polygon",
            Geometry::MultiPolygon(_) => "MultiPolygon",
        }
    }
}

/// A polygon's rings; the error names the ring and position (`[0][3]`).
fn polygon(v: &Value) -> Result<Vec<Ring>, (String, String)> {
    let Value::Array(rings) = v else {
        return Err((String::new(), "must be an array of rings".into()));
    };
    if rings.is_empty() {
        return Err((String::new(), "must hold at least the outer ring".into()));
    }
    rings
        .iter()
        .enumerate()
        .map(|(r, ring)| {
            let Value::Array(points) = ring else {
                return Err((format!("[{r}]"), "must be an array of positions".into()));
            };
            if points.len() < 4 {
                return Err((
                    format!("[{r}]"),
                    format!(
                        "a ring needs at least 4 positions (the last repeating the first), not {}",
                        points.len()
                    ),
                ));
            }
            let ring: Ring = points
                .iter()
                .enumerate()
                .map(|(i, p)| Position::parse(p).map_err(|e| (format!("[{r}][{i}]"), e)))
                .collect::<Result<_, _>>()?;
            if ring.first() != ring.last() {
                return Err((
                    format!("[{r}]"),
                    "the ring is not closed: its last position must equal its first".into(),
                ));
            }
            Ok(ring)
        })
        .collect()
}

/// A position as GeoJSON writes it.
struct Pos<'a>(&'a Position);

impl Serialize for Pos<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        [self.0.lon, self.0.lat].serialize(s)
    }
}

fn rings(r: &[Ring]) -> Vec<Vec<Pos<'_>>> {
    r.iter().map(|ring| ring.iter().map(Pos).collect()).collect()
}

impl Serialize for Geometry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("type", self.type_name())?;
        match self {
            Geometry::Point(p) => m.serialize_entry("coordinates", &Pos(p))?,
            Geometry::Polygon(r) => m.serialize_entry("coordinates", &rings(r))?,
            Geometry::MultiPolygon(p) => m.serialize_entry("coordinates", &p.iter().map(|r| rings(r)).collect::<Vec<_>>())?,
        }
        m.end()
    }
}

impl schemars::JsonSchema for Geometry {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Geometry".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // Inline, not a `$defs` reference: the schema is embedded in others (the
        // OpenAPI document's components), where a root-relative reference breaks.
        let position = serde_json::json!({
            "type": "array",
            "description": "[longitude, latitude] in degrees",
            "prefixItems": [
                {"type": "number", "minimum": -180, "maximum": 180},
                {"type": "number", "minimum": -90, "maximum": 90}
            ],
            "minItems": 2,
            "maxItems": 2
        });
        let ring = serde_json::json!({"type": "array", "minItems": 4, "items": position});
        let polygon = serde_json::json!({"type": "array", "minItems": 1, "items": ring});
        let shape = |kind: &str, coordinates: &Value| {
            serde_json::json!({"type": "object", "required": ["type", "coordinates"], "properties": {
                "type": {"const": kind},
                "coordinates": coordinates
            }})
        };
        schemars::json_schema!({
            "description": "A GeoJSON geometry (RFC 7946), longitude first: a point, or an outline whose rings close",
            "oneOf": [
                shape("Point", &position),
                shape("Polygon", &polygon),
                shape("MultiPolygon", &serde_json::json!({"type": "array", "minItems": 1, "items": polygon}))
            ]
        })
    }
}

/// The scopes file's `map`: how far its outlines can be trusted.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MapNote {
    /// The outlines are drawn to show the units' arrangement, not their true boundaries.
    #[serde(default)]
    pub schematic: bool,
    /// Where the outlines come from, or how rough they are (shown on the screen's map).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(v: Value) -> String {
        match Geometry::parse(&v) {
            Ok(g) => panic!("accepted {g:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn points_polygons_and_multipolygons_round_trip() {
        for v in [
            json!({"type": "Point", "coordinates": [106.57, 29.53]}),
            json!({"type": "Polygon", "coordinates": [[[106.5, 29.5], [106.6, 29.5], [106.6, 29.6], [106.5, 29.5]]]}),
            json!({"type": "MultiPolygon", "coordinates": [
                [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]],
                [[[2.0, 2.0], [3.0, 2.0], [3.0, 3.0], [2.0, 2.0]], [[2.2, 2.1], [2.8, 2.1], [2.8, 2.5], [2.2, 2.1]]]
            ]}),
        ] {
            let g = Geometry::parse(&v).unwrap();
            assert_eq!(serde_json::to_value(&g).unwrap(), v);
        }
    }

    #[test]
    fn bad_geometries_name_what_is_wrong() {
        assert!(err(json!({"type": "Point", "coordinates": [200.0, 29.5]})).contains("longitude 200 is outside"));
        assert!(err(json!({"type": "Point", "coordinates": [106.0, 95.0]})).contains("latitude 95 is outside"));
        let open = err(json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]]}));
        assert!(open.starts_with("coordinates[0]: the ring is not closed"), "{open}");
        let short = err(json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]]}));
        assert!(short.contains("at least 4 positions"), "{short}");
        let deep = err(json!({"type": "MultiPolygon", "coordinates": [[[[0.0, 0.0], [1.0, 0.0], [1.0, 91.0], [0.0, 0.0]]]]}));
        assert!(deep.starts_with("coordinates[0][0][2]: latitude 91"), "{deep}");
        assert!(err(json!({"type": "LineString", "coordinates": []})).starts_with("type:"));
        assert!(err(json!({"type": "Point"})).starts_with("coordinates: missing"));
        assert!(err(json!({"type": "Point", "coordinates": ["106", "29"]})).contains("as numbers"));
        assert!(err(json!([106.0, 29.0])).contains("GeoJSON geometry object"));
    }

    #[test]
    fn ticket_locations_give_coordinates_when_they_have_them() {
        let at = |v: Value| Position::of_location(&v).map(|p| (p.lon, p.lat));
        assert_eq!(at(json!({"lat": 29.5, "long": 106.5, "address": "x"})), Some((106.5, 29.5)));
        assert_eq!(at(json!({"latitude": "29.5", "lng": "106.5"})), Some((106.5, 29.5)));
        assert_eq!(at(json!({"type": "Point", "coordinates": [106.5, 29.5]})), Some((106.5, 29.5)));
        assert_eq!(at(json!("正街社区第三网格")), None);
        assert_eq!(at(json!({"lat": 95.0, "long": 106.5})), None, "out of range");
        assert_eq!(at(json!({"lat": 29.5})), None, "half a coordinate");
    }
}
